package bot

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// slowChat holds every CreatePost a while before the chat has it, as a
// server does while a post is in flight, and counts the posts sent per
// idempotency key (a server keeps each one it is sent).
type slowChat struct {
	*testChat
	delay time.Duration
	mu    sync.Mutex
	sent  map[string]int
}

func (s *slowChat) CreatePost(ctx context.Context, p OutPost) (string, error) {
	s.mu.Lock()
	s.sent[p.IdemKey]++
	s.mu.Unlock()
	time.Sleep(s.delay)
	return s.testChat.CreatePost(ctx, p)
}

// The launch goroutine creates a run's root post while a tick may already
// poll the run and create the same root: one key, two posters, one post.
func TestPostOnce_W1_ConcurrentSameKeyPostsOnce(t *testing.T) {
	redhat := results.Subrun{Name: "redhat", State: results.SubrunRunning, Hosts: []string{"atvm71-redhat9.1"}}
	ubuntu := results.Subrun{Name: "ubuntu", State: results.SubrunRunning, Hosts: []string{"atvm5-ubuntu22.04"}}
	st := categorized(results.RunRunning, redhat, ubuntu,
		host("atvm71-redhat9.1", "redhat", results.HostRunning), host("atvm5-ubuntu22.04", "ubuntu", results.HostRunning))
	f := newCore(t, st)
	ctx := context.Background()
	run := storage.Run{ID: "r-postonce", PlanID: "p1", Build: "e2e-demo", Controller: f.runner.Controller(), Template: "cmc-e2e",
		Categorized: true, Watcher: true, State: results.RunRunning, PlannedBy: "alice", ApprovedBy: "qa-lead", ChannelID: f.console.Channel(), RunnerPID: 4242}
	if err := f.db.CreateRunLocked(ctx, run, "qa-lead"); err != nil {
		t.Fatal(err)
	}
	// The first is still in flight when the second looks.
	chat := &slowChat{testChat: f.console, delay: 150 * time.Millisecond, sent: map[string]int{}}
	f.core.Chat = chat
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.core.ensureRoot(ctx, run, st)
		}()
	}
	wg.Wait()
	if n := chat.sent[run.ID+"/root"]; n != 1 {
		t.Fatalf("%d root posts sent under one key, want 1", n)
	}
	got, err := f.db.GetRun(ctx, run.ID)
	if err != nil || got.RootPostID == "" {
		t.Fatalf("root post not recorded: %+v %v", got, err)
	}
}
