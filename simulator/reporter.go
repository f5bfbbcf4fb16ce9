package simulator

import (
	"time"

	"github.com/atvm/atvmbot/internal/formats"
)

// The in-house per-host reporter (docs/formats.md d), written by the shared
// writer (internal/formats): <host>-<stamp>.json in one of four shapes, and
// a .txt console transcript. Both are written while the spec runs, so a
// live host shows as RUNNING until its end marker lands.

const authNoise = "iscsid[2210]: connection1:0 login rejected: auth error encountered, retrying (1/3)"

// ReporterStamp is the file-name stamp of a run: toISOString with [:.] → -.
func ReporterStamp(t time.Time) string { return formats.ReporterStamp(t) }

// reporterBase is the path of a host's reporter files without extension.
func (h *hostRun) reporterBase() string {
	return "cypress/cmcReporter/logs/" + h.VM + "/" + formats.ReporterBase(h.VM, h.Start)
}

// progress is how far a host's run has got: done tests have ended.
type progress struct {
	done     int  // number of tests (in order) that have ended, pending ones included
	finished bool // the run has its end
}

// reporterRun is the host's run in the shared writer's terms: a passing
// step logs its command halfway through, a failing one its error at its
// end; pending tests are skipped at the run's end.
func (h *hostRun) reporterRun(p progress) formats.ReporterRun {
	r := formats.ReporterRun{Host: h.VM, Template: h.Template, Build: h.Build, Spec: h.Spec, Start: h.Start, End: h.End,
		Done: p.done, Finished: p.finished}
	for i, t := range h.Tests {
		rt := formats.ReporterTest{Title: t.Title, State: t.State, Start: t.Start, End: t.End, DurationMS: t.DurationMS}
		if t.State == statePending {
			rt.Start, rt.End = h.End, h.End
			r.Tests = append(r.Tests, rt)
			continue
		}
		if h.B.AuthWarning && i == min(1, len(h.Tests)-1) {
			rt.Warning = &formats.ReporterLine{At: t.Start.Add(3 * time.Second), Type: "cons:warn", Text: authNoise}
		}
		typ, name, arg := h.stepCommand(t)
		if t.State == stateFailed {
			rt.Err = &formats.ReporterErr{Name: t.Err.Name, Message: t.Err.Message, Type: typ, At: t.End,
				Detail: firstLine(t.Err.Message), Event: h.eventMessage(t)}
		} else {
			rt.Command = &formats.ReporterLine{At: t.Start.Add(time.Duration(t.DurationMS/2) * time.Millisecond), Type: typ,
				Text: name + "  " + arg, Message: h.eventMessage(t)}
		}
		r.Tests = append(r.Tests, rt)
	}
	return r
}

// RenderReporterJSON writes the host's reporter JSON in its scenario shape
// as it stands at progress p.
func (h *hostRun) RenderReporterJSON(p progress) ([]byte, error) {
	shape := formats.ReporterDict
	switch h.B.Reporter {
	case ShapeStats:
		shape = formats.ReporterStats
	case ShapeEventLog:
		shape = formats.ReporterEventLog
	case ShapeList:
		shape = formats.ReporterList
	}
	return formats.ReporterJSON(h.reporterRun(p), shape), nil
}

// TXT transcript pieces: the header, then each test's lines as it ends,
// then the finished line. Appending them in order gives the file.

func (h *hostRun) txtHeader() string { return formats.ReporterTXTHeader(h.reporterRun(progress{})) }

// txtTest is the transcript of test i, written when it ends.
func (h *hostRun) txtTest(i int) string {
	return formats.ReporterTXTTest(h.reporterRun(progress{}).Tests[i])
}

func (h *hostRun) txtFinished() string { return formats.ReporterTXTFinished(h.reporterRun(progress{})) }

// RenderReporterTXT is the whole transcript of a finished run.
func (h *hostRun) RenderReporterTXT() []byte {
	return formats.ReporterTXT(h.reporterRun(progress{done: len(h.Tests), finished: true}))
}
