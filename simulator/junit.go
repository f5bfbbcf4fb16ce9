package simulator

import (
	"time"

	"github.com/atvm/atvmbot/internal/formats"
)

// JUnit XML comes from the shared writer in internal/formats (checked
// against mocha-junit-reporter 2.2.1's own bytes).

// RenderJUnit writes a host's spec run as mocha-junit-reporter does.
func (h *hostRun) RenderJUnit() []byte {
	suiteTitle := h.VM + " " + h.Template
	inner := formats.JUnitSuite{Name: suiteTitle, Timestamp: h.Start, Tests: len(h.Tests), TimeS: float64(h.DurationMS) / 1000}
	for _, t := range h.Tests {
		switch t.State {
		case statePassed:
			inner.Cases = append(inner.Cases, formats.JUnitCase{Name: suiteTitle + " " + t.Title, Classname: t.Title, TimeS: float64(t.DurationMS) / 1000})
		case stateFailed:
			// Cypress often reports 0 for the failed test.
			c := formats.JUnitCase{Name: suiteTitle + " " + t.Title, Classname: t.Title}
			if t.Err != nil {
				c.Failure = &formats.JUnitFailure{Message: t.Err.Message, Type: t.Err.Name, Body: t.Err.Stack}
			}
			inner.Cases = append(inner.Cases, c)
		}
	}
	root := formats.JUnitSuite{Name: "Root Suite", Timestamp: h.Start, File: h.Spec}
	return formats.JUnit(float64(h.DurationMS)/1000, h.Failures, h.Pending, []formats.JUnitSuite{root, inner})
}

// RenderBookkeepingJUnit is the XML of the wrapper's check-xml-files.ts
// spec: one passing testcase per machine checked. It proves nothing about
// the machines (R1, R3, R4).
func RenderBookkeepingJUnit(vms []string, start time.Time) []byte {
	const title = "check-xml-files"
	inner := formats.JUnitSuite{Name: title, Timestamp: start, Tests: len(vms)}
	for i, vm := range vms {
		d := 0.2 + float64(hashN(vm, 99+i)%400)/1000
		inner.TimeS += d
		c := "Verify result XML for " + vm
		inner.Cases = append(inner.Cases, formats.JUnitCase{Name: title + " " + c, Classname: c, TimeS: d})
	}
	root := formats.JUnitSuite{Name: "Root Suite", Timestamp: start, File: "cypress/e2e/check-xml-files.ts"}
	return formats.JUnit(inner.TimeS+0.11, 0, 0, []formats.JUnitSuite{root, inner})
}

// JUnitFileName is mochaFile test-result-[hash].xml with [hash] the md5 of
// the XML text.
func JUnitFileName(xml []byte) string { return formats.JUnitFileName(xml) }

// BookkeepingFileName is the wrapper's check-xml-files XML of a (child) build.
func BookkeepingFileName(buildID string) string { return "test-result-" + buildID + ".xml" }
