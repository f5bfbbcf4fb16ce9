package simulator

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPrettyMS_R9_DefaultOptions(t *testing.T) {
	for _, tc := range []struct {
		ms   int64
		want string
	}{
		{0, "0ms"},
		{917, "917ms"},
		{1000, "1s"},
		{4800, "4.8s"},
		{4899, "4.8s"}, // floored, not rounded
		{59999, "59.9s"},
		{60000, "1m"},
		{61000, "1m 1s"},
		{542500, "9m 2.5s"},
		{973900, "16m 13.9s"},
		{3852300, "1h 4m 12.3s"},
		{3600000, "1h"},
		{90061000, "1d 1h 1m 1s"},
	} {
		if got := PrettyMS(tc.ms); got != tc.want {
			t.Errorf("PrettyMS(%d) = %q, want %q", tc.ms, got, tc.want)
		}
	}
}

// The example of docs/formats.md a.2, rendered by the upstream code.
const formatsTableExample = `  ┌────────────────────────────────────────────────────────────────────────────────────────────────┐
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

func TestSummaryTable_R9_MatchesFormatsExample(t *testing.T) {
	got := SummaryTable([]SpecRow{
		{Spec: "atvm71-redhat9.1.ts", DurationMS: 973900, Tests: 22, Passes: 22},
		{Spec: "atvm5-ubuntu22.04.ts", DurationMS: 542500, Tests: 22, Passes: 11, Failures: 1, Pending: 10},
		{Spec: "atvm121-ubuntu24.04.ts", DurationMS: 2335900, Tests: 22, Passes: 22},
	})
	if got != formatsTableExample {
		t.Errorf("table differs:\ngot:\n%s\nwant:\n%s", got, formatsTableExample)
	}
}

func TestSummaryTable_R9_Geometry(t *testing.T) {
	for _, tc := range []struct {
		name      string
		rows      []SpecRow
		wantLines int
		contains  []string
	}{
		{"all pass", []SpecRow{{Spec: "atvm9-debian12.5.ts", DurationMS: 61000, Tests: 20, Passes: 20}}, 7,
			[]string{"│ ✔   All specs passed!", "  1m 1s "}},
		{"none", nil, 5, []string{"No specs executed", "     0ms         -"}},
		{"lone s", []SpecRow{{Spec: "a.ts", DurationMS: 973900, Tests: 1, Passes: 1}}, 9,
			[]string{"16m 13.9", "                                            s                                                   │"}},
		{"long spec name", []SpecRow{{Spec: "cmc-reboot-atvm121-ubuntu24.04.ts", DurationMS: 1000, Tests: 1, Failures: 1}}, 8,
			[]string{"│ ✖   cmc-reboot-atvm121-ubuntu24.04        1s ", "│     .ts    "}},
		{"skipped marks failure", []SpecRow{{Spec: "a.ts", DurationMS: 1000, Tests: 3, Passes: 2, Skipped: 1}}, 7,
			[]string{"│ ✖   a.ts", "1 of 1 failed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SummaryTable(tc.rows)
			lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
			if len(lines) != tc.wantLines {
				t.Errorf("%d lines, want %d:\n%s", len(lines), tc.wantLines, got)
			}
			for _, l := range lines {
				if n := utf8.RuneCountInString(l); n != 100 {
					t.Errorf("line is %d runes, want 100: %q", n, l)
				}
			}
			for _, c := range tc.contains {
				if !strings.Contains(got, c) {
					t.Errorf("table lacks %q:\n%s", c, got)
				}
			}
		})
	}
}

// Rows are read at fixed rune offsets (docs/formats.md a.2 parsing recipe).
func TestSummaryTable_R9_RuneColumns(t *testing.T) {
	got := SummaryTable([]SpecRow{{Spec: "atvm5-ubuntu22.04.ts", DurationMS: 542500, Tests: 22, Passes: 11, Failures: 1, Pending: 10}})
	var row []rune
	for _, l := range strings.Split(got, "\n") {
		if isRowStart(l + "\n") {
			row = []rune(l)
			break
		}
	}
	if row == nil {
		t.Fatal("no row start found")
	}
	field := func(a, b int) string { return strings.TrimSpace(string(row[a:b])) }
	want := map[[2]int]string{{4, 6}: "✖", {8, 38}: "atvm5-ubuntu22.04.ts", {40, 48}: "9m 2.5s", {50, 58}: "22",
		{60, 68}: "11", {70, 78}: "1", {80, 88}: "10", {90, 98}: "-"}
	for r, w := range want {
		if g := field(r[0], r[1]); g != w {
			t.Errorf("runes %d:%d = %q, want %q", r[0], r[1], g, w)
		}
	}
}

func FuzzSummaryTable(f *testing.F) {
	f.Add("atvm71-redhat9.1.ts", int64(973900), 22, 11, 1, 10)
	f.Add("cmc-reboot-atvm121-ubuntu24.04-with-a-very-long-name.ts", int64(90061000), 57, 0, 0, 0)
	f.Fuzz(func(t *testing.T, spec string, ms int64, tests, passes, failures, pending int) {
		for _, r := range spec {
			if r < ' ' || r > '~' {
				return // the table measures display width; VM names are ASCII
			}
		}
		if ms < 0 || ms > 1e12 {
			return
		}
		got := SummaryTable([]SpecRow{{Spec: spec, DurationMS: ms, Tests: tests, Passes: passes, Failures: failures, Pending: pending}})
		rows := 0
		for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
			if n := utf8.RuneCountInString(l); n != 100 {
				t.Fatalf("line of %d runes: %q", n, l)
			}
			if isRowStart(l + "\n") {
				rows++
			}
		}
		if rows != 2 {
			t.Fatalf("%d row starts, want the spec row and the totals", rows)
		}
	})
}
