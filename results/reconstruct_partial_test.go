package results

import "testing"

// W3: one sub-run per group. While a batch has started only some hosts of
// its group, the rest belong to that running sub-run: a second sub-run of
// the same name would be posted as its own result, then "corrected".
func TestReconstruct_W3_PartialBatchOneSubrunPerGroup(t *testing.T) {
	st := runScenario(t, "categorized-partial-batch")
	seen := map[string]bool{}
	for _, sr := range st.Subruns {
		if seen[sr.Name] {
			t.Fatalf("two sub-runs named %s: %+v", sr.Name, st.Subruns)
		}
		seen[sr.Name] = true
	}
	if len(st.Subruns) != 3 {
		t.Fatalf("%d sub-runs, want 3 (redhat, ubuntu, windows): %+v", len(st.Subruns), st.Subruns)
	}
}
