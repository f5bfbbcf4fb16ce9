// Package synth renders the controller's artifacts in their real formats
// (runner log, JUnit, mochawesome, reporter JSON/TXT) for tests, scenarios
// and the replay benchmark. It follows the upstream sources cited in the
// project's format notes: cypress-cloud 1.13 (run.ts, table.ts), table v6
// (wrapString), pretty-ms v7, mocha-junit-reporter 2.x, mochawesome 7.
package synth

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// PrettyMS formats milliseconds like pretty-ms v7 with default options.
func PrettyMS(ms int64) string {
	if ms < 1000 {
		return fmt.Sprintf("%dms", ms)
	}
	var parts []string
	days := ms / 86400000
	if y := days / 365; y > 0 {
		parts = append(parts, fmt.Sprintf("%dy", y))
	}
	if d := days % 365; d > 0 {
		parts = append(parts, fmt.Sprintf("%dd", d))
	}
	if h := ms / 3600000 % 24; h > 0 {
		parts = append(parts, fmt.Sprintf("%dh", h))
	}
	if m := ms / 60000 % 60; m > 0 {
		parts = append(parts, fmt.Sprintf("%dm", m))
	}
	secs := float64(ms%60000) / 1000
	secs = math.Floor(secs*10+1e-7) / 10
	if secs > 0 {
		s := fmt.Sprintf("%.1f", secs)
		s = strings.TrimSuffix(s, ".0")
		parts = append(parts, s+"s")
	}
	return strings.Join(parts, " ")
}

// Row is one spec's line in the Cloud Run Finished table.
type Row struct {
	Spec                                      string // relative to the common root: the base name
	DurationMS                                int64
	Tests, Passing, Failing, Pending, Skipped int
}

var colWidth = [8]int{2, 30, 8, 8, 8, 8, 8, 8}

// wrapString is table v6's wrapString: fixed-width chunks, later ones trimmed.
func wrapString(s string, size int) []string {
	r := []rune(s)
	var out []string
	for {
		n := size
		if n > len(r) {
			n = len(r)
		}
		out = append(out, string(r[:n]))
		r = []rune(strings.TrimSpace(string(r[n:])))
		if len(r) == 0 {
			return out
		}
	}
}

func dash(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func tableRow(cells [8]string) []string {
	var wrapped [8][]string
	height := 1
	for i, c := range cells {
		wrapped[i] = wrapString(c, colWidth[i])
		if len(wrapped[i]) > height {
			height = len(wrapped[i])
		}
	}
	lines := make([]string, height)
	for h := 0; h < height; h++ {
		var b strings.Builder
		b.WriteString("  │")
		for i := range cells {
			v := ""
			if h < len(wrapped[i]) {
				v = wrapped[i][h]
			}
			pad := strings.Repeat(" ", colWidth[i]-utf8.RuneCountInString(v))
			b.WriteString(" ")
			if i < 2 {
				b.WriteString(v + pad)
			} else {
				b.WriteString(pad + v)
			}
			b.WriteString(" ")
		}
		b.WriteString("│")
		lines[h] = b.String()
	}
	return lines
}

func border(l, r string) string {
	return "  " + l + strings.Repeat("─", 96) + r
}

// SummaryTable renders cypress-cloud's summary table (lib/results/table.ts).
// detectedAfter >= 0 puts the wrapper's Detected line after that many spec
// rows, as the operators saw on 04-15.
func SummaryTable(rows []Row, detectedAfter int) string {
	out := []string{border("┌", "┐")}
	out = append(out, tableRow([8]string{"", "Spec", "", "Tests", "Passing", "Failing", "Pending", "Skipped"})...)
	out = append(out, border("├", "┤"))
	var tot Row
	failed := 0
	for i, r := range rows {
		if i == detectedAfter {
			out = append(out, DetectedLine)
		}
		marker := "✔"
		if r.Failing+r.Skipped > 0 {
			marker = "✖"
			failed++
		}
		out = append(out, tableRow([8]string{marker, r.Spec, PrettyMS(r.DurationMS), fmt.Sprint(r.Tests),
			dash(r.Passing), dash(r.Failing), dash(r.Pending), dash(r.Skipped)})...)
		tot.DurationMS += r.DurationMS
		tot.Tests += r.Tests
		tot.Passing += r.Passing
		tot.Failing += r.Failing
		tot.Pending += r.Pending
		tot.Skipped += r.Skipped
	}
	if detectedAfter >= len(rows) {
		out = append(out, DetectedLine)
	}
	out = append(out, border("├", "┤"))
	marker, verdict := "✔", "All specs passed!"
	switch {
	case len(rows) == 0:
		verdict = "No specs executed"
	case failed > 0:
		marker, verdict = "✖", fmt.Sprintf("%d of %d failed", failed, len(rows))
	}
	out = append(out, tableRow([8]string{marker, verdict, PrettyMS(tot.DurationMS), fmt.Sprint(tot.Tests),
		dash(tot.Passing), dash(tot.Failing), dash(tot.Pending), dash(tot.Skipped)})...)
	out = append(out, border("└", "┘"))
	return strings.Join(out, "\n") + "\n"
}

// DetectedLine is the wrapper's line, one of the two it is known to print.
const DetectedLine = "Detected 'Recorded Run' after 'Cloud Run Finished' - results uploaded successfully."

// ExtractedLine is the wrapper's specPattern line (a Python list repr).
func ExtractedLine(specs []string) string {
	q := make([]string, len(specs))
	for i, s := range specs {
		q[i] = "'" + s + "'"
	}
	return "Extracted specPattern: [" + strings.Join(q, ", ") + "]\n"
}
