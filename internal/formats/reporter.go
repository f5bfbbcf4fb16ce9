package formats

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// The in-house per-host reporter (docs/formats.md d): <host>-<stamp>.json in
// one of four shapes and a .txt console transcript. No public source
// exists; these bytes are the project's one reading of the operators'
// notes, written by the simulator and the synthetic runs alike.

// Reporter shapes (docs/formats.md d, 1–4).
const (
	ReporterStats    = 1 // cmcReporter 1.x: stats block
	ReporterEventLog = 2 // metadata + tests
	ReporterList     = 3 // metadata + [time, severity, message] events
	ReporterDict     = 4 // metadata + {time,type,test,message,severity} events
)

// ReporterRun is one run of a host's spec as far as it has got.
type ReporterRun struct {
	Host, Template, Build, Spec string
	Start                       time.Time // the first test's start: the file-name stamp
	End                         time.Time // the last test's end
	Tests                       []ReporterTest
	// Done is how many tests (in order, pending ones included) have ended;
	// Finished says the run has its end marker (then every test is done).
	Done     int
	Finished bool
}

// ReporterTest is one it(): pending tests carry the run's end as their
// times.
type ReporterTest struct {
	Title, State string // passed, failed, pending
	Start, End   time.Time
	DurationMS   int64
	// Command is the step's command as the transcript prints it, unset
	// when the transcript shows none; with a Message it is also a
	// dict-shaped record of a passing test.
	Command *ReporterLine
	Warning *ReporterLine // a harmless console warning (cons:warn)
	Err     *ReporterErr  // a failed test's error
}

// ReporterLine is a timed transcript line: "<Type>  <Text>" in the .txt,
// Message in a dict-shaped record.
type ReporterLine struct {
	At            time.Time
	Type          string // cy:command, cy:task, cons:warn
	Text, Message string
}

// ReporterErr is a failed test's Cypress error and how each file records
// it.
type ReporterErr struct {
	Name, Message string    // CypressError; the text without the name
	Type          string    // the failing record's type: cy:command or cy:task
	At            time.Time // the transcript's error line
	Detail        string    // the list shape's text after "<Type> error "
	Event         string    // the dict shape's message
}

// Text is the error as "Name: message".
func (e *ReporterErr) Text() string { return e.Name + ": " + e.Message }

// ReporterStamp is the file-name stamp of a run: toISOString with [:.] → -.
func ReporterStamp(t time.Time) string {
	return strings.NewReplacer(":", "-", ".", "-").Replace(ISOMS(t))
}

// ReporterBase is a run's file name without its extension.
func ReporterBase(host string, start time.Time) string { return host + "-" + ReporterStamp(start) }

// ISOMS is JavaScript's toISOString: UTC, milliseconds, Z.
func ISOMS(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// done are the tests that have ended.
func (r ReporterRun) done() []ReporterTest {
	if r.Finished {
		return r.Tests
	}
	return r.Tests[:min(max(r.Done, 0), len(r.Tests))]
}

// ReporterJSON renders the run's JSON in the given shape: compact, keys in
// sorted order, as JSON.stringify of the reporter's objects.
func ReporterJSON(r ReporterRun, shape int) []byte {
	meta := map[string]any{"host": r.Host, "start": ISOMS(r.Start), "template": r.Template, "build": r.Build, "spec": r.Spec}
	var out any
	switch shape {
	case ReporterStats:
		out = reporterStats(r)
	case ReporterEventLog:
		meta["reporter"] = "cmcReporter/2.0"
		if r.Finished {
			meta["end"] = ISOMS(r.End)
		}
		out = map[string]any{"metadata": meta, "tests": reporterEventLog(r)}
	case ReporterList:
		meta["reporter"] = "cmcReporter/3.1"
		out = map[string]any{"metadata": meta, "events": reporterList(r)}
	default:
		meta["reporter"] = "cmcReporter/3.2"
		out = map[string]any{"metadata": meta, "events": reporterDict(r)}
	}
	b, _ := MarshalJS(out)
	return b
}

// reporterStats is shape 1: counts of the tests done so far; the duration
// once the run has ended.
func reporterStats(r ReporterRun) map[string]any {
	tests := []map[string]any{}
	var passes, failures, pending int
	var dur int64
	for _, t := range r.done() {
		m := map[string]any{"title": t.Title, "state": t.State, "duration": t.DurationMS}
		switch t.State {
		case "passed":
			passes++
		case "failed":
			failures++
			if t.Err != nil {
				m["error"] = t.Err.Text()
			}
		default:
			pending++
		}
		dur += t.DurationMS
		tests = append(tests, m)
	}
	if !r.Finished {
		dur = 0
	}
	m := map[string]any{"reporter": "cmcReporter", "version": "1.4.2", "host": r.Host, "spec": r.Spec, "template": r.Template,
		"build": r.Build, "start": ISOMS(r.Start),
		"stats": map[string]any{"tests": len(tests), "passes": passes, "failures": failures, "pending": pending, "duration": dur},
		"tests": tests}
	if r.Finished {
		m["end"] = ISOMS(r.End)
	}
	return m
}

// reporterEventLog is shape 2's tests: those done, then the one running.
func reporterEventLog(r ReporterRun) []map[string]any {
	done := len(r.done())
	var tests []map[string]any
	for i, t := range r.Tests {
		if i > done || (i == done && (r.Finished || t.State == "pending")) {
			break
		}
		m := map[string]any{"index": i + 1, "title": t.Title, "state": t.State, "startedAt": nil, "endedAt": nil}
		switch {
		case i == done:
			m["state"], m["startedAt"] = "running", ISOMS(t.Start)
		case t.State != "pending":
			m["startedAt"], m["endedAt"] = ISOMS(t.Start), ISOMS(t.End)
		}
		if i < done && t.State == "failed" && t.Err != nil {
			m["error"] = map[string]any{"name": t.Err.Name, "message": t.Err.Message}
		}
		tests = append(tests, m)
	}
	return tests
}

// reporterList is shape 3's events.
func reporterList(r ReporterRun) [][]string {
	var ev [][]string
	for _, t := range r.done() {
		ev = append(ev, []string{ISOMS(t.Start), "info", "TEST START " + t.Title})
		if w := t.Warning; w != nil {
			ev = append(ev, []string{ISOMS(w.At), "warning", w.Text})
		}
		switch t.State {
		case "passed":
			ev = append(ev, []string{ISOMS(t.End), "info", "TEST PASS " + t.Title})
		case "failed":
			if e := t.Err; e != nil {
				ev = append(ev, []string{ISOMS(t.End), "error", e.Type + " error " + e.Detail})
			}
			ev = append(ev, []string{ISOMS(t.End), "error", "TEST FAIL " + t.Title})
		default:
			ev = append(ev, []string{ISOMS(t.End), "info", "TEST SKIP " + t.Title})
		}
	}
	if r.Finished {
		ev = append(ev, []string{ISOMS(r.End), "info", "run:end"})
	}
	return ev
}

// reporterDict is shape 4's events (cypress-terminal-report's record
// fields).
func reporterDict(r ReporterRun) []map[string]any {
	rec := func(at time.Time, typ string, test any, msg, sev string) map[string]any {
		return map[string]any{"time": ISOMS(at), "type": typ, "test": test, "message": msg, "severity": sev}
	}
	ev := []map[string]any{rec(r.Start, "run:start", nil, "spec "+r.Spec, "info")}
	for _, t := range r.done() {
		ev = append(ev, rec(t.Start, "test:start", t.Title, "", "info"))
		for _, l := range t.lines() {
			switch {
			case l == t.Warning:
				ev = append(ev, rec(l.At, "cons:warn", t.Title, l.Text, "warning"))
			case l.Message != "" && t.State == "passed":
				ev = append(ev, rec(l.At, l.Type, t.Title, l.Message, "info"))
			}
		}
		switch t.State {
		case "passed":
			ev = append(ev, rec(t.End, "test:end", t.Title, "passed", "success"))
		case "failed":
			if e := t.Err; e != nil {
				ev = append(ev, rec(t.End, e.Type, t.Title, e.Event, "error"))
			}
			ev = append(ev, rec(t.End, "test:end", t.Title, "", "error"))
		default:
			ev = append(ev, rec(t.End, "test:end", t.Title, "pending", "info"))
		}
	}
	if r.Finished {
		ev = append(ev, rec(r.End, "run:end", nil, "spec finished", "info"))
	}
	return ev
}

// lines are a test's command and warning in the order they happened (the
// command first at the same instant).
func (t ReporterTest) lines() []*ReporterLine {
	var ls []*ReporterLine
	for _, l := range []*ReporterLine{t.Command, t.Warning} {
		if l != nil {
			ls = append(ls, l)
		}
	}
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].At.Before(ls[j].At) })
	return ls
}

// The .txt transcript is written as the run goes: the header, each test's
// lines when it ends, then the finished line. Appending the pieces in
// order gives the file.

// ReporterTXTHeader is the transcript's opening.
func ReporterTXTHeader(r ReporterRun) string {
	return fmt.Sprintf("=== cmcReporter console transcript ===\nhost: %s\ntemplate: %s\nbuild: %s\nstarted: %s\nspec: %s\n\n",
		r.Host, r.Template, r.Build, ISOMS(r.Start), r.Spec)
}

func txtLine(at time.Time, text string) string { return "[" + ISOMS(at) + "] " + text + "\n" }

// ReporterTXTTest is a test's lines, written when it ends.
func ReporterTXTTest(t ReporterTest) string {
	var b strings.Builder
	b.WriteString(txtLine(t.Start, "TEST START "+t.Title))
	for _, l := range t.lines() {
		b.WriteString(txtLine(l.At, "  "+l.Type+"  "+l.Text))
	}
	switch t.State {
	case "passed":
		b.WriteString(txtLine(t.End, "TEST PASS  "+t.Title))
	case "failed":
		e := t.Err
		if e == nil {
			e = &ReporterErr{Name: "Error", Type: "cy:command", At: t.End}
		}
		b.WriteString(txtLine(e.At, "  "+e.Type+" error  "+firstLine(e.Message)))
		b.WriteString(txtLine(t.End, "TEST FAIL  "+t.Title))
		for _, l := range strings.Split(e.Text(), "\n") {
			b.WriteString("      " + l + "\n")
		}
	default:
		b.WriteString(txtLine(t.End, "TEST SKIP  "+t.Title))
	}
	return b.String()
}

// ReporterTXTFinished is the end marker with the run's counts.
func ReporterTXTFinished(r ReporterRun) string {
	var passed, failed, pending int
	for _, t := range r.Tests {
		switch t.State {
		case "passed":
			passed++
		case "failed":
			failed++
		default:
			pending++
		}
	}
	return fmt.Sprintf("=== finished %s: %d passed, %d failed, %d pending ===\n", ISOMS(r.End), passed, failed, pending)
}

// ReporterTXT is the transcript as it stands: the tests done, and the end
// marker once finished.
func ReporterTXT(r ReporterRun) []byte {
	var b strings.Builder
	b.WriteString(ReporterTXTHeader(r))
	for _, t := range r.done() {
		b.WriteString(ReporterTXTTest(t))
	}
	if r.Finished {
		b.WriteString(ReporterTXTFinished(r))
	}
	return []byte(b.String())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
