package bot

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Status requests that arrive while the controller is being asked share its
// answer; a request after it asks again (S2: never an old answer).
func TestSnapshotCache_S2_SharesOnlyInFlight(t *testing.T) {
	var s snapshotCache
	var calls atomic.Int32
	release := make(chan struct{})
	fn := func() (Reply, bool) {
		calls.Add(1)
		<-release
		return Reply{Ephemeral: "answer"}, true
	}
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r, ok := s.do("k", fn); !ok || r.Ephemeral != "answer" {
				t.Errorf("got %+v %v", r, ok)
			}
		}()
	}
	// Release the answer only once all ten are in: one asking, nine waiting.
	for waiting := 0; waiting != 9; time.Sleep(time.Millisecond) {
		s.mu.Lock()
		if e := s.inFlight["k"]; e != nil {
			waiting = e.waiters
		}
		s.mu.Unlock()
	}
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Fatalf("10 requests in flight together asked the controller %d times, want 1", n)
	}
	s.do("k", fn)
	if n := calls.Load(); n != 2 {
		t.Fatalf("a later request was answered from an old answer (%d calls)", n)
	}
}
