package bot

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// fileChat keeps posts in a file of JSON lines, so what one process posted
// is seen by the next (the crash test's chat server).
type fileChat struct {
	mu   sync.Mutex
	path string
}

type filePost struct{ ID, Channel, Root, Key, Message string }

func (c *fileChat) read() []filePost {
	f, err := os.Open(c.path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []filePost
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var p filePost
		if json.Unmarshal(sc.Bytes(), &p) == nil {
			out = append(out, p)
		}
	}
	return out
}

func (c *fileChat) CreatePost(_ context.Context, p OutPost) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	posts := c.read()
	for _, q := range posts {
		if p.IdemKey != "" && q.Key == p.IdemKey {
			return q.ID, nil
		}
	}
	fp := filePost{ID: fmt.Sprintf("post%d-%d", os.Getpid(), len(posts)+1), Channel: p.ChannelID, Root: p.RootID, Key: p.IdemKey, Message: p.Message}
	b, _ := json.Marshal(fp)
	f, err := os.OpenFile(c.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(append(b, '\n')); err != nil {
		return "", err
	}
	return fp.ID, f.Sync()
}

func (c *fileChat) PatchPost(context.Context, string, string, map[string]any) error { return nil }
func (c *fileChat) FindByIdemKey(_ context.Context, _, _, key string, _ time.Time) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, q := range c.read() {
		if q.Key == key {
			return q.ID, true, nil
		}
	}
	return "", false, nil
}
func (c *fileChat) PostLink(id string) string { return id }

// TestScheduleCrashChild is the bot process of the crash test below; it
// does nothing unless that test runs it.
func TestScheduleCrashChild(t *testing.T) {
	dir := os.Getenv("ATVMBOT_SCHED_CHILD")
	if dir == "" {
		t.Skip("run by TestSchedule_W1_KilledAtTheFirePointsFiresOnce")
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(dir, "state.db"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := config.Default()
	cfg.Approvals.Approvers = []string{"qa-lead"}
	clock, _ := time.Parse(time.RFC3339, os.Getenv("ATVMBOT_SCHED_CLOCK"))
	core := &Core{Cfg: &cfg, DB: db, Chat: &fileChat{path: filepath.Join(dir, "posts.jsonl")}, Log: zerolog.Nop(), Version: "vcrash",
		Runner: &scriptedRunner{statuses: []results.Status{{State: results.RunRunning}}}, Channel: "ch", Now: func() time.Time { return clock }}
	if words := os.Getenv("ATVMBOT_SCHED_ADD"); words != "" {
		rep := core.Handle(ctx, Incoming{Source: SourceConsole, UserName: "alice", ChannelID: "ch", Text: `schedule add "0 2 * * *" ` + words})
		if !strings.Contains(rep.Ephemeral, "added") {
			t.Fatalf("add: %s", rep.Ephemeral)
		}
		return
	}
	core.FireSchedules(ctx)
}

// W1 for schedules: the bot is killed (SIGKILL) at each point of a fire —
// after the fire is taken, after its plan is posted — and restarted at the
// same moment and a minute later. The fire happens at most once: never two
// plan posts, one fire record; killed before the plan, the fire is not
// made up (at most once, never late).
func TestSchedule_W1_KilledAtTheFirePointsFiresOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	ny, _ := time.LoadLocation("America/New_York")
	fireAt := time.Date(2026, 3, 2, 2, 0, 20, 0, ny)
	cases := []struct {
		point string
		plans int // plan posts after all the restarts
	}{
		{FaultScheduleClaimed, 0},
		{FaultSchedulePlanned, 1},
		{"", 1}, // no kill: the control
	}
	for _, tc := range cases {
		t.Run("kill at "+tc.point, func(t *testing.T) {
			dir := t.TempDir()
			run := func(clock time.Time, fault, add string) (killed bool) {
				cmd := exec.Command(os.Args[0], "-test.run=^TestScheduleCrashChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), "ATVMBOT_SCHED_CHILD="+dir, "ATVMBOT_SCHED_CLOCK="+clock.Format(time.RFC3339), FaultEnv+"="+fault, "ATVMBOT_SCHED_ADD="+add)
				out, err := cmd.CombinedOutput()
				if strings.Contains(string(out), FaultMarker) {
					return true
				}
				if err != nil {
					t.Fatalf("child: %v\n%s", err, out)
				}
				return false
			}
			run(time.Date(2026, 3, 2, 1, 0, 0, 0, ny), "", "cmc-e2e --containsVm redhat9.6")
			if killed := run(fireAt, tc.point, ""); killed != (tc.point != "") {
				t.Fatalf("killed=%v at %q", killed, tc.point)
			}
			run(fireAt, "", "")
			run(fireAt.Add(time.Minute), "", "")
			plans := 0
			for _, p := range (&fileChat{path: filepath.Join(dir, "posts.jsonl")}).read() {
				if strings.Contains(p.Message, "#### Plan ") {
					plans++
				}
			}
			if plans != tc.plans {
				t.Fatalf("%d plan posts, want %d", plans, tc.plans)
			}
			db, err := storage.Open(context.Background(), filepath.Join(dir, "state.db"), time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			list, _ := db.Schedules(context.Background())
			if len(list) != 1 {
				t.Fatalf("%d schedules", len(list))
			}
			if f, err := db.LastFire(context.Background(), list[0].ID); err != nil || !f.FireAt.Equal(fireAt.Truncate(time.Minute)) {
				t.Fatalf("last fire %+v %v, want the one at %s", f, err, fireAt.Truncate(time.Minute))
			}
		})
	}
}
