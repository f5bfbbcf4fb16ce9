package bot

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
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

// The concurrency suite: many actors against one run — ticks every few
// milliseconds, status requests, two approvers double-clicking Approve, a
// cancel at a random launch step or just before a group finishes, unwatch
// and watch toggled — under seeded schedules, checking the invariants of
// D15 and D24 after each. Run with -race: a data race fails the suite.

// gatedRunner is a controller whose launch steps and polls take random
// short times; it checks, at the moment a runner starts, that no other
// runner of the controller is alive or launching.
type gatedRunner struct {
	rng func(n int) int // the schedule's random source (locked)
	db  *storage.DB

	mu         sync.Mutex
	launching  int
	live       map[string]bool // run id → runner alive
	steps      map[string]int  // run id → polls so far
	violations []string
	atStep     func(runID, step string) // the schedule's hook at each launch step
	launches   int
}

func (g *gatedRunner) Controller() string { return "ctl-conc" }

func (g *gatedRunner) violate(format string, a ...any) {
	g.mu.Lock()
	g.violations = append(g.violations, fmt.Sprintf(format, a...))
	g.mu.Unlock()
}

func (g *gatedRunner) sleep() { time.Sleep(time.Duration(g.rng(1500)) * time.Microsecond) }

func (g *gatedRunner) Launch(ctx context.Context, run storage.Run, p commands.Plan, progress func(string)) (Launched, error) {
	g.mu.Lock()
	g.launching++
	g.launches++
	if g.launching > 1 || len(g.live) > 0 {
		g.violations = append(g.violations, fmt.Sprintf("launch of %s began while %d launches and %d runners were on the controller", run.ID, g.launching-1, len(g.live)))
	}
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.launching--
		g.mu.Unlock()
	}()
	for _, step := range []string{"clock", "config", "template", "verify", "runner"} {
		if ctx.Err() != nil {
			return Launched{}, fmt.Errorf("launch stopped before %s: %w", step, ctx.Err())
		}
		progress(step)
		if g.atStep != nil {
			g.atStep(run.ID, step)
		}
		g.sleep()
	}
	g.mu.Lock()
	if len(g.live) > 0 {
		g.violations = append(g.violations, fmt.Sprintf("runner of %s started while another runner was alive", run.ID))
	}
	g.live[run.ID] = true
	g.mu.Unlock()
	return Launched{ControllerStart: time.Date(2026, 3, 30, 17, 20, 0, 0, time.UTC), RunnerPID: 4000 + g.launches, RunnerStart: "7"}, nil
}

// Poll plays a two-group categorized run: group redhat finishes at the
// third poll, ubuntu (one host failing) at the sixth; then the runner exits.
func (g *gatedRunner) Poll(ctx context.Context, run storage.Run) (Observation, error) {
	g.sleep()
	g.mu.Lock()
	n := g.steps[run.ID]
	g.steps[run.ID] = n + 1
	alive := g.live[run.ID]
	g.mu.Unlock()
	if !alive && n < 6 {
		return Observation{}, errors.New("poll of a run whose runner is not alive")
	}
	rhHosts := []string{"atvm71-redhat9.1", "atvm72-redhat9.6"}
	ubHosts := []string{"atvm5-ubuntu22.04", "atvm6-ubuntu24.04"}
	rh := results.Subrun{Name: "redhat", State: results.SubrunRunning, Hosts: rhHosts}
	ub := results.Subrun{Name: "ubuntu", State: results.SubrunNotStarted, Hosts: ubHosts}
	hs := []results.Host{host(rhHosts[0], "redhat", results.HostRunning), host(rhHosts[1], "redhat", results.HostRunning),
		host(ubHosts[0], "ubuntu", results.HostNotStarted), host(ubHosts[1], "ubuntu", results.HostNotStarted)}
	state := results.RunRunning
	if n >= 2 {
		rh.State, rh.Finished = results.SubrunCompleted, true
		hs[0].Status, hs[1].Status = results.HostPass, results.HostPass
		ub.State = results.SubrunRunning
		hs[2].Status, hs[3].Status = results.HostRunning, results.HostRunning
	}
	if n >= 5 {
		ub.State, ub.Finished = results.SubrunFailed, true
		hs[2].Status, hs[3].Status = results.HostPass, results.HostFail
		state = results.RunFailed
		g.mu.Lock()
		delete(g.live, run.ID) // the runner exits after the last group
		g.mu.Unlock()
	}
	st := results.Status{Build: run.Build, Template: "cmc-e2e", State: state, Categorized: true, Hosts: hs, Subruns: []results.Subrun{rh, ub}}
	return Observation{Status: st}, nil
}

func (g *gatedRunner) Stop(ctx context.Context, run storage.Run) error { return g.Cancel(ctx, run) }

func (g *gatedRunner) Cancel(_ context.Context, run storage.Run) error {
	g.sleep()
	g.mu.Lock()
	delete(g.live, run.ID)
	g.mu.Unlock()
	return nil
}

// stateChat is a test chat whose CreatePost checks, at the moment of posting,
// that no result post (sub-run, final, correction) goes out for a run the
// cancel has already won (D24), and counts each idempotency key.
type stateChat struct {
	*testChat
	db *storage.DB

	mu         sync.Mutex
	keys       map[string]int
	violations []string
}

func (s *stateChat) CreatePost(ctx context.Context, p OutPost) (string, error) {
	for _, kind := range []string{"/sub/", "/final/"} {
		if i := strings.Index(p.IdemKey, kind); i > 0 {
			if r, err := s.db.GetRun(ctx, p.IdemKey[:i]); err == nil && r.State == results.RunCancelled {
				s.mu.Lock()
				s.violations = append(s.violations, fmt.Sprintf("result post %s after the cancel won", p.IdemKey))
				s.mu.Unlock()
			}
		}
	}
	id, err := s.testChat.CreatePost(ctx, p)
	if err == nil && p.IdemKey != "" {
		s.mu.Lock()
		s.keys[p.IdemKey]++
		s.mu.Unlock()
	}
	return id, err
}

type concWorld struct {
	core   *Core
	db     *storage.DB
	runner *gatedRunner
	chat   *stateChat
}

// newConcWorld makes a bot on db (shared by the schedules of one test: each
// schedule has its own build name, and the controller is free between them).
func newConcWorld(db *storage.DB, rng func(int) int) *concWorld {
	cfg := config.Default()
	cfg.Approvals.Approvers = []string{"lead-a", "lead-b"}
	cfg.Watch.PollInterval = 5 * time.Millisecond
	console := newTestChat(testChatOptions{Out: discard{}, User: "alice"})
	chat := &stateChat{testChat: console, db: db, keys: map[string]int{}}
	runner := &gatedRunner{rng: rng, db: db, live: map[string]bool{}, steps: map[string]int{}}
	core := &Core{Cfg: &cfg, DB: db, Chat: chat, Runner: runner, Log: zerolog.Nop(), Version: "vconc", Channel: console.Channel()}
	return &concWorld{core: core, db: db, runner: runner, chat: chat}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func (w *concWorld) say(user, text string) Reply {
	return w.core.Handle(context.Background(), Incoming{Source: SourceConsole, UserID: user, UserName: user, ChannelID: w.chat.Channel(), Text: text})
}

func (w *concWorld) press(user, planID, action string) Reply {
	return w.core.Handle(context.Background(), Incoming{Source: SourceButton, UserID: user, UserName: user, ChannelID: w.chat.Channel(),
		Action: &ActionCall{Plan: planID, Action: action, Expires: time.Now().Add(time.Hour)}})
}

// lockedRand is a schedule's random source, safe for its actors.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func (l *lockedRand) Intn(n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Intn(n)
}

func TestConcurrency_D24_ManyActorsOneRun(t *testing.T) {
	schedules := 200
	if testing.Short() {
		schedules = 40
	}
	var cancelledLaunch, cancelledRunning, finished int
	db, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for seed := int64(1); seed <= int64(schedules); seed++ {
		out := runSchedule(t, db, seed)
		switch out {
		case "launch":
			cancelledLaunch++
		case "running":
			cancelledRunning++
		case "finished":
			finished++
		}
		if t.Failed() {
			t.Fatalf("seed %d failed (rerun: -run %s and seed %d)", seed, t.Name(), seed)
		}
	}
	t.Logf("%d schedules: %d cancelled during the launch, %d cancelled while running, %d ran to the end", schedules, cancelledLaunch, cancelledRunning, finished)
	if cancelledLaunch == 0 || cancelledRunning == 0 || finished == 0 {
		t.Errorf("the schedules did not reach every case")
	}
}

// runSchedule plays one seeded schedule and checks the invariants; it
// returns how the first run ended ("launch", "running", "finished").
func runSchedule(t *testing.T, db *storage.DB, seed int64) string {
	t.Helper()
	lr := &lockedRand{r: rand.New(rand.NewSource(seed))}
	w := newConcWorld(db, lr.Intn)
	build := fmt.Sprintf("conc-%d", seed)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()

	// The cancel fires at one launch step, at one poll, or never.
	cancelStep := []string{"", "clock", "config", "template", "verify", "runner", "poll"}[lr.Intn(7)]
	cancelPoll := 1 + lr.Intn(5) // just before, at or after a group's finish
	var cancelOnce sync.Once
	var wg sync.WaitGroup
	cancelNow := func() {
		cancelOnce.Do(func() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.say("lead-b", "cancel "+build+" --yes")
			}()
		})
	}
	w.runner.atStep = func(_ string, step string) {
		if step == cancelStep {
			cancelNow()
		}
	}

	if rep := w.say("alice", "plan cmc-e2e --containsVm redhat,ubuntu --categorize --build_name "+build); !strings.Contains(rep.Ephemeral, "posted") {
		t.Fatalf("plan: %s", rep.Ephemeral)
	}
	open, _ := w.db.OpenPlans(ctx, w.chat.Channel())
	if len(open) != 1 || open[0].Build != build {
		t.Fatalf("open plans: %+v", open)
	}
	planID := open[0].ID

	// Two approvers double-click Approve, one also types it.
	for _, u := range []string{"lead-a", "lead-a", "lead-b", "lead-b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(lr.Intn(300)) * time.Microsecond)
			w.press(u, planID, actApprove)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.say("lead-b", "approve "+planID)
	}()

	// Ticks every few milliseconds until the run ends.
	tickDone := make(chan struct{})
	go func() {
		defer close(tickDone)
		for ctx.Err() == nil {
			w.core.Tick(ctx)
			w.runner.mu.Lock()
			polls := 0
			for _, n := range w.runner.steps {
				polls = n
			}
			w.runner.mu.Unlock()
			if cancelStep == "poll" && polls >= cancelPoll {
				cancelNow()
			}
			time.Sleep(time.Duration(1+lr.Intn(3)) * time.Millisecond)
		}
	}()
	// Status requests from three users, and unwatch/watch toggled.
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(lr.Intn(20)) * time.Millisecond)
			rep := w.say([]string{"alice", "lead-a", "bob"}[i%3], "status")
			if strings.Contains(rep.Ephemeral, "busy") {
				t.Errorf("status answered busy: %s", rep.Ephemeral)
			}
		}()
	}
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(lr.Intn(15)) * time.Millisecond)
			if i%2 == 0 {
				w.say("lead-a", "unwatch "+build)
			} else {
				w.say("lead-a", "watch "+build)
			}
		}()
	}

	// Wait for the run to end and its lock to go.
	deadline := time.Now().Add(20 * time.Second)
	var run storage.Run
	for {
		r, err := w.db.LatestRunByBuild(ctx, build)
		_, _, _, held, _ := w.db.Lock(ctx, "ctl-conc")
		if err == nil {
			run = r
		}
		if err == nil && storage.Terminal(r.State) && !held {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("seed %d: the run did not end: %+v (lock held %v)", seed, run, held)
		}
		time.Sleep(2 * time.Millisecond)
	}
	wg.Wait()
	w.core.Wait()
	stop()
	<-tickDone
	// A last round of everything once more must change nothing.
	w.core.Tick(context.Background())

	// Invariants.
	n := 0
	runs, _ := w.db.RecentRuns(context.Background(), 1000)
	for _, r := range runs {
		if r.Build == build {
			n++
		}
	}
	if n != 1 {
		t.Errorf("seed %d: %d runs from one plan and five approvals, want 1", seed, n)
	}
	final, _ := w.db.GetRun(context.Background(), run.ID)
	if !storage.Terminal(final.State) {
		t.Errorf("seed %d: run ended %s, not a terminal state", seed, final.State)
	}
	for _, v := range append(w.runner.violations, w.chat.violations...) {
		t.Errorf("seed %d: %s", seed, v)
	}
	for k, n := range w.chat.keys {
		if n > 1 {
			t.Errorf("seed %d: key %s posted %d times", seed, k, n)
		}
	}
	w.runner.mu.Lock()
	alive := len(w.runner.live)
	w.runner.mu.Unlock()
	if alive != 0 {
		t.Errorf("seed %d: %d runner(s) alive after the run ended %s", seed, alive, final.State)
	}
	if final.State == results.RunCancelled && final.RootPostID != "" {
		if msg := w.chat.message(final.RootPostID); !strings.Contains(msg, "CANCELLED") {
			t.Errorf("seed %d: root post after the cancel: %q", seed, msg)
		}
	}
	switch {
	case final.State == results.RunCancelled && final.RunnerPID == 0:
		return "launch"
	case final.State == results.RunCancelled:
		return "running"
	}
	return "finished"
}

// message is a post's current text.
func (s *stateChat) message(id string) string {
	s.testChat.mu.Lock()
	defer s.testChat.mu.Unlock()
	if p := s.testChat.posts[id]; p != nil {
		return p.message
	}
	return ""
}
