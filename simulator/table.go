package simulator

import (
	"github.com/atvm/atvmbot/internal/formats"
)

// PrettyMS renders a duration in milliseconds as pretty-ms v7 does with its
// default options (the shared writer in internal/formats).
func PrettyMS(ms int64) string { return formats.PrettyMS(ms) }

// SpecRow is one spec's line of cypress-cloud's summary table.
type SpecRow struct {
	Spec                                      string // relative to the common root: the basename
	DurationMS                                int64
	Tests, Passes, Failures, Pending, Skipped int
}

// SummaryTable renders cypress-cloud's "Cloud Run Finished" table with the
// shared writer, the one tested against cypress-cloud's own bytes.
func SummaryTable(rows []SpecRow) string {
	out := make([]formats.Row, len(rows))
	for i, r := range rows {
		out[i] = formats.Row{Spec: r.Spec, DurationMS: r.DurationMS, Tests: r.Tests,
			Passing: r.Passes, Failing: r.Failures, Pending: r.Pending, Skipped: r.Skipped}
	}
	return formats.SummaryTable(out)
}
