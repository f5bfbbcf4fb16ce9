package formats

import (
	"bytes"
	"encoding/json"
	"time"
)

// The mochawesome report JSON as mochawesome 8.1.1 writes it (fields in
// the order of its mochawesome.js and utils.js; docs/formats.md c): tests
// have no context, speed only when passed, and a failed test's err holds
// only message and estack.

// MochawesomeReport is the whole report: the body's data-raw.
type MochawesomeReport struct {
	Stats   MochawesomeStats   `json:"stats"`
	Results []MochawesomeSuite `json:"results"`
	Meta    MochawesomeMeta    `json:"meta"`
}

// MochawesomeStats is the report's stats block.
type MochawesomeStats struct {
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

// MochawesomeSuite is a suite; results[0] is the root suite, file= the spec path under Cypress.
type MochawesomeSuite struct {
	UUID        string             `json:"uuid"`
	Title       string             `json:"title"`
	FullFile    string             `json:"fullFile"`
	File        string             `json:"file"`
	BeforeHooks []MochawesomeTest  `json:"beforeHooks"`
	AfterHooks  []MochawesomeTest  `json:"afterHooks"`
	Tests       []MochawesomeTest  `json:"tests"`
	Suites      []MochawesomeSuite `json:"suites"`
	Passes      []string           `json:"passes"`
	Failures    []string           `json:"failures"`
	Pending     []string           `json:"pending"`
	Skipped     []string           `json:"skipped"`
	Duration    int64              `json:"duration"`
	Root        bool               `json:"root"`
	RootEmpty   bool               `json:"rootEmpty"`
	Timeout     int                `json:"_timeout"`
}

// MochawesomeTest is one test object: its err belongs to it alone (R7).
type MochawesomeTest struct {
	Title      string         `json:"title"`
	FullTitle  string         `json:"fullTitle"`
	TimedOut   bool           `json:"timedOut"`
	Duration   int64          `json:"duration"`
	State      string         `json:"state"`
	Speed      string         `json:"speed,omitempty"`
	Pass       bool           `json:"pass"`
	Fail       bool           `json:"fail"`
	Pending    bool           `json:"pending"`
	Code       string         `json:"code"`
	Err        MochawesomeErr `json:"err"`
	UUID       string         `json:"uuid"`
	ParentUUID string         `json:"parentUUID"`
	IsHook     bool           `json:"isHook"`
	Skipped    bool           `json:"skipped"`
}

// MochawesomeErr is {} for a test that did not fail.
type MochawesomeErr struct {
	Message *string `json:"message,omitempty"`
	Estack  *string `json:"estack,omitempty"`
}

// MochawesomeMeta names the tools and their options.
type MochawesomeMeta struct {
	Mocha       map[string]string `json:"mocha"`
	Mochawesome MochawesomeTool   `json:"mochawesome"`
	Marge       MochawesomeTool   `json:"marge"`
}

// MochawesomeTool is one tool's options and version.
type MochawesomeTool struct {
	Options any    `json:"options"`
	Version string `json:"version"`
}

// MochawesomeOptions are mochawesome's own options as its meta records them.
type MochawesomeOptions struct {
	Quiet           bool   `json:"quiet"`
	ReportFilename  string `json:"reportFilename"`
	SaveHTML        bool   `json:"saveHtml"`
	SaveJSON        bool   `json:"saveJson"`
	ConsoleReporter string `json:"consoleReporter"`
	UseInlineDiffs  bool   `json:"useInlineDiffs"`
	Code            bool   `json:"code"`
}

// MargeOptions are the report generator's options as the meta records them.
type MargeOptions struct {
	ID             string `json:"id"`
	ReportDir      string `json:"reportDir"`
	ReportFilename string `json:"reportFilename"`
	Timestamp      string `json:"timestamp,omitempty"`
	Overwrite      bool   `json:"overwrite"`
	HTML           bool   `json:"html"`
	JSON           bool   `json:"json"`
}

// MochawesomeRun is one spec's run: a root suite carrying the spec's path
// and one describe holding the tests.
type MochawesomeRun struct {
	Spec, Title         string // the spec's path; the describe's title
	Start, End          time.Time
	DurationMS          int64
	Tests               []MochawesomeCase
	RootUUID, SuiteUUID string
	SlowMS              int64 // mocha's slow(): a passed test's speed
	TimeoutMS           int   // mocha's timeout(): the suites' _timeout
	MochaVersion        string
	Mochawesome         MochawesomeOptions
	MochawesomeVersion  string
	Marge               MargeOptions
	MargeVersion        string
}

// MochawesomeCase is one test; Err is set for a failed test (its message
// begins with the error's name).
type MochawesomeCase struct {
	Title, State string // passed, failed, pending
	DurationMS   int64
	Code         string // the test's body, "" for a pending one
	UUID         string
	Err          *MochawesomeFailure
}

// MochawesomeFailure is a failed test's message and stack.
type MochawesomeFailure struct{ Message, Estack string }

// Report builds the report mochawesome writes for the run.
func (r MochawesomeRun) Report() MochawesomeReport {
	empty := func() MochawesomeSuite {
		return MochawesomeSuite{BeforeHooks: []MochawesomeTest{}, AfterHooks: []MochawesomeTest{}, Tests: []MochawesomeTest{},
			Suites: []MochawesomeSuite{}, Passes: []string{}, Failures: []string{}, Pending: []string{}, Skipped: []string{}, Timeout: r.TimeoutMS}
	}
	suite := empty()
	suite.UUID, suite.Title, suite.Duration = r.SuiteUUID, r.Title, r.DurationMS
	for _, c := range r.Tests {
		t := MochawesomeTest{Title: c.Title, FullTitle: r.Title + " " + c.Title, Duration: c.DurationMS, State: c.State,
			Pass: c.State == "passed", Fail: c.State == "failed", Pending: c.State == "pending", Code: c.Code,
			UUID: c.UUID, ParentUUID: r.SuiteUUID}
		switch c.State {
		case "passed":
			// mocha's Test#speed.
			t.Speed = "fast"
			if c.DurationMS > r.SlowMS {
				t.Speed = "slow"
			} else if c.DurationMS > r.SlowMS/2 {
				t.Speed = "medium"
			}
			suite.Passes = append(suite.Passes, c.UUID)
		case "failed":
			if e := c.Err; e != nil {
				msg, stack := e.Message, e.Estack
				t.Err = MochawesomeErr{Message: &msg, Estack: &stack}
			}
			suite.Failures = append(suite.Failures, c.UUID)
		default:
			t.Duration = 0
			suite.Pending = append(suite.Pending, c.UUID)
		}
		suite.Tests = append(suite.Tests, t)
	}
	root := empty()
	root.UUID, root.FullFile, root.File, root.Root, root.RootEmpty = r.RootUUID, r.Spec, r.Spec, true, true
	root.Suites = []MochawesomeSuite{suite}
	n := len(r.Tests)
	st := MochawesomeStats{Suites: 1, Tests: n, Passes: len(suite.Passes), Pending: len(suite.Pending), Failures: len(suite.Failures),
		Start: ISOMS(r.Start), End: ISOMS(r.End), Duration: r.DurationMS, TestsRegistered: n}
	if d := n - st.Pending; d > 0 {
		st.PassPercent = float64(st.Passes) / float64(d) * 100
	}
	if n > 0 {
		st.PendingPercent = float64(st.Pending) / float64(n) * 100
	}
	return MochawesomeReport{Stats: st, Results: []MochawesomeSuite{root}, Meta: MochawesomeMeta{
		Mocha:       map[string]string{"version": r.MochaVersion},
		Mochawesome: MochawesomeTool{Options: r.Mochawesome, Version: r.MochawesomeVersion},
		Marge:       MochawesomeTool{Options: r.Marge, Version: r.MargeVersion},
	}}
}

// JSON is the report as mochawesome hands it to marge.
func (r MochawesomeRun) JSON() []byte {
	b, _ := MarshalJS(r.Report())
	return b
}

// MarshalJS is JSON.stringify: compact, no HTML escaping.
func MarshalJS(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
