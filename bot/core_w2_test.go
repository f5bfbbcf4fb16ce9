package bot

import (
	"context"
	"testing"

	"github.com/atvm/atvmbot/results"
)

// W2, D7: a non-categorized run (and a categorized run with one group) gets
// exactly one result post — the final summary — and no sub-run post.
func TestCore_W2_NonCategorizedOnePost(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   results.Status
	}{
		{"plain", results.Status{Build: "e2e-x", Template: "cmc-e2e", State: results.RunCompleted,
			Hosts:   []results.Host{host("atvm71-redhat9.1", "", results.HostPass)},
			Subruns: []results.Subrun{{Name: "e2e-x", State: results.SubrunCompleted, Hosts: []string{"atvm71-redhat9.1"}, Finished: true}}}},
		{"one group", results.Status{Build: "e2e-x", Template: "cmc-e2e", State: results.RunFailed, Categorized: true,
			Hosts:   []results.Host{host("atvm71-redhat9.1", "redhat", results.HostFail)},
			Subruns: []results.Subrun{{Name: "redhat", State: results.SubrunFailed, Hosts: []string{"atvm71-redhat9.1"}, Finished: true}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newCore(t, tc.st)
			f.say(t, "qa-lead", "plan cmc-e2e --containsVm redhat9.1")
			f.say(t, "qa-lead", "approve")
			f.core.Wait()
			for i := 0; i < 3; i++ {
				f.core.Tick(context.Background())
			}
			if subs := f.posts(t, "subrun"); len(subs) != 0 {
				t.Fatalf("%d sub-run posts; a run of one group posts only its final summary", len(subs))
			}
			final := f.posts(t, "final")
			if len(final) != 1 {
				t.Fatalf("%d final posts, want exactly 1", len(final))
			}
		})
	}
}
