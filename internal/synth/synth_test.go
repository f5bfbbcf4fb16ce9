package synth

import (
	"os"
	"strings"
	"testing"
)

// The three-spec example of cypress-cloud's summary table: one spec row and
// the totals row wrap their durations (table v6 wrapString).
const wantTable = `  ┌────────────────────────────────────────────────────────────────────────────────────────────────┐
  │     Spec                                         Tests   Passing   Failing   Pending   Skipped │
  ├────────────────────────────────────────────────────────────────────────────────────────────────┤
  │ ✔   atvm71-redhat9.1.ts             16m 13.9        22        22         -         -         - │
  │                                            s                                                   │
  │ ✖   atvm5-ubuntu22.04.ts             9m 2.5s        22        11         1        10         - │
  │ ✔   atvm121-ubuntu24.04.ts          38m 55.9        22        22         -         -         - │
  │                                            s                                                   │
  ├────────────────────────────────────────────────────────────────────────────────────────────────┤
  │ ✖   1 of 3 failed                   1h 4m 12        66        55         1        10         - │
  │                                          .3s                                                   │
  └────────────────────────────────────────────────────────────────────────────────────────────────┘
`

func TestSummaryTable_R9_MatchesUpstreamLayout(t *testing.T) {
	got := SummaryTable([]Row{
		{Spec: "atvm71-redhat9.1.ts", DurationMS: 973900, Tests: 22, Passing: 22},
		{Spec: "atvm5-ubuntu22.04.ts", DurationMS: 542500, Tests: 22, Passing: 11, Failing: 1, Pending: 10},
		{Spec: "atvm121-ubuntu24.04.ts", DurationMS: 2335900, Tests: 22, Passing: 22},
	}, -1)
	if got != wantTable {
		t.Fatalf("table differs:\n%s\nwant:\n%s", got, wantTable)
	}
	for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if n := len([]rune(l)); n != 100 {
			t.Errorf("line is %d runes, want 100: %q", n, l)
		}
	}
}

func TestPrettyMS(t *testing.T) {
	for ms, want := range map[int64]string{917: "917ms", 4800: "4.8s", 61000: "1m 1s", 542500: "9m 2.5s", 973999: "16m 13.9s", 3852300: "1h 4m 12.3s", 60000: "1m"} {
		if got := PrettyMS(ms); got != want {
			t.Errorf("PrettyMS(%d) = %q, want %q", ms, got, want)
		}
	}
}

// R9: for the same data, the table is byte for byte the one cypress-cloud
// 1.13.1 printed in the real-tool fixture (results/testdata/real).
func TestSummaryTable_R9_MatchesRealCypressCloud(t *testing.T) {
	raw, err := os.ReadFile("../../results/testdata/real/reboot-5vm/tmp/reboot-real.log")
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	i := strings.Index(log, "  ┌")
	j := strings.Index(log[i:], "┘\n")
	if i < 0 || j < 0 {
		t.Fatal("no table in the real log")
	}
	real := log[i : i+j+len("┘\n")]
	got := SummaryTable([]Row{
		{Spec: "cmc-reboot-fc-atvm121-ubuntu24.04.ts", DurationMS: 2100000, Tests: 40, Passing: 40},
		{Spec: "cmc-reboot-fc-atvm72-redhat9.6.ts", DurationMS: 1900000, Tests: 40, Passing: 37, Failing: 1, Pending: 2},
		{Spec: "atvm5-ubuntu22.04.ts", DurationMS: 6320000, Tests: 40, Passing: 40},
		{Spec: "atvm9-debian12.5.ts", DurationMS: 1876000, Tests: 40, Passing: 40},
		{Spec: "cmc-reboot-fc-atvm88-oracle8.10.ts", DurationMS: 95000, Tests: 40, Failing: 1, Pending: 39},
	}, -1)
	if got != real {
		t.Fatalf("synth table:\n%s\nreal table:\n%s", got, real)
	}
}

// a.4: a block asks for mochawesome's console reporter; the others keep
// the single spec reporter the scenario trees were written with.
func TestWriteBlock_MochawesomeConsole(t *testing.T) {
	s := Spec{Path: "cypress/e2e/generated/atvm9-debian12.5.ts", Machine: "atvm9-debian12.5", Template: "cmc-e2e",
		Steps: []Step{{Title: "1. Verifying set up", State: "passed", DurationMS: 9000}}, Report: "/r/atvm9-debian12.html"}
	for _, on := range []bool{false, true} {
		var b strings.Builder
		WriteBlock(&b, Block{RunURL: "https://app.currents.dev/run/0000000000be0000", Specs: []Spec{s}, DetectedAfter: -1, MochawesomeConsole: on})
		want := map[string]int{"    ✓ 1. Verifying set up (9000ms)\n": 1, "[mochawesome] Report HTML saved to /r/atvm9-debian12.html\n": 0}
		if on {
			want = map[string]int{"    ✔ 1. Verifying set up (9000ms)\n": 2, "[mochawesome] Report HTML saved to /r/atvm9-debian12.html\n": 1}
		}
		for line, n := range want {
			if got := strings.Count(b.String(), line); got != n {
				t.Errorf("console %v: %q %d times, want %d", on, line, got, n)
			}
		}
	}
}
