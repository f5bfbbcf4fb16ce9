package simulator

import (
	"crypto/md5"
	"encoding/hex"

	"github.com/atvm/atvmbot/internal/formats"
)

// The report model is the shared one (internal/formats).
type (
	mwReport = formats.MochawesomeReport
	mwStats  = formats.MochawesomeStats
	mwSuite  = formats.MochawesomeSuite
	mwTest   = formats.MochawesomeTest
	mwErr    = formats.MochawesomeErr
	mwMeta   = formats.MochawesomeMeta
	mwTool   = formats.MochawesomeTool
)

type margeOptions struct {
	ReportDir      string `json:"reportDir"`
	ReportFilename string `json:"reportFilename"`
	Overwrite      bool   `json:"overwrite"`
	HTML           bool   `json:"html"`
	JSON           bool   `json:"json"`
}

var margeOpts = margeOptions{ReportDir: "cypress/cmcReporter/mochawesome", ReportFilename: "[name]", HTML: true}

// uuid is a stable v4-shaped id.
func uuid(seed string) string {
	sum := md5.Sum([]byte(seed))
	h := hex.EncodeToString(sum[:])
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// mochawesomeReport builds the report JSON of a host's spec run. The R7
// knobs make it disagree with the reporter on the failing step, or carry an
// empty error.
func (h *hostRun) mochawesomeReport() mwReport {
	suiteTitle := h.VM + " " + h.Template
	rootID, suiteID := uuid(h.Build+h.VM+"root"), uuid(h.Build+h.VM+"suite")
	suite := mwSuite{UUID: suiteID, Title: suiteTitle, BeforeHooks: []mwTest{}, AfterHooks: []mwTest{},
		Suites: []mwSuite{}, Passes: []string{}, Failures: []string{}, Pending: []string{}, Skipped: []string{},
		Duration: h.DurationMS, Timeout: 2000}
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
		id := uuid(h.Build + h.VM + t.Title)
		state := t.State
		if failIdx >= 0 && i == failIdx && mwFail != failIdx {
			state = statePassed
		}
		if i == mwFail {
			state = stateFailed
		}
		mt := mwTest{Title: t.Title, FullTitle: suiteTitle + " " + t.Title, Duration: t.DurationMS, State: state,
			Pass: state == statePassed, Fail: state == stateFailed, Pending: state == statePending,
			UUID: id, ParentUUID: suiteID}
		switch state {
		case statePassed:
			sp := "fast"
			if t.DurationMS > 10000 {
				sp = "slow"
			} else if t.DurationMS > 5000 {
				sp = "medium"
			}
			mt.Speed = &sp
			suite.Passes = append(suite.Passes, id)
		case stateFailed:
			e := h.Tests[failIdx].Err
			msg, stack := e.Name+": "+e.Message, e.Stack
			if h.B.MochawesomeEmptyError {
				msg, stack = "", ""
			}
			mt.Err = mwErr{Message: &msg, Estack: &stack, Set: true}
			suite.Failures = append(suite.Failures, id)
		case statePending:
			suite.Pending = append(suite.Pending, id)
		}
		suite.Tests = append(suite.Tests, mt)
	}
	registered := len(h.Tests)
	st := mwStats{Suites: 1, Tests: registered, Passes: len(suite.Passes), Pending: len(suite.Pending),
		Failures: len(suite.Failures), Start: isoMS(h.Start), End: isoMS(h.End), Duration: h.DurationMS,
		TestsRegistered: registered}
	if d := registered - st.Pending; d > 0 {
		st.PassPercent = float64(st.Passes) / float64(d) * 100
	}
	if registered > 0 {
		st.PendingPercent = float64(st.Pending) / float64(registered) * 100
	}
	root := mwSuite{UUID: rootID, Title: "", FullFile: h.Spec, File: h.Spec, BeforeHooks: []mwTest{}, AfterHooks: []mwTest{},
		Tests: []mwTest{}, Suites: []mwSuite{suite}, Passes: []string{}, Failures: []string{}, Pending: []string{},
		Skipped: []string{}, Root: true, RootEmpty: true, Timeout: 2000}
	return mwReport{Stats: st, Results: []mwSuite{root}, Meta: mwMeta{
		Mocha: map[string]string{"version": "7.0.1"},
		Mochawesome: mwTool{Version: "7.1.3", Options: map[string]any{"quiet": false, "reportFilename": "[name]",
			"saveHtml": true, "saveJson": false, "consoleReporter": "none", "useInlineDiffs": false, "code": false}},
		Marge: mwTool{Version: "6.2.0", Options: margeOpts},
	}}
}

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
	j, err := marshalJS(h.mochawesomeReport())
	if err != nil {
		return nil, err
	}
	return RenderMochawesomeHTML(j), nil
}

// MochawesomeBase is reportFilename [name]: the spec basename with
// everything from its first dot removed (atvm121-ubuntu24.04.ts → atvm121-ubuntu24).
func MochawesomeBase(spec string) string { return formats.MochawesomeBase(spec) }
