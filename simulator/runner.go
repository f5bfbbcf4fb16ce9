package simulator

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atvm/atvmbot/internal/formats"
)

// The runner plays run-sorry-cypress.py: it prints "Extracted specPattern:",
// then runs one cypress-cloud child per batch (one batch, or one per distro
// group with --categorize, rewriting the config's specPattern per batch as
// the real runner does, R2), relaying the child's output into its own stdout
// (the log) and adding the "Detected 'Recorded Run'" line, then runs the
// check-xml-files.ts bookkeeping spec for the batch.

// DetectedLine is the wrapper's line after it sees a Recorded Run.
const DetectedLine = formats.WrapperDetected

// RunnerArgs are run-sorry-cypress.py's options.
type RunnerArgs struct {
	ConfigFile string
	BuildName  string
	Categorize bool
}

// batch is one cypress-cloud invocation of the run.
type batch struct {
	group   string // "" when not categorized
	buildID string // the child's --ci-build-id
	specs   []string
}

// spawnFunc starts a cypress-cloud child for an invocation and returns its
// output and a wait function.
type spawnFunc func(ctx context.Context, inv invocation, key string) (io.ReadCloser, func() error, error)

// runner is one run of the wrapper.
type runner struct {
	root, displayRoot string
	sc                *Scenario
	args              RunnerArgs
	clock             clock
	out               io.Writer // the log; io.Discard when no_consolidated_log
	spawn             spawnFunc
	start             time.Time
	loc               *time.Location                  // the controller's zone for wall times; nil = local
	hang              func(ctx context.Context) error // how the runner lingers (hang_at_end)
}

// errHung is returned when a run ended in a hang that was then stopped.
var errHung = errors.New("runner hung after the last Recorded Run and was stopped")

// batches splits the scope into the run's invocations.
func (r *runner) batches(specs []string) []batch {
	if !r.args.Categorize {
		return []batch{{buildID: r.args.BuildName, specs: specs}}
	}
	order := append([]string(nil), r.sc.Run.Groups...)
	byGroup := map[string][]string{}
	for _, s := range specs {
		g := r.sc.GroupOf(specVM(s))
		if _, ok := byGroup[g]; !ok && !contains(order, g) {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], s)
	}
	var out []batch
	for _, g := range order {
		if len(byGroup[g]) == 0 {
			continue
		}
		label := g
		if l, ok := r.sc.Run.GroupLabels[g]; ok {
			label = l // R10: a child build id that does not match its hosts
		}
		out = append(out, batch{group: g, buildID: r.args.BuildName + "-" + label, specs: byGroup[g]})
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// run plays the whole run and returns the exit code.
func (r *runner) run(ctx context.Context) (int, error) {
	cfgPath := filepath.Join(r.root, r.args.ConfigFile)
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		fmt.Fprintf(r.out, "Error: config file not found: %s\n", r.args.ConfigFile)
		return 1, nil
	}
	specs, err := ParseSpecPattern(cfg)
	if err != nil {
		fmt.Fprintf(r.out, "Error: could not extract specPattern from %s: %v\n", r.args.ConfigFile, err)
		return 1, nil
	}
	t := r.start
	io.WriteString(r.out, formats.WrapperExtracted(specs))
	fmt.Fprintf(r.out, "Run started: %s\n", wallTime(t, r.loc))
	if len(specs) == 0 {
		fmt.Fprintln(r.out, "Error: specPattern is empty, nothing to run")
		return 1, nil
	}
	bs := r.batches(specs)
	for k, b := range bs {
		if r.args.Categorize {
			next, err := ReplaceSpecPattern(cfg, b.specs)
			if err != nil {
				return 1, err
			}
			if err := writeAtomic(cfgPath, next); err != nil {
				return 1, err
			}
			// No group name here: the child build id is all the log says (R10).
			fmt.Fprintf(r.out, "Running categorized batch %d/%d (%d specs), ci-build-id %s\n", k+1, len(bs), len(b.specs), b.buildID)
		}
		inv := invocation{root: r.root, displayRoot: r.displayRoot, sc: r.sc, configFile: r.args.ConfigFile, buildID: b.buildID, start: t}
		plan, err := planInvocation(inv)
		if err != nil {
			return 1, err
		}
		key := nz(r.sc.Run.RecordKey, "sim0recordkey0f3c9a2d7e1b")
		out, wait, err := r.spawn(ctx, inv, key)
		if err != nil {
			return 1, err
		}
		last := k == len(bs)-1
		if err := r.relay(out, r.sc.Run.LateRow); err != nil {
			return 1, err
		}
		if last && r.sc.Run.HangAtEnd {
			// The child has exited; the parent never waits for it, so it stays
			// defunct, and the runner lingers until it is stopped (W4).
			return 143, r.hang(ctx)
		}
		if err := wait(); err != nil && ctx.Err() == nil {
			return 1, fmt.Errorf("cypress-cloud: %w", err)
		}
		if ctx.Err() != nil {
			return 143, ctx.Err()
		}
		t = plan.end
		vms := make([]string, len(b.specs))
		for i, s := range b.specs {
			vms[i] = specVM(s)
		}
		checkDur := secs(r.sc.Run.CheckXMLS, 12)
		acts := []action{
			{at: t.Add(2 * time.Second), out: "Running check-xml-files.ts for " + b.buildID + "\n" + checkXMLOutput(r.displayRoot, vms, checkDur.Milliseconds()-2000)},
			{at: t.Add(checkDur), do: func() error {
				x := RenderBookkeepingJUnit(vms, t.Add(2*time.Second))
				return writeAtomic(filepath.Join(r.root, "cypress/results", BookkeepingFileName(b.buildID)), x)
			}},
		}
		if err := play(ctx, r.clock, r.out, acts); err != nil {
			return 143, err
		}
		t = t.Add(checkDur)
	}
	fmt.Fprintf(r.out, "Run finished: %s\n", wallTime(t, r.loc))
	return r.sc.Run.ExitCode, nil
}

// relay copies the child's output line by line into the log, adding the
// Detected line after the 🏁 Recorded Run line, or inside the table after
// its first row when lateRow is set (a.3).
func (r *runner) relay(child io.ReadCloser, lateRow bool) error {
	defer child.Close()
	br := bufio.NewReader(child)
	detected, inTable, rows := false, false, 0
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			if lateRow && !detected && inTable && (isRowStart(line) || strings.HasPrefix(line, "  ├")) && rows > 0 {
				io.WriteString(r.out, DetectedLine+"\n")
				detected = true
			}
			if strings.HasPrefix(line, "  Cloud Run Finished") {
				inTable = true
			}
			if inTable && isRowStart(line) {
				rows++
			}
			if _, werr := io.WriteString(r.out, line); werr != nil {
				return werr
			}
			if strings.HasPrefix(line, "🏁 Recorded Run:") {
				if !detected {
					io.WriteString(r.out, DetectedLine+"\n")
				}
				detected, inTable, rows = false, false, 0
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// isRowStart reports a summary-table line that starts a row: ✔ or ✖ at rune 4.
func isRowStart(line string) bool {
	if !strings.HasPrefix(line, "  │ ") {
		return false
	}
	rest := line[len("  │ "):]
	r, _ := utf8.DecodeRuneInString(rest)
	return r == '✔' || r == '✖'
}
