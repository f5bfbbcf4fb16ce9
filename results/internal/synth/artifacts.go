package synth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/atvm/atvmbot/internal/formats"
)

// errName splits "CypressError: message" into name and message.
func errName(e string) (string, string) {
	if i := strings.Index(e, ": "); i > 0 && !strings.ContainsAny(e[:i], " \n`") {
		return e[:i], e[i+2:]
	}
	return "Error", e
}

// JUnit renders mocha-junit-reporter 2.2.1's output for one spec with the
// shared writer and returns it with its [hash] file name (md5 of the XML).
func JUnit(s Spec, start time.Time) (name string, data []byte) {
	r := s.Row()
	title := s.Machine + " " + s.Template
	inner := formats.JUnitSuite{Name: title, Timestamp: start, Tests: len(s.Steps), TimeS: float64(r.DurationMS) / 1000}
	for _, st := range s.Steps {
		if st.State == "pending" {
			continue
		}
		c := formats.JUnitCase{Name: title + " " + st.Title, Classname: st.Title, TimeS: float64(st.DurationMS) / 1000}
		if st.State == "failed" {
			n, m := errName(s.Error)
			c.Failure = &formats.JUnitFailure{Message: m, Type: n,
				Body: n + ": " + m + "\n    at Context.eval (webpack://cdc-e2e-cyp-12.17.4/./" + s.Path + ":21:9)"}
		}
		inner.Cases = append(inner.Cases, c)
	}
	root := formats.JUnitSuite{Name: "Root Suite", Timestamp: start, File: s.Path}
	xml := formats.JUnit(float64(r.DurationMS)/1000, r.Failing, r.Pending, []formats.JUnitSuite{root, inner})
	return formats.JUnitFileName(xml), xml
}

// CheckXMLJUnit renders the wrapper's bookkeeping XML: only check-xml-files.ts.
func CheckXMLJUnit(start time.Time) []byte {
	ts := start.UTC().Format("2006-01-02T15:04:05")
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="Mocha Tests" time="1.204" tests="1" failures="0">
  <testsuite name="Root Suite" timestamp="%s" tests="0" file="cypress/e2e/check-xml-files.ts" time="0.000" failures="0">
  </testsuite>
  <testsuite name="check xml files" timestamp="%s" tests="1" time="1.204" failures="0">
    <testcase name="check xml files all result files are valid XML" time="1.204" classname="all result files are valid XML">
    </testcase>
  </testsuite>
</testsuites>`, ts, ts))
}

// Mochawesome renders a mochawesome-report-generator 6 HTML page for one
// spec, named as marge names it with timestamp isoDateTime:
// [name]_[status]_<local time><UTC offset> in the given zone.
func Mochawesome(s Spec, start time.Time, loc *time.Location) (name string, data []byte) {
	r := s.Row()
	type test struct {
		Title      string         `json:"title"`
		FullTitle  string         `json:"fullTitle"`
		TimedOut   any            `json:"timedOut"`
		Duration   int64          `json:"duration"`
		State      string         `json:"state"`
		Speed      any            `json:"speed"`
		Pass       bool           `json:"pass"`
		Fail       bool           `json:"fail"`
		Pending    bool           `json:"pending"`
		Context    any            `json:"context"`
		Code       string         `json:"code"`
		Err        map[string]any `json:"err"`
		UUID       string         `json:"uuid"`
		ParentUUID string         `json:"parentUUID"`
		IsHook     bool           `json:"isHook"`
		Skipped    bool           `json:"skipped"`
	}
	var tests []test
	var passes, fails, pend []string
	for i, st := range s.Steps {
		u := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		t := test{Title: st.Title, FullTitle: s.Machine + " " + s.Template + " " + st.Title, Duration: st.DurationMS, State: st.State,
			Pass: st.State == "passed", Fail: st.State == "failed", Pending: st.State == "pending", Err: map[string]any{}, UUID: u, ParentUUID: "suite-1"}
		switch st.State {
		case "passed":
			t.Speed = "fast"
			passes = append(passes, u)
		case "failed":
			t.Err = map[string]any{"message": s.Error, "estack": s.Error + "\n    at Context.eval (webpack://cdc-e2e-cyp-12.17.4/./" + s.Path + ":301:11)", "diff": nil}
			fails = append(fails, u)
		default:
			t.State = "pending"
			t.Duration = 0
			pend = append(pend, u)
		}
		tests = append(tests, t)
	}
	end := start.Add(time.Duration(r.DurationMS) * time.Millisecond)
	suite := map[string]any{"uuid": "suite-1", "title": s.Machine + " " + s.Template, "fullFile": "", "file": "", "beforeHooks": []any{}, "afterHooks": []any{},
		"tests": tests, "suites": []any{}, "passes": passes, "failures": fails, "pending": pend, "skipped": []any{}, "duration": r.DurationMS, "root": false, "rootEmpty": false, "_timeout": 2000}
	root := map[string]any{"uuid": "root-1", "title": "", "fullFile": s.Path, "file": s.Path, "beforeHooks": []any{}, "afterHooks": []any{}, "tests": []any{},
		"suites": []any{suite}, "passes": []any{}, "failures": []any{}, "pending": []any{}, "skipped": []any{}, "duration": 0, "root": true, "rootEmpty": true, "_timeout": 2000}
	pp := 0.0
	if r.Tests-r.Pending > 0 {
		pp = float64(r.Passing) * 100 / float64(r.Tests-r.Pending)
	}
	report := map[string]any{
		"stats": map[string]any{"suites": 1, "tests": r.Tests, "passes": r.Passing, "pending": r.Pending, "failures": r.Failing,
			"start": start.UTC().Format("2006-01-02T15:04:05.000Z"), "end": end.UTC().Format("2006-01-02T15:04:05.000Z"), "duration": r.DurationMS,
			"testsRegistered": r.Tests, "passPercent": pp, "pendingPercent": float64(r.Pending) * 100 / float64(max(1, r.Tests)),
			"other": 0, "hasOther": false, "skipped": 0, "hasSkipped": false},
		"results": []any{root},
		"meta":    map[string]any{"mocha": map[string]any{"version": "7.0.1"}, "mochawesome": map[string]any{"options": map[string]any{}, "version": "7.1.3"}, "marge": map[string]any{"options": map[string]any{}, "version": "6.2.0"}},
	}
	cfg := []byte(`{"reportFilename":"[name]_[status]","reportDir":"cypress/cmcReporter/mochawesome","timestamp":"isoDateTime"}`)
	return formats.MochawesomeFileName("[name]_[status]", s.Path, r.Failing > 0, true, end, loc), formats.MochawesomeHTML(compactJSON(report), cfg)
}

// compactJSON is JSON.stringify: compact, without Go's HTML escaping.
func compactJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimRight(b.Bytes(), "\n")
}
