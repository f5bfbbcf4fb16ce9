package simulator

import (
	"crypto/md5"
	"encoding/hex"

	"github.com/atvm/atvmbot/internal/formats"
)

// The report is mochawesome 8's, from the shared writer (internal/formats,
// checked against mochawesome 8.1.1's own reports).
type (
	mwReport     = formats.MochawesomeReport
	margeOptions = formats.MargeOptions
)

// margeOpts are the gold config's mochawesomeReporterOptions as marge
// records them.
var margeOpts = margeOptions{ID: "default", ReportDir: "cypress/cmcReporter/mochawesome", ReportFilename: "[name]", HTML: true}

// uuid is a stable v4-shaped id.
func uuid(seed string) string {
	sum := md5.Sum([]byte(seed))
	h := hex.EncodeToString(sum[:])
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// mochawesomeRun is a host's spec run as mochawesome sees it. The R7 knobs
// make it disagree with the reporter on the failing step, or carry an
// empty error.
func (h *hostRun) mochawesomeRun() formats.MochawesomeRun {
	r := formats.MochawesomeRun{Spec: h.Spec, Title: h.VM + " " + h.Template, Start: h.Start, End: h.End, DurationMS: h.DurationMS,
		RootUUID: uuid(h.Build + h.VM + "root"), SuiteUUID: uuid(h.Build + h.VM + "suite"),
		// Cypress's slowTestThreshold; it runs mocha without timeouts.
		SlowMS: 10000, TimeoutMS: 0,
		MochaVersion: "7.0.1", MochawesomeVersion: "8.1.1", MargeVersion: "6.3.2",
		Mochawesome: formats.MochawesomeOptions{ReportFilename: "[name]", SaveHTML: true, ConsoleReporter: "spec"},
		Marge:       margeOpts}
	failIdx := -1
	for i, t := range h.Tests {
		if t.State == stateFailed {
			failIdx = i
		}
	}
	mwFail := failIdx
	if failIdx >= 0 && h.B.MochawesomeFailStep > 0 {
		for i, t := range h.Tests {
			if t.Step.N == h.B.MochawesomeFailStep && t.State != statePending {
				mwFail = i
				break
			}
		}
	}
	for i, t := range h.Tests {
		c := formats.MochawesomeCase{Title: t.Title, State: t.State, DurationMS: t.DurationMS, UUID: uuid(h.Build + h.VM + t.Title)}
		if failIdx >= 0 && i == failIdx && mwFail != failIdx {
			c.State = statePassed
		}
		if i == mwFail {
			e := h.Tests[failIdx].Err
			c.State, c.Err = stateFailed, &formats.MochawesomeFailure{Message: e.Name + ": " + e.Message, Estack: e.Stack}
			if h.B.MochawesomeEmptyError {
				c.Err = &formats.MochawesomeFailure{}
			}
		}
		r.Tests = append(r.Tests, c)
	}
	return r
}

// mochawesomeReport is the report JSON's model of a host's spec run.
func (h *hostRun) mochawesomeReport() mwReport { return h.mochawesomeRun().Report() }

// marshalJS is JSON.stringify: compact, no HTML escaping.
func marshalJS(v any) ([]byte, error) { return formats.MarshalJS(v) }

// RenderMochawesomeHTML wraps a report JSON in mochawesome-report-generator's
// page (the shared writer in internal/formats).
func RenderMochawesomeHTML(reportJSON []byte) []byte {
	cfg, _ := marshalJS(margeOpts)
	return formats.MochawesomeHTML(reportJSON, cfg)
}

// RenderMochawesome is the HTML report of a host's spec run.
func (h *hostRun) RenderMochawesome() ([]byte, error) {
	return RenderMochawesomeHTML(h.mochawesomeRun().JSON()), nil
}

// MochawesomeBase is reportFilename [name]: the spec basename with
// everything from its first dot removed (atvm121-ubuntu24.04.ts → atvm121-ubuntu24).
func MochawesomeBase(spec string) string { return formats.MochawesomeBase(spec) }
