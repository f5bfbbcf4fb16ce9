package results

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/internal/synth"
)

// D21, D1, R3: inside a running group, a host whose spec printed its own
// clean (Run Finished) row is PASS only when its other evidence agrees: a
// complete artifact says PASS and none of its sources is still running.
func TestReconstruct_D21_FinishedHostNeedsAgreeingEvidence(t *testing.T) {
	start := time.Date(2026, 11, 18, 13, 0, 0, 0, time.UTC)
	a := mkSpec("atvm5-ubuntu22.04", "cmc-e2e", 4, 0, 400000, "")
	b := mkSpec("atvm6-ubuntu20.04", "cmc-e2e", 4, 0, 400000, "")
	var log bytes.Buffer
	log.WriteString(synth.ExtractedLine([]string{a.Path, b.Path}))
	synth.WriteBlock(&log, synth.Block{RunURL: "https://app.currents.dev/run/0000000000000d21", Specs: []synth.Spec{a, b}, Running: 2})
	facts := parseLog(t, log.String())

	junit := func() File {
		name, data := synth.JUnit(a, start.Add(time.Minute))
		return File{Path: "cypress/results/" + name, ModTime: start.Add(8 * time.Minute), Data: data}
	}
	report := func(finished bool, at time.Duration) File {
		name, data := synth.ReporterJSON(synth.Report{Spec: a, Build: "b-ubuntu", Start: start.Add(at), Finished: finished}, synth.ShapeDict)
		return File{Path: "cypress/cmcReporter/logs/" + a.Machine + "/" + name, ModTime: start.Add(at + 8*time.Minute), Data: data}
	}
	cases := []struct {
		name  string
		files []File
		want  string
	}{
		{"row, complete junit and reporter end", []File{junit(), report(true, time.Minute)}, HostPass},
		{"row and complete junit", []File{junit()}, HostPass},
		{"row but a newer reporter run still going", []File{junit(), report(false, 9*time.Minute)}, HostRunning},
		{"row alone", nil, HostRunning},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := facts
			st := Reconstruct(Meta{Build: "b", Template: "cmc-e2e", Categorized: true, RequestedVMs: []string{a.Machine, b.Machine},
				RunStart: start, Now: start.Add(20 * time.Minute), Processes: []Process{{PID: 1, Args: "python3 ./run-sorry-cypress.py --build_name b --categorize"}}},
				Artifacts{RunLog: &f, Files: c.files, LogModTime: start.Add(19 * time.Minute)})
			h, ok := findHost(st, a.Machine)
			if !ok || h.Status != c.want {
				t.Fatalf("%s = %s, want %s (hosts %v, notes %q)", a.Machine, h.Status, c.want, hostNames(st), strings.Join(h.Notes, "; "))
			}
			if g, _ := findHost(st, b.Machine); g.Status != HostRunning {
				t.Errorf("%s = %s, want RUNNING", b.Machine, g.Status)
			}
		})
	}
}
