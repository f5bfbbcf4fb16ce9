package simulator

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Cypress 12.17.4's own stdout for one spec (docs/formats.md a.4), printed inside
// the cypress-cloud block: Run Starting box, the mocha spec reporter, the
// Results box, Screenshots and the Run Finished table.

const (
	cypressVersion = "12.17.4"
	boxInner       = 96
)

func boxRule(left, right string) string {
	return "  " + left + strings.Repeat("─", boxInner) + right + "\n"
}

// boxLine is "  │ " + text padded to 94 runes + " │".
func boxLine(text string) string {
	n := utf8.RuneCountInString(text)
	if n > boxInner-2 {
		text = string([]rune(text)[:boxInner-2])
		n = boxInner - 2
	}
	return "  │ " + text + strings.Repeat(" ", boxInner-2-n) + " │\n"
}

func label(l string, w int, v string) string { return l + strings.Repeat(" ", max(w-len(l), 1)) + v }

// cypressSpecStart is Cypress's output when cypress.run() starts one spec.
func cypressSpecStart(h *hostRun, root string) string {
	base := path.Base(h.Spec)
	var b strings.Builder
	b.WriteString("Couldn't determine Mocha version\n\n")
	b.WriteString(strings.Repeat("=", 80) + "\n\n  (Run Starting)\n\n")
	b.WriteString(boxRule("┌", "┐"))
	b.WriteString(boxLine(label("Cypress:", 16, cypressVersion)))
	b.WriteString(boxLine(label("Browser:", 16, "Electron 106 (headless)")))
	b.WriteString(boxLine(label("Node Version:", 16, "v18.17.1 (/usr/bin/node)")))
	b.WriteString(boxLine(label("Specs:", 16, "1 found ("+base+")")))
	b.WriteString(boxLine(label("Searched:", 16, path.Join(root, h.Spec))))
	b.WriteString(boxRule("└", "┘"))
	b.WriteString("\n\n" + strings.Repeat("─", 100) + "\n")
	b.WriteString(strings.Repeat(" ", 100) + "\n")
	run := "  Running:  " + base
	b.WriteString(run + strings.Repeat(" ", max(100-utf8.RuneCountInString(run)-8, 1)) + "(1 of 1)\n\n\n")
	b.WriteString("  " + h.VM + " " + h.Template + "\n")
	return b.String()
}

// cypressTestLine is the spec reporter's line for test i, printed when it
// ends; failing tests are numbered in order of failure.
func cypressTestLine(h *hostRun, i int) string {
	t := h.Tests[i]
	switch t.State {
	case statePassed:
		return fmt.Sprintf("    ✓ %s (%dms)\n", t.Title, t.DurationMS)
	case stateFailed:
		return fmt.Sprintf("    1) %s\n", t.Title)
	}
	return "    - " + t.Title + "\n"
}

// cypressSpecEnd is the epilogue, the Results box, Screenshots and the Run
// Finished table, printed when the spec ends.
func cypressSpecEnd(h *hostRun, root string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n\n  %d passing (%s)\n", h.Passes, mochaMS(h.DurationMS))
	if h.Pending > 0 {
		fmt.Fprintf(&b, "  %d pending\n", h.Pending)
	}
	var failed *testResult
	for i := range h.Tests {
		if h.Tests[i].State == stateFailed {
			failed = &h.Tests[i]
		}
	}
	if failed != nil {
		fmt.Fprintf(&b, "  %d failing\n\n", h.Failures)
		fmt.Fprintf(&b, "  1) %s %s\n       %s:\n", h.VM, h.Template, failed.Title)
		msg, frames := failed.Err.Name+": "+failed.Err.Message, ""
		if i := strings.Index(failed.Err.Stack, "\n    at "); i >= 0 {
			frames = failed.Err.Stack[i+1:]
		}
		b.WriteString("     " + msg + "\n")
		for _, f := range strings.Split(frames, "\n") {
			b.WriteString("  " + f + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n\n  (Results)\n\n")
	b.WriteString(boxRule("┌", "┐"))
	shots := 0
	if failed != nil {
		shots = 1
	}
	for _, kv := range [][2]string{
		{"Tests:", strconv.Itoa(len(h.Tests))}, {"Passing:", strconv.Itoa(h.Passes)},
		{"Failing:", strconv.Itoa(h.Failures)}, {"Pending:", strconv.Itoa(h.Pending)}, {"Skipped:", "0"},
		{"Screenshots:", strconv.Itoa(shots)}, {"Video:", "false"},
		{"Duration:", humanLong(h.DurationMS)}, {"Spec Ran:", path.Base(h.Spec)},
	} {
		b.WriteString(boxLine(label(kv[0], 14, kv[1])))
	}
	b.WriteString(boxRule("└", "┘"))
	if failed != nil {
		shot := path.Join(root, "cypress/screenshots", path.Base(h.Spec), h.VM+" "+h.Template+" -- "+failed.Title+" (failed).png")
		b.WriteString("\n\n  (Screenshots)\n\n")
		for i, chunk := range chunkRunes(shot, 80) {
			if i == 0 {
				b.WriteString("  -  " + chunk + strings.Repeat(" ", max(86-utf8.RuneCountInString(chunk), 1)) + "(1280x720)\n")
			} else {
				b.WriteString("     " + chunk + "\n")
			}
		}
	}
	b.WriteString("\n\n" + strings.Repeat("=", 80) + "\n\n  (Run Finished)\n\n\n")
	b.WriteString(runFinishedTable(h))
	return b.String()
}

// runFinishedTable is Cypress's own one-spec summary: header outside the
// box, mm:ss durations, totals under the box with a percentage.
func runFinishedTable(h *hostRun) string {
	mark, verdict := "✔", "All specs passed!"
	if h.Failures > 0 {
		mark, verdict = "✖", "1 of 1 failed (100%)"
	}
	cells := func(first string) []string {
		return []string{mark, first, cypressShort(h.DurationMS), strconv.Itoa(len(h.Tests)),
			dash(h.Passes), dash(h.Failures), dash(h.Pending), "-"}
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(placeRow([]string{"", "Spec", "", "Tests", "Passing", "Failing", "Pending", "Skipped"}), " ") + "\n")
	b.WriteString(boxRule("┌", "┐"))
	row := []rune(placeRow(cells(path.Base(h.Spec))))
	row[2], row[99] = '│', '│'
	b.WriteString(string(row) + "\n")
	b.WriteString(boxRule("└", "┘"))
	b.WriteString(strings.TrimRight(placeRow(cells(verdict)), " ") + "\n")
	return b.String()
}

// placeRow lays cells on a 100-rune line at Cypress's columns: marker at 4,
// spec at 7, duration ending at 53, counts ending at 62, 71, 80, 89, 98.
func placeRow(c []string) string {
	line := []rune(strings.Repeat(" ", 100))
	put := func(at int, s string) { copy(line[at:], []rune(s)) }
	put(4, c[0])
	put(7, c[1])
	ends := []int{53, 62, 71, 80, 89, 98}
	for i, end := range ends {
		s := c[i+2]
		put(end-utf8.RuneCountInString(s), s)
	}
	return string(line)
}

// cypressShort is Cypress's [h:]mm:ss duration, or Nms under a second.
func cypressShort(ms int64) string {
	h, m, s := ms/3600000, ms/60000%60, ms/1000%60
	if h == 0 && m == 0 && s == 0 {
		return fmt.Sprintf("%dms", ms%1000)
	}
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%02d:%02d", m, s)
}

// humanLong is Cypress's "10 minutes, 21 seconds".
func humanLong(ms int64) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	var parts []string
	if h := ms / 3600000; h > 0 {
		parts = append(parts, plural(h, "hour"))
	}
	if m := ms / 60000 % 60; m > 0 {
		parts = append(parts, plural(m, "minute"))
	}
	parts = append(parts, plural(ms/1000%60, "second"))
	return strings.Join(parts, ", ")
}

func chunkRunes(s string, n int) []string {
	r := []rune(s)
	var out []string
	for len(r) > n {
		out = append(out, string(r[:n]))
		r = r[n:]
	}
	return append(out, string(r))
}

// cloudHeader is one cypress-cloud invocation's opening (docs/formats.md a.1),
// for Currents (no licence notice).
func cloudHeader(root string, nSpecs int, url string) string {
	return fmt.Sprintf("Using config file: '%s'\n\nDiscovered %d spec files\n"+
		"Tags: false; Group: false; Parallel: false; Batch Size: 1\n"+
		"Connecting to cloud orchestration service...\n🎥 Run URL: %s\n\n%s\n\n",
		path.Join(root, "currents.config.js"), nSpecs, url, strings.Repeat("=", 100))
}

func cloudRunning(spec string, i, n int) string {
	return fmt.Sprintf("Running: %s (%d/%d)\n", spec, i, n)
}

const cloudReporting = "\n  Reporting results and artifacts in background...  \n\n"

// cloudFooter closes an invocation: divider, the Cloud Run Finished title and
// table, the 🏁 Recorded Run line.
func cloudFooter(rows []SpecRow, url string) string {
	return "\n" + strings.Repeat("=", 100) + "\n\n\n  Cloud Run Finished  \n\n" +
		SummaryTable(rows) + "\n\n🏁 Recorded Run: " + url + "\n\n"
}

// checkXMLOutput is Cypress's output for the wrapper's check-xml-files.ts
// run; parsers must ignore its Run Finished table.
func checkXMLOutput(root string, vms []string, durMS int64) string {
	h := &hostRun{VM: "check-xml-files", Template: "", Spec: "cypress/e2e/check-xml-files.ts", DurationMS: durMS}
	for _, vm := range vms {
		s := &stepDef{Title: "Verify result XML for " + vm}
		h.Tests = append(h.Tests, testResult{Step: s, Title: s.Title, State: statePassed, DurationMS: durMS / int64(max(len(vms), 1))})
		h.Passes++
	}
	var b strings.Builder
	start := cypressSpecStart(h, root)
	b.WriteString(strings.Replace(start, "  check-xml-files \n", "  check-xml-files\n", 1))
	for i := range h.Tests {
		b.WriteString(cypressTestLine(h, i))
	}
	b.WriteString(cypressSpecEnd(h, root))
	return b.String()
}

// wallTime is the controller-local wall time the wrapper prints.
func wallTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	return t.In(loc).Format("2006-01-02 15:04:05")
}
