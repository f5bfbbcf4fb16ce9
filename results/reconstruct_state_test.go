package results

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/internal/synth"
)

func scenario(t *testing.T, name string) (Meta, Artifacts) {
	t.Helper()
	return loadScenario(t, filepath.Join(scenarioRoot, name))
}

func TestReconstruct_W4_NotHungUnlessAllConditionsHold(t *testing.T) {
	meta, arts := scenario(t, "w4-hung")
	runner := Process{PID: 4101, PPID: 4100, Stat: "S", ElapsedS: 5400, Args: "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-redhat9.7-pure-fc"}
	liveChild := Process{PID: 4122, PPID: 4101, Stat: "Sl", ElapsedS: 5390, Args: "npm exec cypress-cloud run --record"}
	deadChild := Process{PID: 4122, PPID: 4101, Stat: "Z", ElapsedS: 5390, Args: "[npm exec cypress] <defunct>"}
	for _, tc := range []struct {
		name  string
		procs []Process
		now   time.Time
		state string
	}{
		{"defunct child, idle log", []Process{runner, deadChild}, meta.Now, RunHung},
		{"live cypress child", []Process{runner, liveChild}, meta.Now, RunRunning},
		{"log grew 5 min ago", []Process{runner, deadChild}, arts.LogModTime.Add(5 * time.Minute), RunRunning},
		{"runner gone", []Process{}, meta.Now, RunCompleted},
		{"no snapshot", nil, meta.Now, RunCompleted},
	} {
		m := meta
		m.Processes, m.Now = tc.procs, tc.now
		st := Reconstruct(m, arts)
		if st.State != tc.state || st.Hung != (tc.state == RunHung) {
			t.Errorf("%s: state %s hung %v, want %s", tc.name, st.State, st.Hung, tc.state)
		}
		if h, _ := findHost(st, "atvm97-redhat9.7"); h.Status != HostPass {
			t.Errorf("%s: the captured result is lost: %+v", tc.name, h)
		}
	}
}

// D3: a categorized parent idling between groups is never HUNG.
func TestReconstruct_W4_CategorizedIdleBetweenGroupsNeverHung(t *testing.T) {
	meta, arts := scenario(t, "r9-windows-drift-0416")
	meta.RequestedVMs = append(meta.RequestedVMs, "atvm90-suse15.4")
	meta.Processes = []Process{{PID: 10, PPID: 1, Stat: "S", Args: "python3 ./run-sorry-cypress.py --build_name e2e-redhat-w2k25-fc --categorize"}}
	meta.Now = arts.LogModTime.Add(2 * time.Hour)
	st := Reconstruct(meta, arts)
	if st.State != RunRunning || st.Hung {
		t.Fatalf("state %s hung %v, want RUNNING: the suse group has not started", st.State, st.Hung)
	}
	if h, _ := findHost(st, "atvm90-suse15.4"); h.Status != HostNotStarted {
		t.Errorf("suse host %+v", h)
	}
}

// D6: a recorded group whose hosts have no artifacts yet is finished only
// after the settle delay.
func TestReconstruct_R3_SubrunFinishedAfterSettle(t *testing.T) {
	meta, arts := scenario(t, "r3-categorized-false-pass-0424")
	for _, tc := range []struct {
		after    time.Duration
		finished bool
		state    string
	}{{10 * time.Second, false, SubrunRunning}, {2 * time.Minute, true, SubrunFailed}} {
		m := meta
		m.Now = arts.LogModTime.Add(tc.after)
		st := Reconstruct(m, arts)
		var ub Subrun
		for _, s := range st.Subruns {
			if strings.HasSuffix(s.Name, "-ubuntu") {
				ub = s
			}
		}
		if ub.Finished != tc.finished || ub.State != tc.state {
			t.Errorf("after %s: %+v, want finished=%v %s", tc.after, ub, tc.finished, tc.state)
		}
	}
}

func TestReconstruct_R11_PostedURLWinsOverLog(t *testing.T) {
	meta, arts := scenario(t, "r9-late-row-0415")
	meta.PostedURLs = []string{"https://app.currents.dev/run/000000000000posted"}
	st := Reconstruct(meta, arts)
	if strings.Join(st.CurrentsURLs, " ") != "https://app.currents.dev/run/000000000000posted" {
		t.Fatalf("urls %v", st.CurrentsURLs)
	}
}

func reporterFiles(r synth.Report, json, txt bool) []File {
	var out []File
	mt := r.Start.Add(time.Hour)
	if json {
		n, d := synth.ReporterJSON(r, synth.ShapeDict)
		out = append(out, File{Path: "cypress/cmcReporter/logs/" + r.Spec.Machine + "/" + n, ModTime: mt, Data: d})
	}
	if txt {
		n, d := synth.ReporterTXT(r)
		out = append(out, File{Path: "cypress/cmcReporter/logs/" + r.Spec.Machine + "/" + n, ModTime: mt, Data: d})
	}
	return out
}

func TestReconstruct_R5_JSONOverTXTOfTheSameStamp(t *testing.T) {
	start := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	failing := mkSpec("atvm5-ubuntu22.04", "cmc-e2e", 5, 3, 60000, "exec: md5sum -c /root/tmp/a.md5 exited 1")
	passing := mkSpec("atvm5-ubuntu22.04", "cmc-e2e", 5, 0, 60000, "")
	meta := Meta{Build: "b", RunStart: start.Add(-time.Minute), Now: start.Add(2 * time.Hour)}
	files := append(reporterFiles(synth.Report{Spec: failing, Start: start, Finished: true}, true, false),
		reporterFiles(synth.Report{Spec: passing, Start: start, Finished: true}, false, true)...)
	st := Reconstruct(meta, Artifacts{Files: files})
	if h, _ := findHost(st, "atvm5-ubuntu22.04"); h.Status != HostFail || h.DetailSource != SourceReporterJSON || h.FailedStep != "3. Step number 3" {
		t.Fatalf("host %+v, want the JSON's failure", h)
	}
	// An unreadable JSON leaves the .txt of the same stamp.
	files[0].Data = []byte("{\"metadata\": {")
	st = Reconstruct(meta, Artifacts{Files: files})
	if h, _ := findHost(st, "atvm5-ubuntu22.04"); h.Status != HostPass {
		t.Fatalf("host %+v, want the .txt's PASS", h)
	}
}

func TestReconstruct_R1_ReporterStampBeforeRunStart(t *testing.T) {
	start := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	old := mkSpec("atvm5-ubuntu22.04", "cmc-e2e", 5, 0, 60000, "")
	files := reporterFiles(synth.Report{Spec: old, Start: start.Add(-time.Hour), Finished: true}, true, false)
	files[0].ModTime = start.Add(time.Hour) // touched after the start, but begun before it
	st := Reconstruct(Meta{Build: "b", RunStart: start, Now: start.Add(2 * time.Hour), RequestedVMs: []string{"atvm5-ubuntu22.04"}}, Artifacts{Files: files})
	if h, _ := findHost(st, "atvm5-ubuntu22.04"); h.Status != HostNotStarted {
		t.Fatalf("host %+v, want the old run ignored", h)
	}
}

func TestReconstruct_R3_SourcesDisagreeNeverPass(t *testing.T) {
	start := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	pass := mkSpec("atvm5-ubuntu22.04", "cmc-e2e", 5, 0, 60000, "")
	fail := mkSpec("atvm5-ubuntu22.04", "cmc-e2e", 5, 2, 60000, "AssertionError: expected 1 to equal 2")
	var log bytes.Buffer
	synth.WriteBlock(&log, synth.Block{RunURL: "https://app.currents.dev/run/1", Specs: []synth.Spec{pass}, DetectedAfter: -1})
	p := NewRunLogParser()
	p.Write(log.Bytes())
	facts := p.Facts()
	name, xml := synth.JUnit(fail, start)
	st := Reconstruct(Meta{Build: "b", RunStart: start.Add(-time.Minute), Now: start.Add(time.Hour)},
		Artifacts{RunLog: &facts, LogModTime: start.Add(30 * time.Minute), Files: []File{{Path: "cypress/results/" + name, ModTime: start.Add(2 * time.Minute), Data: xml}}})
	h, _ := findHost(st, "atvm5-ubuntu22.04")
	if h.Status != HostFail || !strings.Contains(strings.Join(h.Notes, " "), "disagree") || st.State != RunFailed {
		t.Fatalf("host %+v state %s, want FAIL with a note", h, st.State)
	}
}

type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// A 1 GiB line without newline costs bounded memory and gives a note.
func TestReconstruct_BadInput_GigabyteLine(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1 GiB")
	}
	p := NewRunLogParser()
	if _, err := io.CopyBuffer(p, &repeatReader{b: 'x', n: 1 << 30}, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if cap(p.partial) > 2*rlMaxLineBytes {
		t.Fatalf("kept %d bytes of one line", cap(p.partial))
	}
	facts := p.Facts()
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	st := Reconstruct(Meta{Build: "b", Now: now, RequestedVMs: []string{"atvm1-redhat9.1"}}, Artifacts{RunLog: &facts, LogModTime: now})
	if facts.LongLines != 1 || facts.Bytes != 1<<30 || !strings.Contains(strings.Join(st.Notes, " "), "longer than") {
		t.Fatalf("facts %+v notes %q", facts, st.Notes)
	}
	if h, _ := findHost(st, "atvm1-redhat9.1"); h.Status == HostPass {
		t.Fatal("PASS from nothing")
	}
}

func FuzzReconstruct(f *testing.F) {
	start := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	var log bytes.Buffer
	spec := mkSpec("atvm71-redhat9.1", "cmc-e2e", 3, 2, 60000, md5Err)
	synth.WriteBlock(&log, synth.Block{RunURL: "https://app.currents.dev/run/1", Specs: []synth.Spec{spec}, DetectedAfter: 0})
	_, xml := synth.JUnit(spec, start)
	_, js := synth.ReporterJSON(synth.Report{Spec: spec, Start: start, Finished: true}, synth.ShapeDict)
	f.Add(log.Bytes(), xml, js, true)
	f.Add([]byte{}, []byte("<testsuites>"), []byte("{"), false)
	f.Fuzz(func(t *testing.T, logData, xmlData, jsonData []byte, categorized bool) {
		p := NewRunLogParser()
		p.Write(logData)
		facts := p.Facts()
		files := []File{
			{Path: "cypress/results/test-result-0123.xml", ModTime: start.Add(time.Minute), Data: xmlData},
			{Path: "cypress/cmcReporter/logs/atvm71-redhat9.1/atvm71-redhat9.1-2026-03-30T12-00-00-000Z.json", ModTime: start.Add(time.Minute), Data: jsonData},
		}
		var runLog *RunLogFacts
		if len(logData) > 0 {
			runLog = &facts
		}
		st := Reconstruct(Meta{Build: "b", RunStart: start, Now: start.Add(time.Hour), Categorized: categorized, RequestedVMs: []string{"atvm71-redhat9.1"}},
			Artifacts{RunLog: runLog, LogModTime: start.Add(time.Minute), Files: files})
		switch st.State {
		case RunRunning, RunCompleted, RunFailed, RunTerminated, RunHung, RunUnknown:
		default:
			t.Fatalf("state %q (notes %q)", st.State, st.Notes)
		}
		for _, h := range st.Hosts {
			if h.Status == HostPass && categorized && runLog == nil {
				t.Fatalf("grouped PASS without a runner log: %+v", h)
			}
		}
	})
}
