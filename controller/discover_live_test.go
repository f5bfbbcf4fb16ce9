package controller

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atvm/atvmbot/simulator"
)

// The test binary doubles as the controller simulator: the simulator's
// python3 shims exec it with "simulate …".
func init() {
	if len(os.Args) > 1 && os.Args[1] == "simulate" {
		os.Exit(simulator.Main(os.Args[2:], os.Stdout, os.Stderr))
	}
}

// adoptScenario is a plain cmc-e2e run of two hosts: slow enough at this
// speed (about 25 s) to be seen live, and stopped by the tests before then.
const adoptScenario = `name: adopt
description: non-categorized cmc-e2e, two hosts, one failing
speed: 40
seed: 3
inventory: [atvm71-redhat9.1, atvm5-ubuntu22.04]
template: {duration_s: 20}
hosts:
  atvm71-redhat9.1: {duration_s: 500}
  atvm5-ubuntu22.04: {duration_s: 500, outcome: fail, fail_step: 4}
expect:
  build: adopt
  state: FAILED
`

// fastScenario finishes in about a second.
var fastScenario = strings.Replace(strings.Replace(adoptScenario, "speed: 40", "speed: 5000", 1), "name: adopt", "name: fast", 1)

var simBinOnce sync.Once
var simBin, simBinErr = "", error(nil)

// installSim turns the env's ATVM root into a simulated one whose shims
// exec a copy of this test binary the login user may run.
func (e *env) installSim(t *testing.T, scenario string) {
	t.Helper()
	simBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "atvm-simbin-")
		if err != nil {
			simBinErr = err
			return
		}
		simBin = filepath.Join(dir, "atvmbot-sim")
		simBinErr = copyFile(simBin, mustExe())
		if simBinErr == nil {
			simBinErr = os.Chmod(dir, 0o755)
		}
	})
	if simBinErr != nil {
		t.Fatal(simBinErr)
	}
	if err := simulator.Install(e.root, []byte(scenario), simBin); err != nil {
		t.Fatal(err)
	}
	e.cfg.ShellHistory = filepath.Join(e.base, "history")
	e.c.Cfg = e.cfg
	if err := os.WriteFile(e.cfg.ShellHistory, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	e.chown(t)
}

func mustExe() string {
	p, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return p
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

const byHandTemplate = "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --specify_vms atvm71-redhat9.1,atvm5-ubuntu22.04 --ignore_force_shutdown --test_partition"

func byHandRunner(build string) string {
	return "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name " + build
}

// byHand does what an operator does in a shell on the controller: the
// template step, then the runner in the background with nohup, output in
// /tmp/<build>.log; the shell then exits (detach=false: the runner runs in
// the foreground and the call returns when it ends).
func (e *env) byHand(t *testing.T, build string, detach bool) {
	t.Helper()
	bg := ""
	if detach {
		bg = "&"
	}
	script := fmt.Sprintf(`cd "$1" || exit 9
%s > "$2/$3.launch.log" 2>&1 || exit 8
nohup %s > "$2/$3.log" 2>&1 < /dev/null %s
exit 0`, byHandTemplate, byHandRunner(`"$3"`), bg)
	res, err := e.c.T.Run(ctxT(t), []string{"sh", "-c", script, "byhand", e.root, e.tmp, build}, RunOpts{})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("by hand: %v exit %d: %s", err, res.ExitCode, res.Stderr)
	}
}

// exitShell appends what an operator's shell writes to its history when it
// exits.
func (e *env) exitShell(t *testing.T, lines ...string) {
	t.Helper()
	f, err := os.OpenFile(e.cfg.ShellHistory, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, l := range lines {
		fmt.Fprintf(f, "#%d\n%s\n", time.Now().Unix(), l)
	}
}

func (e *env) killGroup(t *testing.T, pid int) {
	t.Helper()
	_, _ = e.c.T.Run(context.Background(), []string{"sh", "-c", `kill -KILL "-$1" 2>/dev/null; kill -KILL "$1" 2>/dev/null; exit 0`, "kill", strconv.Itoa(pid)}, RunOpts{})
}

func TestDiscover_S2_RunStartedByHandIsFound(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.installSim(t, adoptScenario)
			build := "adopt-" + tg.name
			e.byHand(t, build, true)
			var d Discovery
			e.waitFor(t, "the runner and its cypress-cloud child", 20*time.Second, func() bool {
				var err error
				d, err = e.c.Discover(ctxT(t), false)
				return err == nil && len(d.Live) == 1 && d.Live[0].CIBuildID != ""
			})
			r := d.Live[0]
			t.Cleanup(func() { e.killGroup(t, r.RunnerPID) })
			if r.Build != build || r.Categorized || r.ConfigFile != "cypress.atvm-config-gold.ts" || r.CIBuildID != build {
				t.Errorf("live run %+v", r)
			}
			if !strings.Contains(r.RunnerCommand, "./run-sorry-cypress.py") || !strings.Contains(r.RunnerCommand, "--build_name "+build) {
				t.Errorf("runner command %q", r.RunnerCommand)
			}
			if age := d.Now.Sub(r.Start); age < 0 || age > 15*time.Second {
				t.Errorf("runner start %s is %s before the controller's now", r.Start, age)
			}
			if r.LogPath != filepath.Join(e.tmp, build+".log") {
				t.Errorf("log %s", r.LogPath)
			}
			if d.Recent != nil || !d.Busy() {
				t.Errorf("a live run leaves no historical fallback: %+v", d.Recent)
			}
			// D17: the shell has not exited: no history line, so no guess.
			if r.TemplateCommand != "" || !strings.Contains(r.HistoryNote, "writes its history only when it exits") {
				t.Errorf("template %q note %q", r.TemplateCommand, r.HistoryNote)
			}
			for _, k := range r.Children {
				if strings.Contains(k.Args, "sim0recordkey") || !strings.Contains(k.Args, "[REDACTED]") {
					t.Errorf("D17: child args %q", k.Args)
				}
			}
			// The history written when the operator's shell exits names it.
			e.exitShell(t, "cd "+e.root, byHandTemplate, byHandRunner(build)+" > "+r.LogPath+" 2>&1 &", "exit")
			d, err := e.c.Discover(ctxT(t), false)
			if err != nil || len(d.Live) != 1 {
				t.Fatalf("discover: %v %+v", err, d.Live)
			}
			if got := d.Live[0].TemplateCommand; got != byHandTemplate {
				t.Errorf("template command %q, want %q", got, byHandTemplate)
			}
			// D4: the scope is read once, from the run's own specPattern.
			r = d.Live[0]
			if len(r.SpecPattern) != 2 || r.LastActivity.IsZero() {
				t.Fatalf("live run's specPattern %q (log written %s)", r.SpecPattern, r.LastActivity)
			}
			sc, notes, err := e.c.ScopeOf(ctxT(t), r)
			if err != nil || len(notes) != 0 {
				t.Fatalf("scope: %v %q", err, notes)
			}
			if strings.Join(sc.VMs, ",") != "atvm5-ubuntu22.04,atvm71-redhat9.1" || len(sc.Specs) != 2 {
				t.Errorf("scope VMs %v, %d specs", sc.VMs, len(sc.Specs))
			}
			// The runner killed by hand is gone from the next discovery.
			e.killGroup(t, r.RunnerPID)
			e.waitFor(t, "the killed runner to leave the process table", 10*time.Second, func() bool {
				d, err := e.c.Discover(ctxT(t), true)
				return err == nil && len(d.Live) == 0
			})
		})
	}
}

func TestDiscover_S1_HistoricalFallbackPicksTheNewest(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.installSim(t, fastScenario)
			older, newer := "hist-old-"+tg.name, "hist-new-"+tg.name
			e.byHand(t, older, false)
			e.exitShell(t, byHandTemplate+" --use_specified_plugin fc", byHandRunner(older))
			time.Sleep(1100 * time.Millisecond) // distinct log mtimes
			e.byHand(t, newer, false)
			e.writeFile(t, "../tmp/unrelated.log", "apt: nothing to do\n")
			e.chown(t)
			d, err := e.c.Discover(ctxT(t), false)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Live) != 0 || d.Recent == nil {
				t.Fatalf("live %+v recent %+v", d.Live, d.Recent)
			}
			if d.Recent.Build != newer || len(d.Candidates) != 2 || d.Candidates[1].Build != older {
				t.Fatalf("recent %s, candidates %d: want %s then %s", d.Recent.Build, len(d.Candidates), newer, older)
			}
			r := d.Recent
			// D17: the history ends with the older run: no template command
			// is taken for the newer one.
			if r.TemplateCommand != "" || !strings.Contains(r.HistoryNote, "no runner command for "+newer) {
				t.Errorf("template %q note %q", r.TemplateCommand, r.HistoryNote)
			}
			if got := d.Candidates[1].TemplateCommand; got != byHandTemplate+" --use_specified_plugin fc" {
				t.Errorf("older run's template command %q", got)
			}
			if len(r.SpecPattern) != 2 || r.Start.IsZero() || r.Start.After(r.LastActivity) || r.ExitCode != nil || !r.LaunchLog {
				t.Errorf("recent %+v", r)
			}
			e.exitShell(t, byHandTemplate, byHandRunner(newer))
			d, _ = e.c.Discover(ctxT(t), false)
			if d.Recent == nil || d.Recent.TemplateCommand != byHandTemplate || !strings.Contains(d.Recent.TemplateSource, e.cfg.ShellHistory) {
				t.Errorf("after the shell exited: %+v", d.Recent)
			}
		})
	}
}
