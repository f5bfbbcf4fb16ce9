package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// The same plan on two controllers runs the same build on each: cancelling
// it by build names the controller, else it is refused with where it runs;
// each cancel stops only its own controller's run (W5, D14).
func TestCore_C21_W5_CancelNamesTheControllerOfABuildOnTwo(t *testing.T) {
	f, _ := newCores(t, []string{"a", "b"}, "", results.Status{State: results.RunRunning})
	ch := f.console.Channel()
	planAndApprove(t, f, ch, "a")
	planAndApprove(t, f, ch, "b")
	ctx := context.Background()
	active, _ := f.db.ActiveRuns(ctx)
	if len(active) != 2 || active[0].Build != active[1].Build {
		t.Fatalf("setup: active %+v", active)
	}
	build := active[0].Build
	stateOn := func(ctl string) string {
		for _, r := range mustRecent(t, f) {
			if r.Controller == ctl {
				return r.State
			}
		}
		return ""
	}
	for _, step := range []struct {
		text, want string
		a, b       string // states after
	}{
		{"cancel " + build + " --yes", "running on several controllers (a, b); name one", "RUNNING", "RUNNING"},
		{"cancel " + build + " --yes --controller c", "No controller is named `c`; configured: a, b.", "RUNNING", "RUNNING"},
		{"cancel " + build + " --yes --controller b", "", "RUNNING", results.RunCancelled},
		{"cancel " + build + " --yes --controller b", "No active run of `" + build + "` on controller `b` to cancel.", "RUNNING", results.RunCancelled},
		{"cancel --yes --controller b", "No active run on controller `b` to cancel.", "RUNNING", results.RunCancelled},
		{"cancel " + build + " --yes", "", results.RunCancelled, results.RunCancelled},
	} {
		rep := f.say(t, "qa-lead", step.text)
		f.core.Wait()
		if step.want != "" && !strings.Contains(rep.Ephemeral, step.want) {
			t.Fatalf("%s: %q, want %q", step.text, rep.Ephemeral, step.want)
		}
		if a, b := stateOn("a"), stateOn("b"); a != step.a || b != step.b {
			t.Fatalf("%s (%q): a %s b %s, want %s %s", step.text, rep.Ephemeral, a, b, step.a, step.b)
		}
	}
}

func mustRecent(t *testing.T, f *coreFixture) []storage.Run {
	t.Helper()
	runs, err := f.db.RecentRuns(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// unwatch and watch of a build running on two controllers: named with
// --controller they touch that controller's run only, else refused with
// where it runs.
func TestCore_C21_WatchUnwatchNameTheControllerOfABuildOnTwo(t *testing.T) {
	f, _ := newCores(t, []string{"a", "b"}, "", results.Status{State: results.RunRunning})
	ch := f.console.Channel()
	planAndApprove(t, f, ch, "a")
	planAndApprove(t, f, ch, "b")
	ctx := context.Background()
	active, _ := f.db.ActiveRuns(ctx)
	if len(active) != 2 {
		t.Fatalf("setup: active %+v", active)
	}
	build := active[0].Build
	watcherOn := func(ctl string) bool {
		for _, r := range mustRecent(t, f) {
			if r.Controller == ctl {
				return r.Watcher
			}
		}
		t.Fatalf("no run on %s", ctl)
		return false
	}
	for _, step := range []struct {
		text, want string
		a, b       bool // watched after
	}{
		{"unwatch " + build, "running on several controllers (a, b); name one: `/atvm unwatch " + build + " --controller NAME`", true, true},
		{"unwatch " + build + " --controller b", "No more posts for `" + build + "`", true, false},
		{"unwatch " + build + " --controller c", "No controller is named `c`", true, false},
		{"watch " + build, "running on several controllers (a, b)", true, false},
		{"watch " + build + " --controller a", "already watching", true, false},
		{"watch " + build + " --controller b", "Watching `" + build + "` again", true, true},
	} {
		rep := f.say(t, "qa-lead", step.text)
		if !strings.Contains(rep.Ephemeral, step.want) {
			t.Fatalf("%s: %q, want %q", step.text, rep.Ephemeral, step.want)
		}
		if a, b := watcherOn("a"), watcherOn("b"); a != step.a || b != step.b {
			t.Fatalf("%s: watched a=%v b=%v, want %v %v", step.text, a, b, step.a, step.b)
		}
	}
}
