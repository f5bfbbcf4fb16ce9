package controller

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLaunch_P15_Order(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.scenario(t, "runner", map[string]any{"seconds": 0.5})
			spec := e.spec("e2e-p15", "atvm9-debian12.5", "atvm71-redhat9.1")
			res, err := e.c.Launch(ctxT(t), spec)
			if err != nil {
				t.Fatalf("launch: %v", err)
			}
			e.stopAfter(t, res.Run)
			want := []string{StepClock, StepConfig, StepTemplate, StepTemplate, StepVerify, StepRunner}
			if got := e.events.steps(); !reflect.DeepEqual(got, want) {
				t.Fatalf("events %v, want %v", got, want)
			}
			// the template ran, and finished, before the runner started
			a := e.audit(t)
			if len(a) < 1 || a[0].Prog != "template" {
				t.Fatalf("audit %+v: want the template first", a)
			}
			if a[0].Cwd != e.root {
				t.Errorf("template ran in %s, want the ATVM root %s", a[0].Cwd, e.root)
			}
			if res.Run.RunnerPID <= 1 || res.Run.Start.IsZero() {
				t.Fatalf("run ref %+v: want a runner pid and a controller start time", res.Run)
			}
			if !reflect.DeepEqual(res.Scope.VMs, []string{"atvm71-redhat9.1", "atvm9-debian12.5"}) {
				t.Errorf("scope VMs %v", res.Scope.VMs)
			}
			if len(res.Scope.Specs) != 2 || !strings.Contains(string(res.Scope.Specs[filepath.Join(e.root, "cypress/e2e/generated/atvm9-debian12.5.ts")]), "1. Verifying set up") {
				t.Errorf("scope specs not kept: %v", res.Scope.Specs)
			}
			launchLog, err := os.ReadFile(filepath.Join(e.tmp, "e2e-p15-"+tg.name+".launch.log"))
			if err != nil || !strings.Contains(string(launchLog), "generated 2 specs") {
				t.Errorf("launch log %q, %v: want the template's output", launchLog, err)
			}
			exitFile := filepath.Join(e.tmp, "e2e-p15-"+tg.name+".exit")
			e.waitFor(t, "the runner's exit-code file", 30*time.Second, func() bool {
				b, err := os.ReadFile(exitFile)
				return err == nil && strings.TrimSpace(string(b)) == "0"
			})
			runLog, _ := os.ReadFile(filepath.Join(e.tmp, "e2e-p15-"+tg.name+".log"))
			if !strings.Contains(string(runLog), "🏁 Recorded Run:") || !strings.Contains(string(runLog), "Extracted specPattern:") {
				t.Errorf("runner log lacks the runner's output: %q", runLog)
			}
		})
	}
}

func TestLaunch_P5_MissingConfigStops(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			// an alternative config is present: it must not be used (P5)
			e.writeFile(t, "cypress.atvm-config.ts", "export default {};\n")
			e.chown(t)
			spec := e.spec("e2e-p5", "atvm9-debian12.5")
			spec.ConfigFile = "cypress.atvm-config-special.ts"
			_, err := e.c.Launch(ctxT(t), spec)
			var le *LaunchError
			if !errors.As(err, &le) || le.Step != StepConfig {
				t.Fatalf("err %v: want a LaunchError at the config step", err)
			}
			if want := filepath.Join(e.root, "cypress.atvm-config-special.ts"); !strings.Contains(le.Reason, want) {
				t.Errorf("reason %q does not name %s", le.Reason, want)
			}
			if a := e.audit(t); len(a) != 0 {
				t.Errorf("something ran after the refusal: %+v", a)
			}
			if _, err := os.Stat(filepath.Join(e.tmp, "e2e-p5-"+tg.name+".log")); !os.IsNotExist(err) {
				t.Errorf("runner log exists: %v", err)
			}
			if got := e.events.steps(); !reflect.DeepEqual(got, []string{StepClock, StepConfig + "!"}) {
				t.Errorf("events %v", got)
			}
		})
	}
}

func TestLaunch_P15_TemplateFailureStopsWithTail(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.scenario(t, "template", map[string]any{"mode": "fail"})
			_, err := e.c.Launch(ctxT(t), e.spec("e2e-tplfail", "atvm9-debian12.5"))
			var le *LaunchError
			if !errors.As(err, &le) || le.Step != StepTemplate {
				t.Fatalf("err %v: want a LaunchError at the template step", err)
			}
			if !strings.Contains(le.LogTail, "KeyError: 'atvm999-nosuch1.0' not in VM inventory") || !strings.Contains(le.LogTail, "ERROR: template generation failed") {
				t.Errorf("log tail %q lacks the template's error", le.LogTail)
			}
			if !strings.Contains(le.Reason, "exited 3") || !strings.Contains(le.Reason, ".launch.log") {
				t.Errorf("reason %q", le.Reason)
			}
			for _, a := range e.audit(t) {
				if a.Prog == "runner" {
					t.Fatal("the runner started after a failed template step")
				}
			}
			if got := e.events.steps(); !reflect.DeepEqual(got, []string{StepClock, StepConfig, StepTemplate, StepTemplate + "!"}) {
				t.Errorf("events %v", got)
			}
		})
	}
}

func TestLaunch_P16_SpecPatternMismatch(t *testing.T) {
	cases := []struct {
		name        string
		scenario    map[string]any
		broad       bool
		wantMissing []string
		wantExtra   []string
		wantReason  string
	}{
		{"requested VM left out of specPattern", map[string]any{"mode": "omit", "vm": "atvm71-redhat9.1"}, false,
			[]string{"atvm71-redhat9.1"}, nil, "requested atvm71-redhat9.1 is not in specPattern (though its generated spec exists)"},
		{"unrequested VM in specPattern", map[string]any{"mode": "extra", "vm": "atvm5-ubuntu22.04"}, false,
			nil, []string{"atvm5-ubuntu22.04"}, "atvm5-ubuntu22.04 is in specPattern but was not requested"},
		{"nothing regenerated", map[string]any{"mode": "stale"}, false,
			nil, nil, "was not rewritten by the template step"},
		{"broad selector chose a blacklisted VM", map[string]any{"mode": "extra", "vm": "atvm144-suse15.0"}, true,
			nil, []string{"atvm144-suse15.0"}, "atvm144-suse15.0 is blacklisted but in specPattern"},
	}
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					e := newEnv(t, tg)
					e.scenario(t, "template", tc.scenario)
					spec := e.spec("e2e-p16", "atvm9-debian12.5", "atvm71-redhat9.1")
					if tc.broad {
						e.scenario(t, "template", map[string]any{"mode": "extra", "vm": "atvm144-suse15.0", "inventory": []string{"atvm9-debian12.5"}})
						spec.TemplateArgv = []string{"python3", "./cmc-templates.py", "--template_name", "cmc-e2e", "--config_file", "cypress.atvm-config-gold.ts", "--containsVm", "debian"}
						spec.RequestedVMs, spec.BroadSelector = nil, true
						spec.Blacklist = []string{"atvm144-suse15.0", "atvm6-centos6.0"}
					}
					_, err := e.c.Launch(ctxT(t), spec)
					var le *LaunchError
					if !errors.As(err, &le) || le.Step != StepVerify {
						t.Fatalf("err %v: want a LaunchError at verification", err)
					}
					if !strings.Contains(le.Reason, tc.wantReason) {
						t.Errorf("reason %q lacks %q", le.Reason, tc.wantReason)
					}
					if tc.wantMissing != nil && !reflect.DeepEqual(le.Missing, tc.wantMissing) {
						t.Errorf("missing %v want %v", le.Missing, tc.wantMissing)
					}
					if tc.wantExtra != nil && !reflect.DeepEqual(le.Extra, tc.wantExtra) {
						t.Errorf("extra %v want %v", le.Extra, tc.wantExtra)
					}
					for _, a := range e.audit(t) {
						if a.Prog == "runner" {
							t.Fatal("the runner started after a failed verification")
						}
					}
				})
			}
		})
	}
}

func TestLaunch_P16_BroadSelectorScopeIsWhatTheTemplateChose(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.scenario(t, "template", map[string]any{"inventory": []string{"atvm9-debian12.5", "atvm113-debian9.0.0", "atvm71-redhat9.1", "atvm10-debian11.9"}})
			spec := e.spec("e2e-broad")
			spec.TemplateArgv = []string{"python3", "./cmc-templates.py", "--template_name", "cmc-e2e", "--config_file", "cypress.atvm-config-gold.ts",
				"--containsVm", "debian", "--exclude_partial_match", "atvm113-debian9.0.0"}
			spec.RequestedVMs, spec.BroadSelector, spec.Blacklist = nil, true, []string{"atvm113-debian9.0.0"}
			e.scenario(t, "runner", map[string]any{"seconds": 0.2})
			res, err := e.c.Launch(ctxT(t), spec)
			if err != nil {
				t.Fatal(err)
			}
			e.stopAfter(t, res.Run)
			if want := []string{"atvm10-debian11.9", "atvm9-debian12.5"}; !reflect.DeepEqual(res.Scope.VMs, want) {
				t.Errorf("scope %v want %v", res.Scope.VMs, want)
			}
		})
	}
}

func TestLaunch_P17_ExactTemplateArgv(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.scenario(t, "runner", map[string]any{"seconds": 0.2})
			spec := e.spec("e2e-p17", "atvm9-debian12.5")
			// values a careless wrapper would mangle
			spec.TemplateArgv = append(spec.TemplateArgv, "--note", `it's "quoted" $(id) `+"`x`"+` ; rm -rf / & 🏁`, "--empty", "")
			res, err := e.c.Launch(ctxT(t), spec)
			if err != nil {
				t.Fatal(err)
			}
			e.stopAfter(t, res.Run)
			a := e.audit(t)
			if len(a) == 0 || a[0].Prog != "template" {
				t.Fatalf("audit %+v", a)
			}
			// argv[0] of the script is its path; the interpreter is not in sys.argv
			got := append([]string{"python3"}, a[0].Argv...)
			if !reflect.DeepEqual(got, spec.TemplateArgv) {
				t.Errorf("template ran with\n%q\nwant\n%q", got, spec.TemplateArgv)
			}
			want, _ := QuoteArgv(spec.TemplateArgv)
			if res.TemplateCommand != want || strings.Contains(res.TemplateCommand, "sh -c") {
				t.Errorf("template command for the report %q, want %q", res.TemplateCommand, want)
			}
			e.waitFor(t, "runner audit", 20*time.Second, func() bool {
				for _, l := range e.audit(t) {
					if l.Prog == "runner" {
						return reflect.DeepEqual(append([]string{"python3"}, l.Argv...), spec.RunnerArgv)
					}
				}
				return false
			})
		})
	}
}

func TestLaunch_DuplicateBuildRefused(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.scenario(t, "runner", map[string]any{"seconds": 60})
			spec := e.spec("e2e-dup", "atvm9-debian12.5")
			res, err := e.c.Launch(ctxT(t), spec)
			if err != nil {
				t.Fatal(err)
			}
			e.stopAfter(t, res.Run)
			_, err = e.c.Launch(ctxT(t), spec)
			if !errors.Is(err, ErrAlreadyRunning) {
				t.Fatalf("second launch: %v, want ErrAlreadyRunning", err)
			}
			n := 0
			for _, a := range e.audit(t) {
				if a.Prog == "template" {
					n++
				}
			}
			if n != 1 {
				t.Errorf("template ran %d times, want once", n)
			}
			in, err := e.c.Inspect(ctxT(t), res.Run)
			if err != nil || !in.RunnerAlive {
				t.Fatalf("the first run must be untouched: %+v %v", in, err)
			}
		})
	}
}
