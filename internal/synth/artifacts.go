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
	const title, test = "check xml files", "all result files are valid XML"
	root := formats.JUnitSuite{Name: "Root Suite", Timestamp: start, File: "cypress/e2e/check-xml-files.ts"}
	inner := formats.JUnitSuite{Name: title, Timestamp: start, Tests: 1, TimeS: 1.204,
		Cases: []formats.JUnitCase{{Name: title + " " + test, Classname: test, TimeS: 1.204}}}
	return formats.JUnit(1.204, 0, 0, []formats.JUnitSuite{root, inner})
}

// Mochawesome renders the mochawesome 8 report and marge 6 page for one
// spec with the shared writer, named as marge names it with timestamp
// isoDateTime: [name]_[status]_<local time><UTC offset> in the given zone.
func Mochawesome(s Spec, start time.Time, loc *time.Location) (name string, data []byte) {
	r := s.Row()
	end := start.Add(time.Duration(r.DurationMS) * time.Millisecond)
	run := formats.MochawesomeRun{Spec: s.Path, Title: s.Machine + " " + s.Template, Start: start, End: end, DurationMS: r.DurationMS,
		RootUUID: "root-1", SuiteUUID: "suite-1",
		// Cypress's slowTestThreshold; it runs mocha without timeouts.
		SlowMS: 10000, TimeoutMS: 0,
		MochaVersion: "7.0.1", MochawesomeVersion: "8.1.1", MargeVersion: "6.3.2",
		Mochawesome: formats.MochawesomeOptions{ReportFilename: "[name]_[status]", SaveHTML: true, ConsoleReporter: "spec"},
		Marge: formats.MargeOptions{ID: "default", ReportDir: "cypress/cmcReporter/mochawesome", ReportFilename: "[name]_[status]",
			Timestamp: "isoDateTime", HTML: true}}
	for i, st := range s.Steps {
		c := formats.MochawesomeCase{Title: st.Title, State: st.State, DurationMS: st.DurationMS, UUID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)}
		if st.State == "failed" {
			c.Err = &formats.MochawesomeFailure{Message: s.Error, Estack: s.Error + "\n    at Context.eval (webpack://cdc-e2e-cyp-12.17.4/./" + s.Path + ":301:11)"}
		}
		run.Tests = append(run.Tests, c)
	}
	cfg := []byte(`{"reportFilename":"[name]_[status]","reportDir":"cypress/cmcReporter/mochawesome","timestamp":"isoDateTime"}`)
	return formats.MochawesomeFileName("[name]_[status]", s.Path, r.Failing > 0, true, end, loc), formats.MochawesomeHTML(run.JSON(), cfg)
}
