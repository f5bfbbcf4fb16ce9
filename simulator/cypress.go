package simulator

import (
	"path"
	"strings"
	"time"

	"github.com/atvm/atvmbot/internal/formats"
)

// The runner log's cypress-cloud and Cypress 12.17.4 output (docs/formats.md
// a.1, a.4) come from the shared writer in internal/formats; here a host's
// run becomes its data.

const cypressVersion = "12.17.4"

// cypressEnv is the simulated controller's Cypress, browser and node.
func cypressEnv(root string) formats.CypressEnv {
	return formats.CypressEnv{Root: root, Version: cypressVersion, Browser: "Electron 106 (headless)", Node: "v18.17.1 (/usr/bin/node)",
		MochawesomeConsole: true}
}

// cypressSpec is a host's run as Cypress prints it: a failure leaves a
// screenshot.
func cypressSpec(h *hostRun, root string) formats.CypressSpec {
	title := h.VM
	if h.Template != "" {
		title += " " + h.Template
	}
	s := formats.CypressSpec{Path: h.Spec, Title: title, DurationMS: h.DurationMS}
	for _, t := range h.Tests {
		s.Tests = append(s.Tests, formats.CypressTest{Title: t.Title, State: t.State, DurationMS: t.DurationMS})
		if t.State == stateFailed && t.Err != nil {
			frames := ""
			if i := strings.Index(t.Err.Stack, "\n    at "); i >= 0 {
				frames = t.Err.Stack[i+1:]
			}
			s.Err = &formats.CypressErr{Text: t.Err.Name + ": " + t.Err.Message, Frames: frames}
			s.Screenshots = append(s.Screenshots, path.Join(root, "cypress/screenshots", path.Base(h.Spec), title+" -- "+t.Title+" (failed).png"))
		}
	}
	return s
}

// cypressSpecStart is Cypress's output when cypress.run() starts one spec.
func cypressSpecStart(h *hostRun, root string) string {
	s := cypressSpec(h, root)
	return formats.CypressRunStarting(cypressEnv(root), []formats.CypressSpec{s}) + formats.CypressSpecStart(cypressEnv(root), s, 1, 1)
}

// cypressTestLine is the reporters' lines for test i, printed when it
// ends.
func cypressTestLine(h *hostRun, i int) string {
	t := h.Tests[i]
	return formats.CypressTestLine(cypressEnv(""), formats.CypressTest{Title: t.Title, State: t.State, DurationMS: t.DurationMS}, 1)
}

// cypressSpecEnd is the epilogues, mochawesome's line naming report (the
// file it saved under root, "" for none), the Results box, Screenshots and
// the Run Finished table, printed when the spec ends.
func cypressSpecEnd(h *hostRun, root, report string) string {
	s := cypressSpec(h, root)
	if report != "" {
		s.Report = path.Join(root, "cypress/cmcReporter/mochawesome", report)
	}
	return formats.CypressSpecEnd(cypressEnv(root), s) + formats.CypressRunFinished([]formats.CypressSpec{s})
}

// cloudHeader is one cypress-cloud invocation's opening, for Currents (no
// licence notice), one spec per batch as against a self-hosted director.
func cloudHeader(root string, nSpecs int, url string) string {
	return formats.CloudHeader("file://"+path.Join(root, "currents.config.js"), nSpecs, 1, url)
}

// cloudRunning starts spec i of n.
func cloudRunning(spec string, i, n int) string {
	return formats.CloudDivider + formats.CloudRunning([]string{spec}, i, n)
}

const cloudReporting = formats.CloudReporting

// cloudFooter closes an invocation: divider, the Cloud Run Finished title and
// table, the 🏁 Recorded Run line.
func cloudFooter(rows []SpecRow, url string) string {
	return formats.CloudDivider + formats.CloudFinished(SummaryTable(rows), url)
}

// checkXMLOutput is Cypress's output for the wrapper's check-xml-files.ts
// run; parsers must ignore its Run Finished table.
func checkXMLOutput(root string, vms []string, durMS int64) string {
	s := formats.CypressSpec{Path: "cypress/e2e/check-xml-files.ts", Title: "check-xml-files", DurationMS: durMS}
	for _, vm := range vms {
		s.Tests = append(s.Tests, formats.CypressTest{Title: "Verify result XML for " + vm, State: statePassed, DurationMS: durMS / int64(max(len(vms), 1))})
	}
	env := cypressEnv(root)
	env.MochawesomeConsole = false // the wrapper's bookkeeping run saves no mochawesome report here
	return formats.CypressRun(env, []formats.CypressSpec{s}, 0)
}

// wallTime is the controller-local wall time the wrapper prints.
func wallTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	return t.In(loc).Format("2006-01-02 15:04:05")
}
