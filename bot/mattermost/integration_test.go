package mattermost

// The boundary against a real Mattermost server on 127.0.0.1, built and
// bootstrapped by scripts/mattermost-up.sh:
//
//	scripts/mattermost-up.sh up >/dev/null
//	ATVMBOT_MM_ENV=/tmp/atvmbot-mm-it/mm-it.env ATVMBOT_REQUIRE_MM=1 go test -race -run Integration -v ./bot/
//	scripts/mattermost-up.sh down
//
// Without ATVMBOT_MM_ENV the test skips, unless ATVMBOT_REQUIRE_MM=1 (CI),
// where a missing server is a failure (D18). The reconnect step stops and
// restarts the server with the same script; ATVMBOT_MM_NO_RESTART=1 skips it.

import (
	"bufio"
	"context"
	"crypto/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/internal/itlog"

	"github.com/atvm/atvmbot/bot"
)

func loadMMEnv(t *testing.T) map[string]string {
	t.Helper()
	path := os.Getenv("ATVMBOT_MM_ENV")
	required := os.Getenv("ATVMBOT_REQUIRE_MM") == "1"
	if path == "" {
		if required {
			t.Fatal("ATVMBOT_REQUIRE_MM=1 but ATVMBOT_MM_ENV is not set: run scripts/mattermost-up.sh up and point ATVMBOT_MM_ENV at its env file")
		}
		t.Skip("ATVMBOT_MM_ENV not set: no real Mattermost server (scripts/mattermost-up.sh up)")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("ATVMBOT_MM_ENV: %v", err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	for _, k := range []string{"MM_URL", "MM_TEAM_ID", "MM_TEAM_NAME", "MM_CHANNEL_ID", "MM_ADMIN_TOKEN", "MM_USER_TOKEN", "MM_USER_ID", "MM_BOT_TOKEN", "MM_BOT_USERNAME"} {
		if env[k] == "" {
			t.Fatalf("%s: %s missing", path, k)
		}
	}
	u, err := url.Parse(env["MM_URL"])
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1") {
		t.Fatalf("MM_URL %q is not a loopback server", env["MM_URL"])
	}
	if _, err := http.Get(env["MM_URL"] + "/api/v4/system/ping"); err != nil {
		t.Fatalf("Mattermost at %s is not answering (scripts/mattermost-up.sh up): %v", env["MM_URL"], err)
	}
	return env
}

// itHandler records every Incoming and answers like a tiny core.
type itHandler struct {
	mu  sync.Mutex
	got []bot.Incoming
	ch  chan bot.Incoming
}

func (h *itHandler) Handle(ctx context.Context, in bot.Incoming) bot.Reply {
	h.mu.Lock()
	h.got = append(h.got, in)
	h.mu.Unlock()
	h.ch <- in
	switch {
	case in.Action != nil:
		return bot.Reply{Ephemeral: "approved " + in.Action.Plan, Update: &bot.Update{Message: "Plan " + in.Action.Plan + " approved by @" + in.UserName}}
	case in.Source == bot.SourceSlash:
		return bot.Reply{Ephemeral: "hello " + in.UserName}
	default:
		return bot.Reply{Ephemeral: "answer to " + strings.TrimSpace(in.Text)}
	}
}

func (h *itHandler) next(t *testing.T, what string) bot.Incoming {
	t.Helper()
	select {
	case in := <-h.ch:
		return in
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		return bot.Incoming{}
	}
}

func (h *itHandler) none(t *testing.T, what string, d time.Duration) {
	t.Helper()
	select {
	case in := <-h.ch:
		t.Fatalf("%s reached the handler: %+v", what, in)
	case <-time.After(d):
	}
}

func TestIntegration_Mattermost(t *testing.T) {
	env := loadMMEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	log := zerolog.New(zerolog.NewTestWriter(t)).With().Timestamp().Logger()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + ln.Addr().String()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	signer, _ := NewSigner(key)
	metrics := bot.NewMetrics("it")

	t0 := time.Now()
	m, err := NewMattermost(ctx, MattermostOptions{URL: env["MM_URL"], Token: env["MM_BOT_TOKEN"], TeamName: env["MM_TEAM_NAME"],
		PublicURL: public, Signer: signer, Log: log, Metrics: metrics})
	if err != nil {
		t.Fatal(err)
	}
	if m.BotUserName() != env["MM_BOT_USERNAME"] {
		t.Fatalf("GetMe: %s", m.BotUserName())
	}
	h := &itHandler{ch: make(chan bot.Incoming, 32)}
	slash := NewSlashHandler(SlashOptions{Handler: h, Log: log, Metrics: metrics, ServerURL: env["MM_URL"], BaseContext: ctx})
	action := NewActionHandler(ActionOptions{Signer: signer, Handler: h, Log: log, Metrics: metrics})
	wsl := NewWSListener(m, WSOptions{Handler: h, Log: log, Metrics: metrics, MinBackoff: 200 * time.Millisecond, MaxBackoff: time.Second})
	mux := NewMux(ServerOptions{Slash: slash, Action: action, Metrics: metrics, Version: "it", Health: []HealthCheck{wsl.HealthCheck()}})
	go func() { _ = Serve(ctx, ln, mux, log) }()

	admin := model.NewAPIv4Client(env["MM_URL"])
	admin.SetToken(env["MM_ADMIN_TOKEN"])
	alice := model.NewAPIv4Client(env["MM_URL"])
	alice.SetToken(env["MM_USER_TOKEN"])
	channel := env["MM_CHANNEL_ID"]

	spec := CommandSpec{TeamID: env["MM_TEAM_ID"], Trigger: "atvm", URL: public + PathCommand,
		Hint: "plan|approve|status|help", Description: "ATVM Cypress automation"}
	// With the bot's own token: allowed or forbidden depending on the
	// server's permissions; either way no other error.
	if tokens, err := m.RegisterInTeams(ctx, []string{env["MM_TEAM_NAME"]}, spec); err != nil {
		t.Fatalf("register as bot: %v", err)
	} else {
		t.Logf("register as bot: %d team(s) registered", len(tokens))
	}
	cmd, err := RegisterCommand(ctx, admin, spec, log)
	if err != nil {
		t.Fatal(err)
	}
	slash.SetTokens(cmd.Token)
	t.Logf("setup (GetMe, listener, registration) took %v", time.Since(t0))

	t.Run("slash command reaches the handler verbatim", func(t *testing.T) {
		itlog.Ran(t, "mattermost")
		// Alice's own websocket: ephemeral answers reach her only there.
		aws, err := model.NewWebSocketClient4(wsURL(env["MM_URL"]), env["MM_USER_TOKEN"])
		if err != nil {
			t.Fatal(err)
		}
		aws.Listen()
		defer aws.Close()
		time.Sleep(300 * time.Millisecond) // events arrive late for a moment after login
		const text = "hello\tworld\r\n\x00end  "
		resp, _, err := alice.ExecuteCommand(ctx, channel, "/atvm "+text)
		if err != nil {
			t.Fatal(err)
		}
		in := h.next(t, "slash command")
		// RequestID: the trigger id, new for each execution, keys a chart's post.
		if in.Source != bot.SourceSlash || in.Text != text || in.UserName != "alice" || in.ChannelID != channel || in.TeamID != env["MM_TEAM_ID"] || in.RequestID == "" {
			t.Fatalf("incoming %+v (text %q)", in, in.Text)
		}
		if !strings.Contains(resp.Text, "received") {
			t.Fatalf("ack %+v", resp)
		}
		slash.Wait()
		// The handler's late answer came through response_url as an
		// ephemeral post only alice sees.
		deadline := time.After(10 * time.Second)
		for seen := false; !seen; {
			select {
			case ev, ok := <-aws.EventChannel:
				if !ok {
					t.Fatal("alice's websocket closed")
				}
				if ev.EventType() != model.WebsocketEventEphemeralMessage {
					continue
				}
				raw, _ := ev.GetData()["post"].(string)
				seen = strings.Contains(raw, "hello alice")
			case <-aws.PingTimeoutChannel:
			case <-deadline:
				t.Fatal("no ephemeral answer reached alice")
			}
		}
	})

	t.Run("wrong slash token is refused with 401", func(t *testing.T) {
		itlog.Ran(t, "mattermost")
		form := url.Values{"token": {"forged"}, "text": {"status"}, "user_name": {"mallory"}}
		resp, err := http.PostForm(public+PathCommand, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", resp.StatusCode)
		}
		h.none(t, "forged slash command", 300*time.Millisecond)
	})

	var planPost string
	t.Run("button press is verified and updates the post", func(t *testing.T) {
		itlog.Ran(t, "mattermost")
		planPost, err = m.CreatePost(ctx, bot.OutPost{ChannelID: channel, Message: "**Plan it-p1**", IdemKey: "it/plan/" + randomHex(4),
			Buttons: []bot.Button{{Name: "Approve", Action: "approve", Plan: "it-p1", Style: "primary"}, {Name: "Cancel", Action: "cancel", Plan: "it-p1"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := alice.DoPostAction(ctx, planPost, "approve"); err != nil {
			t.Fatal(err)
		}
		in := h.next(t, "button press")
		if in.Source != bot.SourceButton || in.Action == nil || in.Action.Plan != "it-p1" || in.Action.Action != "approve" || in.UserName != "alice" || in.PostID != planPost {
			t.Fatalf("incoming %+v", in)
		}
		p, _, err := admin.GetPost(ctx, planPost, "")
		if err != nil || p.Message != "Plan it-p1 approved by @alice" || p.UserId != m.BotUserID() {
			t.Fatalf("post after update: %+v %v", p, err)
		}
	})

	t.Run("forged and expired button contexts are refused", func(t *testing.T) {
		itlog.Ran(t, "mattermost")
		other, _ := NewSigner([]byte("some-other-key-0123456789"))
		forged, _ := other.Sign("it-p1", "approve", time.Now().Add(time.Hour))
		expired, _ := signer.Sign("it-p1", "approve", time.Now().Add(-time.Minute))
		for name, c := range map[string]map[string]any{"forged": forged, "expired": expired} {
			post := &model.Post{ChannelId: channel, Message: "button " + name}
			post.AddProp("attachments", []*model.MessageAttachment{{Actions: []*model.PostAction{{Id: "approve", Name: "Approve",
				Type: model.PostActionTypeButton, Integration: &model.PostActionIntegration{URL: public + PathAction, Context: c}}}}})
			created, _, err := m.Client().CreatePost(ctx, post)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := alice.DoPostAction(ctx, created.Id, "approve"); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			h.none(t, name+" button", 300*time.Millisecond)
			p, _, _ := admin.GetPost(ctx, created.Id, "")
			if p.Message != "button "+name {
				t.Fatalf("%s button changed the post: %q", name, p.Message)
			}
		}
		if metricValue(t, metrics, "atvmbot_refusals_total", "action_invalid") != 1 || metricValue(t, metrics, "atvmbot_refusals_total", "action_expired") != 1 {
			t.Fatal("refusals not counted")
		}
	})

	t.Run("W1 a keyed post is created once", func(t *testing.T) {
		itlog.Ran(t, "mattermost")
		key := "it/run/" + randomHex(4) + "/final/r1"
		var ids []string
		for i := 0; i < 2; i++ {
			// A fresh adapter each time, as after a restart.
			m2, err := NewMattermost(ctx, MattermostOptions{URL: env["MM_URL"], Token: env["MM_BOT_TOKEN"], Log: log})
			if err != nil {
				t.Fatal(err)
			}
			id, err := m2.CreatePost(ctx, bot.OutPost{ChannelID: channel, RootID: planPost, Message: "result", IdemKey: key})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		thread, _, err := admin.GetPostThread(ctx, planPost, "", false)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range thread.Posts {
			if p.GetProp(bot.PropIdemKey) == key {
				n++
			}
		}
		if ids[0] != ids[1] || n != 1 {
			t.Fatalf("ids %v, %d posts with the key", ids, n)
		}
		rootKey := "it/root/" + randomHex(4)
		a, err1 := m.CreatePost(ctx, bot.OutPost{ChannelID: channel, Message: "root once", IdemKey: rootKey})
		b, err2 := m.CreatePost(ctx, bot.OutPost{ChannelID: channel, Message: "root once", IdemKey: rootKey})
		if err1 != nil || err2 != nil || a != b {
			t.Fatalf("root post: %s %s %v %v", a, b, err1, err2)
		}
	})

	t.Run("W1 two replies at once on a fresh thread both land once", func(t *testing.T) {
		itlog.Ran(t, "mattermost")
		// The server sometimes answers 500 (threads_pkey) to one of two
		// simultaneous first replies: the retry must not duplicate.
		for round := 0; round < 4; round++ {
			root, err := m.CreatePost(ctx, bot.OutPost{ChannelID: channel, Message: "fresh thread"})
			if err != nil {
				t.Fatal(err)
			}
			keys := []string{"it/race/" + randomHex(4), "it/race/" + randomHex(4)}
			var wg sync.WaitGroup
			errs := make([]error, len(keys))
			for i, k := range keys {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = m.CreatePost(ctx, bot.OutPost{ChannelID: channel, RootID: root, Message: "reply " + k, IdemKey: k})
				}()
			}
			wg.Wait()
			thread, _, err := admin.GetPostThread(ctx, root, "", false)
			if err != nil {
				t.Fatal(err)
			}
			for i, k := range keys {
				n := 0
				for _, p := range thread.Posts {
					if p.GetProp(bot.PropIdemKey) == k {
						n++
					}
				}
				if errs[i] != nil || n != 1 {
					t.Fatalf("round %d key %s: err %v, %d posts", round, k, errs[i], n)
				}
			}
		}
	})

	wsCtx, wsCancel := context.WithCancel(ctx)
	wsDone := make(chan error, 1)
	go func() { wsDone <- wsl.Run(wsCtx) }()
	defer func() { wsCancel(); <-wsDone }()
	waitConnected := func(t *testing.T) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for wsl.State() != WSConnected {
			if time.Now().After(deadline) {
				t.Fatalf("websocket state %s", wsl.State())
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond) // events arrive late for a moment after login
	}

	mention := func(t *testing.T, text string) {
		t.Helper()
		p, _, err := alice.CreatePost(ctx, &model.Post{ChannelId: channel, Message: "@" + m.BotUserName() + " " + text})
		if err != nil {
			t.Fatal(err)
		}
		in := h.next(t, "mention")
		// D23: the adapter hands over the author's user id; a name is looked
		// up by the core from it, never taken from the event.
		if in.Source != bot.SourceMention || in.Text != text || in.PostID != p.Id || in.UserID != env["MM_USER_ID"] || in.UserName != "" {
			t.Fatalf("incoming %+v", in)
		}
		wsl.Wait()
		thread, _, err := admin.GetPostThread(ctx, p.Id, "", false)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, q := range thread.Posts {
			found = found || (q.UserId == m.BotUserID() && q.Message == "answer to "+text)
		}
		if !found {
			t.Fatal("no bot answer in the mention's thread")
		}
	}

	t.Run("websocket mention, DM and thread reply", func(t *testing.T) {
		itlog.Ran(t, "mattermost")
		waitConnected(t)
		mention(t, "status")

		dm, _, err := alice.CreateDirectChannel(ctx, env["MM_USER_ID"], m.BotUserID())
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := alice.CreatePost(ctx, &model.Post{ChannelId: dm.Id, Message: "status"}); err != nil {
			t.Fatal(err)
		}
		if in := h.next(t, "dm"); in.Source != bot.SourceDM || in.Text != "status" {
			t.Fatalf("dm incoming %+v", in)
		}
		if _, _, err := alice.CreatePost(ctx, &model.Post{ChannelId: channel, RootId: planPost, Message: "approve it-p1"}); err != nil {
			t.Fatal(err)
		}
		if in := h.next(t, "thread reply"); in.Source != bot.SourceThread || in.Text != "approve it-p1" || in.RootID != planPost {
			t.Fatalf("thread incoming %+v", in)
		}
		// A plain channel post is not for the bot.
		if _, _, err := alice.CreatePost(ctx, &model.Post{ChannelId: channel, Message: "lunch?"}); err != nil {
			t.Fatal(err)
		}
		h.none(t, "plain channel post", 500*time.Millisecond)
		wsl.Wait()
	})

	t.Run("websocket reconnects after a server restart", func(t *testing.T) {
		itlog.Ran(t, "mattermost")
		if os.Getenv("ATVMBOT_MM_NO_RESTART") == "1" {
			t.Skip("ATVMBOT_MM_NO_RESTART=1")
		}
		script, _ := filepath.Abs(filepath.Join("..", "..", "scripts", "mattermost-up.sh"))
		u, _ := url.Parse(env["MM_URL"])
		stateDir := filepath.Dir(os.Getenv("ATVMBOT_MM_ENV"))
		run := func(arg string) {
			c := exec.CommandContext(ctx, "bash", script, arg)
			c.Env = append(os.Environ(), "MM_IT_STATE="+stateDir, "MM_IT_PORT="+u.Port())
			if env["PG_PORT"] != "" {
				c.Env = append(c.Env, "MM_IT_PG_PORT="+env["PG_PORT"])
			}
			start := time.Now()
			if out, err := c.CombinedOutput(); err != nil {
				t.Fatalf("%s %s: %v\n%s", script, arg, err, out)
			}
			t.Logf("mattermost-up.sh %s took %v", arg, time.Since(start).Round(10*time.Millisecond))
		}
		run("down")
		deadline := time.Now().Add(10 * time.Second)
		for wsl.State() == WSConnected && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if s := wsl.State(); s != WSReconnecting {
			t.Fatalf("state after down: %s", s)
		}
		rep := RunHealth(ctx, "it", []HealthCheck{wsl.HealthCheck()}, time.Second)
		if rep.Status != "degraded" {
			t.Fatalf("health while down: %+v", rep)
		}
		run("up")
		start := time.Now()
		waitConnected(t)
		t.Logf("websocket back %v after up", time.Since(start).Round(10*time.Millisecond))
		mention(t, "status again")
	})
}
