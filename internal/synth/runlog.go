package synth

import (
	"fmt"
	"io"
	"path"

	"github.com/atvm/atvmbot/internal/formats"
)

// Step is one it(...) of a generated spec.
type Step struct {
	Title      string
	State      string // passed, failed, pending
	DurationMS int64
}

// Spec is one host's spec run.
type Spec struct {
	Path     string // cypress/e2e/generated/<vm>.ts
	Machine  string
	Template string
	Steps    []Step
	Error    string // failure message of the failed step (Name: message\n…)
	Filler   int    // extra console lines the spec prints (benchmark bulk)
	Report   string // the mochawesome HTML's absolute path, printed by MochawesomeConsole blocks
}

// Row is the spec's summary-table row.
func (s Spec) Row() Row {
	r := Row{Spec: path.Base(s.Path), Tests: len(s.Steps)}
	for _, st := range s.Steps {
		r.DurationMS += st.DurationMS
		switch st.State {
		case "passed":
			r.Passing++
		case "failed":
			r.Failing++
		default:
			r.Pending++
		}
	}
	return r
}

// Block is one cypress-cloud invocation.
type Block struct {
	RunURL        string
	BuildIDLine   string // a wrapper line naming the child build id, printed before the block
	Specs         []Spec
	Rows          []Row // table rows; nil = one per spec, in order
	DetectedAfter int   // table position of the wrapper's Detected line; -1 = after the 🏁 line
	Running       int   // >0: the log stops while spec number Running is executing
	NoTable       bool  // the log stops before the summary
	BatchSize     int   // specs per cypress.run() (cypress-cloud's --batch-size); 0 or 1 = one each
	// MochawesomeConsole doubles mocha's output as mochawesome >= 7's
	// default console reporter does (docs/formats.md a.4); off, the block
	// keeps the single spec reporter the existing scenarios were written with.
	MochawesomeConsole bool
}

const root = "/root/cdc-e2e-cyp-12.17.4"

// cypressSpec is the spec in the shared writer's terms.
func (s Spec) cypressSpec() formats.CypressSpec {
	r := s.Row()
	out := formats.CypressSpec{Path: s.Path, Title: s.Machine + " " + s.Template, DurationMS: r.DurationMS, Report: s.Report}
	per := s.Filler / max(1, len(s.Steps))
	for _, st := range s.Steps {
		t := formats.CypressTest{Title: st.Title, State: st.State, DurationMS: st.DurationMS}
		for k := 0; k < per; k++ {
			t.Console = append(t.Console, fmt.Sprintf("      cy:task  sshExec  root@10.20.30.%d dd if=/dev/urandom of=/root/tmp/iscsiDisk/file%d bs=1M count=64 conv=fsync status=none", k%250, k))
		}
		out.Tests = append(out.Tests, t)
	}
	if r.Failing > 0 {
		out.Err = &formats.CypressErr{Text: s.Error, Frames: "    at Context.eval (webpack://cdc-e2e-cyp-12.17.4/./" + s.Path + ":78:11)"}
	}
	return out
}

func cypressSpecs(specs []Spec) []formats.CypressSpec {
	out := make([]formats.CypressSpec, len(specs))
	for i, s := range specs {
		out[i] = s.cypressSpec()
	}
	return out
}

var env = formats.CypressEnv{Root: root, Version: "12.17.4"}

// WriteBlock writes one cypress-cloud invocation (docs/formats.md a.1) with
// the shared writers.
func WriteBlock(w io.Writer, b Block) {
	if b.BuildIDLine != "" {
		fmt.Fprintln(w, b.BuildIDLine)
	}
	batch := max(1, b.BatchSize)
	io.WriteString(w, formats.CloudHeader("file://"+root+"/currents.config.js", len(b.Specs), batch, b.RunURL))
	for i := 0; i < len(b.Specs); i += batch {
		specs := b.Specs[i:min(i+batch, len(b.Specs))]
		var names []string
		for _, s := range specs {
			names = append(names, s.Path)
		}
		io.WriteString(w, formats.CloudDivider+formats.CloudRunning(names, i+len(specs), len(b.Specs)))
		running := 0
		if b.Running > i && b.Running <= i+len(specs) {
			running = b.Running - i
		}
		e := env
		e.MochawesomeConsole = b.MochawesomeConsole
		io.WriteString(w, formats.CypressRun(e, cypressSpecs(specs), running))
		if running > 0 {
			return
		}
		io.WriteString(w, formats.CloudReporting)
	}
	if b.NoTable {
		return
	}
	rows := b.Rows
	if rows == nil {
		for _, s := range b.Specs {
			rows = append(rows, s.Row())
		}
	}
	da := b.DetectedAfter
	if da < 0 {
		da = len(rows) + 1 // past the end: not inside the table
	}
	io.WriteString(w, formats.CloudDivider+formats.CloudFinished(SummaryTable(rows, da), b.RunURL))
	if b.DetectedAfter < 0 {
		fmt.Fprintln(w, DetectedLine)
	}
}

// WriteCypressSpec writes Cypress 12's own output for one spec (a.4),
// including its (Run Finished) table, which a summary parser must ignore.
func WriteCypressSpec(w io.Writer, s Spec) {
	io.WriteString(w, formats.CypressRun(env, []formats.CypressSpec{s.cypressSpec()}, 0))
}

// WriteCypressBatch writes one cypress.run() over a batch of specs: one
// (Run Starting) box, each spec's output after its own Running line, and
// one (Run Finished) box with a row per spec. running > 0 stops the output
// while spec number running (1-based) executes.
func WriteCypressBatch(w io.Writer, specs []Spec, running int) {
	io.WriteString(w, formats.CypressRun(env, cypressSpecs(specs), running))
}
