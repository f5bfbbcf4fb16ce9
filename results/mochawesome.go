package results

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// mochawesome JSON (docs/formats.md (c)): only the fields the status needs.
type mawReport struct {
	Stats   *mawStats  `json:"stats"`
	Results []mawSuite `json:"results"`
}

type mawStats struct {
	Tests    jint `json:"tests"`
	Passes   jint `json:"passes"`
	Pending  jint `json:"pending"`
	Failures jint `json:"failures"`
	Skipped  jint `json:"skipped"`
	Start    jstr `json:"start"`
	End      jstr `json:"end"`
}

type mawSuite struct {
	Title       jstr       `json:"title"`
	File        jstr       `json:"file"`
	FullFile    jstr       `json:"fullFile"`
	Tests       []mawTest  `json:"tests"`
	Suites      []mawSuite `json:"suites"`
	BeforeHooks []mawTest  `json:"beforeHooks"`
	AfterHooks  []mawTest  `json:"afterHooks"`
}

type mawTest struct {
	Title jstr   `json:"title"`
	State jstr   `json:"state"`
	Err   mawErr `json:"err"`
}

// mawErr is a test's own err: {} for a test that did not fail.
type mawErr struct {
	Message jstr `json:"message"`
	Estack  jstr `json:"estack"`
}

// mawTally is one machine's tests, walked one test object at a time (R7).
type mawTally struct {
	ev                               Evidence
	tests, passes, failures, pending int
	firstFailed                      string // first failed test, even without detail
	detailed                         bool   // FailedStep/Error came from a test with a payload
}

// ParseMochawesome reads one mochawesome HTML report: the JSON in <body
// data-raw="…">. The machine comes from results[].file, not the HTML name
// (atvm121-ubuntu24.04.ts and atvm121-ubuntu24.10.ts share a name). Each
// test's err belongs to that test only; an empty message/estack is no
// detail (R7, 03-31).
func ParseMochawesome(path string, mtime time.Time, data []byte) ([]Evidence, error) {
	raw, err := bodyDataRaw(data)
	if err != nil {
		return nil, fmt.Errorf("mochawesome: %w", err)
	}
	rep, err := decodeMawReportRaw(raw)
	if err != nil {
		return nil, err
	}
	if rep.Stats == nil && rep.Results == nil {
		return nil, errors.New("mochawesome: data-raw has no stats or results")
	}
	stats := rep.Stats
	if stats == nil {
		stats = &mawStats{}
	}
	complete := stats.End != ""
	var tallies []*mawTally
	byMachine := map[string]*mawTally{}
	for i := range rep.Results {
		root := &rep.Results[i]
		spec := firstSet(string(root.File), string(root.FullFile))
		machine := machineFromSpec(spec)
		if machine == "" {
			machine = suiteMachine(root)
		}
		t := byMachine[machine]
		if t == nil {
			t = &mawTally{ev: Evidence{Machine: machine, Source: SourceMochawesome, Path: path, ModTime: mtime,
				Spec: clipText(spec, maxFieldLen), Title: clipText(suiteTitle(root), maxFieldLen), Bookkeeping: isBookkeepingSpec(spec)}}
			if t.ev.Bookkeeping {
				t.ev.Machine = ""
			}
			byMachine[machine] = t
			tallies = append(tallies, t)
		}
		t.walk(root)
	}
	if len(tallies) == 0 {
		return nil, errors.New("mochawesome: report has no results")
	}
	out := make([]Evidence, 0, len(tallies))
	for _, t := range tallies {
		ev := t.ev
		ev.Complete = complete
		ev.StartedAt, ev.EndedAt = parseArtifactTime(string(stats.Start)), parseArtifactTime(string(stats.End))
		ev.Tests, ev.Passes, ev.Failures, ev.Pending = t.tests, t.passes, t.failures, t.pending
		if len(tallies) == 1 {
			// One spec per report: the header counts are its counts too.
			ev.Tests = max(ev.Tests, int(stats.Tests))
			ev.Passes = max(ev.Passes, int(stats.Passes))
			ev.Failures = max(ev.Failures, int(stats.Failures))
			ev.Pending = max(ev.Pending, int(stats.Pending)+int(stats.Skipped))
		}
		if ev.FailedStep == "" && t.firstFailed != "" {
			ev.FailedStep = t.firstFailed
		}
		switch {
		case ev.Bookkeeping:
			ev.Status = HostUnknown
		case ev.Failures > 0:
			ev.Status = HostFail
		case !complete:
			ev.Status = HostRunning
		case ev.Passes == 0:
			// Nothing ran (no tests, or all pending): no positive evidence (D1).
			ev.Status = HostUnknown
			ev.Notes = append(ev.Notes, "mochawesome report has no passed tests")
		default:
			ev.Status = HostPass
		}
		out = append(out, ev)
	}
	return out, nil
}

// mawBufs holds the buffers data-raw is unescaped into: every decoded
// string is a copy, so a buffer is free again once the report is decoded.
var mawBufs = sync.Pool{New: func() any { return new([]byte) }}

// decodeMawReportRaw unescapes data-raw into a pooled buffer and decodes it.
func decodeMawReportRaw(raw []byte) (mawReport, error) {
	if bytes.IndexByte(raw, '&') < 0 {
		return decodeMawReport(raw)
	}
	buf := mawBufs.Get().(*[]byte)
	js := htmlUnescapeAppend((*buf)[:0], raw)
	rep, err := decodeMawReport(js)
	if cap(js) <= 16<<20 { // an outsized report's buffer is not kept
		*buf = js[:0]
		mawBufs.Put(buf)
	}
	return rep, err
}

// decodeMawReport decodes the data-raw JSON as decodeJSON would: by hand
// when mawScan can, else with encoding/json under the tolerant types.
func decodeMawReport(js []byte) (mawReport, error) {
	if rep, ok := mawScan(js); ok {
		return rep, nil
	}
	var rep mawReport
	if truncated, err := decodeJSON(js, &rep); err != nil {
		if truncated {
			return rep, errors.New("mochawesome: data-raw JSON is cut short")
		}
		return rep, fmt.Errorf("mochawesome: data-raw is not JSON: %s", clipText(err.Error(), 200))
	}
	return rep, nil
}

// suiteMachine names a machine from the first describe title ("<machine>
// <template>") when the root suite has no file.
func suiteMachine(s *mawSuite) string {
	if m := leadingWord(string(s.Title)); isMachineLike(m) {
		return m
	}
	for i := range s.Suites {
		if m := suiteMachine(&s.Suites[i]); m != "" {
			return m
		}
	}
	return ""
}

// suiteTitle is the first describe title of a root suite.
func suiteTitle(s *mawSuite) string {
	if t := strings.TrimSpace(string(s.Title)); t != "" {
		return t
	}
	for i := range s.Suites {
		if t := suiteTitle(&s.Suites[i]); t != "" {
			return t
		}
	}
	return ""
}

func (t *mawTally) walk(s *mawSuite) {
	for i := range s.BeforeHooks {
		t.hook(&s.BeforeHooks[i])
	}
	for i := range s.Tests {
		t.test(&s.Tests[i])
	}
	for i := range s.AfterHooks {
		t.hook(&s.AfterHooks[i])
	}
	for i := range s.Suites {
		t.walk(&s.Suites[i])
	}
}

// hook counts only a failed hook: it stops the tests after it.
func (t *mawTally) hook(h *mawTest) {
	if strings.EqualFold(strings.TrimSpace(string(h.State)), "failed") {
		t.test(h)
	}
}

func (t *mawTally) test(x *mawTest) {
	t.tests++
	switch strings.ToLower(strings.TrimSpace(string(x.State))) {
	case "passed":
		t.passes++
		return
	case "failed":
	case "pending", "skipped":
		t.pending++
		return
	default:
		return
	}
	t.failures++
	title := clipText(strings.TrimSpace(cleanText(string(x.Title))), maxFieldLen)
	if t.firstFailed == "" {
		t.firstFailed = title
	}
	if t.detailed {
		return
	}
	// Only this object's own err counts; blank text is no detail.
	msg := string(x.Err.Message)
	if strings.TrimSpace(msg) == "" {
		msg = string(x.Err.Estack)
	}
	if strings.TrimSpace(msg) == "" {
		return
	}
	t.detailed = true
	t.ev.FailedStep = title
	t.ev.Error = shortError(msg)
	t.ev.Excerpt = errorExcerpt(msg)
}
