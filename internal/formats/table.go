// Package formats writes the controller's artifact formats that more than
// one part of the project plays back (the simulator, the results package's
// scenarios and benchmarks): one writer of each format, so every caller
// plays the same bytes (docs/formats.md a–d). Tested against bytes the real
// tools wrote (results/testdata/real) where such bytes exist.
package formats

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
		// seconds = (ms/1000) % 60, floored to one decimal.
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

// Row is one spec's line of cypress-cloud's summary table.
type Row struct {
	Spec                                      string // relative to the common root: the base name
	DurationMS                                int64
	Tests, Passing, Failing, Pending, Skipped int
}

// Table geometry of cypress-cloud's summaryTable (lib/results/table.ts with
// table v6): widths, left-aligned marker and spec, the rest right-aligned.
var (
	colWidths = [8]int{2, 30, 8, 8, 8, 8, 8, 8}
	colRight  = [8]bool{false, false, true, true, true, true, true, true}
)

// SummaryTable renders cypress-cloud's "Cloud Run Finished" table as the
// `table` package does: 100 runes a line, inner vertical lines off,
// horizontal lines under the header and above the totals, long cells
// wrapped into chunks of the column width (later chunks trimmed). It ends
// with a newline, like table()'s output.
func SummaryTable(rows []Row) string {
	return SummaryTableWithLine(rows, -1, "")
}

// SummaryTableWithLine is SummaryTable with a foreign line interleaved
// after the first `after` spec rows (after >= len(rows): after the last),
// as a wrapper writing unbuffered into the relayed output can put it.
// after < 0 adds nothing.
func SummaryTableWithLine(rows []Row, after int, line string) string {
	var tot Row
	failed := 0
	data := [][8]string{{"", "Spec", "", "Tests", "Passing", "Failing", "Pending", "Skipped"}}
	for _, r := range rows {
		mark := "✔"
		if r.Failing+r.Skipped > 0 {
			mark = "✖"
			failed++
		}
		data = append(data, [8]string{mark, r.Spec, PrettyMS(r.DurationMS), strconv.Itoa(r.Tests),
			dash(r.Passing), dash(r.Failing), dash(r.Pending), dash(r.Skipped)})
		tot.DurationMS += r.DurationMS
		tot.Tests += r.Tests
		tot.Passing += r.Passing
		tot.Failing += r.Failing
		tot.Pending += r.Pending
		tot.Skipped += r.Skipped
	}
	verdict, mark := "All specs passed!", "✔"
	switch {
	case failed > 0:
		verdict, mark = fmt.Sprintf("%d of %d failed", failed, len(rows)), "✖"
	case len(rows) == 0:
		verdict = "No specs executed"
	}
	testsCell := strconv.Itoa(tot.Tests)
	if len(rows) == 0 {
		testsCell = "-"
	}
	data = append(data, [8]string{mark, verdict, PrettyMS(tot.DurationMS), testsCell,
		dash(tot.Passing), dash(tot.Failing), dash(tot.Pending), dash(tot.Skipped)})

	if after >= len(rows) {
		after = len(rows)
	}
	var b strings.Builder
	rule := func(left, right string) {
		b.WriteString(left + strings.Repeat("─", 96) + right + "\n")
	}
	rule("  ┌", "┐")
	last := len(data) - 1
	for i, row := range data {
		if after == len(rows) && i == last {
			b.WriteString(line + "\n") // after the last spec row
		}
		if i == 1 || i == last {
			rule("  ├", "┤")
		}
		if after >= 0 && i == after+1 && i < last {
			b.WriteString(line + "\n") // before spec row after+1
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
func writeRow(b *strings.Builder, row [8]string) {
	var chunks [8][]string
	height := 1
	for i, cell := range row {
		chunks[i] = wrapString(cell, colWidths[i])
		height = max(height, len(chunks[i]))
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
