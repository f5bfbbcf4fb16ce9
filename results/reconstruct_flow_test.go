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
