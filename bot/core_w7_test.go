package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/atvm/atvmbot/results"
)

// flakyChat refuses the first sub-run post, as a server outage would.
type flakyChat struct {
	*testChat
	mu     sync.Mutex
	failed bool
}

func (f *flakyChat) CreatePost(ctx context.Context, p OutPost) (string, error) {
	f.mu.Lock()
	if !f.failed && strings.Contains(p.IdemKey, "/sub/") {
		f.failed = true
		f.mu.Unlock()
		return "", errors.New("server unavailable")
	}
	f.mu.Unlock()
	return f.testChat.CreatePost(ctx, p)
}

// W7: a result whose first send failed and whose content changed before the
// retry is posted once with the new content — and is not later "corrected"
// from content no post ever showed.
func TestCore_W7_RetriedPostIsNotCorrectedFromUnsentContent(t *testing.T) {
	rhPass := results.Subrun{Name: "redhat", State: results.SubrunCompleted, Hosts: []string{"atvm71-redhat9.1"}, Finished: true}
	rhFail := results.Subrun{Name: "redhat", State: results.SubrunFailed, Hosts: []string{"atvm71-redhat9.1"}, Finished: true}
	ub := results.Subrun{Name: "ubuntu", State: results.SubrunRunning, Hosts: []string{"atvm5-ubuntu22.04"}}
	f := newCore(t,
		categorized(results.RunRunning, rhPass, ub, host("atvm71-redhat9.1", "redhat", results.HostPass)),
		categorized(results.RunRunning, rhFail, ub, host("atvm71-redhat9.1", "redhat", results.HostFail)),
	)
	f.core.Chat = &flakyChat{testChat: f.console}
	f.say(t, "qa-lead", "plan cmc-e2e --containsVm redhat,ubuntu --categorize")
	f.say(t, "qa-lead", "approve")
	f.core.Wait()
	for i := 0; i < 4; i++ {
		f.core.Tick(context.Background())
	}
	subs := f.posts(t, "subrun")
	if len(subs) != 1 {
		t.Fatalf("want one sub-run post (the retried one), got %d: %+v", len(subs), subs)
	}
	if strings.Contains(f.out.String(), "CORRECTION") {
		t.Fatalf("a correction of content that was never posted:\n%s", f.out)
	}
}
