package formats

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// reporterFixture is a three-test run: a pass with a warning, a failure,
// a pending test.
func reporterFixture(done int, finished bool) ReporterRun {
	t0 := time.Date(2026, 4, 29, 16, 2, 11, 118e6, time.UTC)
	t1, t2 := t0.Add(10*time.Second), t0.Add(25*time.Second)
	return ReporterRun{Host: "atvm5-ubuntu22.04", Template: "cmc-e2e", Build: "e2e-x-ubuntu", Spec: "cypress/e2e/generated/atvm5-ubuntu22.04.ts",
		Start: t0, End: t2, Done: done, Finished: finished, Tests: []ReporterTest{
			{Title: "1. Verifying set up", State: "passed", Start: t0, End: t1, DurationMS: 10000,
				Command: &ReporterLine{At: t0.Add(5 * time.Second), Type: "cy:task", Text: "sshExec  root@10.20.30.5 hostnamectl; uptime", Message: "sshExec root@10.20.30.5"},
				Warning: &ReporterLine{At: t0.Add(3 * time.Second), Type: "cons:warn", Text: "iscsid: login rejected"}},
			{Title: "2. Verify data", State: "failed", Start: t1, End: t2, DurationMS: 15000,
				Err: &ReporterErr{Name: "CypressError", Message: "`cy.exec('md5sum -c x')` failed\n\nStderr:\nmismatch", Type: "cy:command", At: t2,
					Detail: "`cy.exec('md5sum -c x')` failed", Event: "exec: md5sum -c x exited 1: mismatch"}},
			{Title: "3. Power off", State: "pending", Start: t2, End: t2},
		}}
}

// R5, D1: each shape says the run's end only once finished, the failure
// only once the failing test is done, and always decodes.
func TestReporterJSON_R5_Shapes(t *testing.T) {
	cases := []struct {
		shape          int
		end, fail      string // the finished marker; text only a failed test adds
		pendingListed  bool
		wantMidRunning bool
	}{
		{ReporterStats, `"end":`, `"failures":1`, true, false},
		{ReporterEventLog, `"end":`, `"name":"CypressError"`, true, true},
		{ReporterList, `"run:end"`, `"TEST FAIL 2. Verify data"`, true, false},
		{ReporterDict, `"type":"run:end"`, `"message":"exec: md5sum -c x exited 1: mismatch"`, true, false},
	}
	for _, c := range cases {
		for _, step := range []struct {
			done     int
			finished bool
		}{{0, false}, {1, false}, {3, true}} {
			b := ReporterJSON(reporterFixture(step.done, step.finished), c.shape)
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("shape %d done %d: %v\n%s", c.shape, step.done, err, b)
			}
			s := string(b)
			if strings.Contains(s, c.end) != step.finished {
				t.Errorf("shape %d done %d: end marker %s present=%v", c.shape, step.done, c.end, !step.finished)
			}
			if strings.Contains(s, c.fail) != step.finished {
				t.Errorf("shape %d done %d: failure %s present=%v", c.shape, step.done, c.fail, !step.finished)
			}
			if step.finished && strings.Contains(s, "3. Power off") != c.pendingListed {
				t.Errorf("shape %d: pending test listed %v", c.shape, !c.pendingListed)
			}
			if step.done == 1 && strings.Contains(s, `"running"`) != c.wantMidRunning {
				t.Errorf("shape %d mid-run: running test shown %v\n%s", c.shape, !c.wantMidRunning, s)
			}
		}
	}
}

func TestReporterJSON_R5_DictRecordsInOrder(t *testing.T) {
	var v struct {
		Events []struct{ Type, Severity string } `json:"events"`
	}
	if err := json.Unmarshal(ReporterJSON(reporterFixture(3, true), ReporterDict), &v); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range v.Events {
		got = append(got, e.Type+"/"+e.Severity)
	}
	want := "run:start/info test:start/info cons:warn/warning cy:task/info test:end/success test:start/info " +
		"cy:command/error test:end/error test:start/info test:end/info run:end/info"
	if strings.Join(got, " ") != want {
		t.Errorf("records %q\nwant %q", strings.Join(got, " "), want)
	}
}

// R6: the transcript's markers, and the pieces the live writer appends add
// up to the whole file.
func TestReporterTXT_R6_MarkersAndPieces(t *testing.T) {
	r := reporterFixture(3, true)
	txt := string(ReporterTXT(r))
	for _, want := range []string{
		"=== cmcReporter console transcript ===\nhost: atvm5-ubuntu22.04\ntemplate: cmc-e2e\nbuild: e2e-x-ubuntu\nstarted: 2026-04-29T16:02:11.118Z\nspec: cypress/e2e/generated/atvm5-ubuntu22.04.ts\n\n",
		"[2026-04-29T16:02:14.118Z]   cons:warn  iscsid: login rejected\n[2026-04-29T16:02:16.118Z]   cy:task  sshExec  root@10.20.30.5 hostnamectl; uptime\n",
		"[2026-04-29T16:02:36.118Z]   cy:command error  `cy.exec('md5sum -c x')` failed\n[2026-04-29T16:02:36.118Z] TEST FAIL  2. Verify data\n      CypressError: `cy.exec('md5sum -c x')` failed\n      \n      Stderr:\n",
		"] TEST SKIP  3. Power off\n",
		"=== finished 2026-04-29T16:02:36.118Z: 1 passed, 1 failed, 1 pending ===\n",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("transcript lacks %q\n%s", want, txt)
		}
	}
	pieces := ReporterTXTHeader(r)
	for _, tt := range r.Tests {
		pieces += ReporterTXTTest(tt)
	}
	if pieces+ReporterTXTFinished(r) != txt {
		t.Error("pieces differ from the whole")
	}
	if mid := string(ReporterTXT(reporterFixture(1, false))); strings.Contains(mid, "=== finished") || strings.Contains(mid, "TEST FAIL") {
		t.Errorf("mid-run transcript looks finished or failed:\n%s", mid)
	}
}

func TestReporterStamp_R4_FileName(t *testing.T) {
	at := time.Date(2026, 5, 11, 14, 2, 7, 118e6, time.FixedZone("EDT", -4*3600))
	if got := ReporterBase("atvm9-debian12.5", at); got != "atvm9-debian12.5-2026-05-11T18-02-07-118Z" {
		t.Errorf("base %q", got)
	}
}

// Any titles and messages give JSON that decodes in every shape, and the
// transcript's pieces add up to the whole.
func FuzzReporter(f *testing.F) {
	f.Add("1. Verifying set up", "CypressError", "`cy.exec('x')` failed\n\nStderr:\nbad", 2)
	f.Add("", "", "", 0)
	f.Add("<&>\"'\u2028", "E", "]]>\x00", 1)
	f.Fuzz(func(t *testing.T, title, name, msg string, done int) {
		r := reporterFixture(done%4, done%4 == 3)
		r.Tests[0].Title, r.Tests[1].Title = title, title+"'"
		r.Tests[1].Err.Name, r.Tests[1].Err.Message, r.Tests[1].Err.Event, r.Tests[1].Err.Detail = name, msg, msg, msg
		for _, shape := range []int{ReporterStats, ReporterEventLog, ReporterList, ReporterDict} {
			var v any
			if b := ReporterJSON(r, shape); json.Unmarshal(b, &v) != nil {
				t.Fatalf("shape %d: not JSON: %s", shape, b)
			}
		}
		whole := txtPieces(r)
		if r.Finished {
			whole += ReporterTXTFinished(r)
		}
		if whole != string(ReporterTXT(r)) {
			t.Fatal("pieces differ from the whole")
		}
	})
}

// txtPieces appends the live writer's pieces for the tests done.
func txtPieces(r ReporterRun) string {
	s := ReporterTXTHeader(r)
	for _, tt := range r.done() {
		s += ReporterTXTTest(tt)
	}
	return s
}
