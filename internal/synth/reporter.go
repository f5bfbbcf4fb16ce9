package synth

import (
	"time"

	"github.com/atvm/atvmbot/internal/formats"
)

// Reporter shapes of the in-house per-host reporter (docs/formats.md d).
const (
	ShapeStats    = formats.ReporterStats
	ShapeEventLog = formats.ReporterEventLog
	ShapeList     = formats.ReporterList
	ShapeDict     = formats.ReporterDict
)

// Stamp is the reporter's file-name stamp: ISO time with : and . as -.
func Stamp(t time.Time) string { return formats.ReporterStamp(t) }

// Report describes one reporter run of a host's spec.
type Report struct {
	Spec     Spec
	Build    string // child build id in categorized runs
	Start    time.Time
	Finished bool   // false: the run was cut (no end marker)
	Noise    string // a harmless warning line (03-30 auth error)
}

// run is the report in the shared writer's terms: every step issues the
// same ssh task; a cut run stops at its first failed or pending step.
func (r Report) run() formats.ReporterRun {
	s := r.Spec
	out := formats.ReporterRun{Host: s.Machine, Template: s.Template, Build: r.Build, Spec: s.Path, Start: r.Start, Finished: r.Finished}
	t, cut := r.Start, false
	for i, st := range s.Steps {
		end := t.Add(time.Duration(st.DurationMS) * time.Millisecond)
		rt := formats.ReporterTest{Title: st.Title, State: st.State, Start: t, End: end, DurationMS: st.DurationMS,
			Command: &formats.ReporterLine{At: t.Add(120 * time.Millisecond), Type: "cy:task", Text: "sshExec  root@10.20.30.9 hostnamectl; uptime"}}
		if i == 0 && r.Noise != "" {
			rt.Warning = &formats.ReporterLine{At: t.Add(3 * time.Second), Type: "cons:warn", Text: r.Noise}
		}
		if st.State == "failed" {
			n, m := errName(s.Error)
			rt.Err = &formats.ReporterErr{Name: n, Message: m, Type: "cy:command", At: end.Add(-400 * time.Millisecond), Detail: s.Error, Event: s.Error}
		}
		if st.State != "passed" {
			cut = true
		}
		if !cut {
			out.Done = i + 1
		}
		out.Tests = append(out.Tests, rt)
		t = end
	}
	out.End = t
	return out
}

// ReporterJSON renders the host JSON in the given shape; the name is
// <host>-<stamp>.json.
func ReporterJSON(r Report, shape int) (name string, data []byte) {
	return formats.ReporterBase(r.Spec.Machine, r.Start) + ".json", formats.ReporterJSON(r.run(), shape)
}

// ReporterTXT renders the console transcript; the name is <host>-<stamp>.txt.
func ReporterTXT(r Report) (name string, data []byte) {
	return formats.ReporterBase(r.Spec.Machine, r.Start) + ".txt", formats.ReporterTXT(r.run())
}
