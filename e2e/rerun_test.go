package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/internal/itlog"
)

// [Re-run failed] through the real server (P1): a user presses the button
// on the final summary of a run with one failed host; the bot posts a new
// plan for that host alone, naming the run it re-runs; nothing runs until
// an approver presses Approve; the launched run's template step selects
// only the failed host, and the new run ends with its own final summary.
func TestE2E_Rerun_P1_ButtonPlansFailedHostsApprovalLaunchesOnlyThem(t *testing.T) {
	record(t)
	scen, truth := readScenario(t, "happy.yaml")
	w := newWorld(t, "rerun", worldOpts{scenario: scen})
	itlog.Ran(t, "e2e")
	w.dumpOnFailure()
	ctx := ctxT(t, 8*time.Minute)
	w.start()

	w.planAndApprove(ctx, truth)
	final := w.waitPost(ctx, "with the final summary", 3*time.Minute, func(p *model.Post) bool {
		return strings.HasSuffix(idemKey(p), "/final/r0/0")
	})
	first := w.waitRunState(ctx, time.Minute)
	var failed []string
	for name, h := range truth.Hosts {
		if h.Status == "FAIL" {
			failed = append(failed, name)
		}
	}
	if len(failed) != 1 {
		t.Fatalf("the scenario has %d failed hosts; this test wants one", len(failed))
	}
	if !hasAction(final, "rerunfailed") {
		t.Fatal("the final summary of a failed run has no [Re-run failed] button")
	}
	ran := len(w.audit())

	// alice presses it: a plan post, in the channel, for the failed host.
	if err := press(ctx, w.alice, final.Id, "rerunfailed"); err != nil {
		t.Fatal(err)
	}
	build := w.buildOf(truth) + "-rerun"
	plan := w.waitPost(ctx, "with the re-run's plan", time.Minute, func(p *model.Post) bool {
		return strings.Contains(p.Message, "#### Plan ") && strings.Contains(p.Message, "`"+build+"`")
	})
	if !strings.HasPrefix(plan.Message, "🔁 **Re-run** of `"+w.buildOf(truth)+"` (run `"+first.ID+"`, FAILED)") {
		t.Errorf("the re-run's plan does not name the run it re-runs:\n%s", plan.Message)
	}
	tmpl, runner := planCommands(t, plan.Message)
	if !strings.Contains(tmpl, "--specify_vms "+failed[0]) {
		t.Errorf("re-run plan's template step does not select %s alone:\n%s", failed[0], tmpl)
	}
	for name := range truth.Hosts {
		if name != failed[0] && strings.Contains(tmpl, name) {
			t.Errorf("re-run plan selects %s, which passed:\n%s", name, tmpl)
		}
	}
	if !strings.Contains(runner, build) {
		t.Errorf("re-run plan's runner does not carry the new build %s:\n%s", build, runner)
	}
	// Nothing ran for the press: the plan waits for a person (P1).
	time.Sleep(2 * time.Second)
	if got := len(w.audit()); got != ran {
		t.Fatalf("pressing [Re-run failed] ran %d controller commands before any approval", got-ran)
	}

	if err := press(ctx, w.admin, plan.Id, "approve"); err != nil {
		t.Fatal(err)
	}
	w.waitPost(ctx, "with the re-run's final summary", 3*time.Minute, func(p *model.Post) bool {
		k := idemKey(p)
		return strings.HasSuffix(k, "/final/r0/0") && !strings.HasPrefix(k, first.ID+"/")
	})
	second := w.waitRunState(ctx, time.Minute)
	if second.ID == first.ID || second.Build != build {
		t.Fatalf("latest run %s (%s), want a new run of %s", second.ID, second.Build, build)
	}
	got := w.audit()[ran:]
	if len(got) != 2 {
		t.Fatalf("the re-run made %d controller invocations, want the template step and the runner: %+v", len(got), got)
	}
	if got[0].Command() != tmpl || got[1].Command() != runner {
		t.Errorf("argv run for the re-run differs from its plan post:\nran  %s\n     %s\nplan %s\n     %s",
			got[0].Command(), got[1].Command(), tmpl, runner)
	}
	db := w.openDB(ctx)
	defer db.Close()
	hosts, err := db.HostResults(ctx, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 1 || hosts[0].Host != failed[0] {
		t.Errorf("re-run's hosts %+v, want %s alone", hosts, failed[0])
	}
}

// hasAction reports whether a post carries a button with this id.
func hasAction(p *model.Post, id string) bool {
	for _, a := range p.Attachments() {
		for _, act := range a.Actions {
			if act.Id == id {
				return true
			}
		}
	}
	return false
}
