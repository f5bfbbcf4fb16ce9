package simulator

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// One cypress-cloud invocation: the specs of the config's current
// specPattern, run one after the other, each writing its artifacts, then
// the Cloud Run Finished table and the 🏁 Recorded Run line.

// invocation is what a cypress-cloud child is asked to do.
type invocation struct {
	root, displayRoot string
	sc                *Scenario
	configFile        string
	buildID           string
	start             time.Time
}

// invPlan is an invocation decided: its schedule and when it ends.
type invPlan struct {
	acts  []action
	end   time.Time
	hosts []*hostRun
	url   string
}

func secs(f float64, def float64) time.Duration {
	if f <= 0 {
		f = def
	}
	return time.Duration(f * float64(time.Second))
}

// specVM is the machine of a spec path: its basename without .ts.
func specVM(spec string) string { return strings.TrimSuffix(path.Base(spec), ".ts") }

// readRunInputs reads the config's specPattern and env, as Cypress does.
func readRunInputs(root, configFile string) ([]string, Env, error) {
	cfg, err := os.ReadFile(filepath.Join(root, configFile))
	if err != nil {
		return nil, Env{}, err
	}
	specs, err := ParseSpecPattern(cfg)
	if err != nil {
		return nil, Env{}, fmt.Errorf("%s: %w", configFile, err)
	}
	return specs, ParseEnv(cfg), nil
}

// planHostFromSpec decides one host's run from its generated spec.
func planHostFromSpec(inv invocation, spec string, env Env, start time.Time) (*hostRun, error) {
	text, err := os.ReadFile(filepath.Join(inv.root, spec))
	if err != nil {
		return nil, err
	}
	vm, tpl, err := specIdentity(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec, err)
	}
	if _, ok := templateTree(tpl); !ok {
		return nil, fmt.Errorf("%s: unknown template %q", spec, tpl)
	}
	return planHost(vm, tpl, env, inv.sc.Host(vm), text, spec, inv.buildID, inv.sc.GroupOf(vm), start), nil
}

// planInvocation decides a whole invocation.
func planInvocation(inv invocation) (*invPlan, error) {
	specs, env, err := readRunInputs(inv.root, inv.configFile)
	if err != nil {
		return nil, err
	}
	p := &invPlan{url: currentsURL(inv.buildID, inv.start)}
	t := inv.start
	p.acts = append(p.acts, action{at: t, out: cloudHeader(inv.displayRoot, len(specs), p.url)})
	t = t.Add(secs(inv.sc.Run.CloudSetupS, 15))
	var rows []SpecRow
	for i, spec := range specs {
		p.acts = append(p.acts, action{at: t, out: cloudRunning(spec, i+1, len(specs))})
		jitter := time.Duration(hashN(spec, i)%1000) * time.Millisecond
		h, err := planHostFromSpec(inv, spec, env, t.Add(secs(inv.sc.Run.CypressSetupS, 20)+jitter))
		if err != nil {
			return nil, err
		}
		p.hosts = append(p.hosts, h)
		p.acts = append(p.acts, action{at: t, out: cypressSpecStart(h, inv.displayRoot)})
		p.acts = append(p.acts, hostActions(inv.root, inv.displayRoot, h)...)
		rows = append(rows, SpecRow{Spec: path.Base(spec), DurationMS: h.DurationMS, Tests: len(h.Tests),
			Passes: h.Passes, Failures: h.Failures, Pending: h.Pending})
		t = h.End.Add(3 * time.Second)
	}
	t = t.Add(5 * time.Second)
	p.acts = append(p.acts, action{at: t, out: cloudFooter(rows, p.url)})
	p.end = t
	return p, nil
}

// hostActions are a host's artifacts and log lines over its run.
func hostActions(root, displayRoot string, h *hostRun) []action {
	base := filepath.Join(root, h.reporterBase())
	shape := h.B.Reporter
	wantJSON := shape != ShapeNone && shape != ShapeTXTOnly
	wantTXT := shape != ShapeNone
	writeJSON := func(p progress) func() error {
		return func() error {
			if !wantJSON {
				return nil
			}
			b, err := h.RenderReporterJSON(p)
			if err != nil {
				return err
			}
			return writeAtomic(base+".json", b)
		}
	}
	appendTXT := func(s string) func() error {
		return func() error {
			if !wantTXT {
				return nil
			}
			return appendFile(base+".txt", s)
		}
	}
	var acts []action
	acts = append(acts, action{at: h.Start, do: chain(writeJSON(progress{}), appendTXT(h.txtHeader()))})
	for i := 0; i < len(h.Tests); i++ {
		t := h.Tests[i]
		if t.State == statePending {
			continue
		}
		done, out, txt := i+1, cypressTestLine(h, i), h.txtTest(i)
		if t.State == stateFailed {
			// Fail-fast skips the rest at once.
			for j := i + 1; j < len(h.Tests); j++ {
				out += cypressTestLine(h, j)
				txt += h.txtTest(j)
			}
			done = len(h.Tests)
		}
		acts = append(acts, action{at: t.End, do: chain(appendTXT(txt), writeJSON(progress{done: done})), out: out})
		if t.State == stateFailed {
			break
		}
	}
	var report string // the mochawesome file's name, once saved
	final := func() error {
		if !h.B.NoJUnit {
			x := h.RenderJUnit()
			if err := writeAtomic(filepath.Join(root, "cypress/results", JUnitFileName(x)), x); err != nil {
				return err
			}
		}
		if !h.B.NoMochawesome {
			html, err := h.RenderMochawesome()
			if err != nil {
				return err
			}
			if report, err = writeUnique(filepath.Join(root, "cypress/cmcReporter/mochawesome"), MochawesomeBase(h.Spec), ".html", html); err != nil {
				return err
			}
		}
		return nil
	}
	acts = append(acts, action{at: h.End, do: chain(final, writeJSON(progress{done: len(h.Tests), finished: true}), appendTXT(h.txtFinished())),
		outAfter: func() string { return cypressSpecEnd(h, displayRoot, report) + cloudReporting }})
	return acts
}

func chain(fs ...func() error) func() error {
	return func() error {
		for _, f := range fs {
			if err := f(); err != nil {
				return err
			}
		}
		return nil
	}
}
