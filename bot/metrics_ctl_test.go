package bot

import (
	"context"
	"strings"
	"testing"
	"time"
)

// With several controllers the watch loop's metrics say which controller
// each poll, run and poll age is of (names unchanged).
func TestCore_C21_W9_MetricsLabelledByController(t *testing.T) {
	f, _ := newCores(t, []string{"a", "b"}, "", w3Statuses()...)
	f.core.Metrics = NewMetrics("test")
	ch := f.console.Channel()
	planAndApprove(t, f, ch, "a")
	planAndApprove(t, f, ch, "b")
	f.core.Tick(context.Background())
	fams, err := f.core.Metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]map[string]bool{} // metric → controllers labelled
	for _, fam := range fams {
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "controller" {
					if seen[fam.GetName()] == nil {
						seen[fam.GetName()] = map[string]bool{}
					}
					seen[fam.GetName()][l.GetValue()] = true
				}
			}
		}
	}
	for _, name := range []string{"atvmbot_polls_total", "atvmbot_runs", "atvmbot_run_poll_age_seconds"} {
		if !seen[name]["a"] || !seen[name]["b"] || len(seen[name]) != 2 {
			t.Errorf("%s labelled with controllers %v, want a and b", name, seen[name])
		}
	}
}

// One controller: its metrics carry its name, "default".
func TestCore_C21_W9_MetricsOneControllerNamedDefault(t *testing.T) {
	f := newCore(t, w3Statuses()...)
	f.core.Metrics = NewMetrics("test")
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	f.say(t, "qa-lead", "approve")
	f.core.Wait()
	f.core.Tick(context.Background())
	fams, _ := f.core.Metrics.Registry().Gather()
	found := false
	for _, fam := range fams {
		if fam.GetName() != "atvmbot_polls_total" {
			continue
		}
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				found = found || (l.GetName() == "controller" && l.GetValue() == "default")
			}
		}
	}
	if !found {
		t.Error("polls of the only controller are not labelled default")
	}
}

// /healthz's watch check names the controller of each stale run when
// there are several: the same build may run on two.
func TestHealth_C21_StalePollNamesItsController(t *testing.T) {
	f, _ := newCores(t, []string{"a", "b"}, "", w3Statuses()...)
	now := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	f.core.Now = func() time.Time { return now }
	ch := f.console.Channel()
	planAndApprove(t, f, ch, "a")
	now = now.Add(time.Second) // run IDs carry the approval's time
	planAndApprove(t, f, ch, "b")
	ctx := context.Background()
	f.core.Tick(ctx)
	now = now.Add(3*f.core.Cfg.Watch.PollInterval + f.core.pollTimeout() + time.Second)
	stale, err := f.core.StalePolls(ctx)
	if err != nil || len(stale) != 2 || !strings.Contains(stale[0], " on a: last poll") || !strings.Contains(stale[1], " on b: last poll") {
		t.Fatalf("stale polls %q %v, want one per controller, named", stale, err)
	}
}
