package formats

import (
	"os"
	"strings"
	"testing"
)

// R9: for the same data the table is byte for byte the one cypress-cloud
// 1.13.1 printed with table v6 and pretty-ms in the real-tool fixture.
func TestSummaryTable_R9_MatchesRealCypressCloud(t *testing.T) {
	raw, err := os.ReadFile("../../results/testdata/real/reboot-5vm/tmp/reboot-real.log")
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	i := strings.Index(log, "  ┌")
	j := strings.Index(log[max(i, 0):], "┘\n")
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
	})
	if got != real {
		t.Fatalf("table:\n%s\nreal table:\n%s", got, real)
	}
}

func TestPrettyMS_R9_RealSamples(t *testing.T) {
	cases := []struct {
		ms   int64
		want string
	}{
		{0, "0ms"}, {917, "917ms"}, {4800, "4.8s"}, {61000, "1m 1s"}, {542500, "9m 2.5s"}, {2100000, "35m"},
		{1876000, "31m 16s"}, {6320000, "1h 45m 20s"}, {12291000, "3h 24m 51s"}, {3852300, "1h 4m 12.3s"}, {-5, "0ms"},
	}
	for _, c := range cases {
		if got := PrettyMS(c.ms); got != c.want {
			t.Errorf("PrettyMS(%d) = %q, want %q", c.ms, got, c.want)
		}
	}
}

// R9, R3: a foreign line lands where it is asked to, and never changes the
// table's own lines.
func TestSummaryTableWithLine_R9_Placement(t *testing.T) {
	rows := []Row{{Spec: "a.ts", DurationMS: 1000, Tests: 1, Passing: 1}, {Spec: "b.ts", DurationMS: 973900, Tests: 1, Failing: 1}}
	plain := SummaryTable(rows)
	for _, after := range []int{0, 1, 2, 5} {
		got := SummaryTableWithLine(rows, after, "Detected")
		if strings.Replace(got, "Detected\n", "", 1) != plain {
			t.Errorf("after %d: table lines changed:\n%s", after, got)
		}
		lines := strings.Split(got, "\n")
		at := -1
		for k, l := range lines {
			if l == "Detected" {
				at = k
			}
		}
		// Lines: top, header, rule, a.ts, b.ts, b.ts's "s", rule, totals…
		want := map[int]int{0: 3, 1: 4, 2: 6, 5: 6}[after]
		if at != want {
			t.Errorf("after %d: line at %d, want %d:\n%s", after, at, want, got)
		}
	}
	if SummaryTableWithLine(rows, -1, "Detected") != plain {
		t.Error("after < 0 must add nothing")
	}
	if n := strings.Count(SummaryTable(nil), "├"); n != 1 {
		t.Errorf("no rows: %d separators, want 1 (table draws line 1 once)", n)
	}
}

func TestWrapString_R9_ChunksTrimmed(t *testing.T) {
	for _, tc := range []struct {
		in   string
		size int
		want []string
	}{
		{"16m 13.9s", 8, []string{"16m 13.9", "s"}},
		{"1h 4m 12.3s", 8, []string{"1h 4m 12", ".3s"}},
		{"9m 2.5s", 8, []string{"9m 2.5s"}},
		{"cmc-reboot-atvm121-ubuntu24.04.ts", 30, []string{"cmc-reboot-atvm121-ubuntu24.04", ".ts"}},
		{"12345678 9", 8, []string{"12345678", "9"}}, // the space after the cut is trimmed
		{"", 8, []string{""}},
	} {
		got := wrapString(tc.in, tc.size)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrapString(%q, %d) = %q, want %q", tc.in, tc.size, got, tc.want)
		}
	}
}
