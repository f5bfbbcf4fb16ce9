package bot

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// scriptedRunner plays a fixed sequence of statuses, one per poll.
type scriptedRunner struct {
	mu       sync.Mutex
	statuses []results.Status
	polls    int
	launched []commands.Plan
	failWith error
	stopped  int
	launchAt time.Time // the controller clock at launch; zero: a fixed time
	name     string    // the lock key; "" = ctl-test
	polled   []string  // the runs polled, in order
}

func (r *scriptedRunner) Controller() string {
	if r.name != "" {
		return r.name
	}
	return "ctl-test"
}

func (r *scriptedRunner) Launch(_ context.Context, _ storage.Run, p commands.Plan, progress func(string)) (Launched, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failWith != nil {
		return Launched{}, r.failWith
	}
	for _, s := range []string{"config", "template", "verify", "runner"} {
		progress(s)
	}
	r.launched = append(r.launched, p)
	at := r.launchAt
	if at.IsZero() {
		at = time.Date(2026, 3, 30, 17, 20, 0, 0, time.UTC)
	}
	return Launched{ControllerStart: at, RunnerPID: 4242, RunnerStart: "99"}, nil
}

func (r *scriptedRunner) Poll(_ context.Context, run storage.Run) (Observation, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.polled = append(r.polled, run.ID)
	i := r.polls
	if i >= len(r.statuses) {
		i = len(r.statuses) - 1
	}
	r.polls++
	return Observation{Status: r.statuses[i]}, nil
}

func (r *scriptedRunner) Stop(context.Context, storage.Run) error   { r.stopped++; return nil }
func (r *scriptedRunner) Cancel(context.Context, storage.Run) error { return nil }

type coreFixture struct {
	core    *Core
	console *testChat
	out     *bytes.Buffer
	runner  *scriptedRunner
	db      *storage.DB
}

func newCore(t *testing.T, statuses ...results.Status) *coreFixture {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "s.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := config.Default()
	cfg.Approvals.Approvers = []string{"qa-lead"}
	var entries []storage.BlacklistEntry
	for _, b := range cfg.Blacklist {
		entries = append(entries, storage.BlacklistEntry{Machine: b.Machine, Reason: b.Reason})
	}
	db.SeedBlacklist(ctx, entries)
	out := &bytes.Buffer{}
	console := newTestChat(testChatOptions{Out: out, User: "qa-lead"})
	runner := &scriptedRunner{statuses: statuses}
	core := &Core{Cfg: &cfg, DB: db, Chat: console, Runner: runner, Log: zerolog.Nop(), Version: "vtest", Channel: console.Channel()}
	return &coreFixture{core: core, console: console, out: out, runner: runner, db: db}
}

func (f *coreFixture) say(t *testing.T, user, text string) Reply {
	t.Helper()
	return f.core.Handle(context.Background(), Incoming{Source: SourceConsole, UserName: user, ChannelID: f.console.Channel(), Text: text})
}

func (f *coreFixture) posts(t *testing.T, kind string) []storage.Post {
	t.Helper()
	runs, _ := f.db.RecentRuns(context.Background(), 1)
	if len(runs) == 0 {
		return nil
	}
	all, _ := f.db.RunPosts(context.Background(), runs[0].ID)
	var out []storage.Post
	for _, p := range all {
		if kind == "" || p.Kind == kind {
			out = append(out, p)
		}
	}
	return out
}

func host(name, group, status string) results.Host {
	return results.Host{Name: name, Group: group, Status: status, Tests: 22}
}

func categorized(state string, redhat, ubuntu results.Subrun, hosts ...results.Host) results.Status {
	return results.Status{Build: "e2e-demo", Template: "cmc-e2e", State: state, Categorized: true,
		Hosts: hosts, Subruns: []results.Subrun{redhat, ubuntu}}
}

func TestCore_P1_NothingRunsBeforeApproval(t *testing.T) {
	f := newCore(t, results.Status{State: results.RunRunning})
	rep := f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	if !strings.Contains(rep.Ephemeral, "posted") {
		t.Fatalf("plan reply: %q", rep.Ephemeral)
	}
	if len(f.runner.launched) != 0 {
		t.Fatal("a plan launched something")
	}
	if !strings.Contains(f.out.String(), "python3 ./cmc-templates.py --template_name cmc-e2e") {
		t.Fatalf("the plan post must show the exact command:\n%s", f.out)
	}
	// alice is not an approver.
	rep = f.say(t, "alice", "approve")
	if !strings.Contains(rep.Ephemeral, "Not approved") || len(f.runner.launched) != 0 {
		t.Fatalf("non-approver: %q launched=%d", rep.Ephemeral, len(f.runner.launched))
	}
	rep = f.say(t, "qa-lead", "approve")
	f.core.Wait()
	if !strings.Contains(rep.Ephemeral, "Approved plan") || len(f.runner.launched) != 1 {
		t.Fatalf("approver: %q launched=%d", rep.Ephemeral, len(f.runner.launched))
	}
	// P1/P2: a used plan cannot launch again.
	rep = f.say(t, "qa-lead", "approve")
	if len(f.runner.launched) != 1 || !strings.Contains(rep.Ephemeral, "Not approved") {
		t.Fatalf("second approve: %q launched=%d", rep.Ephemeral, len(f.runner.launched))
	}
}

func TestCore_W3_OnePostPerFinishedSubrunThenFinal_W1_Once(t *testing.T) {
	rh := results.Subrun{Name: "redhat", State: results.SubrunCompleted, Hosts: []string{"atvm71-redhat9.1"}, Finished: true}
	ubRunning := results.Subrun{Name: "ubuntu", State: results.SubrunRunning, Hosts: []string{"atvm5-ubuntu22.04"}}
	ubDone := results.Subrun{Name: "ubuntu", State: results.SubrunFailed, Hosts: []string{"atvm5-ubuntu22.04"}, Finished: true}
	h1, h2run, h2fail := host("atvm71-redhat9.1", "redhat", results.HostPass), host("atvm5-ubuntu22.04", "ubuntu", results.HostRunning), host("atvm5-ubuntu22.04", "ubuntu", results.HostFail)
	f := newCore(t,
		categorized(results.RunRunning, rh, ubRunning, h1, h2run),
		categorized(results.RunRunning, rh, ubRunning, h1, h2run),
		categorized(results.RunFailed, rh, ubDone, h1, h2fail),
	)
	f.say(t, "qa-lead", "plan cmc-e2e --containsVm redhat,ubuntu --categorize")
	f.say(t, "qa-lead", "approve")
	f.core.Wait()
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		f.core.Tick(ctx)
	}
	if got := f.posts(t, "subrun"); len(got) != 2 {
		t.Fatalf("sub-run posts = %d, want 2 (one per finished group)", len(got))
	}
	final := f.posts(t, "final")
	if len(final) < 1 || final[0].State != storage.PostSent {
		t.Fatalf("final summary: %+v", final)
	}
	runs, _ := f.db.RecentRuns(ctx, 1)
	if runs[0].State != results.RunFailed {
		t.Fatalf("run state %s, want FAILED", runs[0].State)
	}
	if _, _, _, held, _ := f.db.Lock(ctx, "ctl-test"); held {
		t.Fatal("the lock outlived the run")
	}
	if !strings.Contains(f.out.String(), "@qa-lead") {
		t.Fatal("the final summary must mention who planned and approved")
	}
}

func TestCore_W7_CorrectionWhenPostedResultChanges(t *testing.T) {
	rhPass := results.Subrun{Name: "redhat", State: results.SubrunCompleted, Hosts: []string{"atvm71-redhat9.1"}, Finished: true}
	rhFail := results.Subrun{Name: "redhat", State: results.SubrunFailed, Hosts: []string{"atvm71-redhat9.1"}, Finished: true}
	ub := results.Subrun{Name: "ubuntu", State: results.SubrunRunning, Hosts: []string{"atvm5-ubuntu22.04"}}
	f := newCore(t,
		categorized(results.RunRunning, rhPass, ub, host("atvm71-redhat9.1", "redhat", results.HostPass)),
		categorized(results.RunRunning, rhFail, ub, host("atvm71-redhat9.1", "redhat", results.HostFail)),
	)
	f.say(t, "qa-lead", "plan cmc-e2e --containsVm redhat,ubuntu --categorize")
	f.say(t, "qa-lead", "approve")
	f.core.Wait()
	for i := 0; i < 4; i++ {
		f.core.Tick(context.Background())
	}
	subs := f.posts(t, "subrun")
	if len(subs) != 2 || subs[1].Revision != 1 {
		t.Fatalf("want the original and one correction, got %+v", subs)
	}
	if !strings.Contains(f.out.String(), "CORRECTION") || !strings.Contains(f.out.String(), "atvm71-redhat9.1: PASS → FAIL") {
		t.Fatalf("correction post must say what changed:\n%s", f.out)
	}
	if !strings.Contains(f.out.String(), "Superseded") {
		t.Fatal("the old post must be marked superseded")
	}
}

func TestCore_LaunchFailureSaysWhyAndFreesTheController(t *testing.T) {
	f := newCore(t, results.Status{State: results.RunRunning})
	f.runner.failWith = errorString("launch stopped at config: cypress.atvm-config-x.ts is missing on the controller")
	f.say(t, "qa-lead", "plan cmc-e2e --containsVm redhat9.6")
	f.say(t, "qa-lead", "approve")
	f.core.Wait()
	runs, _ := f.db.RecentRuns(context.Background(), 1)
	if runs[0].State != results.RunLaunchFailed || !strings.Contains(runs[0].Reason, "missing") {
		t.Fatalf("run = %+v", runs[0])
	}
	if _, _, _, held, _ := f.db.Lock(context.Background(), "ctl-test"); held {
		t.Fatal("a failed launch kept the controller locked")
	}
	if !strings.Contains(f.out.String(), "launch failed") {
		t.Fatalf("no launch-failed post:\n%s", f.out)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
