package mattermost

import (
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/results"

	"github.com/atvm/atvmbot/bot"
)

// TestCrash_D30_W1_KillBetweenUploadAndPost SIGKILLs the bot after the
// final summary's picture is uploaded and before the post is created, then
// restarts it: one final summary, with exactly one picture attached. The
// dead bot's upload stays on the server attached to nothing (unseen).
func TestCrash_D30_W1_KillBetweenUploadAndPost(t *testing.T) {
	rig := newCrashRig(t, crashGroups, 2, "")
	killed, log := rig.run(crashLaunchEnv+"=1", bot.FaultEnv+"="+bot.FaultAfterUpload)
	if !killed || !strings.Contains(log, bot.FaultMarker+bot.FaultAfterUpload+"@1") {
		t.Fatalf("not killed after the upload:\n%s", log)
	}
	if n := rig.mm.count("POST files"); n != 1 {
		t.Fatalf("%d uploads before the kill, want 1", n)
	}
	for _, p := range rig.mm.posts() {
		if k, _ := p.GetProp(bot.PropIdemKey).(string); strings.HasSuffix(k, "/final/r0/0") {
			t.Fatalf("the final summary exists before the restart: the kill was not between upload and post")
		}
	}
	rig.runToEnd(crashLaunchEnv + "=1")
	fig := rig.verify(results.RunFailed)
	var withFiles []*model.Post
	for _, p := range rig.mm.posts() {
		if len(p.FileIds) > 0 {
			withFiles = append(withFiles, p)
		}
	}
	if len(withFiles) != 1 || len(withFiles[0].FileIds) != 1 {
		t.Fatalf("%d posts with files (want 1, with one file)", len(withFiles))
	}
	if k, _ := withFiles[0].GetProp(bot.PropIdemKey).(string); !strings.HasSuffix(k, "/final/r0/0") {
		t.Errorf("the picture is on %s, want the final summary", k)
	}
	t.Logf("uploads %d (one left unattached by the killed bot), posts with a picture %d; %s", rig.mm.count("POST files"), len(withFiles), fig)
}

// TestCrash_D30_W1_ChartKilledBetweenUploadAndPost: a `status --chart`
// request whose bot dies after the upload, asked again under the same
// request id after the restart, gives one chart post in the run's thread
// with one picture.
func TestCrash_D30_W1_ChartKilledBetweenUploadAndPost(t *testing.T) {
	rig := newCrashRig(t, crashGroups, 2, "")
	if killed, log := rig.run(crashLaunchEnv + "=only"); killed {
		t.Fatalf("setup killed:\n%s", log)
	}
	const req = "trigger-0001"
	killed, log := rig.run(crashChartEnv+"="+req, bot.FaultEnv+"="+bot.FaultAfterUpload)
	if !killed || !strings.Contains(log, bot.FaultMarker+bot.FaultAfterUpload+"@1") {
		t.Fatalf("not killed after the upload:\n%s", log)
	}
	if killed, log = rig.run(crashChartEnv + "=" + req); killed || !strings.Contains(log, "Posted the status of `e2e-crash` with its timeline in the run's thread") {
		t.Fatalf("the request asked again did not answer with the chart's link:\n%s", log)
	}
	var root string
	var charts []*model.Post
	for _, p := range rig.mm.posts() {
		k, _ := p.GetProp(bot.PropIdemKey).(string)
		switch {
		case strings.HasSuffix(k, "/root"):
			root = p.Id
		case strings.HasPrefix(k, "chart/"):
			charts = append(charts, p)
		}
	}
	if len(charts) != 1 || len(charts[0].FileIds) != 1 {
		t.Fatalf("%d chart posts (want 1, with one file)", len(charts))
	}
	if root == "" || charts[0].RootId != root || !strings.Contains(charts[0].Message, "e2e-crash") {
		t.Errorf("chart post in thread %q (root %q): %.200s", charts[0].RootId, root, charts[0].Message)
	}
	if k, _ := charts[0].GetProp(bot.PropIdemKey).(string); !strings.HasSuffix(k, req) {
		t.Errorf("chart key %q does not name the request", k)
	}
	t.Logf("uploads %d (one left unattached by the killed bot), chart posts %d; bot processes %d, killed %d", rig.mm.count("POST files"), len(charts), rig.children, rig.kills)
}
