package synth

import (
	"fmt"
	"strings"
	"time"
)

// Reporter shapes of the in-house per-host reporter (docs/formats.md d).
const (
	ShapeStats    = 1 // cmcReporter 1.x: stats block
	ShapeEventLog = 2 // metadata + tests
	ShapeList     = 3 // metadata + [time, severity, message] events
	ShapeDict     = 4 // metadata + {time,type,test,message,severity} events
)

// Stamp is the reporter's file-name stamp: ISO time with : and . as -.
func Stamp(t time.Time) string {
	return strings.NewReplacer(":", "-", ".", "-").Replace(t.UTC().Format("2006-01-02T15:04:05.000Z"))
}

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Report describes one reporter run of a host's spec.
type Report struct {
	Spec     Spec
	Build    string // child build id in categorized runs
	Start    time.Time
	Finished bool   // false: the run was cut (no end marker)
	Noise    string // a harmless warning line (03-30 auth error)
}

func (r Report) times() []time.Time {
	ts := make([]time.Time, len(r.Spec.Steps)+1)
	t := r.Start
	for i, st := range r.Spec.Steps {
		ts[i] = t
		t = t.Add(time.Duration(st.DurationMS) * time.Millisecond)
	}
	ts[len(r.Spec.Steps)] = t
	return ts
}

func (r Report) steps() []Step {
	if r.Finished {
		return r.Spec.Steps
	}
	// A cut run stops at its first failed or pending step.
	for i, st := range r.Spec.Steps {
		if st.State != "passed" {
			return r.Spec.Steps[:i]
		}
	}
	return r.Spec.Steps
}

// ReporterJSON renders the host JSON in the given shape; the name is
// <host>-<stamp>.json.
func ReporterJSON(r Report, shape int) (name string, data []byte) {
	s := r.Spec
	ts := r.times()
	meta := map[string]any{"host": s.Machine, "start": iso(r.Start), "template": s.Template, "build": r.Build, "spec": s.Path}
	var out any
	switch shape {
	case ShapeStats:
		row := s.Row()
		var tests []map[string]any
		for _, st := range r.steps() {
			t := map[string]any{"title": st.Title, "state": st.State, "duration": st.DurationMS}
			if st.State == "failed" {
				t["error"] = s.Error
			}
			tests = append(tests, t)
		}
		m := map[string]any{"reporter": "cmcReporter", "version": "1.4.2", "host": s.Machine, "spec": s.Path, "template": s.Template,
			"build": r.Build, "start": iso(r.Start),
			"stats": map[string]any{"tests": row.Tests, "passes": row.Passing, "failures": row.Failing, "pending": row.Pending, "duration": row.DurationMS},
			"tests": tests}
		if r.Finished {
			m["end"] = iso(ts[len(ts)-1])
		}
		out = m
	case ShapeEventLog:
		meta["reporter"] = "cmcReporter/2.0"
		var tests []map[string]any
		for i, st := range s.Steps {
			t := map[string]any{"index": i + 1, "title": st.Title, "state": st.State, "startedAt": nil, "endedAt": nil}
			if i >= len(r.steps()) {
				if !r.Finished {
					t["state"] = "running"
					t["startedAt"] = iso(ts[i])
					tests = append(tests, t)
					break
				}
			}
			if st.State != "pending" {
				t["startedAt"], t["endedAt"] = iso(ts[i]), iso(ts[i+1])
			}
			if st.State == "failed" {
				n, m := errName(s.Error)
				t["error"] = map[string]any{"name": n, "message": m}
			}
			tests = append(tests, t)
		}
		if r.Finished {
			meta["end"] = iso(ts[len(ts)-1])
		}
		out = map[string]any{"metadata": meta, "tests": tests}
	case ShapeList:
		meta["reporter"] = "cmcReporter/3.1"
		var ev [][]string
		for i, st := range r.steps() {
			ev = append(ev, []string{iso(ts[i]), "info", "TEST START " + st.Title})
			if i == 0 && r.Noise != "" {
				ev = append(ev, []string{iso(ts[i].Add(3 * time.Second)), "warning", r.Noise})
			}
			switch st.State {
			case "passed":
				ev = append(ev, []string{iso(ts[i+1]), "info", "TEST PASS " + st.Title})
			case "failed":
				ev = append(ev, []string{iso(ts[i+1]), "error", "cy:command error " + s.Error})
				ev = append(ev, []string{iso(ts[i+1]), "error", "TEST FAIL " + st.Title})
			default:
				ev = append(ev, []string{iso(ts[i+1]), "info", "TEST SKIP " + st.Title})
			}
		}
		if r.Finished {
			ev = append(ev, []string{iso(ts[len(ts)-1]), "info", "run:end"})
		}
		out = map[string]any{"metadata": meta, "events": ev}
	default: // ShapeDict
		meta["reporter"] = "cmcReporter/3.2"
		ev := []map[string]any{{"time": iso(r.Start), "type": "run:start", "test": nil, "message": "spec " + s.Path, "severity": "info"}}
		for i, st := range r.steps() {
			ev = append(ev, map[string]any{"time": iso(ts[i]), "type": "test:start", "test": st.Title, "message": "", "severity": "info"})
			if i == 0 && r.Noise != "" {
				ev = append(ev, map[string]any{"time": iso(ts[i].Add(3 * time.Second)), "type": "cons:warn", "test": st.Title, "message": r.Noise, "severity": "warning"})
			}
			switch st.State {
			case "passed":
				ev = append(ev, map[string]any{"time": iso(ts[i+1]), "type": "test:end", "test": st.Title, "message": "passed", "severity": "success"})
			case "failed":
				ev = append(ev, map[string]any{"time": iso(ts[i+1]), "type": "cy:command", "test": st.Title, "message": s.Error, "severity": "error"})
				ev = append(ev, map[string]any{"time": iso(ts[i+1]), "type": "test:end", "test": st.Title, "message": "", "severity": "error"})
			default:
				ev = append(ev, map[string]any{"time": iso(ts[i+1]), "type": "test:end", "test": st.Title, "message": "pending", "severity": "info"})
			}
		}
		if r.Finished {
			ev = append(ev, map[string]any{"time": iso(ts[len(ts)-1]), "type": "run:end", "test": nil, "message": "spec finished", "severity": "info"})
		}
		out = map[string]any{"metadata": meta, "events": ev}
	}
	return s.Machine + "-" + Stamp(r.Start) + ".json", compactJSON(out)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// ReporterTXT renders the console transcript; the name is <host>-<stamp>.txt.
func ReporterTXT(r Report) (name string, data []byte) {
	s := r.Spec
	ts := r.times()
	var b strings.Builder
	fmt.Fprintf(&b, "=== cmcReporter console transcript ===\nhost: %s\ntemplate: %s\nbuild: %s\nstarted: %s\nspec: %s\n\n", s.Machine, s.Template, r.Build, iso(r.Start), s.Path)
	passed, failed, pending := 0, 0, 0
	for i, st := range r.steps() {
		fmt.Fprintf(&b, "[%s] TEST START %s\n", iso(ts[i]), st.Title)
		fmt.Fprintf(&b, "[%s]   cy:task  sshExec  root@10.20.30.9 hostnamectl; uptime\n", iso(ts[i].Add(120*time.Millisecond)))
		if i == 0 && r.Noise != "" {
			fmt.Fprintf(&b, "[%s]   cons:warn  %s\n", iso(ts[i].Add(3*time.Second)), r.Noise)
		}
		switch st.State {
		case "passed":
			passed++
			fmt.Fprintf(&b, "[%s] TEST PASS  %s\n", iso(ts[i+1]), st.Title)
		case "failed":
			failed++
			n, m := errName(s.Error)
			fmt.Fprintf(&b, "[%s]   cy:command error  %s\n", iso(ts[i+1].Add(-400*time.Millisecond)), firstLine(m))
			fmt.Fprintf(&b, "[%s] TEST FAIL  %s\n", iso(ts[i+1]), st.Title)
			for _, l := range strings.Split(n+": "+m, "\n") {
				fmt.Fprintf(&b, "      %s\n", l)
			}
		default:
			pending++
			fmt.Fprintf(&b, "[%s] TEST SKIP  %s\n", iso(ts[i+1]), st.Title)
		}
	}
	if r.Finished {
		fmt.Fprintf(&b, "=== finished %s: %d passed, %d failed, %d pending ===\n", iso(ts[len(ts)-1]), passed, failed, pending)
	}
	return s.Machine + "-" + Stamp(r.Start) + ".txt", []byte(b.String())
}
