package simulator

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PrettyMS renders a duration in milliseconds as pretty-ms v7 does with its
// default options: zero units omitted, seconds floored to one decimal with
// ".0" dropped, under a second as "Nms".
func PrettyMS(ms int64) string {
	if ms < 0 {
		ms = 0
	}
	var parts []string
	add := func(v int64, unit string) {
		if v != 0 {
			parts = append(parts, strconv.FormatInt(v, 10)+unit)
		}
	}
	days := ms / 86400000
	add(days/365, "y")
	add(days%365, "d")
	add(ms/3600000%24, "h")
	add(ms/60000%60, "m")
	if ms < 1000 {
		add(ms, "ms")
	} else {
		// seconds = (ms/1000) % 60, floored to one decimal (floorDecimals).
		secs := math.Mod(float64(ms)/1000, 60)
		tenths := math.Floor(secs*10 + 0.0000001)
		s := strconv.FormatFloat(tenths/10, 'f', 1, 64)
		s = strings.TrimSuffix(s, ".0")
		if s != "0" {
			parts = append(parts, s+"s")
		}
	}
	if len(parts) == 0 {
		return "0ms"
	}
	return strings.Join(parts, " ")
}

// SpecRow is one spec's line of cypress-cloud's summary table.
type SpecRow struct {
	Spec                                      string // relative to the common root: the basename
	DurationMS                                int64
	Tests, Passes, Failures, Pending, Skipped int
}

// Table geometry of cypress-cloud's summaryTable (docs/formats.md a.2).
var (
	colWidths = []int{2, 30, 8, 8, 8, 8, 8, 8}
	colRight  = []bool{false, false, true, true, true, true, true, true}
)

// SummaryTable renders cypress-cloud's "Cloud Run Finished" table exactly as
// the `table` package does: 100 runes a line, inner vertical lines off,
// horizontal lines under the header and above the totals, long cells wrapped
// into chunks of the column width (later chunks trimmed). The result ends
// with a newline, like table()'s output.
func SummaryTable(rows []SpecRow) string {
	failed, tests, passes, failures, pending, skipped := 0, 0, 0, 0, 0, 0
	var total int64
	data := [][]string{{"", "Spec", "", "Tests", "Passing", "Failing", "Pending", "Skipped"}}
	for _, r := range rows {
		mark := "✔"
		if r.Failures+r.Skipped > 0 {
			mark = "✖"
			failed++
		}
		data = append(data, []string{mark, r.Spec, PrettyMS(r.DurationMS), strconv.Itoa(r.Tests),
			dash(r.Passes), dash(r.Failures), dash(r.Pending), dash(r.Skipped)})
		total += r.DurationMS
		tests += r.Tests
		passes += r.Passes
		failures += r.Failures
		pending += r.Pending
		skipped += r.Skipped
	}
	verdict, mark := "All specs passed!", "✔"
	switch {
	case failed > 0:
		verdict, mark = fmt.Sprintf("%d of %d failed", failed, len(rows)), "✖"
	case len(rows) == 0:
		verdict = "No specs executed"
	}
	testsCell := strconv.Itoa(tests)
	if len(rows) == 0 {
		testsCell = "-"
	}
	data = append(data, []string{mark, verdict, PrettyMS(total), testsCell,
		dash(passes), dash(failures), dash(pending), dash(skipped)})

	var b strings.Builder
	rule := func(left, right string) {
		b.WriteString(left + strings.Repeat("─", 96) + right + "\n")
	}
	rule("  ┌", "┐")
	for i, row := range data {
		if i == 1 || i == len(data)-1 {
			rule("  ├", "┤")
		}
		writeRow(&b, row)
	}
	rule("  └", "┘")
	return b.String()
}

func dash(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

// writeRow writes one logical row, wrapping cells onto continuation lines.
func writeRow(b *strings.Builder, row []string) {
	chunks := make([][]string, len(row))
	height := 1
	for i, cell := range row {
		chunks[i] = wrapString(cell, colWidths[i])
		if len(chunks[i]) > height {
			height = len(chunks[i])
		}
	}
	for line := 0; line < height; line++ {
		b.WriteString("  │")
		for i := range row {
			text := ""
			if line < len(chunks[i]) {
				text = chunks[i][line]
			}
			pad := strings.Repeat(" ", colWidths[i]-utf8.RuneCountInString(text))
			if colRight[i] {
				b.WriteString(" " + pad + text + " ")
			} else {
				b.WriteString(" " + text + pad + " ")
			}
		}
		b.WriteString("│\n")
	}
}

// wrapString is gajus/table's wrapString: the first chunk is the first size
// runes; the rest is trimmed and chunked again.
func wrapString(s string, size int) []string {
	r := []rune(s)
	var out []string
	for {
		n := min(size, len(r))
		out = append(out, string(r[:n]))
		r = []rune(strings.TrimSpace(string(r[n:])))
		if len(r) == 0 {
			return out
		}
	}
}
