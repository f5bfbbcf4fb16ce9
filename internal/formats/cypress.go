package formats

import (
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Cypress 12.17.4's own stdout for one cypress.run() (docs/formats.md a.4;
// packages/server/lib/util/print-run.ts): the (Run Starting) box, per spec
// its Running line, the mocha spec reporter's lines and epilogue, the
// (Results) box and (Screenshots), then the (Run Finished) table. A run
// streams: CypressRunStarting, per spec CypressSpecStart, CypressTestLine
// as each test ends and CypressSpecEnd, then CypressRunFinished.

// CypressEnv is what the (Run Starting) box says of the machine; empty
// Browser or Node leave their lines out.
type CypressEnv struct {
	Root                   string // the project root the Searched line names
	Version, Browser, Node string
	// MochawesomeConsole is mochawesome >= 7 beside the spec reporter with
	// its default consoleReporter 'spec': mocha's output twice, then the
	// saved report's line (docs/formats.md a.4; see mocha.go).
	MochawesomeConsole bool
}

// CypressSpec is one spec's run.
type CypressSpec struct {
	Path, Title string // the spec's path; the describe's title
	DurationMS  int64
	Tests       []CypressTest
	Err         *CypressErr // the failed test's error
	Screenshots []string    // absolute paths, 1280x720
	Report      string      // the mochawesome HTML's absolute path; "" when none is saved
}

// CypressTest is one test; Console are the lines it prints after its own.
type CypressTest struct {
	Title, State string // passed, failed, pending
	DurationMS   int64
	Console      []string
}

// CypressErr is an error as mocha lists it: "Name: message" (newlines
// kept) and its stack frames ("    at …" lines).
type CypressErr struct{ Text, Frames string }

func (s CypressSpec) counts() (passes, failures, pending int) {
	for _, t := range s.Tests {
		switch t.State {
		case "passed":
			passes++
		case "failed":
			failures++
		default:
			pending++
		}
	}
	return
}

const boxInner = 96

func boxRule(left, right string) string {
	return "  " + left + strings.Repeat("─", boxInner) + right + "\n"
}

// boxLine is "  │ " + text padded to 94 runes + " │".
func boxLine(text string) string {
	n := utf8.RuneCountInString(text)
	if n > boxInner-2 {
		text, n = string([]rune(text)[:boxInner-2]), boxInner-2
	}
	return "  │ " + text + strings.Repeat(" ", boxInner-2-n) + " │\n"
}

func label(l string, w int, v string) string { return l + strings.Repeat(" ", max(w-len(l), 1)) + v }

// CypressRunStarting is the output as cypress.run() starts over specs.
func CypressRunStarting(env CypressEnv, specs []CypressSpec) string {
	var names []string
	for _, s := range specs {
		names = append(names, path.Base(s.Path))
	}
	searched := ""
	if len(specs) > 0 {
		searched = specs[0].Path
		if len(specs) > 1 {
			searched = path.Dir(specs[0].Path) + "/**"
		}
	}
	var b strings.Builder
	b.WriteString("Couldn't determine Mocha version\n\n" + strings.Repeat("=", 80) + "\n\n  (Run Starting)\n\n")
	b.WriteString(boxRule("┌", "┐"))
	b.WriteString(boxLine(label("Cypress:", 16, env.Version)))
	if env.Browser != "" {
		b.WriteString(boxLine(label("Browser:", 16, env.Browser)))
	}
	if env.Node != "" {
		b.WriteString(boxLine(label("Node Version:", 16, env.Node)))
	}
	b.WriteString(boxLine(label("Specs:", 16, fmt.Sprintf("%d found (%s)", len(specs), strings.Join(names, ", ")))))
	b.WriteString(boxLine(label("Searched:", 16, path.Join(env.Root, searched))))
	b.WriteString(boxRule("└", "┘"))
	return b.String()
}

// CypressSpecStart is spec i of n starting: the divider, its Running line
// with "(i of n)" ending at column 100, then mocha's first lines.
func CypressSpecStart(env CypressEnv, s CypressSpec, i, n int) string {
	run := "  Running:  " + path.Base(s.Path)
	count := fmt.Sprintf("(%d of %d)", i, n)
	return "\n\n" + strings.Repeat("─", 100) + "\n" + strings.Repeat(" ", 100) + "\n" +
		run + strings.Repeat(" ", max(100-utf8.RuneCountInString(run)-len(count), 1)) + count + "\n" +
		MochaSpecStart(env, s.Title)
}

// CypressSpecEnd is mocha's end of the spec, then its (Results) box and
// (Screenshots), printed when it ends.
func CypressSpecEnd(env CypressEnv, s CypressSpec) string {
	passes, failures, pending := s.counts()
	var b strings.Builder
	b.WriteString(MochaSpecEnd(env, s))
	b.WriteString("\n  (Results)\n\n")
	b.WriteString(boxRule("┌", "┐"))
	for _, kv := range [][2]string{
		{"Tests:", strconv.Itoa(len(s.Tests))}, {"Passing:", strconv.Itoa(passes)},
		{"Failing:", strconv.Itoa(failures)}, {"Pending:", strconv.Itoa(pending)}, {"Skipped:", "0"},
		{"Screenshots:", strconv.Itoa(len(s.Screenshots))}, {"Video:", "false"},
		{"Duration:", HumanLong(s.DurationMS)}, {"Spec Ran:", path.Base(s.Path)},
	} {
		b.WriteString(boxLine(label(kv[0], 14, kv[1])))
	}
	b.WriteString(boxRule("└", "┘"))
	if len(s.Screenshots) > 0 {
		b.WriteString("\n\n  (Screenshots)\n\n")
		for _, shot := range s.Screenshots {
			for i, chunk := range chunkRunes(shot, 80) {
				if i == 0 {
					b.WriteString("  -  " + chunk + strings.Repeat(" ", max(86-utf8.RuneCountInString(chunk), 1)) + "(1280x720)\n")
				} else {
					b.WriteString("     " + chunk + "\n")
				}
			}
		}
	}
	return b.String()
}

// CypressRunFinished is the run's summary: a row per spec in a box whose
// header sits above it, mm:ss durations, the totals under the box with
// the failed share.
func CypressRunFinished(specs []CypressSpec) string {
	var b strings.Builder
	b.WriteString("\n\n" + strings.Repeat("=", 80) + "\n\n  (Run Finished)\n\n\n")
	b.WriteString(strings.TrimRight(placeRow([]string{"", "Spec", "", "Tests", "Passing", "Failing", "Pending", "Skipped"}), " ") + "\n")
	b.WriteString(boxRule("┌", "┐"))
	var tp, tf, tq, tests, failed int
	var dur int64
	for i, s := range specs {
		p, f, q := s.counts()
		mark := "✔"
		if f > 0 {
			mark = "✖"
			failed++
		}
		if i > 0 {
			b.WriteString(boxRule("├", "┤"))
		}
		row := []rune(placeRow([]string{mark, path.Base(s.Path), CypressShort(s.DurationMS), strconv.Itoa(len(s.Tests)), dash(p), dash(f), dash(q), "-"}))
		row[2], row[99] = '│', '│'
		b.WriteString(string(row) + "\n")
		tp, tf, tq, tests, dur = tp+p, tf+f, tq+q, tests+len(s.Tests), dur+s.DurationMS
	}
	b.WriteString(boxRule("└", "┘"))
	mark, verdict := "✔", "All specs passed!"
	if failed > 0 {
		mark, verdict = "✖", fmt.Sprintf("%d of %d failed (%d%%)", failed, len(specs), failed*100/len(specs))
	}
	b.WriteString(strings.TrimRight(placeRow([]string{mark, verdict, CypressShort(dur), strconv.Itoa(tests), dash(tp), dash(tf), dash(tq), "-"}), " ") + "\n")
	return b.String()
}

// CypressRun is a whole cypress.run() over specs; running > 0 stops the
// output while spec number running (1-based) executes.
func CypressRun(env CypressEnv, specs []CypressSpec, running int) string {
	var b strings.Builder
	b.WriteString(CypressRunStarting(env, specs))
	for i, s := range specs {
		b.WriteString(CypressSpecStart(env, s, i+1, len(specs)))
		if running == i+1 {
			return b.String()
		}
		fail := 0
		for _, t := range s.Tests {
			if t.State == "failed" {
				fail++
			}
			b.WriteString(CypressTestLine(env, t, fail))
		}
		b.WriteString(CypressSpecEnd(env, s))
	}
	b.WriteString(CypressRunFinished(specs))
	return b.String()
}

// placeRow lays cells on a 100-rune line at Cypress's columns: marker at 4,
// spec at 7, duration ending at 53, counts ending at 62, 71, 80, 89, 98.
func placeRow(c []string) string {
	line := []rune(strings.Repeat(" ", 100))
	put := func(at int, s string) { copy(line[at:], []rune(s)) }
	put(4, c[0])
	put(7, c[1])
	for i, end := range []int{53, 62, 71, 80, 89, 98} {
		s := c[i+2]
		put(end-utf8.RuneCountInString(s), s)
	}
	return string(line)
}

// CypressShort is Cypress's [h:]mm:ss duration, or Nms under a second.
func CypressShort(ms int64) string {
	h, m, s := ms/3600000, ms/60000%60, ms/1000%60
	if h == 0 && m == 0 && s == 0 {
		return fmt.Sprintf("%dms", ms%1000)
	}
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%02d:%02d", m, s)
}

// HumanLong is Cypress's "10 minutes, 21 seconds".
func HumanLong(ms int64) string {
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

// MochaMS is mocha's short duration (the ms package): the largest unit
// reached, rounded ("35m", "2h", "9s", "500ms").
func MochaMS(ms int64) string {
	f := float64(ms)
	switch {
	case ms >= 86400000:
		return fmt.Sprintf("%dd", int64(math.Round(f/86400000)))
	case ms >= 3600000:
		return fmt.Sprintf("%dh", int64(math.Round(f/3600000)))
	case ms >= 60000:
		return fmt.Sprintf("%dm", int64(math.Round(f/60000)))
	case ms >= 1000:
		return fmt.Sprintf("%ds", int64(math.Round(f/1000)))
	}
	return fmt.Sprintf("%dms", ms)
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
