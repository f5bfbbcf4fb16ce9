package results

import (
	"strings"
	"testing"
	"time"
)

// S8: a gate the evaluator cannot read keeps its steps and says so in the
// run's NOTES — an anomaly the operators must see, not a silent guess.
func TestReconstruct_S8_UnknownGateNoted(t *testing.T) {
	spec := []byte(`describe("atvm71-redhat9.1 cmc-e2e", () => {
  it("1. Verifying set up", () => {});
  if (Cypress.env("mystery_switch") === "on") {
    it("2. Something optional", () => {});
  }
});
`)
	start := time.Date(2026, 3, 30, 17, 0, 0, 0, time.UTC)
	st := Reconstruct(Meta{Build: "b", Template: "cmc-e2e", RequestedVMs: []string{"atvm71-redhat9.1"}, RunStart: start, Now: start.Add(time.Hour)},
		Artifacts{Files: []File{{Path: "cypress/e2e/generated/atvm71-redhat9.1.ts", ModTime: start.Add(time.Minute), Data: spec}}})
	if len(st.TestFlow) != 2 {
		t.Fatalf("test flow %q: the unknown gate's step must be kept", st.TestFlow)
	}
	if !strings.Contains(strings.Join(st.Notes, "\n"), "mystery_switch") {
		t.Fatalf("notes %q should name the unknown gate", st.Notes)
	}
}

// D4, R2: half-written artifacts of a machine outside the stored scope
// neither join the table nor keep a finished run open.
func TestReconstruct_R2_OutOfScopeIncompleteIgnored(t *testing.T) {
	start := time.Date(2026, 3, 30, 17, 0, 0, 0, time.UTC)
	in := []byte(`{"reporter":"cmcReporter","version":"1.4.2","host":"atvm71-redhat9.1","start":"2026-03-30T17:01:00.000Z","end":"2026-03-30T17:20:00.000Z",` +
		`"stats":{"tests":2,"passes":2,"failures":0,"pending":0},"tests":[{"title":"1. Verifying set up","state":"passed"},{"title":"2. Power on","state":"passed"}]}`)
	out := []byte(`{"reporter":"cmcReporter","host":"atvm300-ubuntu22.04","stats":{"tests":17,"passes":17,"failures":0},"tests":[{"title":"1. Verifying set up","state":"passed"`)
	st := Reconstruct(Meta{Build: "b", Template: "cmc-e2e", RequestedVMs: []string{"atvm71-redhat9.1"}, RunStart: start, Now: start.Add(time.Hour), Processes: []Process{}},
		Artifacts{Files: []File{
			{Path: "cypress/cmcReporter/logs/atvm71-redhat9.1/atvm71-redhat9.1-2026-03-30T17-01-00-000Z.json", ModTime: start.Add(20 * time.Minute), Data: in},
			{Path: "cypress/cmcReporter/logs/atvm300-ubuntu22.04/atvm300-ubuntu22.04-2026-03-30T17-02-00-000Z.json", ModTime: start.Add(21 * time.Minute), Data: out},
		}})
	for _, h := range st.Hosts {
		if h.Name == "atvm300-ubuntu22.04" {
			t.Fatalf("an out-of-scope machine with only a truncated artifact joined the table: %+v", st.Hosts)
		}
	}
	if st.State != RunCompleted {
		t.Fatalf("state %s, want COMPLETED (notes %q)", st.State, st.Notes)
	}
	if !strings.Contains(strings.Join(st.Notes, "\n"), "atvm300-ubuntu22.04") {
		t.Fatalf("notes %q should say the outsider's artifacts were ignored", st.Notes)
	}
}
