// Package synth renders the controller's artifacts in their real formats
// (runner log, JUnit, mochawesome, reporter JSON/TXT) for tests, scenarios
// and the replay benchmark. It follows the upstream sources cited in the
// project's format notes: cypress-cloud 1.13 (run.ts, table.ts), table v6
// (wrapString), pretty-ms v7, mocha-junit-reporter 2.x, mochawesome 7.
package synth

import (
	"fmt"
	"strings"

	"github.com/atvm/atvmbot/internal/formats"
)

// PrettyMS formats milliseconds like pretty-ms v7 with default options.
func PrettyMS(ms int64) string { return formats.PrettyMS(ms) }

// Row is one spec's line in the Cloud Run Finished table.
type Row = formats.Row

func dash(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

// SummaryTable renders cypress-cloud's summary table with the shared
// writer. detectedAfter >= 0 puts the wrapper's Detected line after that
// many spec rows, as the operators saw on 04-15.
func SummaryTable(rows []Row, detectedAfter int) string {
	return formats.SummaryTableWithLine(rows, detectedAfter, DetectedLine)
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
