package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The four shapes of the per-host reporter JSON (R5, docs/formats.md (d)) share
// one decoding: each shape fills the part of repDoc it has.
type repDoc struct {
	repHead
	Events []repEvent `json:"events"`
}

// repHead is every field but the events, shared by repDoc and repDocDict.
type repHead struct {
	Reporter jstr      `json:"reporter"`
	Host     jstr      `json:"host"`
	Spec     jstr      `json:"spec"`
	Build    jstr      `json:"build"`
	Start    jstr      `json:"start"`
	End      jstr      `json:"end"`
	Stats    *repStats `json:"stats"`
	Metadata *repMeta  `json:"metadata"`
	Tests    []repTest `json:"tests"`
	Results  jseen     `json:"results"` // mochawesome's JSON, not ours
}

// repDocDict is repDoc when every event is an object (shape 4, and files
// without events): the events decode in the same pass, without a second
// decode per event. Anything else fails with a type error and is decoded
// again as repDoc.
type repDocDict struct {
	repHead
	Events []repDictEvent `json:"events"`
}

type repDictEvent struct {
	Time     jstr `json:"time"`
	Type     jstr `json:"type"`
	Test     jstr `json:"test"`
	Message  jstr `json:"message"`
	Severity jstr `json:"severity"`
}

type repStats struct {
	Tests    jint `json:"tests"`
	Passes   jint `json:"passes"`
	Failures jint `json:"failures"`
	Pending  jint `json:"pending"`
	Skipped  jint `json:"skipped"`
}

type repMeta struct {
	Host     jstr `json:"host"`
	Start    jstr `json:"start"`
	End      jstr `json:"end"`
	EndedAt  jstr `json:"endedAt"`
	Build    jstr `json:"build"`
	Spec     jstr `json:"spec"`
	Reporter jstr `json:"reporter"`
}

type repTest struct {
	Title     jstr   `json:"title"`
	State     jstr   `json:"state"`
	StartedAt jstr   `json:"startedAt"`
	EndedAt   jstr   `json:"endedAt"`
	Error     repErr `json:"error"`
	Err       repErr `json:"err"`
}

// repErr is a test's error: a plain string (shape 1) or {name, message, stack}.
type repErr struct{ text string }

func (e *repErr) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		e.text = jsonText(b)
		return nil
	}
	var o struct {
		Name    jstr `json:"name"`
		Message jstr `json:"message"`
		Stack   jstr `json:"stack"`
		Estack  jstr `json:"estack"`
	}
	if _, err := decodeJSON(b, &o); err != nil {
		return nil
	}
	msg := string(o.Message)
	switch {
	case msg != "" && o.Name != "" && !strings.HasPrefix(msg, string(o.Name)):
		e.text = string(o.Name) + ": " + msg
	case msg != "":
		e.text = msg
	case o.Stack != "":
		e.text = string(o.Stack)
	default:
		e.text = string(o.Estack)
	}
	return nil
}

// repEvent is one record of shape 3 ([time, severity, message]) or shape 4
// ({time, type, test, message, severity}).
type repEvent struct {
	Time, Type, Test, Message, Severity string
	dict                                bool
}

func (ev *repEvent) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '[':
		var l []jstr
		if _, err := decodeJSON(b, &l); err != nil {
			return nil
		}
		if len(l) >= 3 {
			ev.Time, ev.Severity, ev.Message = string(l[0]), strings.ToLower(string(l[1])), string(l[2])
		}
	case '{':
		var d repDictEvent
		if _, err := decodeJSON(b, &d); err != nil {
			return nil
		}
		*ev = d.event()
	}
	return nil
}

func (d *repDictEvent) event() repEvent {
	return repEvent{Time: string(d.Time), Type: string(d.Type), Test: string(d.Test),
		Message: string(d.Message), Severity: strings.ToLower(string(d.Severity)), dict: true}
}

// decodeRepDoc decodes a reporter file as decodeJSON(data, &doc) would.
// A null event decodes as an empty dict event rather than an empty list
// one; both carry no marker and no severity, so they count the same.
func decodeRepDoc(data []byte) (doc repDoc, truncated bool, err error) {
	if doc, ok := repScan(data); ok {
		return doc, false, nil
	}
	if !repListEvents(data) {
		var d repDocDict
		if json.Unmarshal(data, &d) == nil {
			doc.repHead = d.repHead
			if d.Events != nil {
				doc.Events = make([]repEvent, len(d.Events))
				for i := range d.Events {
					doc.Events[i] = d.Events[i].event()
				}
			}
			return doc, false, nil
		}
	}
	truncated, err = decodeJSON(data, &doc)
	return doc, truncated, err
}

// repListEvents guesses, from the first "events" key, that the events are
// lists (shape 3), so the dict attempt is not made only to fail.
func repListEvents(data []byte) bool {
	i := bytes.Index(data, []byte(`"events"`))
	if i < 0 {
		return false
	}
	rest := bytes.TrimLeft(data[i+len(`"events"`):], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '[' {
		return false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	return len(rest) > 0 && rest[0] == '['
}

// repTally is what the shapes say, before classification.
type repTally struct {
	failed                        bool
	tests, passes, fails, pending int
	running                       int
	counted                       bool // some shape gave counts
	step, errText                 string
	stepSure                      bool // step named by a failed test, TEST FAIL or an error's own test
	complete                      bool
	endedAt, startedAt            *time.Time
}

// ParseReporterJSON reads one per-host cmcReporter JSON file in any of its
// four shapes (R5). FAIL on any failure sign; PASS only when the file has
// its end and is clean; otherwise RUNNING — never PASS because it exists
// (the 04-29 false PASS). A file cut mid-write gives RUNNING with a note.
func ParseReporterJSON(path string, mtime time.Time, data []byte) (Evidence, error) {
	ev := Evidence{Source: SourceReporterJSON, Path: path, ModTime: mtime}
	stampHost, stampAt, stampOK := ReporterStamp(path)
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return ev, errors.New("reporter-json: empty file")
	}
	if trimmed[0] != '{' {
		return ev, errors.New("reporter-json: not a JSON object")
	}
	doc, truncated, err := decodeRepDoc(data)
	if truncated {
		// Being written or cut off: say so, never guess a verdict.
		ev.Machine = stampHost
		if stampOK {
			ev.StartedAt = &stampAt
		}
		ev.Status = HostRunning
		ev.Notes = []string{"truncated reporter JSON"}
		return ev, nil
	}
	if err != nil {
		return ev, fmt.Errorf("reporter-json: %s", clipText(err.Error(), 200))
	}
	meta := doc.Metadata
	if meta == nil {
		meta = &repMeta{}
	}
	if doc.Stats == nil && doc.Metadata == nil && doc.Tests == nil && doc.Events == nil && doc.Host == "" {
		return ev, errors.New("reporter-json: no stats, metadata, tests or events")
	}
	if doc.Results && doc.Host == "" && doc.Metadata == nil {
		return ev, errors.New("reporter-json: a mochawesome report, not a reporter file")
	}
	ev.Machine = firstSet(string(doc.Host), string(meta.Host), stampHost)
	ev.Build = clipText(firstSet(string(doc.Build), string(meta.Build)), maxFieldLen)
	ev.Spec = clipText(firstSet(string(doc.Spec), string(meta.Spec)), maxFieldLen)
	ev.Machine = clipText(strings.TrimSpace(ev.Machine), maxFieldLen)

	var t repTally
	end := firstSet(string(doc.End), string(meta.End), string(meta.EndedAt))
	t.complete = end != ""
	t.endedAt = parseArtifactTime(end)
	t.startedAt = parseArtifactTime(firstSet(string(doc.Start), string(meta.Start)))
	t.addStats(doc.Stats)
	t.addTests(doc.Tests)
	t.addEvents(doc.Events)

	if t.startedAt == nil && stampOK {
		t.startedAt = &stampAt
	}
	ev.StartedAt, ev.EndedAt, ev.Complete = t.startedAt, t.endedAt, t.complete
	ev.Tests, ev.Passes, ev.Failures, ev.Pending = t.tests, t.passes, t.fails, t.pending
	classifyHost(&ev, t.failed, t.running, t.step, t.errText)
	return ev, nil
}

// classifyHost applies docs/formats.md (d)'s rule, the same for every reporter shape.
func classifyHost(ev *Evidence, failed bool, running int, step, errText string) {
	switch {
	case failed:
		ev.Status = HostFail
		ev.Failures = max(ev.Failures, 1)
		ev.Tests = max(ev.Tests, ev.Passes+ev.Failures+ev.Pending)
		ev.FailedStep = clipText(strings.TrimSpace(cleanText(step)), maxFieldLen)
		ev.Error = shortError(errText)
		ev.Excerpt = errorExcerpt(errText)
	case !ev.Complete:
		ev.Status = HostRunning
	case ev.Passes == 0:
		// Nothing ran (no tests, or all pending): no positive evidence (D1).
		ev.Status = HostUnknown
		ev.Notes = append(ev.Notes, "reporter file finished with no passed tests")
	case running > 0:
		ev.Status = HostUnknown
		ev.Notes = append(ev.Notes, "reporter file finished with a test still running")
	default:
		ev.Status = HostPass
	}
}

func firstSet(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func (t *repTally) addStats(s *repStats) {
	if s == nil {
		return
	}
	t.counted = true
	t.tests, t.passes, t.fails = int(s.Tests), int(s.Passes), int(s.Failures)
	t.pending = int(s.Pending) + int(s.Skipped)
	t.tests = max(t.tests, t.passes+t.fails+t.pending)
	if t.fails > 0 {
		t.failed = true
	}
}

func (t *repTally) addTests(tests []repTest) {
	var p, f, pe, r int
	for _, x := range tests {
		switch strings.ToLower(strings.TrimSpace(string(x.State))) {
		case "passed", "pass":
			p++
		case "failed", "fail":
			f++
			t.failed = true
			if !t.stepSure {
				t.step, t.stepSure = string(x.Title), true
				t.errText = firstSet(x.Error.text, x.Err.text)
			}
		case "pending", "skipped":
			pe++
		case "running":
			r++
		}
	}
	t.running += r
	if !t.counted && len(tests) > 0 {
		t.counted = true
		t.tests, t.passes, t.fails, t.pending = len(tests), p, f, pe
	}
}

// addEvents reads both event shapes. Only severity "error" (or an explicit
// TEST FAIL) is a failure: "auth error encountered" at warning is noise (R6).
func (t *repTally) addEvents(events []repEvent) {
	var p, f, pe int
	tests := map[string]bool{}
	lastStart := ""
	for _, e := range events {
		msg := strings.TrimSpace(e.Message)
		kind, title := listMarker(msg)
		if e.dict {
			kind, title = dictMarker(e, msg)
		}
		switch kind {
		case "start":
			lastStart = title
			tests[title] = true
		case "pass":
			p++
			tests[title] = true
		case "fail":
			f++
			tests[title] = true
			t.failed = true
			if !t.stepSure && title != "" {
				t.step, t.stepSure = title, true
			}
		case "skip":
			pe++
			tests[title] = true
		case "end":
			t.complete = true
			if at := parseArtifactTime(e.Time); at != nil {
				t.endedAt = at
			}
		case "begin":
			if t.startedAt == nil {
				t.startedAt = parseArtifactTime(e.Time)
			}
		}
		if e.Severity != "error" {
			continue
		}
		t.failed = true
		switch {
		case !t.stepSure && strings.TrimSpace(e.Test) != "":
			t.step, t.stepSure = e.Test, true
		case t.step == "":
			t.step = lastStart // the nearest TEST START, until a TEST FAIL says otherwise
		}
		if t.errText == "" && kind == "" && msg != "" {
			t.errText = stripLogPrefix(msg)
		}
	}
	delete(tests, "")
	if !t.counted && len(events) > 0 {
		t.counted = true
		t.passes, t.fails, t.pending = p, f, pe
		t.tests = max(len(tests), p+f+pe)
	}
}

// listMarker reads the TEST START/PASS/FAIL/SKIP lines of list-shaped events.
func listMarker(msg string) (kind, title string) {
	for _, m := range []struct{ prefix, kind string }{
		{"TEST START ", "start"}, {"TEST PASS ", "pass"}, {"TEST FAIL ", "fail"},
		{"TEST SKIP ", "skip"}, {"TEST PENDING ", "skip"},
	} {
		if strings.HasPrefix(msg, m.prefix) {
			return m.kind, strings.TrimSpace(msg[len(m.prefix):])
		}
	}
	switch {
	case strings.HasPrefix(msg, "=== finished"), strings.EqualFold(msg, "run:end"), strings.HasPrefix(msg, "RUN END"):
		return "end", ""
	case strings.HasPrefix(msg, "RUN START"), strings.EqualFold(msg, "run:start"):
		return "begin", ""
	}
	return "", ""
}

// dictMarker reads the run:/test: records of dict-shaped events.
func dictMarker(e repEvent, msg string) (kind, title string) {
	switch strings.ToLower(e.Type) {
	case "run:start":
		return "begin", ""
	case "run:end":
		return "end", ""
	case "test:start":
		return "start", e.Test
	case "test:end":
		m := strings.ToLower(msg)
		switch {
		case e.Severity == "error" || m == "failed":
			return "fail", e.Test
		case m == "pending" || m == "skipped":
			return "skip", e.Test
		case m == "passed" || e.Severity == "success":
			return "pass", e.Test
		}
		return "start", e.Test
	}
	return "", ""
}

// stripLogPrefix drops a cypress-terminal-report "cy:command error " head.
func stripLogPrefix(msg string) string {
	f := strings.SplitN(msg, " ", 3)
	if len(f) == 3 && strings.Contains(f[0], ":") && (f[1] == "error" || f[1] == "warning") {
		return strings.TrimSpace(f[2])
	}
	return msg
}
