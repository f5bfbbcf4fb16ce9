package formats

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func realLog(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../results/testdata/real/reboot-5vm/tmp/reboot-real.log")
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// realRows are the fixture's five specs as its generator ran them.
var realRows = []Row{
	{Spec: "cmc-reboot-fc-atvm121-ubuntu24.04.ts", DurationMS: 2100000, Tests: 40, Passing: 40},
	{Spec: "cmc-reboot-fc-atvm72-redhat9.6.ts", DurationMS: 1900000, Tests: 40, Passing: 37, Failing: 1, Pending: 2},
	{Spec: "atvm5-ubuntu22.04.ts", DurationMS: 6320000, Tests: 40, Passing: 40},
	{Spec: "atvm9-debian12.5.ts", DurationMS: 1876000, Tests: 40, Passing: 40},
	{Spec: "cmc-reboot-fc-atvm88-oracle8.10.ts", DurationMS: 95000, Tests: 40, Failing: 1, Pending: 39},
}

// R9, a.1: cypress-cloud's own lines — the opening, the step between two
// batches, the close — are byte for byte those cypress-cloud 1.13.1 wrote.
func TestCloud_R9_MatchesRealCypressCloud(t *testing.T) {
	log := realLog(t)
	const url = "https://app.currents.dev/run/5e1f07a9c2d4b318"
	var paths []string
	for _, r := range realRows {
		paths = append(paths, "cypress/e2e/generated/"+r.Spec)
	}
	cases := []struct {
		name, got string
		at        func(log, piece string) bool
	}{
		{"opening", CloudHeader("file:///root/cdc-e2e-cyp-12.17.4/currents.config.js", 5, 3, url) + CloudDivider + CloudRunning(paths[:3], 3, 5),
			strings.HasPrefix},
		{"next batch", CloudReporting + CloudDivider + CloudRunning(paths[3:], 5, 5), strings.Contains},
		{"close", CloudReporting + CloudDivider + CloudFinished(SummaryTable(realRows), url), strings.HasSuffix},
	}
	for _, c := range cases {
		if !c.at(log, c.got) {
			t.Errorf("%s not in the real log as written:\n%s", c.name, c.got)
		}
	}
}

// a.4: mocha's epilogue durations, as the real spec reporter printed them.
func TestMochaMS_R9_RealEpilogues(t *testing.T) {
	log := realLog(t)
	for _, r := range realRows {
		line := fmt.Sprintf("\n  %d passing (%s)\n", r.Passing, MochaMS(r.DurationMS))
		if !strings.Contains(log, line) {
			t.Errorf("real log lacks %q", line)
		}
	}
	for _, c := range []struct {
		ms   int64
		want string
	}{{500, "500ms"}, {9400, "9s"}, {95000, "2m"}, {1876000, "31m"}, {6320000, "2h"}, {90000000, "1d"}} {
		if got := MochaMS(c.ms); got != c.want {
			t.Errorf("MochaMS(%d) = %q, want %q", c.ms, got, c.want)
		}
	}
}

func TestCypressRunFinished_R9_CypressLayout(t *testing.T) {
	s := CypressSpec{Path: "cypress/e2e/generated/atvm9-debian12.5.ts", DurationMS: 621000}
	for i := 0; i < 22; i++ {
		st := "passed"
		switch {
		case i == 9:
			st = "failed"
		case i > 9:
			st = "pending"
		}
		s.Tests = append(s.Tests, CypressTest{State: st})
	}
	want := "       Spec                                              Tests  Passing  Failing  Pending  Skipped\n" +
		"  ┌────────────────────────────────────────────────────────────────────────────────────────────────┐\n" +
		"  │ ✖  atvm9-debian12.5.ts                      10:21       22        9        1       12        - │\n" +
		"  └────────────────────────────────────────────────────────────────────────────────────────────────┘\n" +
		"    ✖  1 of 1 failed (100%)                     10:21       22        9        1       12        -\n"
	got := CypressRunFinished([]CypressSpec{s})
	if !strings.HasPrefix(got, "\n\n"+strings.Repeat("=", 80)+"\n\n  (Run Finished)\n\n\n") || !strings.HasSuffix(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	two := CypressRunFinished([]CypressSpec{s, {Path: "b.ts", DurationMS: 1000, Tests: []CypressTest{{State: "passed"}}}})
	if strings.Count(two, "├") != 1 || !strings.Contains(two, "✖  1 of 2 failed (50%)                      10:22       23       10        1       12        -\n") {
		t.Errorf("two specs:\n%s", two)
	}
	for _, tc := range []struct {
		ms   int64
		want string
	}{{621000, "10:21"}, {61000, "01:01"}, {3852300, "1:04:12"}, {917, "917ms"}} {
		if got := CypressShort(tc.ms); got != tc.want {
			t.Errorf("CypressShort(%d) = %q, want %q", tc.ms, got, tc.want)
		}
	}
	for ms, want := range map[int64]string{621000: "10 minutes, 21 seconds", 61000: "1 minute, 1 second", 5000: "5 seconds", 3661000: "1 hour, 1 minute, 1 second"} {
		if got := HumanLong(ms); got != want {
			t.Errorf("HumanLong(%d) = %q, want %q", ms, got, want)
		}
	}
}

// a.4: every boxed or aligned line is 100 runes; a run cut while a spec
// executes ends at that spec's title; a failure lists its error and
// frames and leaves its screenshot.
func TestCypressRun_R9_Shape(t *testing.T) {
	env := CypressEnv{Root: "/root/cdc-e2e-cyp-12.17.4", Version: "12.17.4", Browser: "Electron 106 (headless)"}
	fail := CypressSpec{Path: "cypress/e2e/generated/atvm71-redhat9.1.ts", Title: "atvm71-redhat9.1 cmc-e2e", DurationMS: 62000,
		Tests:       []CypressTest{{Title: "1. a", State: "passed", DurationMS: 60000, Console: []string{"      cy:task  x"}}, {Title: "2. b", State: "failed", DurationMS: 2000}, {Title: "3. c", State: "pending"}},
		Err:         &CypressErr{Text: "CypressError: boom\n\nmore", Frames: "    at Context.eval (webpack://x/./s.ts:78:11)"},
		Screenshots: []string{"/root/cdc-e2e-cyp-12.17.4/cypress/screenshots/atvm71-redhat9.1.ts/atvm71-redhat9.1 cmc-e2e -- 2. b (failed).png"}}
	pass := CypressSpec{Path: "cypress/e2e/generated/atvm72-redhat9.2.ts", Title: "atvm72-redhat9.2 cmc-e2e", DurationMS: 1000,
		Tests: []CypressTest{{Title: "1. a", State: "passed", DurationMS: 1000}}}
	for _, c := range []struct {
		name    string
		specs   []CypressSpec
		running int
		has     []string
		ends    string
	}{
		{"one failing spec", []CypressSpec{fail}, 0, []string{
			"  │ Browser:        Electron 106 (headless)", "    ✓ 1. a (60000ms)\n      cy:task  x\n    1) 2. b\n    - 3. c\n",
			"\n\n  1 passing (1m)\n  1 pending\n  1 failing\n\n  1) atvm71-redhat9.1 cmc-e2e\n       2. b:\n     CypressError: boom\n\nmore\n      at Context.eval (webpack://x/./s.ts:78:11)\n\n",
			"  │ Duration:     1 minute, 2 seconds", "  (Screenshots)\n\n  -  /root/cdc-e2e-cyp-12.17.4/cypress/screenshots/atvm71-redhat9.1.ts/atvm71-redhat9      (1280x720)\n     .1 cmc-e2e -- 2. b (failed).png\n",
			"  │ Searched:       /root/cdc-e2e-cyp-12.17.4/cypress/e2e/generated/atvm71-redhat9.1.ts"}, "1 of 1 failed (100%)"},
		{"a batch", []CypressSpec{pass, fail}, 0, []string{"Specs:          2 found (atvm72-redhat9.2.ts, atvm71-redhat9.1.ts)",
			"  │ Searched:       /root/cdc-e2e-cyp-12.17.4/cypress/e2e/generated/**", "(1 of 2)\n", "(2 of 2)\n"}, "1 of 2 failed (50%)"},
		{"cut while running", []CypressSpec{pass, fail}, 2, []string{"(2 of 2)\n"}, "  atvm71-redhat9.1 cmc-e2e"},
	} {
		got := CypressRun(env, c.specs, c.running)
		for _, h := range c.has {
			if !strings.Contains(got, h) {
				t.Errorf("%s: lacks %q\n%s", c.name, h, got)
			}
		}
		lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
		if last := lines[len(lines)-1]; !strings.Contains(last, c.ends) {
			t.Errorf("%s: ends\n%s", c.name, got[max(0, len(got)-300):])
		}
		for _, l := range strings.Split(got, "\n") {
			if (strings.HasPrefix(l, "  │") || strings.HasPrefix(l, "  Running:  ")) && utf8.RuneCountInString(l) != 100 {
				t.Errorf("%s: line of %d runes: %q", c.name, utf8.RuneCountInString(l), l)
			}
		}
	}
}
