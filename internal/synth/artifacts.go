package synth

import (
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
	title := s.Machine + " " + s.Template
	suite := formats.MochawesomeSuite{UUID: "suite-1", Title: title, BeforeHooks: []formats.MochawesomeTest{}, AfterHooks: []formats.MochawesomeTest{},
		Tests: []formats.MochawesomeTest{}, Suites: []formats.MochawesomeSuite{}, Passes: []string{}, Failures: []string{}, Pending: []string{},
		Skipped: []string{}, Duration: r.DurationMS, Timeout: 2000}
	for i, st := range s.Steps {
		u := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		t := formats.MochawesomeTest{Title: st.Title, FullTitle: title + " " + st.Title, Duration: st.DurationMS, State: st.State,
			Pass: st.State == "passed", Fail: st.State == "failed", Pending: st.State == "pending", UUID: u, ParentUUID: suite.UUID}
		switch st.State {
		case "passed":
			fast := "fast"
			t.Speed = &fast
			suite.Passes = append(suite.Passes, u)
		case "failed":
			msg, stack := s.Error, s.Error+"\n    at Context.eval (webpack://cdc-e2e-cyp-12.17.4/./"+s.Path+":301:11)"
			t.Err = formats.MochawesomeErr{Message: &msg, Estack: &stack, Set: true}
			suite.Failures = append(suite.Failures, u)
		default:
			t.State, t.Pending, t.Duration = "pending", true, 0
			suite.Pending = append(suite.Pending, u)
		}
		suite.Tests = append(suite.Tests, t)
	}
	end := start.Add(time.Duration(r.DurationMS) * time.Millisecond)
	root := formats.MochawesomeSuite{UUID: "root-1", FullFile: s.Path, File: s.Path, BeforeHooks: []formats.MochawesomeTest{}, AfterHooks: []formats.MochawesomeTest{},
		Tests: []formats.MochawesomeTest{}, Suites: []formats.MochawesomeSuite{suite}, Passes: []string{}, Failures: []string{}, Pending: []string{},
		Skipped: []string{}, Root: true, RootEmpty: true, Timeout: 2000}
	pp := 0.0
	if r.Tests-r.Pending > 0 {
		pp = float64(r.Passing) * 100 / float64(r.Tests-r.Pending)
	}
	report := formats.MochawesomeReport{
		Stats: formats.MochawesomeStats{Suites: 1, Tests: r.Tests, Passes: r.Passing, Pending: r.Pending, Failures: r.Failing,
			Start: start.UTC().Format("2006-01-02T15:04:05.000Z"), End: end.UTC().Format("2006-01-02T15:04:05.000Z"), Duration: r.DurationMS,
			TestsRegistered: r.Tests, PassPercent: pp, PendingPercent: float64(r.Pending) * 100 / float64(max(1, r.Tests))},
		Results: []formats.MochawesomeSuite{root},
		Meta: formats.MochawesomeMeta{Mocha: map[string]string{"version": "7.0.1"},
			Mochawesome: formats.MochawesomeTool{Options: map[string]any{}, Version: "7.1.3"},
			Marge:       formats.MochawesomeTool{Options: map[string]any{}, Version: "6.2.0"}},
	}
	js, _ := formats.MarshalJS(report)
	cfg := []byte(`{"reportFilename":"[name]_[status]","reportDir":"cypress/cmcReporter/mochawesome","timestamp":"isoDateTime"}`)
	return formats.MochawesomeFileName("[name]_[status]", s.Path, r.Failing > 0, true, end, loc), formats.MochawesomeHTML(js, cfg)
}
