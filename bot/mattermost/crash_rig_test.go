package mattermost

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

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"

	"github.com/atvm/atvmbot/bot"
)

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
		crashTickEnv+"="+r.tick.String(), bot.FaultEnv+"=")
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
		if k, ok := p.GetProp(bot.PropIdemKey).(string); ok {
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
		k, _ := p.GetProp(bot.PropIdemKey).(string)
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
