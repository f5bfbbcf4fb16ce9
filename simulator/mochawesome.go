package simulator

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"

	"github.com/atvm/atvmbot/internal/formats"
)

// mochawesome 7.x JSON, field order as in mochawesome.js/utils.js.
type mwReport struct {
	Stats   mwStats   `json:"stats"`
	Results []mwSuite `json:"results"`
	Meta    mwMeta    `json:"meta"`
}

type mwStats struct {
	Suites          int     `json:"suites"`
	Tests           int     `json:"tests"`
	Passes          int     `json:"passes"`
	Pending         int     `json:"pending"`
	Failures        int     `json:"failures"`
	Start           string  `json:"start"`
	End             string  `json:"end"`
	Duration        int64   `json:"duration"`
	TestsRegistered int     `json:"testsRegistered"`
	PassPercent     float64 `json:"passPercent"`
	PendingPercent  float64 `json:"pendingPercent"`
	Other           int     `json:"other"`
	HasOther        bool    `json:"hasOther"`
	Skipped         int     `json:"skipped"`
	HasSkipped      bool    `json:"hasSkipped"`
}

type mwSuite struct {
	UUID        string    `json:"uuid"`
	Title       string    `json:"title"`
	FullFile    string    `json:"fullFile"`
	File        string    `json:"file"`
	BeforeHooks []mwTest  `json:"beforeHooks"`
	AfterHooks  []mwTest  `json:"afterHooks"`
	Tests       []mwTest  `json:"tests"`
	Suites      []mwSuite `json:"suites"`
	Passes      []string  `json:"passes"`
	Failures    []string  `json:"failures"`
	Pending     []string  `json:"pending"`
	Skipped     []string  `json:"skipped"`
	Duration    int64     `json:"duration"`
	Root        bool      `json:"root"`
	RootEmpty   bool      `json:"rootEmpty"`
	Timeout     int       `json:"_timeout"`
}

type mwTest struct {
	Title      string  `json:"title"`
	FullTitle  string  `json:"fullTitle"`
	TimedOut   *bool   `json:"timedOut"`
	Duration   int64   `json:"duration"`
	State      string  `json:"state"`
	Speed      *string `json:"speed"`
	Pass       bool    `json:"pass"`
	Fail       bool    `json:"fail"`
	Pending    bool    `json:"pending"`
	Context    *string `json:"context"`
	Code       string  `json:"code"`
	Err        mwErr   `json:"err"`
	UUID       string  `json:"uuid"`
	ParentUUID string  `json:"parentUUID"`
	IsHook     bool    `json:"isHook"`
	Skipped    bool    `json:"skipped"`
}

// mwErr is {} for a test that did not fail.
type mwErr struct {
	Message *string `json:"message,omitempty"`
	Estack  *string `json:"estack,omitempty"`
	Diff    *string `json:"diff"`
	set     bool
}

// MarshalJSON writes {} for an unset error, the three fields otherwise.
func (e mwErr) MarshalJSON() ([]byte, error) {
	if !e.set {
		return []byte("{}"), nil
	}
	type plain mwErr
	return marshalJS(plain(e))
}

type mwMeta struct {
	Mocha       map[string]string `json:"mocha"`
	Mochawesome mwTool            `json:"mochawesome"`
	Marge       mwTool            `json:"marge"`
}

type mwTool struct {
	Options any    `json:"options"`
	Version string `json:"version"`
}

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
			mt.Err = mwErr{Message: &msg, Estack: &stack, set: true}
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
func marshalJS(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

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
