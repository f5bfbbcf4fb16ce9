package results

import (
	"regexp"
	"strconv"
	"strings"
)

// Rune column ranges of a cypress-cloud summary row, relative to the line
// "  │…│" (docs/formats.md a.2 recipe): marker, spec, duration, tests, passing,
// failing, pending, skipped.
// rlMaxCell bounds a cell grown by continuation rows (a real spec name or
// duration spans a few rows at most).
const rlMaxCell = 512

var summaryCols = [8][2]int{{4, 6}, {8, 38}, {40, 48}, {50, 58}, {60, 68}, {70, 78}, {80, 88}, {90, 98}}

// rowRunes returns the line's runes shifted so that the box's left edge
// sits at column 2, whatever text was interleaved before it.
func rowRunes(line string) []rune {
	r := []rune(line)
	for i, c := range r {
		if c == '│' {
			switch {
			case i < 2:
				pad := make([]rune, 2-i, len(r)+2-i)
				for j := range pad {
					pad[j] = ' '
				}
				return append(pad, r...)
			default:
				return r[i-2:]
			}
		}
	}
	return r
}

func isRowStart(line string) bool {
	r := rowRunes(line)
	return len(r) > 4 && (r[4] == '✔' || r[4] == '✖')
}

func rlCell(r []rune, c [2]int) string {
	if c[0] >= len(r) {
		return ""
	}
	end := c[1]
	if end > len(r) {
		end = len(r)
	}
	return strings.TrimSpace(strings.TrimRight(string(r[c[0]:end]), "│"))
}

// mergeRow adds one table line: a new row when its marker column holds ✔
// or ✖, otherwise a continuation whose cells extend the previous row's
// cells (a lone `s`, the `.3s` of an hour-long total, the rest of a long
// spec name: R9).
func mergeRow(rows []SummaryRow, line string, lineNo int64) []SummaryRow {
	r := rowRunes(line)
	if len(r) > 4 && (r[4] == '✔' || r[4] == '✖') {
		var row SummaryRow
		for i, c := range summaryCols {
			row.raw[i] = rlCell(r, c)
		}
		row.Line = lineNo
		row.decode()
		return append(rows, row)
	}
	if len(rows) == 0 {
		return rows // a continuation with nothing to continue: ignore
	}
	last := &rows[len(rows)-1]
	changed := false
	for i, c := range summaryCols[1:] {
		if v := rlCell(r, c); v != "" && len(last.raw[i+1])+len(v) <= rlMaxCell {
			last.raw[i+1] += v
			changed = true
		}
	}
	if changed {
		last.decode()
	}
	return rows
}

func (row *SummaryRow) decode() {
	row.Marker = row.raw[0]
	row.Spec = row.raw[1]
	row.Machine = ""
	if strings.HasSuffix(row.Spec, ".ts") || strings.HasSuffix(row.Spec, ".js") || rlMachineRe.MatchString(row.Spec) {
		row.Machine = rlMachine(row.Spec)
	}
	row.Duration = row.raw[2]
	row.DurationS, _ = parsePrettyMS(row.Duration)
	counts := []*int{&row.Tests, &row.Passing, &row.Failing, &row.Pending, &row.Skipped}
	for i, p := range counts {
		*p = rlCount(row.raw[3+i])
	}
}

// Failed reports the row's own verdict: cypress-cloud marks ✖ when
// failures + skipped > 0.
func (row SummaryRow) Failed() bool {
	return row.Marker == "✖" || row.Failing > 0 || row.Skipped > 0
}

func rlCount(s string) int {
	if s == "" || s == "-" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

var durTokRe = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*(ms|d|h|m|s)?`)

// parsePrettyMS reads pretty-ms text (`917ms`, `16m 13.9s`, `1h 4m 12.3s`).
// A trailing bare number counts as seconds: a wrapped duration that lost
// its `s` still reads right.
func parsePrettyMS(s string) (float64, bool) {
	ms := durTokRe.FindAllStringSubmatch(s, -1)
	if len(ms) == 0 {
		return 0, false
	}
	var total float64
	for _, m := range ms {
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return 0, false
		}
		switch m[2] {
		case "ms":
			total += v / 1000
		case "d":
			total += v * 86400
		case "h":
			total += v * 3600
		case "m":
			total += v * 60
		default:
			total += v
		}
	}
	return total, true
}
