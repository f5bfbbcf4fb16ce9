package results

import (
	"strings"
	"testing"
	"time"
)

// S5, D1: every unreadable artifact is named by its path under the ATVM
// root, in the run's NOTES or in its host's notes, so an operator can find
// it; none of them makes a PASS.
func TestReconstruct_S5_UnreadableArtifactNamed(t *testing.T) {
	start := time.Date(2026, 5, 2, 10, 0, 0, 0, time.UTC)
	at := start.Add(30 * time.Minute)
	cases := []struct {
		name string
		file File
		read string // a read error instead of the bytes
	}{
		{"truncated junit", File{Path: "cypress/results/test-result-3e5d0a4f.xml", Data: []byte(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="Mocha Tests" time="1.0" tests="2" failures="0">
  <testsuite name="Root Suite" timestamp="2026-05-02T10:01:00" tests="0" file="cypress/e2e/generated/atvm71-redhat9.1.ts" time="0.000" failures="0">
  </testsuite>
  <testsuite name="atvm71-redhat9.1 cmc-e2e" timestamp="2026-05-02T10:01:00" tests="2" time="1.0" failures="0">
    <testcase name="atvm71-redhat9.1 cmc-e2e 1. Verifying set up" time="4.121" classname="1. Verifying set up">
    </testcase>
    <testcase name="atvm71-redhat9.1 cmc-e2e 2. Po`)}, ""},
		{"not junit", File{Path: "cypress/results/test-result-0000.xml", Data: []byte("\x00\x01garbage")}, ""},
		{"binary mochawesome", File{Path: "cypress/cmcReporter/mochawesome/atvm71-redhat9_pass_2026-05-02T062600.html", Data: []byte("\x89PNG\r\n\x1a\n")}, ""},
		{"garbage reporter json", File{Path: "cypress/cmcReporter/logs/atvm71-redhat9.1/atvm71-redhat9.1-2026-05-02T10-01-00-000Z.json", Data: []byte(`{"host": ]`)}, ""},
		{"cut reporter json", File{Path: "cypress/cmcReporter/logs/atvm71-redhat9.1/atvm71-redhat9.1-2026-05-02T10-01-00-000Z.json", Data: []byte(`{"reporter":"cmcReporter","host":"atvm71-redhat9.1","stats":{"tests":2`)}, ""},
		{"empty reporter txt", File{Path: "cypress/cmcReporter/logs/atvm71-redhat9.1/atvm71-redhat9.1-2026-05-02T10-01-00-000Z.txt", Data: []byte("")}, ""},
		{"read error", File{Path: "cypress/results/test-result-9999.xml"}, "permission denied"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.file.ModTime = at
			var arts Artifacts
			if c.read != "" {
				arts.Parsed = ParseFiles([]FileRef{{Path: c.file.Path, ModTime: at}}, func(string) ([]byte, error) {
					return nil, errString(c.read)
				}, 1)
			} else {
				arts.Files = []File{c.file}
			}
			st := Reconstruct(Meta{Build: "b", Template: "cmc-e2e", RequestedVMs: []string{"atvm71-redhat9.1"}, RunStart: start, Now: start.Add(time.Hour), Processes: []Process{}}, arts)
			all := strings.Join(st.Notes, "\n")
			for _, h := range st.Hosts {
				all += "\n" + strings.Join(h.Notes, "\n")
				if h.Status == HostPass {
					t.Errorf("%s: PASS from an unreadable artifact", h.Name)
				}
			}
			if !strings.Contains(all, c.file.Path) {
				t.Fatalf("no note names %s:\n%s", c.file.Path, all)
			}
		})
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// D25, R1: an outsider's reporter run that began before this run is
// another run's file, not an anomaly of this one.
func TestReconstruct_D25_StaleOutsiderNotNoted(t *testing.T) {
	start := time.Date(2026, 3, 30, 17, 0, 0, 0, time.UTC)
	old := []byte(`{"reporter":"cmcReporter","host":"atvm300-ubuntu22.04","start":"2026-03-29T10:00:00.000Z","end":"2026-03-29T10:20:00.000Z","stats":{"tests":1,"passes":1,"failures":0},"tests":[{"title":"1. Verifying set up","state":"passed"}]}`)
	for _, c := range []struct {
		name, stamp string
		noted       bool
	}{
		{"began before the run", "2026-03-29T10-00-00-000Z", false},
		{"began in the run", "2026-03-30T17-05-00-000Z", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := "cypress/cmcReporter/logs/atvm300-ubuntu22.04/atvm300-ubuntu22.04-" + c.stamp + ".json"
			st := Reconstruct(Meta{Build: "b", Template: "cmc-e2e", RequestedVMs: []string{"atvm71-redhat9.1"}, RunStart: start, Now: start.Add(time.Hour), Processes: []Process{}},
				Artifacts{Files: []File{{Path: p, ModTime: start.Add(10 * time.Minute), Data: old}}})
			if got := strings.Contains(strings.Join(st.Notes, "\n"), "atvm300-ubuntu22.04"); got != c.noted {
				t.Fatalf("noted %v, want %v: %q", got, c.noted, st.Notes)
			}
			if len(st.Hosts) != 1 {
				t.Fatalf("hosts %v", hostNames(st))
			}
		})
	}
}
