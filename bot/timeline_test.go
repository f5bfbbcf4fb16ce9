package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
)

// The final summary carries the run's timeline picture, attached in the
// same post (never a post without it, never twice); a run with no host
// times has none, and its summary is posted all the same.
func TestFinal_S3_TimelineAttachedOnce(t *testing.T) {
	at := func(m int) *time.Time { v := time.Date(2026, 3, 30, 17, 20+m, 0, 0, time.UTC); return &v }
	timed := func(name, group, status string, from, to int) results.Host {
		h := host(name, group, status)
		h.StartedAt, h.EndedAt = at(from), at(to)
		return h
	}
	rh := results.Subrun{Name: "redhat", State: results.SubrunCompleted, Hosts: []string{"atvm71-redhat9.1"}, Finished: true}
	ub := results.Subrun{Name: "ubuntu", State: results.SubrunFailed, Hosts: []string{"atvm5-ubuntu22.04"}, Finished: true}
	cases := []struct {
		name  string
		final results.Status
		files int
	}{
		{"hosts with times: one picture", categorized(results.RunFailed, rh, ub,
			timed("atvm71-redhat9.1", "redhat", results.HostPass, 1, 9), timed("atvm5-ubuntu22.04", "ubuntu", results.HostFail, 10, 14)), 1},
		{"no host times: no picture", categorized(results.RunFailed, rh, ub,
			host("atvm71-redhat9.1", "redhat", results.HostPass), host("atvm5-ubuntu22.04", "ubuntu", results.HostFail)), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newCore(t, tc.final)
			f.say(t, "alice", "plan cmc-e2e --containsVm redhat,ubuntu --categorize")
			f.say(t, "qa-lead", "approve")
			f.core.Wait()
			for i := 0; i < 5; i++ {
				f.core.Tick(context.Background())
			}
			out := f.out.String()
			if !strings.Contains(out, "Final summary") {
				t.Fatalf("no final summary:\n%s", out)
			}
			if n := strings.Count(out, "📎 timeline-"); n != tc.files {
				t.Fatalf("%d pictures attached, want %d", n, tc.files)
			}
			f.console.mu.Lock()
			defer f.console.mu.Unlock()
			withFiles := 0
			for _, p := range f.console.posts {
				if len(p.files) > 0 {
					withFiles++
					if !strings.Contains(p.message, "Final summary") || !strings.HasSuffix(p.files[0], ".png") {
						t.Errorf("a picture on post %q", clipStr(p.message, 60))
					}
				}
			}
			if withFiles != tc.files {
				t.Errorf("%d posts with files, want %d", withFiles, tc.files)
			}
		})
	}
}

func clipStr(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
