package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/simulator"
	"github.com/atvm/atvmbot/storage"
)

// figures are the suite's reliability numbers, printed by the last test.
var figures struct {
	mu            sync.Mutex
	postsExpected int           // keyed result posts the runs called for
	postsSeen     int           // distinct keys found on the server
	duplicates    int           // extra posts carrying a key already seen
	lost          int           // expected keys with no post
	refusals      int           // hostile or unauthorized inputs refused
	accepted      int           // valid and near-miss inputs that produced plans
	restarts      int           // serve processes killed (-9 or a fault point) and restarted
	outageS       int           // seconds Mattermost was down
	sshFaults     int           // sshd kills and dropped connections
	hugeMB        int           // size of the one-line transcript fetched mid-run
	hugeFetch     time.Duration // how long the bot took to fetch it
	cancels       int           // cancels sent around a group's finish
	lateResults   int           // result posts that came after a cancel reply
	statusAnswers int           // real answers to concurrent status requests
	statusBusy    int           // status requests answered "busy"
	statusP50     time.Duration // status answer time, median
	statusP99     time.Duration // and 99th percentile
	results       []string
}

// record keeps the outcome of a top-level test for the closing line.
func record(t *testing.T) {
	t.Cleanup(func() {
		figures.mu.Lock()
		defer figures.mu.Unlock()
		r := "passed"
		if t.Failed() {
			r = "failed"
		} else if t.Skipped() {
			r = "skipped"
		}
		figures.results = append(figures.results, r+" "+t.Name())
	})
}

func addFigures(f func()) {
	figures.mu.Lock()
	defer figures.mu.Unlock()
	f()
}

// openDB opens the world's state file (serve may be running: SQLite allows it).
func (w *world) openDB(ctx context.Context) *storage.DB {
	w.t.Helper()
	db, err := storage.Open(ctx, filepath.Join(w.dir, "state", "atvmbot.db"), 10*time.Second)
	if err != nil {
		w.t.Fatalf("opening the bot's state: %v", err)
	}
	return db
}

// waitRunState waits until the world's latest run has a final state.
func (w *world) waitRunState(ctx context.Context, d time.Duration) storage.Run {
	w.t.Helper()
	db := w.openDB(ctx)
	defer db.Close()
	deadline := time.Now().Add(d)
	for {
		runs, err := db.RecentRuns(ctx, 1)
		if err == nil && len(runs) == 1 {
			switch runs[0].State {
			case "COMPLETED", "FAILED", "TERMINATED", "UNKNOWN", "HUNG", "CANCELLED", "LAUNCH_FAILED":
				r := runs[0]
				r.StatusJSON, _ = db.RunStatus(ctx, r.ID) // not read back with the run
				return r
			}
		}
		if time.Now().After(deadline) {
			st := "no run"
			if len(runs) == 1 {
				st = runs[0].State
			}
			w.t.Fatalf("the run did not end within %s (state %s, err %v)", d, st, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// postAccount compares the keys the bot recorded with the posts on the
// server: every key exactly once, none missing (W1).
type postAccount struct {
	expected, seen, duplicates, lost int
	problems                         []string
	byKey                            map[string]*model.Post
}

// accountPosts checks exactly-once for every post key of every run, and
// that want (key suffixes such as "/final/r0/0") are among them.
func (w *world) accountPosts(ctx context.Context, want []string) postAccount {
	w.t.Helper()
	db := w.openDB(ctx)
	defer db.Close()
	runs, err := db.RecentRuns(ctx, 100)
	if err != nil {
		w.t.Fatal(err)
	}
	posts, err := w.botPosts(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	count := map[string]int{}
	a := postAccount{byKey: map[string]*model.Post{}}
	for _, p := range posts {
		k := idemKey(p)
		count[k]++
		if count[k] == 1 {
			a.byKey[k] = p
		}
	}
	expected := map[string]bool{}
	for _, r := range runs {
		stored, err := db.RunPosts(ctx, r.ID)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, p := range stored {
			expected[p.IdemKey] = true
			if p.State != storage.PostSent {
				a.problems = append(a.problems, fmt.Sprintf("key %s left %s in storage", p.IdemKey, p.State))
			}
		}
		for _, suffix := range want {
			expected[r.ID+suffix] = true
		}
	}
	keys := make([]string, 0, len(expected))
	for k := range expected {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		a.expected++
		switch n := count[k]; {
		case n == 0:
			a.lost++
			a.problems = append(a.problems, "lost: no post with key "+k)
		case n > 1:
			a.seen++
			a.duplicates += n - 1
			a.problems = append(a.problems, fmt.Sprintf("duplicate: %d posts with key %s", n, k))
		default:
			a.seen++
		}
	}
	// Keys on the server the bot never recorded (plan posts are keyed by
	// the plan and a time, and recorded in the plans table instead).
	for k, n := range count {
		if n > 1 && !expected[k] {
			a.duplicates += n - 1
			a.problems = append(a.problems, fmt.Sprintf("duplicate: %d posts with unrecorded key %s", n, k))
		}
	}
	addFigures(func() {
		figures.postsExpected += a.expected
		figures.postsSeen += a.seen
		figures.duplicates += a.duplicates
		figures.lost += a.lost
	})
	return a
}

// resultKeys are the keys a categorized run of these sub-runs must post.
func resultKeys(subruns []string) []string {
	keys := []string{"/root"}
	for _, s := range subruns {
		keys = append(keys, "/sub/"+s+"/r0/0")
	}
	return append(keys, "/final/r0/0")
}

var codeBlockRE = regexp.MustCompile("(?s)```\n(.*?)\n```")

// planCommands are the template and runner commands a plan post shows.
func planCommands(t *testing.T, msg string) (template, runner string) {
	t.Helper()
	m := codeBlockRE.FindAllStringSubmatch(msg, -1)
	if len(m) < 2 {
		t.Fatalf("plan post without its two command blocks:\n%s", msg)
	}
	return m[0][1], m[1][1]
}

// audit is what the simulator was asked to run.
func (w *world) audit() []simulator.AuditEntry {
	w.t.Helper()
	entries, err := simulator.ReadAudit(w.root)
	if err != nil {
		w.t.Fatalf("simulator audit: %v", err)
	}
	return entries
}

// checkArgv asserts (D18) that the simulator was asked to run exactly the
// commands the plan post showed, byte for byte, in the ATVM root.
func (w *world) checkArgv(planMsg string) {
	w.t.Helper()
	tmpl, runner := planCommands(w.t, planMsg)
	got := w.audit()
	if len(got) != 2 {
		w.t.Fatalf("simulator audit has %d invocations, want the template step and the runner: %+v", len(got), got)
	}
	if got[0].Command() != tmpl || got[1].Command() != runner {
		w.t.Errorf("argv run on the controller differs from the plan post (D18):\nran  %s\n     %s\nplan %s\n     %s",
			got[0].Command(), got[1].Command(), tmpl, runner)
	}
	for _, e := range got {
		if e.Cwd != w.root {
			w.t.Errorf("%s ran in %s, want the ATVM root %s", e.Argv[1], e.Cwd, w.root)
		}
	}
}

// checkTruth asserts the scenario's hand-written truth on the final post,
// apart from any golden file (D18).
func checkTruth(t *testing.T, final string, truth simulator.Expect) {
	t.Helper()
	verdict := map[string]string{"FAILED": "❌ FAILED", "COMPLETED": "✅ PASSED"}[truth.State]
	if verdict == "" || !strings.Contains(final, "**SUMMARY:** "+verdict) {
		t.Errorf("final post: want the verdict %s (state %s)", verdict, truth.State)
	}
	for name, h := range truth.Hosts {
		line := hostLine(final, name)
		if !strings.HasPrefix(line, "- "+name+" - "+h.Status) {
			t.Errorf("final post: host %s line %q, want status %s", name, line, h.Status)
			continue
		}
		if h.FailedStep != "" && !strings.Contains(line, h.FailedStep) {
			t.Errorf("final post: host %s line %q lacks the failing step %q", name, line, h.FailedStep)
		}
		if h.Error != "" && !strings.Contains(line, h.Error) {
			t.Errorf("final post: host %s line %q lacks the error %q", name, line, h.Error)
		}
	}
	if strings.Contains(final, "PASS") && truth.State == "FAILED" && strings.Contains(final, "✅ PASSED") {
		t.Errorf("final post claims PASSED for a failed run")
	}
}

func hostLine(post, host string) string {
	for _, l := range strings.Split(post, "\n") {
		if strings.HasPrefix(l, "- "+host+" - ") {
			return l
		}
	}
	return ""
}
