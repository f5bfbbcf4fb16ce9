package synth

import (
	"fmt"
	"io"
	"path"
	"strings"
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
}

const eq100 = "===================================================================================================="

// WriteBlock writes one cypress-cloud invocation (docs/formats.md a.1).
func WriteBlock(w io.Writer, b Block) {
	if b.BuildIDLine != "" {
		fmt.Fprintln(w, b.BuildIDLine)
	}
	fmt.Fprintln(w, "Using config file: '/root/cdc-e2e-cyp-12.17.4/currents.config.js'")
	fmt.Fprintf(w, "\nDiscovered %d spec files\n", len(b.Specs))
	fmt.Fprintf(w, "Tags: false; Group: false; Parallel: false; Batch Size: %d\n", max(1, b.BatchSize))
	fmt.Fprintln(w, "Connecting to cloud orchestration service...")
	fmt.Fprintf(w, "🎥 Run URL: %s\n", b.RunURL)
	fmt.Fprintf(w, "\n%s\n\n", eq100)
	if b.BatchSize > 1 {
		for i := 0; i < len(b.Specs); i += b.BatchSize {
			batch := b.Specs[i:min(i+b.BatchSize, len(b.Specs))]
			var names []string
			for _, s := range batch {
				names = append(names, s.Path)
			}
			fmt.Fprintf(w, "Running: %s (%d/%d)\n", strings.Join(names, ", "), i+len(batch), len(b.Specs))
			if b.Running > i && b.Running <= i+len(batch) {
				WriteCypressBatch(w, batch, b.Running-i)
				return
			}
			WriteCypressBatch(w, batch, 0)
			fmt.Fprint(w, "  Reporting results and artifacts in background...  \n\n")
		}
	}
	for i, s := range b.Specs {
		if b.BatchSize > 1 {
			break
		}
		fmt.Fprintf(w, "Running: %s (%d/%d)\n", s.Path, i+1, len(b.Specs))
		if b.Running == i+1 {
			writeCypressStart(w, s)
			return
		}
		WriteCypressSpec(w, s)
		fmt.Fprint(w, "  Reporting results and artifacts in background...  \n\n")
	}
	if b.NoTable {
		return
	}
	fmt.Fprintf(w, "\n%s\n\n", eq100)
	fmt.Fprint(w, "\n  Cloud Run Finished  \n\n")
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
	fmt.Fprint(w, SummaryTable(rows, da))
	fmt.Fprintf(w, "\n🏁 Recorded Run: %s\n", b.RunURL)
	if b.DetectedAfter < 0 {
		fmt.Fprintln(w, DetectedLine)
	}
}

func box(lines []string) string {
	var b strings.Builder
	b.WriteString("  ┌" + strings.Repeat("─", 96) + "┐\n")
	for _, l := range lines {
		pad := 95 - len([]rune(l))
		if pad < 0 {
			pad = 0
		}
		b.WriteString("  │ " + l + strings.Repeat(" ", pad) + "│\n")
	}
	b.WriteString("  └" + strings.Repeat("─", 96) + "┘\n")
	return b.String()
}

func writeCypressStart(w io.Writer, s Spec) {
	writeRunStarting(w, []Spec{s})
	writeSpecStart(w, s, 1, 1)
}

func writeRunStarting(w io.Writer, specs []Spec) {
	var names []string
	for _, s := range specs {
		names = append(names, path.Base(s.Path))
	}
	searched := specs[0].Path
	if len(specs) > 1 {
		searched = path.Dir(specs[0].Path) + "/**"
	}
	fmt.Fprint(w, "Couldn't determine Mocha version\n\n"+strings.Repeat("=", 80)+"\n\n  (Run Starting)\n\n")
	fmt.Fprint(w, box([]string{"Cypress:        12.17.4", fmt.Sprintf("Specs:          %d found (%s)", len(specs), strings.Join(names, ", ")), "Searched:       /root/cdc-e2e-cyp-12.17.4/" + searched}))
}

func writeSpecStart(w io.Writer, s Spec, i, n int) {
	fmt.Fprintln(w, strings.Repeat("─", 100))
	fmt.Fprintf(w, "  Running:  %-86s(%d of %d)\n\n\n", path.Base(s.Path), i, n)
	fmt.Fprintf(w, "  %s %s\n", s.Machine, s.Template)
}

// WriteCypressSpec writes Cypress 12's own output for one spec (a.4),
// including its (Run Finished) table, which a summary parser must ignore.
func WriteCypressSpec(w io.Writer, s Spec) {
	writeCypressStart(w, s)
	writeSpecBody(w, s)
	writeRunFinished(w, []Spec{s})
}

// WriteCypressBatch writes one cypress.run() over a batch of specs: one
// (Run Starting) box, each spec's output after its own Running line, and
// one (Run Finished) box with a row per spec. running > 0 stops the output
// while spec number running (1-based) executes.
func WriteCypressBatch(w io.Writer, specs []Spec, running int) {
	writeRunStarting(w, specs)
	for i, s := range specs {
		writeSpecStart(w, s, i+1, len(specs))
		if running == i+1 {
			return
		}
		writeSpecBody(w, s)
	}
	writeRunFinished(w, specs)
}

func writeSpecBody(w io.Writer, s Spec) {
	r := s.Row()
	fail := 0
	failedTitle := ""
	for i, st := range s.Steps {
		switch st.State {
		case "passed":
			fmt.Fprintf(w, "    ✓ %s (%dms)\n", st.Title, st.DurationMS)
		case "failed":
			fail++
			failedTitle = st.Title
			fmt.Fprintf(w, "    %d) %s\n", fail, st.Title)
		default:
			fmt.Fprintf(w, "    - %s\n", st.Title)
		}
		for k := 0; k < s.Filler/max(1, len(s.Steps)) && i < len(s.Steps); k++ {
			fmt.Fprintf(w, "      cy:task  sshExec  root@10.20.30.%d dd if=/dev/urandom of=/root/tmp/iscsiDisk/file%d bs=1M count=64 conv=fsync status=none\n", k%250, k)
		}
	}
	fmt.Fprintf(w, "\n\n  %d passing (%dm)\n", r.Passing, r.DurationMS/60000)
	if r.Pending > 0 {
		fmt.Fprintf(w, "  %d pending\n", r.Pending)
	}
	if fail > 0 {
		fmt.Fprintf(w, "  %d failing\n\n", fail)
		fmt.Fprintf(w, "  1) %s %s\n       %s:\n", s.Machine, s.Template, failedTitle)
		lines := strings.Split(s.Error, "\n")
		fmt.Fprintf(w, "     %s\n", lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintln(w, l)
		}
		fmt.Fprintf(w, "      at Context.eval (webpack://cdc-e2e-cyp-12.17.4/./%s:78:11)\n", s.Path)
	}
	fmt.Fprint(w, "\n\n  (Results)\n\n")
	fmt.Fprint(w, box([]string{
		fmt.Sprintf("Tests:        %d", r.Tests), fmt.Sprintf("Passing:      %d", r.Passing),
		fmt.Sprintf("Failing:      %d", r.Failing), fmt.Sprintf("Pending:      %d", r.Pending),
		"Skipped:      0", "Screenshots:  0", "Video:        false",
		fmt.Sprintf("Duration:     %d minutes, %d seconds", r.DurationMS/60000, r.DurationMS/1000%60),
		"Spec Ran:     " + path.Base(s.Path),
	}))
}

func mmss(ms int64) string { return fmt.Sprintf("%02d:%02d", ms/60000, ms/1000%60) }

// writeRunFinished writes Cypress's own (Run Finished) box: a row per spec,
// a ├ line between rows, the totals line outside the box.
func writeRunFinished(w io.Writer, specs []Spec) {
	failed := 0
	var tot Row
	fmt.Fprint(w, "\n"+strings.Repeat("=", 80)+"\n\n  (Run Finished)\n\n")
	fmt.Fprintf(w, "       Spec                                              Tests  Passing  Failing  Pending  Skipped\n")
	fmt.Fprint(w, "  ┌"+strings.Repeat("─", 96)+"┐\n")
	for i, s := range specs {
		r := s.Row()
		marker := "✔"
		if r.Failing > 0 {
			marker = "✖"
			failed++
		}
		if i > 0 {
			fmt.Fprint(w, "  ├"+strings.Repeat("─", 96)+"┤\n")
		}
		fmt.Fprintf(w, "  │ %s  %-40s %5s %8d %8s %8s %8s %8s │\n", marker, path.Base(s.Path), mmss(r.DurationMS), r.Tests, dash(r.Passing), dash(r.Failing), dash(r.Pending), "-")
		tot.DurationMS += r.DurationMS
		tot.Tests += r.Tests
		tot.Passing += r.Passing
		tot.Failing += r.Failing
		tot.Pending += r.Pending
	}
	fmt.Fprint(w, "  └"+strings.Repeat("─", 96)+"┘\n")
	marker, verdict := "✔", "All specs passed!"
	if failed > 0 {
		marker, verdict = "✖", fmt.Sprintf("%d of %d failed (%d%%)", failed, len(specs), failed*100/len(specs))
	}
	fmt.Fprintf(w, "    %s  %-40s %5s %8d %8s %8s %8s %8s\n\n", marker, verdict, mmss(tot.DurationMS), tot.Tests, dash(tot.Passing), dash(tot.Failing), dash(tot.Pending), "-")
}
