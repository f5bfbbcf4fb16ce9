package e2e

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/bot"
	"github.com/atvm/atvmbot/internal/itlog"
	"github.com/atvm/atvmbot/storage"
)

// crashSeed fixes the random kill moments; the figures name it.
const crashSeed = 20260422

// Crashes across a run (W1, D18): the serve process kills itself at each
// fixed fault point (before CreatePost, after it returns and before storage
// records it, between the commit of a poll and the patch of the progress
// post), then is killed -9 at 30 seeded random moments, and restarted each
// time. In the end every idempotency key has exactly one post, none is
// missing, and the run's final state is right.
func TestE2E_Crash_W1_KilledThirtyTimesEveryKeyPostedOnce(t *testing.T) {
	record(t)
	scen, truth := readScenario(t, "happy.yaml")
	// About 90 s of run: room for the fault points and 30 kills inside it.
	w := newWorld(t, "crash", worldOpts{scenario: scen, speed: 75})
	itlog.Ran(t, "e2e")
	w.dumpOnFailure()
	ctx := ctxT(t, 8*time.Minute)

	// Fixed fault points, in the order a run meets them: the root post's
	// key reserved but not sent; sent but not recorded; a poll committed
	// but the root not patched; a sub-run post sent but not recorded.
	faults := []string{
		bot.FaultBeforeCreatePost + "@1",
		bot.FaultAfterCreatePost + "@1",
		bot.FaultAfterCommitBeforePatch + "@3",
		bot.FaultAfterCreatePost + "@1",
	}
	w.extraEnv = []string{bot.FaultEnv + "=" + faults[0]}
	w.start()
	plan := w.planAndApprove(ctx, truth)
	for i, f := range faults {
		if i > 0 {
			w.extraEnv = []string{bot.FaultEnv + "=" + f}
			w.start()
		}
		if !w.waitExit(90 * time.Second) {
			t.Fatalf("fault point %s never killed serve", f)
		}
		if !strings.Contains(w.logTail(5), bot.FaultMarker+f) {
			t.Fatalf("serve died, but not at fault point %s:\n%s", f, w.logTail(10))
		}
	}
	w.extraEnv = nil

	// Thirty kill -9 at seeded random moments, 0.2–2.5 s after each start.
	r := rand.New(rand.NewPCG(crashSeed, 1))
	for i := 0; i < 30; i++ {
		w.start()
		time.Sleep(time.Duration(200+r.IntN(2300)) * time.Millisecond)
		if !w.alive() {
			t.Fatalf("serve died by itself before kill %d:\n%s", i+1, w.logTail(20))
		}
		w.kill9()
	}
	inRun := w.runActive(ctx)
	w.start()
	final := w.waitPost(ctx, "with the final summary", 4*time.Minute, func(p *model.Post) bool {
		return strings.HasSuffix(idemKey(p), "/final/r0/0")
	})
	run := w.waitRunState(ctx, time.Minute)
	if run.State != truth.State {
		t.Errorf("final state %s, want %s", run.State, truth.State)
	}
	checkTruth(t, final.Message, truth)
	w.checkArgv(plan.Message)
	acc := w.accountPosts(ctx, w.keys(truth))
	t.Logf("%d restarts (%d fault points, 30 kill -9, run still going after them: %v); keyed posts: %d expected, %d seen, %d duplicates, %d lost",
		w.restarts, len(faults), inRun, acc.expected, acc.seen, acc.duplicates, acc.lost)
	if len(acc.problems) > 0 {
		t.Errorf("exactly-once broken:\n%s", strings.Join(acc.problems, "\n"))
	}
	db := w.openDB(ctx)
	defer db.Close()
	if holder, _, _, locked, err := db.Lock(ctx, run.Controller); err != nil || locked {
		t.Errorf("the controller is still locked by run %s after the run (%v)", holder, err)
	}
	addFigures(func() { figures.restarts += w.restarts })
}

// runActive reports whether the world's latest run is still going.
func (w *world) runActive(ctx context.Context) bool {
	db := w.openDB(ctx)
	defer db.Close()
	runs, err := db.RecentRuns(ctx, 1)
	return err == nil && len(runs) == 1 && storage.Active(runs[0].State)
}
