package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// The crash tests run the bot as a child process of the test binary
// (TestMain switches on crashRoleEnv): a real process with a real SQLite
// file, killed with SIGKILL by a fault point or by the parent, restarted
// until its run is final. The fake Mattermost (fileMM) and the counters of
// the scripted controller live outside the child, so they survive it.
const (
	crashRoleEnv      = "ATVMBOT_CRASH_ROLE"      // "bot"
	crashDirEnv       = "ATVMBOT_CRASH_DIR"       // state.db, script.json, counters
	crashMMEnv        = "ATVMBOT_CRASH_MM"        // the fake server's URL
	crashLaunchEnv    = "ATVMBOT_CRASH_LAUNCH"    // "1": plan+approve when no run exists; "only": then exit
	crashReapproveEnv = "ATVMBOT_CRASH_REAPPROVE" // "1": try to approve again at start
	crashTickEnv      = "ATVMBOT_CRASH_TICK"      // pause between ticks (Go duration)

	crashChannel    = "crashchannel0000000000000a"
	crashController = "ctl-crash"
	crashSigningKey = "crash-test-signing-key-0123456789abcdef"
	// faultInLaunch is a point of the scripted runner only: the runner has
	// been started on the controller, the bot was not told.
	faultInLaunch = "in-launch"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashRoleEnv) == "bot" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}

func crashConfig() config.Config {
	cfg := config.Default()
	cfg.Approvals.Approvers = []string{"qa-lead"}
	return cfg
}

// crashBackOff retries briefly: a bot that cannot post leaves the key
// pending and the next tick tries again.
func crashBackOff() backoff.BackOff {
	return backoff.WithMaxRetries(backoff.NewConstantBackOff(5*time.Millisecond), 4)
}

// crashChild is one bot process: open the state, recover, launch when asked,
// tick until no run is active. Exit 0 means the run is final.
func crashChild() int {
	dir := os.Getenv(crashDirEnv)
	ctx := context.Background()
	log := zerolog.New(os.Stderr).With().Timestamp().Int("pid", os.Getpid()).Logger()
	fail := func(what string, err error) int {
		log.Error().Err(err).Msg(what)
		return 3
	}
	db, err := storage.Open(ctx, filepath.Join(dir, "state.db"), 5*time.Second)
	if err != nil {
		return fail("open storage", err)
	}
	defer db.Close()
	cfg := crashConfig()
	var entries []storage.BlacklistEntry
	for _, b := range cfg.Blacklist {
		entries = append(entries, storage.BlacklistEntry{Machine: b.Machine, Reason: b.Reason})
	}
	if err := db.SeedBlacklist(ctx, entries); err != nil {
		return fail("seed blacklist", err)
	}
	signer, err := NewSigner([]byte(crashSigningKey))
	if err != nil {
		return fail("signer", err)
	}
	mm, err := NewMattermost(ctx, MattermostOptions{URL: os.Getenv(crashMMEnv), Token: "bot-token", TeamName: "it-team",
		PublicURL: "http://127.0.0.1:9", Signer: signer, Log: log, NewBackOff: crashBackOff})
	if err != nil {
		return fail("mattermost", err)
	}
	core := &Core{Cfg: &cfg, DB: db, Chat: mm, Runner: &fileRunner{dir: dir}, Log: log, Version: "vcrash", Channel: crashChannel}
	core.Recover(ctx)
	runs, err := db.RecentRuns(ctx, 1)
	if err != nil {
		return fail("runs", err)
	}
	say := func(user, text string) {
		rep := core.Handle(ctx, Incoming{Source: SourceSlash, UserName: user, ChannelID: crashChannel, Text: text})
		fmt.Fprintf(os.Stderr, "reply to %q: %s\n", text, rep.Ephemeral)
	}
	launch := os.Getenv(crashLaunchEnv)
	switch {
	case launch != "" && len(runs) == 0:
		if open, _ := db.OpenPlans(ctx, crashChannel); len(open) == 0 {
			say("alice", "plan cmc-e2e --containsVm redhat,ubuntu --categorize")
		}
		say("qa-lead", "approve")
		core.Wait()
		if launch == "only" {
			return 0
		}
	case os.Getenv(crashReapproveEnv) == "1":
		say("qa-lead", "approve")
		core.Wait()
	}
	tick, _ := time.ParseDuration(os.Getenv(crashTickEnv))
	for {
		active, err := db.ActiveRuns(ctx)
		if err != nil {
			return fail("active runs", err)
		}
		if len(active) == 0 {
			return 0
		}
		core.Tick(ctx)
		time.Sleep(tick)
	}
}

// fileRunner plays script.json (a crashScript) one status per poll. Its counters are files,
// so a restarted bot continues where the controller's run is, and the test
// sees how often the runner was launched. Runner methods it does not play
// (discovery, adoption) are left to the nil embedded interface: a call
// panics, which the tests would see.
type fileRunner struct {
	Runner
	dir string
}

func (r *fileRunner) Controller() string { return crashController }

func (r *fileRunner) Launch(_ context.Context, _ storage.Run, _ commands.Plan, progress func(string)) (Launched, error) {
	if _, err := bumpCounter(filepath.Join(r.dir, "launches")); err != nil {
		return Launched{}, err
	}
	progress("config")
	progress("template")
	faultPoint(faultInLaunch)
	progress("verify")
	progress("runner")
	return Launched{ControllerStart: time.Date(2026, 3, 30, 17, 20, 0, 0, time.UTC), RunnerPID: 4242, RunnerStart: "99", ScopeJSON: "{}"}, nil
}

func (r *fileRunner) Poll(context.Context, storage.Run) (Observation, error) {
	b, err := os.ReadFile(filepath.Join(r.dir, "script.json"))
	if err != nil {
		return Observation{}, err
	}
	var script crashScript
	if err := json.Unmarshal(b, &script); err != nil {
		return Observation{}, err
	}
	if _, err := bumpCounter(filepath.Join(r.dir, "polls")); err != nil {
		return Observation{}, err
	}
	// The run's position advances one step a poll, up to the cap the
	// test may set (a run that is slow today).
	pos := readCounter(filepath.Join(r.dir, "pos"))
	if limit, err := os.ReadFile(filepath.Join(r.dir, "cap")); err != nil || pos < atoi(string(limit)) {
		if _, err := bumpCounter(filepath.Join(r.dir, "pos")); err != nil {
			return Observation{}, err
		}
	}
	return Observation{Status: script.statusAt(pos)}, nil
}

func (r *fileRunner) Stop(context.Context, storage.Run) error {
	_, err := bumpCounter(filepath.Join(r.dir, "stops"))
	return err
}

func (r *fileRunner) Cancel(context.Context, storage.Run) error { return nil }

// bumpCounter returns the counter's value and stores value+1 (temp file and
// rename: a kill leaves the old or the new value, never a torn one).
func bumpCounter(path string) (int, error) {
	n := readCounter(path)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(n+1)), 0o600); err != nil {
		return n, err
	}
	return n, os.Rename(tmp, path)
}

func readCounter(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return atoi(string(b))
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// setCap bounds the run's position (see fileRunner.Poll); n < 0 lifts it.
func (r *crashRig) setCap(n int) {
	r.t.Helper()
	path := filepath.Join(r.dir, "cap")
	if n < 0 {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			r.t.Fatal(err)
		}
		return
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(n)), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// crashScript is a categorized run: each group finishes in turn after
// Phase polls, then the parent's verdict. Flip, when named, is a group
// whose posted PASS turns into FAIL later (W7).
type crashScript struct {
	Groups []crashGroup `json:"groups"`
	Phase  int          `json:"phase"`
	Flip   string       `json:"flip,omitempty"`
}

type crashGroup struct {
	Name    string   `json:"name"`
	Hosts   []string `json:"hosts"`
	Verdict string   `json:"verdict"` // results.HostPass or results.HostFail
}

// statusAt is what the controller shows at the n-th poll.
func (s crashScript) statusAt(n int) results.Status {
	finished := min(n/s.Phase, len(s.Groups))
	// The flipped group changes half a phase after the second group
	// finished: long after its first post was made.
	flipped := s.Flip != "" && n >= 2*s.Phase+s.Phase/2
	started := time.Date(2026, 3, 30, 17, 21, 0, 0, time.UTC)
	st := results.Status{Build: "e2e-crash", Template: "cmc-e2e", State: results.RunRunning, Categorized: true, StartedAt: &started}
	failed := false
	for gi, g := range s.Groups {
		sr := results.Subrun{Name: g.Name, State: results.SubrunRunning, Hosts: g.Hosts, CurrentsURL: "https://currents.example/run/" + g.Name}
		verdict := g.Verdict
		if flipped && g.Name == s.Flip {
			verdict = results.HostFail
		}
		for _, h := range g.Hosts {
			host := results.Host{Name: h, Group: g.Name, Status: results.HostRunning, Tests: 22}
			if gi < finished {
				host.Status = verdict
				if verdict == results.HostFail {
					host.Failures, host.FailedStep, host.Error = 1, "Migrate VM", "AssertionError: migration session failed"
				}
			}
			st.Hosts = append(st.Hosts, host)
		}
		if gi < finished {
			sr.Finished, sr.State = true, results.SubrunCompleted
			if verdict == results.HostFail {
				sr.State, failed = results.SubrunFailed, true
			}
		}
		st.Subruns = append(st.Subruns, sr)
	}
	if finished == len(s.Groups) {
		st.State = results.RunCompleted
		if failed {
			st.State = results.RunFailed
		}
		ended := started.Add(40 * time.Minute)
		st.EndedAt = &ended
	}
	return st
}

// crashRig is one crash scenario: a directory, a fake Mattermost, and the
// bot processes started on them.
type crashRig struct {
	t        *testing.T
	dir      string
	mm       *fileMM
	tick     time.Duration
	groups   []crashGroup
	flip     string
	children int // bot processes started
	kills    int // of which killed (fault point or parent)
}

func newCrashRig(t *testing.T, groups []crashGroup, phase int, flip string) *crashRig {
	t.Helper()
	dir := t.TempDir()
	r := &crashRig{t: t, dir: dir, mm: newFileMM(t, filepath.Join(dir, "mm.json")), tick: 2 * time.Millisecond, groups: groups, flip: flip}
	r.setScript(phase)
	return r
}

// setScript (re)writes the controller's script; only while no bot runs.
func (r *crashRig) setScript(phase int) {
	r.t.Helper()
	b, err := json.Marshal(crashScript{Groups: r.groups, Phase: phase, Flip: r.flip})
	if err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.dir, "script.json"), b, 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// child is one started bot process.
type child struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

func (r *crashRig) start(env ...string) *child {
	r.t.Helper()
	r.children++
	logPath := filepath.Join(r.dir, fmt.Sprintf("bot-%02d.log", r.children))
	lf, err := os.Create(logPath)
	if err != nil {
		r.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashRoleEnv+"=bot", crashDirEnv+"="+r.dir, crashMMEnv+"="+r.mm.URL(),
		crashTickEnv+"="+r.tick.String(), FaultEnv+"=")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		lf.Close()
		r.t.Fatal(err)
	}
	c := &child{cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		lf.Close()
		close(c.done)
	}()
	return c
}

// wait waits for the child's end (a minute at most: a bot that never
// finishes its run is a failure, not a hang of the suite).
func (r *crashRig) wait(c *child) (killed bool) {
	r.t.Helper()
	select {
	case <-c.done:
	case <-time.After(time.Minute):
		_ = c.cmd.Process.Kill()
		<-c.done
		r.t.Fatalf("bot process still running after a minute:\n%s", tail(c.log))
	}
	// A request the dead bot left with the server finishes first: a real
	// restart takes longer than one request.
	r.mm.waitIdle()
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			r.kills++
			return true
		}
		r.t.Fatalf("bot process failed: %v\n%s", c.err, tail(c.log))
	}
	if c.err != nil {
		r.t.Fatalf("bot process: %v", c.err)
	}
	return false
}

// run starts a child and waits for it.
func (r *crashRig) run(env ...string) (killed bool, log string) {
	r.t.Helper()
	c := r.start(env...)
	killed = r.wait(c)
	b, _ := os.ReadFile(c.log)
	return killed, string(b)
}

// runToEnd restarts the bot (no faults) until it exits by itself: its run
// is final.
func (r *crashRig) runToEnd(env ...string) {
	r.t.Helper()
	for i := 0; i < 10; i++ {
		if killed, _ := r.run(env...); !killed {
			return
		}
	}
	r.t.Fatal("the bot never finished its run in 10 restarts")
}

func (r *crashRig) openDB() *storage.DB {
	r.t.Helper()
	db, err := storage.Open(context.Background(), filepath.Join(r.dir, "state.db"), 5*time.Second)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { db.Close() })
	return db
}

// pendingKeys counts the post keys a killed bot left pending, split by
// whether the server has the post (its answer was lost) or not.
func (r *crashRig) pendingKeys() (onServer, notSent int) {
	r.t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(r.dir, "state.db"), 5*time.Second)
	if err != nil {
		r.t.Fatal(err)
	}
	defer db.Close()
	runs, err := db.RecentRuns(ctx, 1)
	if err != nil || len(runs) == 0 {
		return 0, 0
	}
	recs, err := db.RunPosts(ctx, runs[0].ID)
	if err != nil {
		r.t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, p := range r.mm.posts() {
		if k, ok := p.GetProp(PropIdemKey).(string); ok {
			keys[k] = true
		}
	}
	for _, rec := range recs {
		switch {
		case rec.State == storage.PostSent:
		case keys[rec.IdemKey]:
			onServer++
		default:
			notSent++
		}
	}
	return onServer, notSent
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// crashFigures are what a crash scenario ended with.
type crashFigures struct {
	Expected, Seen, Duplicates, Lost, Extra int
	Processes, Kills                        int
}

func (f crashFigures) String() string {
	return fmt.Sprintf("posts expected %d, seen %d, duplicates %d, lost %d, unexpected %d; bot processes %d, killed %d (restarts %d)",
		f.Expected, f.Seen, f.Duplicates, f.Lost, f.Extra, f.Processes, f.Kills, f.Processes-1)
}

// verify checks a finished scenario: every idempotency key the run owes is
// on the server exactly once and recorded sent in SQLite, nothing else was
// posted, the run's final state is stored and its lock released, and the
// posts say what they must (root verdict, thread, mentions, correction).
func (r *crashRig) verify(wantState string) crashFigures {
	t := r.t
	t.Helper()
	ctx := context.Background()
	db := r.openDB()
	runs, err := db.RecentRuns(ctx, 10)
	if err != nil || len(runs) != 1 {
		t.Fatalf("want exactly one run, got %d (%v)", len(runs), err)
	}
	run := runs[0]
	if run.State != wantState {
		t.Errorf("run state %s, want %s (reason %q)", run.State, wantState, run.Reason)
	}
	if _, _, _, held, _ := db.Lock(ctx, crashController); held {
		t.Error("the controller lock outlived the run")
	}
	if n := readCounter(filepath.Join(r.dir, "launches")); n != 1 {
		t.Errorf("the runner was launched %d times, want 1 (P1)", n)
	}
	want := []string{run.ID + "/root", run.ID + "/final/r0/0"}
	for _, g := range r.groups {
		want = append(want, run.ID+"/sub/"+g.Name+"/r0/0")
	}
	if r.flip != "" {
		want = append(want, run.ID+"/sub/"+r.flip+"/r1/0")
	}
	sort.Strings(want)
	byKey := map[string][]*model.Post{}
	plans := 0
	for _, p := range r.mm.posts() {
		k, _ := p.GetProp(PropIdemKey).(string)
		if strings.HasPrefix(k, "plan/") {
			plans++
			continue
		}
		byKey[k] = append(byKey[k], p)
	}
	fig := crashFigures{Expected: len(want) + 1, Processes: r.children, Kills: r.kills}
	fig.Seen = plans
	if plans != 1 {
		t.Errorf("%d plan posts, want 1", plans)
		fig.Duplicates += max(plans-1, 0)
	}
	wanted := map[string]bool{}
	for _, k := range want {
		wanted[k] = true
		switch n := len(byKey[k]); {
		case n == 0:
			fig.Lost++
			t.Errorf("LOST: no post under %s", k)
		case n > 1:
			fig.Duplicates += n - 1
			t.Errorf("DUPLICATE: %d posts under %s", n, k)
		}
	}
	for k, ps := range byKey {
		fig.Seen += len(ps)
		if !wanted[k] {
			fig.Extra += len(ps)
			t.Errorf("unexpected post under %q: %.200s", k, ps[0].Message)
		}
	}
	// SQLite agrees with the server: each key sent, with the server's id.
	recs, err := db.RunPosts(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		ps := byKey[rec.IdemKey]
		if rec.State != storage.PostSent || len(ps) != 1 || ps[0].Id != rec.PostID {
			t.Errorf("storage has %s %s post %q; the server has %d posts under it", rec.IdemKey, rec.State, rec.PostID, len(ps))
		}
	}
	if len(recs) != len(want) {
		t.Errorf("storage records %d posts, want %d", len(recs), len(want))
	}
	root := first(byKey[run.ID+"/root"])
	if run.RootPostID == "" || root.Id != run.RootPostID {
		t.Errorf("run root post %q, server root %q", run.RootPostID, root.Id)
	}
	verdict := map[string]string{results.RunFailed: "FAILED", results.RunCompleted: "PASSED"}[wantState]
	if !strings.Contains(root.Message, verdict) || !strings.Contains(root.Message, "hosts done") {
		t.Errorf("root post not patched to the verdict %s:\n%s", verdict, root.Message)
	}
	for k, ps := range byKey {
		if k != run.ID+"/root" && ps[0].RootId != root.Id {
			t.Errorf("%s is not in the run's thread (root %q)", k, ps[0].RootId)
		}
	}
	final := first(byKey[run.ID+"/final/r0/0"])
	if !strings.Contains(final.Message, "Final summary") || !strings.Contains(final.Message, "@alice @qa-lead") {
		t.Errorf("final summary lacks its heading or mentions:\n%.400s", final.Message)
	}
	if r.flip != "" {
		corr := first(byKey[run.ID+"/sub/"+r.flip+"/r1/0"])
		if !strings.Contains(corr.Message, "CORRECTION") || !strings.Contains(corr.Message, "PASS → FAIL") {
			t.Errorf("correction post does not say what it corrects:\n%.400s", corr.Message)
		}
		old := first(byKey[run.ID+"/sub/"+r.flip+"/r0/0"])
		if !strings.Contains(old.Message, "Superseded") {
			t.Errorf("the corrected post is not marked superseded:\n%.300s", old.Message)
		}
		if rec, err := db.GetPost(ctx, run.ID+"/sub/"+r.flip+"/r0/0"); err != nil || rec.SupersededBy != run.ID+"/sub/"+r.flip+"/r1/0" {
			t.Errorf("storage: r0 superseded by %q (%v)", rec.SupersededBy, err)
		}
	}
	return fig
}

func first(ps []*model.Post) *model.Post {
	if len(ps) == 0 {
		return &model.Post{}
	}
	return ps[0]
}
