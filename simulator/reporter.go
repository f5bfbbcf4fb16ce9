package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The in-house per-host reporter (docs/formats.md d): <host>-<stamp>.json in one
// of four shapes, and a .txt console transcript. Both are written while the
// spec runs, so a live host shows as RUNNING until its end marker lands.

const authNoise = "iscsid[2210]: connection1:0 login rejected: auth error encountered, retrying (1/3)"

// ReporterStamp is the file-name stamp of a run: toISOString with [:.] → -.
func ReporterStamp(t time.Time) string {
	return strings.NewReplacer(":", "-", ".", "-").Replace(isoMS(t))
}

// reporterBase is the path of a host's reporter files without extension.
func (h *hostRun) reporterBase() string {
	return "cypress/cmcReporter/logs/" + h.VM + "/" + h.VM + "-" + ReporterStamp(h.Start)
}

// progress is how far a host's run has got: done tests have ended.
type progress struct {
	done     int  // number of tests (in order) that have ended, pending ones included
	finished bool // the run has its end
}

// event is one reporter record: the union of the list and dict shapes.
type event struct {
	at       time.Time
	typ      string // run:start, test:start, cy:command, cy:task, cons:warn, test:end, run:end
	test     string
	message  string
	severity string // info, success, warning, error
	detail   string // the Cypress error's first line, for the list shape
}

// events are the records of the tests done so far.
func (h *hostRun) events(p progress) []event {
	out := []event{{at: h.Start, typ: "run:start", message: "spec " + h.Spec, severity: "info"}}
	for i := 0; i < p.done && i < len(h.Tests); i++ {
		t := h.Tests[i]
		if t.State == statePending {
			continue
		}
		out = append(out, event{at: t.Start, typ: "test:start", test: t.Title, severity: "info"})
		typ, _, _ := h.stepCommand(t)
		mid := t.Start.Add(time.Duration(t.DurationMS/2) * time.Millisecond)
		if h.B.AuthWarning && i == min(1, len(h.Tests)-1) {
			out = append(out, event{at: t.Start.Add(3 * time.Second), typ: "cons:warn", test: t.Title, message: authNoise, severity: "warning"})
		}
		if t.State == stateFailed {
			out = append(out, event{at: t.End, typ: typ, test: t.Title, message: h.eventMessage(t), severity: "error", detail: firstLine(t.Err.Message)})
			out = append(out, event{at: t.End, typ: "test:end", test: t.Title, message: "failed", severity: "error"})
			continue
		}
		out = append(out, event{at: mid, typ: typ, test: t.Title, message: h.eventMessage(t), severity: "info"})
		out = append(out, event{at: t.End, typ: "test:end", test: t.Title, message: "passed", severity: "success"})
	}
	if p.finished {
		out = append(out, event{at: h.End, typ: "run:end", message: "spec finished", severity: "info"})
	}
	return out
}

type reporterMeta struct {
	Host     string `json:"host"`
	Start    string `json:"start"`
	End      string `json:"end,omitempty"`
	Template string `json:"template"`
	Build    string `json:"build"`
	Spec     string `json:"spec"`
	Reporter string `json:"reporter"`
}

// RenderReporterJSON writes the host's reporter JSON in its scenario shape
// as it stands at progress p.
func (h *hostRun) RenderReporterJSON(p progress) ([]byte, error) {
	meta := reporterMeta{Host: h.VM, Start: isoMS(h.Start), Template: h.Template, Build: h.Build, Spec: h.Spec}
	if p.finished {
		meta.End = isoMS(h.End)
	}
	var v any
	switch h.B.Reporter {
	case ShapeStats:
		v = h.statsShape(p)
	case ShapeEventLog:
		meta.Reporter = "cmcReporter/2.0"
		v = struct {
			Metadata reporterMeta `json:"metadata"`
			Tests    []any        `json:"tests"`
		}{meta, h.eventLogTests(p)}
	case ShapeList:
		meta.Reporter = "cmcReporter/3.1"
		var evs [][3]string
		for _, e := range h.events(p) {
			if msg := listMessage(e); msg != "" {
				evs = append(evs, [3]string{isoMS(e.at), listSeverity(e.severity), msg})
			}
		}
		v = struct {
			Metadata reporterMeta `json:"metadata"`
			Events   [][3]string  `json:"events"`
		}{meta, evs}
	default:
		meta.Reporter = "cmcReporter/3.2"
		type dictEvent struct {
			Time     string  `json:"time"`
			Type     string  `json:"type"`
			Test     *string `json:"test"`
			Message  string  `json:"message"`
			Severity string  `json:"severity"`
		}
		evs := []dictEvent{}
		for _, e := range h.events(p) {
			d := dictEvent{Time: isoMS(e.at), Type: e.typ, Message: e.message, Severity: e.severity}
			if e.test != "" {
				t := e.test
				d.Test = &t
			}
			evs = append(evs, d)
		}
		v = struct {
			Metadata reporterMeta `json:"metadata"`
			Events   []dictEvent  `json:"events"`
		}{meta, evs}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(v)
	return b.Bytes(), err
}

func listSeverity(s string) string {
	if s == "success" {
		return "info"
	}
	return s
}

// listMessage is the text of an event in the list shape: TEST START/PASS/FAIL
// lines, the failing command, warnings; "" for records that shape omits.
func listMessage(e event) string {
	switch e.typ {
	case "test:start":
		return "TEST START " + e.test
	case "test:end":
		if e.severity == "error" {
			return "TEST FAIL " + e.test
		}
		return "TEST PASS " + e.test
	case "cy:command", "cy:task":
		if e.severity == "error" {
			return e.typ + " error " + e.detail
		}
		return ""
	case "cons:warn":
		return e.message
	case "run:end":
		return "RUN END " + e.message
	}
	return ""
}

func (h *hostRun) statsShape(p progress) any {
	type test struct {
		Title    string `json:"title"`
		State    string `json:"state"`
		Duration int64  `json:"duration"`
		Error    string `json:"error,omitempty"`
	}
	type stats struct {
		Tests    int   `json:"tests"`
		Passes   int   `json:"passes"`
		Failures int   `json:"failures"`
		Pending  int   `json:"pending"`
		Duration int64 `json:"duration"`
	}
	out := struct {
		Reporter string `json:"reporter"`
		Version  string `json:"version"`
		Host     string `json:"host"`
		Spec     string `json:"spec"`
		Template string `json:"template"`
		Build    string `json:"build"`
		Start    string `json:"start"`
		End      string `json:"end,omitempty"`
		Stats    stats  `json:"stats"`
		Tests    []test `json:"tests"`
	}{Reporter: "cmcReporter", Version: "1.4.2", Host: h.VM, Spec: h.Spec, Template: h.Template, Build: h.Build,
		Start: isoMS(h.Start), Tests: []test{}}
	if p.finished {
		out.End = isoMS(h.End)
		out.Stats.Tests = len(h.Tests)
		out.Stats.Duration = h.DurationMS
	}
	for i := 0; i < p.done && i < len(h.Tests); i++ {
		t := h.Tests[i]
		tt := test{Title: t.Title, State: t.State, Duration: t.DurationMS}
		switch t.State {
		case statePassed:
			out.Stats.Passes++
		case stateFailed:
			out.Stats.Failures++
			tt.Error = t.Err.Name + ": " + t.Err.Message
		case statePending:
			out.Stats.Pending++
		}
		out.Tests = append(out.Tests, tt)
	}
	if !p.finished {
		out.Stats.Tests = len(out.Tests)
	}
	return out
}

func (h *hostRun) eventLogTests(p progress) []any {
	type errObj struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	}
	type test struct {
		Index     int     `json:"index"`
		Title     string  `json:"title"`
		State     string  `json:"state"`
		StartedAt *string `json:"startedAt"`
		EndedAt   *string `json:"endedAt"`
		Error     *errObj `json:"error,omitempty"`
	}
	out := []any{}
	for i, t := range h.Tests {
		if i > p.done || (i == p.done && (p.finished || t.State == statePending)) {
			break
		}
		tt := test{Index: i + 1, Title: t.Title, State: t.State}
		if t.State != statePending {
			s, e := isoMS(t.Start), isoMS(t.End)
			tt.StartedAt, tt.EndedAt = &s, &e
		}
		if i == p.done {
			tt.State, tt.EndedAt = "running", nil
		}
		if t.State == stateFailed && i < p.done {
			tt.Error = &errObj{Name: t.Err.Name, Message: t.Err.Message}
		}
		out = append(out, tt)
	}
	return out
}

// TXT transcript pieces: the header, then each test's lines as it ends,
// then the finished line. Appending them in order gives the file.

func (h *hostRun) txtHeader() string {
	return fmt.Sprintf("=== cmcReporter console transcript ===\nhost: %s\ntemplate: %s\nbuild: %s\nstarted: %s\nspec: %s\n\n",
		h.VM, h.Template, h.Build, isoMS(h.Start), h.Spec)
}

func txtLine(at time.Time, text string) string { return "[" + isoMS(at) + "] " + text + "\n" }

// txtTest is the transcript of test i, written when it ends.
func (h *hostRun) txtTest(i int) string {
	t := h.Tests[i]
	if t.State == statePending {
		at := h.End
		return txtLine(at, "TEST SKIP  "+t.Title)
	}
	var b strings.Builder
	b.WriteString(txtLine(t.Start, "TEST START "+t.Title))
	if h.B.AuthWarning && i == min(1, len(h.Tests)-1) {
		b.WriteString(txtLine(t.Start.Add(3*time.Second), "  cons:warn  "+authNoise))
	}
	typ, name, arg := h.stepCommand(t)
	if t.State == stateFailed {
		b.WriteString(txtLine(t.End, "  "+typ+" error  "+firstLine(t.Err.Message)))
		b.WriteString(txtLine(t.End, "TEST FAIL  "+t.Title))
		for _, l := range strings.Split(t.Err.Name+": "+t.Err.Message, "\n") {
			if l != "" {
				b.WriteString("      " + l + "\n")
			}
		}
		return b.String()
	}
	b.WriteString(txtLine(t.Start.Add(time.Duration(t.DurationMS/2)*time.Millisecond), "  "+typ+"  "+name+"  "+arg))
	b.WriteString(txtLine(t.End, "TEST PASS  "+t.Title))
	return b.String()
}

func (h *hostRun) txtFinished() string {
	return fmt.Sprintf("=== finished %s: %d passed, %d failed, %d pending ===\n", isoMS(h.End), h.Passes, h.Failures, h.Pending)
}

// RenderReporterTXT is the whole transcript of a finished run.
func (h *hostRun) RenderReporterTXT() []byte {
	var b strings.Builder
	b.WriteString(h.txtHeader())
	for i := range h.Tests {
		b.WriteString(h.txtTest(i))
	}
	b.WriteString(h.txtFinished())
	return []byte(b.String())
}
