package mattermost

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"

	"github.com/atvm/atvmbot/bot"
)

// In-process checks of the exactly-once path against the file-backed fake
// Mattermost, for failures that need no kill: a post the server refused
// for a while, and two posters of one key at once.

// listRunner plays statuses one per poll, the last one forever.
type listRunner struct {
	bot.Runner
	mu       sync.Mutex
	statuses []results.Status
	polls    int
}

func (r *listRunner) Controller() string { return crashController }

func (r *listRunner) Poll(context.Context, storage.Run) (bot.Observation, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.statuses[min(r.polls, len(r.statuses)-1)]
	r.polls++
	return bot.Observation{Status: st}, nil
}

// mmCore is a Core over Mattermost (fileMM) with one RUNNING, watched,
// categorized run recorded in SQLite.
func mmCore(t *testing.T, statuses ...results.Status) (*bot.Core, *fileMM, storage.Run) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(ctx, filepath.Join(dir, "state.db"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mm := newFileMM(t, filepath.Join(dir, "mm.json"))
	chat, err := NewMattermost(ctx, MattermostOptions{URL: mm.URL(), Token: "bot-token", TeamName: "it-team", Log: zerolog.Nop(), NewBackOff: fastBackOff})
	if err != nil {
		t.Fatal(err)
	}
	cfg := crashConfig()
	run := storage.Run{ID: "r-crash-e2e-crash", PlanID: "p1", Build: "e2e-crash", Controller: crashController, Template: "cmc-e2e",
		Categorized: true, Watcher: true, State: results.RunRunning, PlannedBy: "alice", ApprovedBy: "qa-lead", ChannelID: crashChannel, RunnerPID: 4242}
	if err := db.CreateRunLocked(ctx, run, "qa-lead"); err != nil {
		t.Fatal(err)
	}
	core := &bot.Core{Cfg: &cfg, DB: db, Chat: chat, Runner: &listRunner{statuses: statuses}, Log: zerolog.Nop(), Version: "vcrash", Channel: crashChannel}
	return core, mm, run
}

// keyCounts counts the server's bot posts per idempotency key.
func keyCounts(mm *fileMM) map[string]int {
	out := map[string]int{}
	for _, p := range mm.posts() {
		k, _ := p.GetProp(bot.PropIdemKey).(string)
		out[k]++
	}
	return out
}

func twoGroups() crashScript {
	return crashScript{Phase: 1, Groups: []crashGroup{
		{Name: "redhat", Hosts: []string{"atvm71-redhat9.1"}, Verdict: results.HostPass},
		{Name: "ubuntu", Hosts: []string{"atvm5-ubuntu22.04"}, Verdict: results.HostFail},
	}}
}

// A group's post the server refuses for a while must not be overtaken by
// the final summary: the run stays active (and keeps its lock) until every
// result it owes is posted, then ends with all of them.
func TestTick_W1_FinalWaitsForUnpostedSubrun(t *testing.T) {
	s := twoGroups()
	core, mm, run := mmCore(t, s.statusAt(1), s.statusAt(2))
	ctx := context.Background()
	core.Tick(ctx) // root + redhat
	mm.set(func() { mm.failKey, mm.failKeyN = run.ID+"/sub/ubuntu/", 1000 })
	core.Tick(ctx) // ubuntu refused: no final yet
	got, _ := core.DB.GetRun(ctx, run.ID)
	counts := keyCounts(mm)
	if got.State != results.RunRunning || counts[run.ID+"/final/r0/0"] != 0 {
		t.Fatalf("run %s with final posts %d while the ubuntu post is unsent", got.State, counts[run.ID+"/final/r0/0"])
	}
	if _, _, _, held, _ := core.DB.Lock(ctx, crashController); !held {
		t.Fatal("lock released before the run's results were posted")
	}
	mm.set(func() { mm.failKeyN = 0 })
	core.Tick(ctx)
	got, _ = core.DB.GetRun(ctx, run.ID)
	counts = keyCounts(mm)
	for _, k := range []string{"/root", "/sub/redhat/r0/0", "/sub/ubuntu/r0/0", "/final/r0/0"} {
		if counts[run.ID+k] != 1 {
			t.Errorf("%d posts under %s, want 1", counts[run.ID+k], k)
		}
	}
	if got.State != results.RunFailed {
		t.Errorf("run state %s, want FAILED", got.State)
	}
	if posts := mm.posts(); posts[len(posts)-1].GetProp(bot.PropIdemKey) != run.ID+"/final/r0/0" {
		t.Errorf("the final summary is not the last post")
	}
}

// A sub-run result split for length (D7) whose second part failed is
// completed later: no part is lost because the first one was sent.
func TestSubrun_W1_D7_SplitPartRetried(t *testing.T) {
	big := results.Status{Build: "e2e-crash", Template: "cmc-e2e", State: results.RunRunning, Categorized: true}
	var names []string
	for i := range 160 {
		name := fmt.Sprintf("atvm%d-redhat9.%d", 200+i, i%7)
		names = append(names, name)
		big.Hosts = append(big.Hosts, results.Host{Name: name, Group: "redhat", Status: results.HostFail, Tests: 22, Failures: 3,
			FailedStep: "Migrate VM", Error: "AssertionError: " + strings.Repeat("migration session failed; ", 8),
			FailureExcerpt: strings.Repeat("CypressError: timed out retrying after 4000ms waiting for the migration session. ", 4)})
	}
	big.Hosts = append(big.Hosts, results.Host{Name: "atvm5-ubuntu22.04", Group: "ubuntu", Status: results.HostRunning})
	big.Subruns = []results.Subrun{
		{Name: "redhat", State: results.SubrunFailed, Hosts: names, Finished: true},
		{Name: "ubuntu", State: results.SubrunRunning, Hosts: []string{"atvm5-ubuntu22.04"}},
	}
	core, mm, run := mmCore(t, big)
	if n := len(results.RenderMarkdown(big, results.RenderOptions{Location: core.Cfg.Location(), Now: time.Now().UTC(), Kind: results.SubrunResult, Subrun: "redhat", Version: core.Version})); n < 2 {
		t.Fatalf("the fixture renders in %d part(s); it must need at least 2", n)
	}
	ctx := context.Background()
	mm.set(func() { mm.failKey, mm.failKeyN = run.ID+"/sub/redhat/r0/1", 1000 })
	core.Tick(ctx)
	if c := keyCounts(mm); c[run.ID+"/sub/redhat/r0/0"] != 1 || c[run.ID+"/sub/redhat/r0/1"] != 0 {
		t.Fatalf("setup: parts posted %v", c)
	}
	mm.set(func() { mm.failKeyN = 0 })
	core.Tick(ctx)
	core.Tick(ctx)
	c := keyCounts(mm)
	if c[run.ID+"/sub/redhat/r0/0"] != 1 || c[run.ID+"/sub/redhat/r0/1"] != 1 {
		t.Fatalf("after the server came back: part 0 ×%d, part 1 ×%d; want one each", c[run.ID+"/sub/redhat/r0/0"], c[run.ID+"/sub/redhat/r0/1"])
	}
	for k, n := range c {
		if strings.Contains(k, "/sub/redhat/r1") || n != 1 {
			t.Errorf("unexpected %d post(s) under %s", n, k)
		}
	}
}

// While the run's root post cannot be created, nothing of the run is posted
// outside its thread: a sub-run post sent without a root, then retried with
// one, would be looked for in the thread and sent twice.
func TestTick_W1_NothingPostedBeforeTheRoot(t *testing.T) {
	s := twoGroups()
	core, mm, run := mmCore(t, s.statusAt(1), s.statusAt(2))
	ctx := context.Background()
	mm.set(func() { mm.failKey, mm.failKeyN = run.ID+"/root", 1000 })
	core.Tick(ctx)
	core.Tick(ctx) // the run is final by now, its root still refused
	if posts := mm.posts(); len(posts) != 0 {
		t.Fatalf("%d posts while the root was refused; first %v", len(posts), posts[0].GetProp(bot.PropIdemKey))
	}
	if got, _ := core.DB.GetRun(ctx, run.ID); got.State != results.RunRunning {
		t.Fatalf("run %s before its results were posted", got.State)
	}
	mm.set(func() { mm.failKeyN = 0 })
	core.Tick(ctx)
	got, _ := core.DB.GetRun(ctx, run.ID)
	counts := keyCounts(mm)
	for _, k := range []string{"/root", "/sub/redhat/r0/0", "/sub/ubuntu/r0/0", "/final/r0/0"} {
		if counts[run.ID+k] != 1 {
			t.Errorf("%d posts under %s, want 1", counts[run.ID+k], k)
		}
	}
	for _, p := range mm.posts() {
		if k := p.GetProp(bot.PropIdemKey); k != run.ID+"/root" && p.RootId != got.RootPostID {
			t.Errorf("%v posted outside the run's thread (root %q)", k, p.RootId)
		}
	}
	if got.State != results.RunFailed {
		t.Errorf("run state %s, want FAILED", got.State)
	}
}
