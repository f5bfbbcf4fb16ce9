package simulator

import (
	"path"
	"strings"
	"testing"
)

// a.4: the simulator's log has mochawesome's console reporter beside the
// spec reporter, as the real tools print it: each spec's output twice and
// a saved line naming the report it wrote; the parser still reads each spec
// once, with its own failure.
func TestMochawesomeConsole_R9_DoubledLogReadOnce(t *testing.T) {
	r := renderScenario(t, "categorized-3groups-1fail.yaml", "migrate-mixed", true, migrateArgs...)
	var reports []string
	for _, f := range r.files {
		if strings.HasPrefix(f, "cypress/cmcReporter/mochawesome/") {
			reports = append(reports, f)
			line := "\n[mochawesome] Report HTML saved to " + path.Join("/root/cdc-e2e-cyp-12.17.4", f) + "\n\n"
			if n := strings.Count(r.log, line); n != 1 {
				t.Errorf("saved line for %s: %d times, want 1", f, n)
			}
		}
	}
	if n := strings.Count(r.log, "[mochawesome] Report HTML saved to "); n != len(reports) || n == 0 {
		t.Errorf("%d saved lines for %d reports", n, len(reports))
	}
	if n := strings.Count(r.log, "  1) atvm121-ubuntu24.04 cmc-migrateops-compute-migration\n"); n != 2 {
		t.Errorf("failure block %d times, want twice", n)
	}
	f := logFacts(r.log)
	specs := 0
	for _, b := range f.Blocks {
		for _, sp := range b.Specs {
			specs++
			want := 0
			if sp.Machine == "atvm121-ubuntu24.04" {
				want = 1
				if sp.FailedStep != "13. Verify destination VM network" || !strings.Contains(sp.Error, "No route to host") {
					t.Errorf("failure read as step %q, error %q", sp.FailedStep, sp.Error)
				}
			}
			if sp.Failing != want || !sp.Finished {
				t.Errorf("%s: failing %d (want %d), finished %v", sp.Machine, sp.Failing, want, sp.Finished)
			}
		}
	}
	if specs != len(reports) {
		t.Errorf("%d specs read, %d reports written", specs, len(reports))
	}
}
