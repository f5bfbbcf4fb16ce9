package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/internal/itlog"
)

var scheduleIDRE = regexp.MustCompile("Schedule `(s-[0-9a-f]{6})` added")

// Schedules through the real server (P1): `/atvm schedule add` with a spec
// that fires within a minute; at the fire the plan is posted for approval
// (nothing runs); an approver presses Approve; the run launches and ends
// with its final summary. The schedule is then removed.
func TestE2E_Schedule_P1_FirePostsPlanApprovedRunLaunches(t *testing.T) {
	record(t)
	scen, truth := readScenario(t, "happy.yaml")
	w := newWorld(t, "sched", worldOpts{scenario: scen})
	itlog.Ran(t, "e2e")
	w.dumpOnFailure()
	ctx := ctxT(t, 6*time.Minute)
	w.start()

	aliceEph := listenEphemerals(t, suite.mm["MM_USER_TOKEN"])
	msg, serr := w.answer(ctx, w.alice, aliceEph, `/atvm schedule add "* * * * *" `+truth.Plan+" --build "+w.buildOf(truth))
	m := scheduleIDRE.FindStringSubmatch(msg)
	if serr != nil || m == nil {
		t.Fatalf("schedule add: %q %v", msg, serr)
	}
	plan := w.waitPost(ctx, "with the scheduled plan", 150*time.Second, func(p *model.Post) bool {
		return strings.HasPrefix(p.Message, "⏰ Schedule `"+m[1]+"`") && strings.Contains(p.Message, "#### Plan ")
	})
	// Nothing ran at the fire: the plan waits for a person.
	if got := w.audit(); len(got) != 0 {
		t.Fatalf("the fire ran %d controller commands before any approval", len(got))
	}
	if msg, _ := w.answer(ctx, w.alice, aliceEph, "/atvm schedule remove "+m[1]); !strings.Contains(msg, "removed") {
		t.Fatalf("schedule remove: %q", msg)
	}
	if err := press(ctx, w.admin, plan.Id, "approve"); err != nil {
		t.Fatal(err)
	}
	w.waitPost(ctx, "with the final summary", 3*time.Minute, func(p *model.Post) bool {
		return strings.HasSuffix(idemKey(p), "/final/r0/0")
	})
	run := w.waitRunState(ctx, time.Minute)
	if run.State != truth.State || run.PlanID == "" || !strings.Contains(plan.Message, "`"+run.PlanID+"`") {
		t.Errorf("run %s state %s plan %s, want %s from the scheduled plan", run.ID, run.State, run.PlanID, truth.State)
	}
	w.checkArgv(plan.Message[strings.Index(plan.Message, "#### Plan "):])
}
