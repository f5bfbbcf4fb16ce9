package formats

import (
	"fmt"
	"strings"
)

// mocha's own lines inside Cypress's output for a spec (docs/formats.md
// a.4): the spec reporter's (lib/reporters/spec.js, base.js) and, with
// MochawesomeConsole, mochawesome's console reporter printing the same
// events a second time. Both reporters hear each event in turn, so every
// line comes twice in a row, the epilogue (and its failure list) twice in
// full, then mochawesome's own "[mochawesome] Report HTML saved to …" line
// with the blank line its logger adds. That doubled output is written as the
// real reporters printed it (mocha 11: ✔ for a pass, and a blank line after
// the failure list); the single output keeps Cypress 12's spec reporter
// (✓).

// MochaSpecStart is mocha's first lines for a spec: per reporter a blank
// line for the run and one for the root suite, then the describe's title.
func MochaSpecStart(env CypressEnv, title string) string {
	if !env.MochawesomeConsole {
		return "\n\n  " + title + "\n"
	}
	return "\n\n\n\n  " + title + "\n  " + title + "\n"
}

// CypressTestLine is the spec reporter's line for a test, printed when it
// ends (twice with MochawesomeConsole), then its console lines; fail is its
// number among the failures.
func CypressTestLine(env CypressEnv, t CypressTest, fail int) string {
	check := "✓"
	if env.MochawesomeConsole {
		check = "✔"
	}
	var line string
	switch t.State {
	case "passed":
		line = fmt.Sprintf("    %s %s (%dms)\n", check, t.Title, t.DurationMS)
	case "failed":
		line = fmt.Sprintf("    %d) %s\n", fail, t.Title)
	default:
		line = "    - " + t.Title + "\n"
	}
	var b strings.Builder
	b.WriteString(line)
	if env.MochawesomeConsole {
		b.WriteString(line)
	}
	for _, l := range t.Console {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// MochaSpecEnd is mocha's end of a spec: the blank line of the describe's
// end and the epilogue, per reporter, then mochawesome's saved line when it
// prints and saved a report.
func MochaSpecEnd(env CypressEnv, s CypressSpec) string {
	if !env.MochawesomeConsole {
		return "\n" + mochaEpilogue(s, false)
	}
	e := mochaEpilogue(s, true)
	out := "\n\n" + e + e
	if s.Report != "" {
		out += "[mochawesome] Report HTML saved to " + s.Report + "\n\n"
	}
	return out
}

// mochaEpilogue is Base.epilogue: counts, the numbered failures with their
// error text and stack, blank lines around them. listEnd adds the blank
// line printed after the failure list.
func mochaEpilogue(s CypressSpec, listEnd bool) string {
	passes, failures, pending := s.counts()
	var b strings.Builder
	fmt.Fprintf(&b, "\n  %d passing (%s)\n", passes, MochaMS(s.DurationMS))
	if pending > 0 {
		fmt.Fprintf(&b, "  %d pending\n", pending)
	}
	if failures > 0 {
		fmt.Fprintf(&b, "  %d failing\n\n", failures)
		n := 0
		for _, t := range s.Tests {
			if t.State != "failed" {
				continue
			}
			n++
			fmt.Fprintf(&b, "  %d) %s\n       %s:\n", n, s.Title, t.Title)
			if e := s.Err; e != nil {
				b.WriteString("     " + e.Text + "\n")
				for _, f := range strings.Split(e.Frames, "\n") {
					b.WriteString("  " + f + "\n")
				}
			}
			b.WriteString("\n")
		}
		if listEnd {
			b.WriteString("\n")
		}
	}
	b.WriteString("\n")
	return b.String()
}
