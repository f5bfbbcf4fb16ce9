package controller

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/simulator"
)

// The launch sequence over real SSH with the controller simulator as the
// controller: its shims exec the atvmbot binary (`atvmbot simulate
// template|runner`), which writes the real formats and records every
// invocation, as received, in its audit.

var atvmbotBuild struct {
	once sync.Once
	path string
	err  error
}

// atvmbotBin builds ./cmd/atvmbot once per test process, with the flags
// the end-to-end suite uses (so the build cache serves both). It goes to a
// fixed place per checkout, replaced atomically: both logins execute it,
// and no TestMain hook is ours to remove a per-process copy.
func atvmbotBin(t *testing.T) string {
	t.Helper()
	atvmbotBuild.once.Do(func() {
		repo, err := filepath.Abs("..")
		if err != nil {
			atvmbotBuild.err = err
			return
		}
		sum := sha256.Sum256([]byte(repo))
		dir := filepath.Join(os.TempDir(), "atvmbot-ctlsim-"+hex.EncodeToString(sum[:6]))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			atvmbotBuild.err = err
			return
		}
		_ = os.Chmod(dir, 0o755)
		tmp := filepath.Join(dir, fmt.Sprintf(".atvmbot.%d", os.Getpid()))
		cmd := exec.Command("go", "build", "-trimpath", "-o", tmp, "./cmd/atvmbot")
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			atvmbotBuild.err = fmt.Errorf("go build ./cmd/atvmbot: %v\n%s", err, out)
			return
		}
		atvmbotBuild.path = filepath.Join(dir, "atvmbot")
		if err := os.Chmod(tmp, 0o755); err != nil {
			os.Remove(tmp)
			atvmbotBuild.err = err
			return
		}
		atvmbotBuild.err = os.Rename(tmp, atvmbotBuild.path)
	})
	if atvmbotBuild.err != nil {
		t.Fatal(atvmbotBuild.err)
	}
	return atvmbotBuild.path
}

var speedLine = regexp.MustCompile(`(?m)^speed: .*$`)

// simScenario is a scenario of simulator/testdata, played faster.
func simScenario(t *testing.T, name string, speed int) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "simulator", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if !speedLine.Match(data) {
		t.Fatalf("%s has no speed line", name)
	}
	return speedLine.ReplaceAll(data, []byte(fmt.Sprintf("speed: %d", speed)))
}

// newSimEnv is newEnv with the simulator installed as the controller: its
// shims replace the fake scripts, the tree stays owned by the login user.
func newSimEnv(t *testing.T, tg target, scenario []byte) *env {
	t.Helper()
	bin := atvmbotBin(t)
	e := newEnv(t, tg)
	if err := os.RemoveAll(filepath.Join(e.root, ".fake")); err != nil {
		t.Fatal(err)
	}
	if err := simulator.Install(e.root, scenario, bin); err != nil {
		t.Fatal(err)
	}
	e.chown(t)
	return e
}

func (e *env) simAudit(t *testing.T) []simulator.AuditEntry {
	t.Helper()
	a, err := simulator.ReadAudit(e.root)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *env) noRunner(t *testing.T, build string) {
	t.Helper()
	for _, a := range e.simAudit(t) {
		if len(a.Argv) > 1 && a.Argv[1] == "./"+simulator.RunnerScript {
			t.Errorf("the runner started: %v", a.Argv)
		}
	}
	if _, err := os.Stat(filepath.Join(e.tmp, build+".log")); !os.IsNotExist(err) {
		t.Errorf("runner log exists: %v", err)
	}
}

// A fast three-VM scenario: two hosts run, both pass.
const simLaunchScenario = `name: ctl-launch
description: two hosts pass, played fast
speed: 2000
inventory: [atvm71-redhat9.1, atvm9-debian12.5, atvm5-ubuntu22.04]
template: {duration_s: 20}
hosts:
  atvm71-redhat9.1: {duration_s: 700, reporter: dict}
  atvm9-debian12.5: {duration_s: 500, reporter: stats}
expect:
  plan: cmc-e2e --specify_vms atvm71-redhat9.1,atvm9-debian12.5
  build: sim-p15
  state: COMPLETED
`

func TestSim_P15_LaunchOrderWithSimulator(t *testing.T) {
	for _, tg := range sshTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			e := newSimEnv(t, tg, []byte(simLaunchScenario))
			spec := e.spec("sim-p15", "atvm71-redhat9.1", "atvm9-debian12.5")
			res, err := e.c.Launch(ctxT(t), spec)
			if err != nil {
				t.Fatalf("launch: %v", err)
			}
			e.stopAfter(t, res.Run)
			want := []string{StepClock, StepConfig, StepTemplate, StepTemplate, StepVerify, StepRunner}
			if got := e.events.steps(); !reflect.DeepEqual(got, want) {
				t.Fatalf("events %v, want %v", got, want)
			}
			// The run, fetched over SSH once the runner exits, is what the
			// scenario says: both hosts PASS.
			exitFile := filepath.Join(e.tmp, spec.Build+".exit")
			e.waitFor(t, "the runner's exit-code file", 60*time.Second, func() bool {
				b, err := os.ReadFile(exitFile)
				return err == nil && strings.TrimSpace(string(b)) == "0"
			})
			// P17: the simulator was asked to run exactly the plan's argv, in
			// the ATVM root, template first; the command kept for the report
			// is that argv, quoted, with no remote wrapper.
			a := e.simAudit(t)
			if len(a) != 2 {
				t.Fatalf("audit %+v: want the template, then the runner", a)
			}
			if !reflect.DeepEqual(a[0].Argv, spec.TemplateArgv) || !reflect.DeepEqual(a[1].Argv, spec.RunnerArgv) {
				t.Errorf("argv as received:\n%q\n%q\nwant\n%q\n%q", a[0].Argv, a[1].Argv, spec.TemplateArgv, spec.RunnerArgv)
			}
			if a[0].Cwd != e.root || a[1].Cwd != e.root {
				t.Errorf("ran in %s and %s, want the ATVM root %s", a[0].Cwd, a[1].Cwd, e.root)
			}
			if res.TemplateCommand != a[0].Command() {
				t.Errorf("template command kept %q, the simulator received %q", res.TemplateCommand, a[0].Command())
			}
			// P15: the template step finished (its config written, its output
			// in the launch log) before the runner was invoked.
			cfg, err := os.Stat(filepath.Join(e.root, simulator.GoldConfig))
			if err != nil || !cfg.ModTime().Before(a[1].Time) {
				t.Errorf("config written %v, runner invoked %v: want the template step done first (%v)", cfg.ModTime(), a[1].Time, err)
			}
			launchLog, err := os.ReadFile(res.LaunchLog)
			if err != nil || !bytes.Contains(launchLog, []byte("Done: 2 spec file(s) written")) {
				t.Errorf("launch log %q, %v: want the template's whole output", launchLog, err)
			}
			if !reflect.DeepEqual(res.Scope.VMs, []string{"atvm71-redhat9.1", "atvm9-debian12.5"}) || len(res.Scope.Specs) != 2 {
				t.Errorf("scope %v with %d specs", res.Scope.VMs, len(res.Scope.Specs))
			}
			st := e.reconstruct(t, res.Run, res.Scope, time.Minute)
			if st.State != results.RunCompleted || len(st.Hosts) != 2 {
				t.Fatalf("state %s, hosts %+v (notes %q): want COMPLETED with 2 hosts", st.State, st.Hosts, st.Notes)
			}
			for _, h := range st.Hosts {
				if h.Status != results.HostPass {
					t.Errorf("%s: %s, want PASS", h.Name, h.Status)
				}
			}
		})
	}
}

// reconstruct fetches everything of the run over SSH and rebuilds it, with
// the process table of the moment.
func (e *env) reconstruct(t *testing.T, run RunRef, scope Scope, grace time.Duration) results.Status {
	t.Helper()
	in, err := e.c.Inspect(ctxT(t), run)
	if err != nil {
		t.Fatal(err)
	}
	fr, err := e.c.Fetch(ctxT(t), run)
	if err != nil {
		t.Fatal(err)
	}
	v := newSimView(e.tmp, run.Build)
	v.apply(fr.Deltas)
	meta := results.Meta{Build: run.Build, RunStart: run.Start, Now: in.Now, Template: "cmc-e2e", RequestedVMs: scope.VMs,
		ConfigFile: simulator.GoldConfig, Processes: runnerPS(in), HungGrace: grace}
	return results.Reconstruct(meta, v.artifacts(scope.Specs, run.Start))
}

func runnerPS(in Inspection) []results.Process {
	if in.PS == nil {
		return []results.Process{}
	}
	return in.PS
}

func TestSim_P5_MissingConfigStops(t *testing.T) {
	for _, tg := range sshTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			e := newSimEnv(t, tg, []byte(simLaunchScenario))
			// another config is present: it must not be used (P5)
			e.writeFile(t, "cypress.atvm-config.ts", "export default {};\n")
			e.chown(t)
			spec := e.spec("sim-p5", "atvm71-redhat9.1")
			spec.ConfigFile = "cypress.atvm-config-special.ts"
			spec.TemplateArgv[5] = spec.ConfigFile
			_, err := e.c.Launch(ctxT(t), spec)
			var le *LaunchError
			if !errors.As(err, &le) || le.Step != StepConfig {
				t.Fatalf("err %v: want a LaunchError at the config step", err)
			}
			if want := filepath.Join(e.root, "cypress.atvm-config-special.ts"); !strings.Contains(le.Reason, want) {
				t.Errorf("reason %q does not name %s", le.Reason, want)
			}
			if a := e.simAudit(t); len(a) != 0 {
				t.Errorf("the simulator was invoked after the refusal: %+v", a)
			}
			e.noRunner(t, spec.Build)
			if got := e.events.steps(); !reflect.DeepEqual(got, []string{StepClock, StepConfig + "!"}) {
				t.Errorf("events %v", got)
			}
		})
	}
}

func TestSim_P16_SpecMismatch(t *testing.T) {
	for _, tg := range sshTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Run("specified VMs", func(t *testing.T) { specMismatchSpecified(t, tg) })
			t.Run("broad selector", func(t *testing.T) { specMismatchBroad(t, tg) })
		})
	}
}

// specMismatchSpecified: the template writes atvm88's spec but leaves it
// out of specPattern; atvm88 was asked for by name.
func specMismatchSpecified(t *testing.T, tg target) {
	e := newSimEnv(t, tg, simScenario(t, "spec-mismatch.yaml", 2000))
	spec := e.spec("sim-p16", "atvm71-redhat9.1", "atvm88-redhat8.10")
	_, err := e.c.Launch(ctxT(t), spec)
	var le *LaunchError
	if !errors.As(err, &le) || le.Step != StepVerify {
		t.Fatalf("err %v: want a LaunchError at verification", err)
	}
	if !reflect.DeepEqual(le.Missing, []string{"atvm88-redhat8.10"}) || len(le.Extra) != 0 {
		t.Errorf("missing %v, extra %v: want atvm88-redhat8.10 missing", le.Missing, le.Extra)
	}
	if want := "requested atvm88-redhat8.10 is not in specPattern (though its generated spec exists)"; !strings.Contains(le.Reason, want) {
		t.Errorf("reason %q lacks %q", le.Reason, want)
	}
	if a := e.simAudit(t); len(a) != 1 || !reflect.DeepEqual(a[0].Argv, spec.TemplateArgv) {
		t.Errorf("audit %+v: want the template step only", a)
	}
	e.noRunner(t, spec.Build)
	if got := e.events.steps(); !reflect.DeepEqual(got, []string{StepClock, StepConfig, StepTemplate, StepTemplate, StepVerify + "!"}) {
		t.Errorf("events %v", got)
	}
}

// specMismatchBroad is the scenario's own plan (cmc-e2e --containsVm
// redhat): the template chose atvm71 and atvm88, wrote both specs, and
// left atvm88 out of specPattern. D4 wants every VM the template chose in
// the scope: verification stops the launch and names atvm88.
func specMismatchBroad(t *testing.T, tg target) {
	e := newSimEnv(t, tg, simScenario(t, "spec-mismatch.yaml", 2000))
	spec := e.spec("sim-p16-broad")
	spec.TemplateArgv = []string{"python3", "./cmc-templates.py", "--template_name", "cmc-e2e", "--config_file", simulator.GoldConfig,
		"--containsVm", "redhat", "--ignore_force_shutdown", "--test_partition"}
	spec.RequestedVMs, spec.BroadSelector = nil, true
	spec.Blacklist = []string{"atvm144-suse15.0"}
	res, err := e.c.Launch(ctxT(t), spec)
	if err == nil {
		e.stopAfter(t, res.Run)
		t.Fatalf("the template chose atvm88-redhat8.10 and generated its spec, "+
			"but verification of a broad selector accepted a specPattern without it and started the runner with %v", res.Scope.VMs)
	}
	var le *LaunchError
	if !errors.As(err, &le) || le.Step != StepVerify || !strings.Contains(le.Reason, "atvm88-redhat8.10") {
		t.Fatalf("err %v: want a LaunchError at verification naming atvm88-redhat8.10", err)
	}
	e.noRunner(t, spec.Build)
}

func TestSim_P15_TemplateFailure(t *testing.T) {
	for _, tg := range sshTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			e := newSimEnv(t, tg, simScenario(t, "template-fail.yaml", 2000))
			spec := e.spec("sim-tplfail", "atvm71-redhat9.1", "atvm88-redhat8.10")
			_, err := e.c.Launch(ctxT(t), spec)
			var le *LaunchError
			if !errors.As(err, &le) || le.Step != StepTemplate {
				t.Fatalf("err %v: want a LaunchError at the template step", err)
			}
			if want := "RuntimeError: template cmc-e2e: missing datastore mapping for atvm88-redhat8.10"; !strings.Contains(le.LogTail, want) {
				t.Errorf("log tail %q lacks the template's error", le.LogTail)
			}
			if !strings.Contains(le.Reason, "exited 1") || !strings.Contains(le.Reason, spec.Build+".launch.log") {
				t.Errorf("reason %q: want the exit status and the launch log", le.Reason)
			}
			if a := e.simAudit(t); len(a) != 1 || !reflect.DeepEqual(a[0].Argv, spec.TemplateArgv) {
				t.Errorf("audit %+v: want the template step only", a)
			}
			e.noRunner(t, spec.Build)
			if got := e.events.steps(); !reflect.DeepEqual(got, []string{StepClock, StepConfig, StepTemplate, StepTemplate + "!"}) {
				t.Errorf("events %v", got)
			}
		})
	}
}
