package mattermost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/internal/itlog"

	"github.com/atvm/atvmbot/bot"
)

// A poster child is a bot process that makes one post with a picture on a
// real server and dies wherever ATVMBOT_FAULT says.
const (
	posterURLEnv     = "ATVMBOT_POSTER_URL"
	posterTokenEnv   = "ATVMBOT_POSTER_TOKEN"
	posterChannelEnv = "ATVMBOT_POSTER_CHANNEL"
	posterRootEnv    = "ATVMBOT_POSTER_ROOT"
	posterKeyEnv     = "ATVMBOT_POSTER_KEY"
)

func posterPost() bot.OutPost {
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for i := range img.Pix {
		img.Pix[i] = 0xC0
	}
	img.Set(3, 3, color.Black)
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return bot.OutPost{ChannelID: os.Getenv(posterChannelEnv), RootID: os.Getenv(posterRootEnv), Message: "**Final summary** (crash test)",
		IdemKey: os.Getenv(posterKeyEnv), Files: []bot.OutFile{{Name: "timeline-crash.png", Data: buf.Bytes()}}}
}

func posterChild() int {
	ctx := context.Background()
	log := zerolog.New(os.Stderr)
	m, err := NewMattermost(ctx, MattermostOptions{URL: os.Getenv(posterURLEnv), Token: os.Getenv(posterTokenEnv), Log: log})
	if err != nil {
		log.Error().Err(err).Msg("mattermost")
		return 3
	}
	id, err := m.CreatePost(ctx, posterPost())
	if err != nil {
		log.Error().Err(err).Msg("create post")
		return 3
	}
	fmt.Fprintln(os.Stderr, "posted", id)
	return 0
}

// TestIntegration_D30_W1_KillBetweenUploadAndPost: a bot process SIGKILLed
// after uploading a post's picture and before creating the post; the
// restarted bot, then a second restart, make one post with one picture on
// the real server. The dead process's upload is attached to nothing.
func TestIntegration_D30_W1_KillBetweenUploadAndPost(t *testing.T) {
	env := loadMMEnv(t)
	itlog.Ran(t, "mattermost")
	ctx := t.Context()
	m, err := NewMattermost(ctx, MattermostOptions{URL: env["MM_URL"], Token: env["MM_BOT_TOKEN"], Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	channel := env["MM_CHANNEL_ID"]
	root, err := m.CreatePost(ctx, bot.OutPost{ChannelID: channel, Message: "crash test run root", IdemKey: "it/crash-root/" + randomHex(4)})
	if err != nil {
		t.Fatal(err)
	}
	key := "it/crash-upload/" + randomHex(4) + "/final/r0/0"
	childEnv := append(os.Environ(), crashRoleEnv+"=poster", posterURLEnv+"="+env["MM_URL"], posterTokenEnv+"="+env["MM_BOT_TOKEN"],
		posterChannelEnv+"="+channel, posterRootEnv+"="+root, posterKeyEnv+"="+key)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(childEnv, bot.FaultEnv+"="+bot.FaultAfterUpload)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	var ws syscall.WaitStatus
	if errors.As(err, &ee) {
		ws, _ = ee.Sys().(syscall.WaitStatus)
	}
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL || !strings.Contains(string(out), bot.FaultMarker+bot.FaultAfterUpload) {
		t.Fatalf("the poster was not killed after the upload (%v):\n%s", err, out)
	}
	keyed := func() []*model.Post {
		t.Helper()
		thread, _, err := m.Client().GetPostThread(ctx, root, "", false)
		if err != nil {
			t.Fatal(err)
		}
		var ps []*model.Post
		for _, p := range thread.Posts {
			if p.GetProp(bot.PropIdemKey) == key {
				ps = append(ps, p)
			}
		}
		return ps
	}
	if ps := keyed(); len(ps) != 0 {
		t.Fatalf("%d posts before the restart: the kill was not between upload and post", len(ps))
	}
	for restart := 1; restart <= 2; restart++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(childEnv, bot.FaultEnv+"=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("restart %d: %v\n%s", restart, err, out)
		}
	}
	ps := keyed()
	if len(ps) != 1 || len(ps[0].FileIds) != 1 {
		t.Fatalf("%d posts under the key (want 1, with one file): %+v", len(ps), ps)
	}
	infos, _, err := m.Client().GetFileInfosForPost(ctx, ps[0].Id, "")
	if err != nil || len(infos) != 1 || infos[0].MimeType != "image/png" {
		t.Fatalf("files of the post: %d (%v)", len(infos), err)
	}
	t.Logf("one post %s with one picture %s after a kill between upload and post and two restarts", ps[0].Id, infos[0].Name)
}
