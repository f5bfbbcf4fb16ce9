package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	mmbot "github.com/atvm/atvmbot/bot/mattermost"
	"github.com/atvm/atvmbot/internal/itlog"
)

// children lists the direct children of pid (sshd's per-connection processes).
func children(pid int) []int {
	var out []int
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		p, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, p)
		}
	}
	return out
}

// dropConnections kills the sshd processes serving the bot's connections,
// as a network drop would end them; the listener stays.
func (w *world) dropConnections(t *testing.T) int {
	t.Helper()
	pid, _ := strconv.Atoi(w.ssh.env["SSHD_PID"])
	kids := children(pid)
	for _, k := range kids {
		_ = syscall.Kill(k, syscall.SIGKILL)
	}
	return len(kids)
}

// killSSHD kills the listener and its connections, not what was started
// through them (the detached runner must live on).
func (w *world) killSSHD(t *testing.T) {
	t.Helper()
	pid, _ := strconv.Atoi(w.ssh.env["SSHD_PID"])
	kids := children(pid)
	_ = syscall.Kill(pid, syscall.SIGKILL)
	for _, k := range kids {
		_ = syscall.Kill(k, syscall.SIGKILL)
	}
	for i := 0; i < 50 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(100 * time.Millisecond)
	}
}

// SSH faults mid-run (W1, D16): the bot's connections are dropped three
// times and sshd is killed for 10 s, then restarted on its port. The
// detached runner keeps going, the bot reconnects, the run ends with its
// true verdict (never TERMINATED or UNKNOWN from a failed poll) and every
// post arrives once.
func TestE2E_SSHFaults_W1_RunnerSurvivesBotReconnectsNothingLost(t *testing.T) {
	record(t)
	scen, truth := readScenario(t, "happy.yaml")
	w := newWorld(t, "sshfault", worldOpts{scenario: scen, speed: 90})
	itlog.Ran(t, "e2e")
	w.dumpOnFailure()
	ctx := ctxT(t, 6*time.Minute)
	w.start()
	plan := w.planAndApprove(ctx, truth)
	w.waitPost(ctx, "with the run's root", time.Minute, func(p *model.Post) bool { return strings.HasSuffix(idemKey(p), "/root") })
	db := w.openDB(ctx)
	defer db.Close()
	runs, err := db.RecentRuns(ctx, 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("no run recorded: %v", err)
	}
	pid := runs[0].RunnerPID

	faults := 0
	for i := 0; i < 3; i++ {
		time.Sleep(3 * time.Second)
		n := w.dropConnections(t)
		t.Logf("dropped %d ssh connection(s)", n)
		faults++
	}
	time.Sleep(2 * time.Second)
	w.killSSHD(t)
	faults++
	t.Log("sshd killed")
	time.Sleep(10 * time.Second)
	if syscall.Kill(pid, 0) != nil {
		t.Fatalf("the runner (pid %d) died with sshd", pid)
	}
	if !w.runActive(ctx) {
		t.Fatalf("the run ended while the controller was unreachable")
	}
	// The faults bit: the bot's polls failed, or its transport failed to
	// reconnect, meanwhile (and said so).
	if log, _ := os.ReadFile(w.dir + "/serve.log"); !strings.Contains(string(log), `"message":"poll failed"`) &&
		!strings.Contains(string(log), `"message":"ssh reconnect failed"`) {
		t.Errorf("no failed poll or reconnect while sshd was down: the fault did not reach the bot")
	}
	port := w.ssh.env["SSH_PORT"]
	w.ssh = startSSHD(t, w.ssh.state, port, w.user)
	t.Logf("sshd back on port %s", port)
	addFigures(func() { figures.sshFaults += faults })

	final := w.waitPost(ctx, "with the final summary", 4*time.Minute, func(p *model.Post) bool {
		return strings.HasSuffix(idemKey(p), "/final/r0/0")
	})
	run := w.waitRunState(ctx, time.Minute)
	if run.State != truth.State {
		t.Errorf("final state %s, want %s", run.State, truth.State)
	}
	if run.RunnerPID != pid {
		t.Errorf("runner pid %d, was %d: the run was started again", run.RunnerPID, pid)
	}
	checkTruth(t, final.Message, truth)
	w.checkArgv(plan.Message) // one template step, one runner: nothing relaunched
	acc := w.accountPosts(ctx, w.keys(truth))
	if len(acc.problems) > 0 {
		t.Errorf("posts: %s", strings.Join(acc.problems, "; "))
	}
	for k := range acc.byKey {
		if strings.HasSuffix(k, "/state") {
			t.Errorf("a state post %q was made: %s", k, acc.byKey[k].Message)
		}
	}
	// The bot's controller check is green again.
	resp, err := http.Get(w.public + mmbot.PathHealth)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h mmbot.HealthReport
	_ = json.NewDecoder(resp.Body).Decode(&h)
	for _, c := range h.Checks {
		if c.Name == "controller" && !c.OK {
			t.Errorf("controller check after sshd returned: %+v", c)
		}
	}
}
