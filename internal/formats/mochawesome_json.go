package formats

import (
	"bytes"
	"encoding/json"
)

// The mochawesome report JSON (7.x fields, in the order of mochawesome.js
// and utils.js; docs/formats.md c).
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
	TimedOut   *bool          `json:"timedOut"`
	Duration   int64          `json:"duration"`
	State      string         `json:"state"`
	Speed      *string        `json:"speed"`
	Pass       bool           `json:"pass"`
	Fail       bool           `json:"fail"`
	Pending    bool           `json:"pending"`
	Context    *string        `json:"context"`
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
	Diff    *string `json:"diff"`
	Set     bool    `json:"-"` // false: the test did not fail, written {}
}

// MarshalJSON writes {} for an unset error, the three fields otherwise.
func (e MochawesomeErr) MarshalJSON() ([]byte, error) {
	if !e.Set {
		return []byte("{}"), nil
	}
	type plain MochawesomeErr
	return MarshalJS(plain(e))
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
