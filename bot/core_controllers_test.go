package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// newCores is newCore with several controllers, each with its own scripted
// runner playing the same statuses; defaultFor names the controller whose
// channels hold the test channel ("" = none).
func newCores(t *testing.T, names []string, defaultFor string, statuses ...results.Status) (*coreFixture, map[string]*scriptedRunner) {
	t.Helper()
	f := newCore(t, statuses...)
	f.core.Runner = nil
	f.core.Runners = map[string]Runner{}
	f.core.Cfg.Controllers = map[string]config.ControllerEntry{}
	runners := map[string]*scriptedRunner{}
	for _, n := range names {
		e := config.ControllerEntry{Controller: f.core.Cfg.Controller}
		if n == defaultFor {
			e.Channels = []string{f.console.Channel()}
		}
		f.core.Cfg.Controllers[n] = e
		r := &scriptedRunner{name: n, statuses: append([]results.Status(nil), statuses...)}
		runners[n] = r
		f.core.Runners[n] = r
	}
	return f, runners
}

func openPlans(t *testing.T, f *coreFixture) []storage.Plan {
	t.Helper()
	open, err := f.db.OpenPlans(context.Background(), f.console.Channel())
	if err != nil {
		t.Fatal(err)
	}
	return open
}

func TestCore_C21_PlanResolvesItsController(t *testing.T) {
	for _, tc := range []struct {
		name       string
		names      []string
		defaultFor string
		text       string
		refusal    string // "" = posted
		controller string // stored with the plan
		shown      bool   // the plan post names the controller
	}{
		{"several, none named, no default: refused with the list", []string{"a", "b"}, "", "plan cmc-e2e --containsVm redhat9.6",
			"several controllers and this channel has none by default; name one with --controller: a, b", "", false},
		{"several, unknown name: refused with the list", []string{"a", "b"}, "", "plan cmc-e2e --containsVm redhat9.6 --controller c",
			"unknown controller c; controllers: a, b", "", false},
		{"several, named", []string{"a", "b"}, "", "plan cmc-e2e --containsVm redhat9.6 --controller b", "", "b", true},
		{"several, the channel's default", []string{"a", "b"}, "b", "plan cmc-e2e --containsVm redhat9.6", "", "b", true},
		{"several, named over the channel's default", []string{"a", "b"}, "b", "plan cmc-e2e --containsVm redhat9.6 --controller a", "", "a", true},
		{"one in the map: the only one, not shown", []string{"lab"}, "", "plan cmc-e2e --containsVm redhat9.6", "", "lab", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := newCores(t, tc.names, tc.defaultFor)
			rep := f.say(t, "alice", tc.text)
			open := openPlans(t, f)
			if tc.refusal != "" {
				if !strings.Contains(rep.Ephemeral, "Plan refused") || !strings.Contains(rep.Ephemeral, tc.refusal) {
					t.Fatalf("reply %q, want a refusal with %q", rep.Ephemeral, tc.refusal)
				}
				if len(open) != 0 || f.out.Len() != 0 {
					t.Fatalf("a refused plan stored %d plans and posted %q", len(open), f.out)
				}
				return
			}
			if !strings.Contains(rep.Ephemeral, "posted") || len(open) != 1 {
				t.Fatalf("reply %q, %d open plans", rep.Ephemeral, len(open))
			}
			if open[0].Controller != tc.controller {
				t.Fatalf("stored controller %q, want %q", open[0].Controller, tc.controller)
			}
			if got := strings.Contains(open[0].PlanJSON, `"controller":"`+tc.controller+`"`); got != tc.shown {
				t.Fatalf("plan JSON names the controller: %v, want %v: %s", got, tc.shown, open[0].PlanJSON)
			}
			if got := strings.Contains(f.out.String(), "**Controller:** `"+tc.controller+"`"); got != tc.shown {
				t.Fatalf("plan post names the controller: %v, want %v:\n%s", got, tc.shown, f.out)
			}
		})
	}
}

// The old single `controller:` block: plans are the only controller's
// ("default"), the post names none, and the same plan again is the open one.
func TestCore_C21_SingleControllerPlansAsBefore(t *testing.T) {
	f := newCore(t, results.Status{State: results.RunRunning})
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	rep := f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	open := openPlans(t, f)
	if len(open) != 1 || open[0].Controller != config.DefaultControllerName || !strings.Contains(rep.Ephemeral, "already open") {
		t.Fatalf("open %+v, reply %q", open, rep.Ephemeral)
	}
	if strings.Contains(f.out.String(), "Controller:") || strings.Contains(open[0].PlanJSON, `"controller"`) {
		t.Fatalf("one controller is never named:\n%s\n%s", f.out, open[0].PlanJSON)
	}
}

// The same commands on two controllers are two plans; on one, one.
func TestCore_C21_SamePlanOnTwoControllersIsTwoPlans(t *testing.T) {
	f, _ := newCores(t, []string{"a", "b"}, "")
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6 --controller a")
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6 --controller b")
	rep := f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6 --controller b")
	if !strings.Contains(rep.Ephemeral, "already open") {
		t.Fatalf("the same plan on b again: %q", rep.Ephemeral)
	}
	open := openPlans(t, f)
	if len(open) != 2 || open[0].Hash != open[1].Hash || open[0].ID == open[1].ID || open[0].Controller == open[1].Controller {
		t.Fatalf("want two open plans, one per controller, same hash: %+v", open)
	}
}
