// Package synth makes synthetic runs (scenario trees, the replay
// benchmark's run) for tests: it decides hosts, steps and times and writes
// every artifact (runner log, JUnit, mochawesome, reporter JSON/TXT) with
// the shared writers in internal/formats.
package synth

import (
	"github.com/atvm/atvmbot/internal/formats"
)

// PrettyMS formats milliseconds like pretty-ms v7 with default options.
func PrettyMS(ms int64) string { return formats.PrettyMS(ms) }

// Row is one spec's line in the Cloud Run Finished table.
type Row = formats.Row

// SummaryTable renders cypress-cloud's summary table with the shared
// writer. detectedAfter >= 0 puts the wrapper's Detected line after that
// many spec rows, as the operators saw on 04-15.
func SummaryTable(rows []Row, detectedAfter int) string {
	return formats.SummaryTableWithLine(rows, detectedAfter, DetectedLine)
}

// DetectedLine is the wrapper's line, one of the two it is known to print.
const DetectedLine = formats.WrapperDetected

// ExtractedLine is the wrapper's specPattern line (a Python list repr).
func ExtractedLine(specs []string) string { return formats.WrapperExtracted(specs) }
