package e2e

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/internal/itlog"
)

// mattermost runs scripts/mattermost-up.sh down|up on the suite's server.
func mattermost(t *testing.T, arg string) time.Duration {
	t.Helper()
	u, _ := url.Parse(suite.mm["MM_URL"])
	c := exec.Command("bash", filepath.Join(suite.repo, "scripts", "mattermost-up.sh"), arg)
	c.Env = append(os.Environ(), "MM_IT_STATE="+suite.mmState, "MM_IT_PORT="+u.Port())
	if suite.mm["PG_PORT"] != "" {
		c.Env = append(c.Env, "MM_IT_PG_PORT="+suite.mm["PG_PORT"])
	}
	start := time.Now()
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("mattermost-up.sh %s: %v\n%s", arg, err, out)
	}
	return time.Since(start)
}

// Mattermost is stopped for 60 s while two sub-runs finish: their posts
// arrive after it returns, once each, and the rest of the run is posted
// as usual (W1, W3).
func TestE2E_Outage_W1_PostsArriveOnceAfterMattermostReturns(t *testing.T) {
	record(t)
	if os.Getenv("ATVMBOT_MM_NO_RESTART") == "1" {
		t.Skip("ATVMBOT_MM_NO_RESTART=1: this server may not be stopped")
	}
	scen, truth := readScenario(t, "happy.yaml")
	// About 100 s of run: the redhat and ubuntu groups end inside the
	// outage, windows and the whole run after it.
	w := newWorld(t, "outage", worldOpts{scenario: scen, speed: 70})
	itlog.Ran(t, "e2e")
	w.dumpOnFailure()
	ctx := ctxT(t, 8*time.Minute)
	w.start()
	w.planAndApprove(ctx, truth)
	w.waitPost(ctx, "with the run's root", time.Minute, func(p *model.Post) bool { return strings.HasSuffix(idemKey(p), "/root") })

	down := mattermost(t, "down")
	t.Logf("mattermost stopped in %s", down.Round(10*time.Millisecond))
	// Whatever happens below, the server comes back for the other tests.
	upDone := false
	t.Cleanup(func() {
		if !upDone {
			mattermost(t, "up")
		}
	})
	time.Sleep(60 * time.Second)
	up := mattermost(t, "up")
	upDone = true
	back := time.Now()
	t.Logf("mattermost back after %s", up.Round(10*time.Millisecond))
	addFigures(func() { figures.outageS += int((60*time.Second + up).Seconds()) })
	if !w.alive() {
		t.Fatalf("serve died during the outage:\n%s", w.logTail(20))
	}

	final := w.waitPost(ctx, "with the final summary", 4*time.Minute, func(p *model.Post) bool {
		return strings.HasSuffix(idemKey(p), "/final/r0/0")
	})
	run := w.waitRunState(ctx, time.Minute)
	if run.State != truth.State {
		t.Errorf("final state %s, want %s", run.State, truth.State)
	}
	checkTruth(t, final.Message, truth)
	acc := w.accountPosts(ctx, w.keys(truth))
	if len(acc.problems) > 0 {
		t.Errorf("exactly-once broken:\n%s", strings.Join(acc.problems, "\n"))
	}
	// The groups that ended while the server was down were posted after
	// it returned.
	late := 0
	for _, s := range truth.Subruns {
		if p := acc.byKey[run.ID+"/sub/"+w.sub(truth, s)+"/r0/0"]; p != nil && time.UnixMilli(p.CreateAt).After(back.Add(-time.Second)) {
			late++
		}
	}
	if late < 2 {
		t.Errorf("%d sub-run posts were made after the server returned; want the two that finished during the outage", late)
	}
	db := w.openDB(ctx)
	defer db.Close()
	subs, _ := db.Subruns(ctx, run.ID)
	t.Logf("%d sub-runs recorded; %d posted after the outage", len(subs), late)
}
