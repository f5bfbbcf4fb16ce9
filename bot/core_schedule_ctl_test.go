package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/results"
)

// A schedule's words carry --controller: each fire plans and launches on
// that controller, and only that controller's lock can make it skip (D15).
func TestSchedule_C21_D15_ControllerCarriedThroughItsWords(t *testing.T) {
	f := newSchedCore(t, time.Date(2026, 3, 2, 1, 0, 0, 0, nyc))
	f.core.Runner = nil
	f.core.Runners = map[string]Runner{}
	f.core.Cfg.Controllers = map[string]config.ControllerEntry{}
	rs := map[string]*scriptedRunner{}
	for _, n := range []string{"a", "b"} {
		f.core.Cfg.Controllers[n] = config.ControllerEntry{Controller: f.core.Cfg.Controller}
		rs[n] = &scriptedRunner{name: n, statuses: []results.Status{{State: results.RunRunning}}}
		f.core.Runners[n] = rs[n]
	}
	onB := f.add(t, "0 2 * * *", schedWords+" --controller b")
	onA := f.add(t, "0 2 * * *", schedWords+" --build_name nightly-a --controller a")
	for _, id := range []string{onA, onB} {
		if rep := f.say(t, "qa-lead", "schedule approve "+id); !strings.Contains(rep.Ephemeral, "plan hash") {
			t.Fatalf("standing approval of %s: %s", id, rep.Ephemeral)
		}
	}
	// a is busy with a run approved by hand; b is free.
	f.say(t, "alice", "plan cmc-reboot --specify_vms atvm71-redhat9.1 --controller a")
	if rep := f.say(t, "qa-lead", "approve"); !strings.Contains(rep.Ephemeral, "Approved plan") {
		t.Fatalf("approve on a: %s", rep.Ephemeral)
	}
	f.core.Wait()
	f.at(t, time.Date(2026, 3, 2, 2, 0, 10, 0, nyc))
	out := f.out.String()
	if len(rs["b"].launched) != 1 || rs["b"].launched[0].Controller != "b" {
		t.Fatalf("b launched %d plans, want the schedule's:\n%s", len(rs["b"].launched), out)
	}
	if len(rs["a"].launched) != 1 || rs["a"].launched[0].Template != "cmc-reboot" {
		t.Fatalf("a launched %d plans, want only the one approved by hand", len(rs["a"].launched))
	}
	if !strings.Contains(out, "launched by schedule `"+onB+"`") || !strings.Contains(out, "Schedule `"+onA+"` skipped its fire") {
		t.Fatalf("want %s launched and %s skipped:\n%s", onB, onA, out)
	}
	if _, _, _, held, _ := f.db.Lock(context.Background(), "b"); !held {
		t.Fatal("the scheduled run does not hold b")
	}
}
