package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/internal/itlog"
	"github.com/atvm/atvmbot/simulator"
)

func readScenario(t *testing.T, name string) ([]byte, simulator.Expect) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "scenarios", name))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := simulator.ParseScenario(data)
	if err != nil {
		t.Fatal(err)
	}
	return data, sc.Expect
}

// planAndApprove plans as alice through /atvm, checks the plan post, and
// approves it with the button as the admin (an approver). It returns the
// plan post as first shown.
func (w *world) planAndApprove(ctx context.Context, truth simulator.Expect) *model.Post {
	w.t.Helper()
	text := "plan " + truth.Plan + " --build " + w.buildOf(truth)
	resp, err := w.exec(ctx, w.alice, text)
	if err != nil {
		w.t.Fatal(err)
	}
	if !strings.Contains(resp.Text, "received") {
		w.t.Fatalf("slash acknowledgement %q", resp.Text)
	}
	plan := w.waitPost(ctx, "with the plan", 30*time.Second, func(p *model.Post) bool {
		return strings.HasPrefix(p.Message, "#### Plan ") && strings.Contains(p.Message, "`"+w.buildOf(truth)+"`")
	})
	if err := press(ctx, w.admin, plan.Id, "approve"); err != nil {
		w.t.Fatal(err)
	}
	return plan
}

// The happy path: /atvm plan through Mattermost → plan post →
// Approve button → a categorized run of 3 groups with one failing host →
// one post per sub-run and a final summary, each compared with golden text;
// the simulator ran exactly the commands the plan post showed (D18).
func TestE2E_HappyPath_W3_CategorizedRunPostsEachGroupThenFinal(t *testing.T) {
	record(t)
	scen, truth := readScenario(t, "happy.yaml")
	w := newWorld(t, "happy", worldOpts{scenario: scen})
	itlog.Ran(t, "e2e")
	w.dumpOnFailure()
	ctx := ctxT(t, 5*time.Minute)
	w.start()

	plan := w.planAndApprove(ctx, truth)
	golden(t, "happy/plan-shown.md", w.mask(truth, plan.Message))
	if n := len(plan.Attachments()); n != 1 || len(plan.Attachments()[0].Actions) != 3 {
		t.Errorf("plan post: want one attachment with Approve, Approve without watcher, Cancel; got %d", n)
	}
	final := w.waitPost(ctx, "with the final summary", 3*time.Minute, func(p *model.Post) bool {
		return strings.HasSuffix(idemKey(p), "/final/r0/0")
	})
	run := w.waitRunState(ctx, time.Minute)
	if run.State != truth.State {
		t.Errorf("run state %s, want %s", run.State, truth.State)
	}
	w.checkArgv(plan.Message)

	acc := w.accountPosts(ctx, w.keys(truth))
	if len(acc.problems) > 0 || acc.expected != 2+len(truth.Subruns) {
		t.Errorf("posts: %d expected, %d seen; %s", acc.expected, acc.seen, strings.Join(acc.problems, "; "))
	}
	posts, err := w.botPosts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Exactly: the plan post, the root, one per sub-run, the final.
	if len(posts) != 3+len(truth.Subruns) {
		for _, p := range posts {
			t.Logf("post %s: %s", idemKey(p), clipStr(p.Message, 80))
		}
		t.Errorf("%d bot posts, want %d", len(posts), 3+len(truth.Subruns))
	}
	root := acc.byKey[run.ID+"/root"]
	if root == nil {
		t.Fatal("no root post")
	}
	for _, s := range truth.Subruns {
		p := acc.byKey[run.ID+"/sub/"+w.sub(truth, s)+"/r0/0"]
		if p == nil {
			t.Errorf("no post for sub-run %s", s)
			continue
		}
		if p.RootId != root.Id {
			t.Errorf("sub-run %s post is not in the run's thread", s)
		}
		golden(t, "happy/sub-"+s+".md", w.mask(truth, p.Message))
		// Each host of the group with its true status.
		for name, h := range truth.Hosts {
			if strings.HasSuffix(s, "-"+h.Group) && !strings.HasPrefix(hostLine(p.Message, name), "- "+name+" - "+h.Status) {
				t.Errorf("sub-run %s: host %s line %q, want %s", s, name, hostLine(p.Message, name), h.Status)
			}
		}
	}
	if final.RootId != root.Id {
		t.Error("final summary is not in the run's thread")
	}
	// The run's timeline rides on the final summary: one file, a PNG of
	// the width drawn for Mattermost's preview.
	if len(final.FileIds) != 1 {
		t.Errorf("final summary has %d files, want its timeline", len(final.FileIds))
	} else if fi, _, err := w.admin.GetFileInfo(ctx, final.FileIds[0]); err != nil || fi.MimeType != "image/png" || fi.Width != 960 || fi.Height < 100 {
		t.Errorf("final summary's file: %+v %v; want a 960 px wide PNG", fi, err)
	}
	if !strings.Contains(final.Message, "@"+suite.mm["MM_USER_USERNAME"]) || !strings.Contains(final.Message, "@"+suite.mm["MM_ADMIN_USERNAME"]) {
		t.Error("final summary does not mention who planned and who approved")
	}
	checkTruth(t, final.Message, truth)
	golden(t, "happy/final.md", w.mask(truth, final.Message))
	// The root and the plan post end patched with the outcome.
	rootNow, _, err := w.admin.GetPost(ctx, root.Id, "")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "happy/root.md", w.mask(truth, rootNow.Message))
	planNow, _, err := w.admin.GetPost(ctx, plan.Id, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(planNow.Attachments()) != 0 {
		t.Error("the used plan post still shows its buttons")
	}
	golden(t, "happy/plan-launched.md", w.mask(truth, planNow.Message))
}

// The same run with the controller reached as a non-root user (D16: the
// SSH paths must work for both; root is the real controller's login).
func TestE2E_NonRoot_D16_RunAsSSHTestUserPostsOnce(t *testing.T) {
	record(t)
	scen, truth := readScenario(t, "happy.yaml")
	w := newWorld(t, "nonroot", worldOpts{scenario: scen, user: "sshtest"})
	itlog.Ran(t, "e2e")
	w.dumpOnFailure()
	ctx := ctxT(t, 5*time.Minute)
	w.start()
	plan := w.planAndApprove(ctx, truth)
	final := w.waitPost(ctx, "with the final summary", 3*time.Minute, func(p *model.Post) bool {
		return strings.HasSuffix(idemKey(p), "/final/r0/0")
	})
	run := w.waitRunState(ctx, time.Minute)
	if run.State != truth.State {
		t.Errorf("run state %s, want %s", run.State, truth.State)
	}
	w.checkArgv(plan.Message)
	checkTruth(t, final.Message, truth)
	golden(t, "happy/final.md", w.mask(truth, final.Message))
	if acc := w.accountPosts(ctx, w.keys(truth)); len(acc.problems) > 0 {
		t.Errorf("posts: %s", strings.Join(acc.problems, "; "))
	}
}
