package bot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// R11 and the watch loop's cost: each poll writes only what changed since
// the owner's last write, and the stored tables always equal the latest
// truth. A new process (a new owner) writes the whole truth once.
func TestPersist_R11_WritesOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	f := newCore(t)
	run := storage.Run{ID: "r-persist", Build: "e2e-demo", Controller: "ctl-test", State: storage.StateRunning, ControllerStart: time.Now()}
	if err := f.db.CreateRunLocked(ctx, run, "qa-lead"); err != nil {
		t.Fatal(err)
	}
	hosts := func(n int, failAt int) []results.Host {
		var hs []results.Host
		for i := 0; i < n; i++ {
			st := results.HostRunning
			if i == failAt {
				st = results.HostFail
			}
			hs = append(hs, host(fmt.Sprintf("atvm%d-redhat9.6", i), "redhat", st))
		}
		return hs
	}
	status := func(hs []results.Host, url string) results.Status {
		st := results.Status{Build: "e2e-demo", State: results.RunRunning, Categorized: true, Hosts: hs,
			Subruns: []results.Subrun{{Name: "redhat", State: results.SubrunRunning, CurrentsURL: url}}}
		return st
	}
	const url = "https://currents.example/run/1"
	cases := []struct {
		name      string
		owner     int // a new owner stands for a restarted process
		st        results.Status
		maxWrites int64
		minWrites int64
	}{
		{"first poll writes all", 0, status(hosts(500, -1), ""), 3, 3},
		{"the same poll again writes nothing", 0, status(hosts(500, -1), ""), 0, 0},
		{"one host failed: its row and the status", 0, status(hosts(500, 7), ""), 2, 2},
		{"a URL appears: the sub-run, the URL, the status", 0, status(hosts(500, 7), url), 3, 3},
		{"a host dropped: one delete and the status", 0, status(hosts(499, 7), url), 2, 2},
		{"restarted: the whole truth once", 1, status(hosts(499, 7), url), 4, 4},
		{"and then nothing", 1, status(hosts(499, 7), url), 0, 0},
	}
	owners := []*runOwner{{}, {}}
	for _, tc := range cases {
		before := f.db.Writes()
		f.core.persist(ctx, owners[tc.owner], run, tc.st)
		n := f.db.Writes() - before
		if n < tc.minWrites || n > tc.maxWrites {
			t.Fatalf("%s: %d writes, want %d..%d", tc.name, n, tc.minWrites, tc.maxWrites)
		}
		stored, err := f.db.HostResults(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		for _, h := range tc.st.Hosts {
			want[h.Name] = h.Status
		}
		if len(stored) != len(want) {
			t.Fatalf("%s: %d stored hosts, want %d", tc.name, len(stored), len(want))
		}
		for _, h := range stored {
			if want[h.Host] != h.Status {
				t.Fatalf("%s: stored %s %s, want %s", tc.name, h.Host, h.Status, want[h.Host])
			}
		}
		if got, _ := f.db.RunStatus(ctx, run.ID); got == "" {
			t.Fatalf("%s: no stored status", tc.name)
		}
	}
	if urls, _ := f.db.CurrentsURLs(ctx, run.ID); len(urls) != 1 {
		t.Fatalf("currents URLs %v, want one", urls)
	}
}
