package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atvm/atvmbot/simulator"
)

func TestSimulate_D20_InstallsTheDemoRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "atvm")
	code, out, errOut := runCLI(t, "simulate", "install", "--root", root, "--bin", "/opt/atvmbot/atvmbot")
	if code != 0 || !strings.Contains(out, root) {
		t.Fatalf("code %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	for _, f := range []string{"cmc-templates.py", "run-sorry-cypress.py", simulator.GoldConfig, ".atvmsim/scenario.yaml",
		".atvmsim/audit.jsonl", "cypress/e2e/generated", "cypress/results", "cypress/cmcReporter/mochawesome", "cypress/cmcReporter/logs"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	shim, _ := os.ReadFile(filepath.Join(root, "run-sorry-cypress.py"))
	if !strings.Contains(string(shim), `BIN = "/opt/atvmbot/atvmbot"`) || !strings.Contains(string(shim), `"simulate", "runner"`) {
		t.Errorf("runner shim:\n%s", shim)
	}
	// P5: only the gold config exists; a non-default one stays missing.
	if _, err := os.Stat(filepath.Join(root, "cypress.atvm-config.ts")); err == nil {
		t.Error("non-default config must not be created")
	}
	if data, _ := os.ReadFile(filepath.Join(root, ".atvmsim/scenario.yaml")); string(data) != string(simulator.DemoScenario()) {
		t.Error("installed scenario is not the embedded demo")
	}
}

func TestSimulate_D18_ScenarioFileAndErrors(t *testing.T) {
	dir := t.TempDir()
	scen := filepath.Join(dir, "s.json")
	os.WriteFile(scen, []byte(`{"inventory":["atvm1-redhat9.1"],"speed":10}`), 0o644)
	if code, _, errOut := runCLI(t, "simulate", "install", "--root", filepath.Join(dir, "r"), "--scenario", scen); code != 0 {
		t.Fatalf("json scenario: %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "r", ".atvmsim/scenario.json")); err != nil {
		t.Error("a JSON scenario is kept as .json")
	}
	os.WriteFile(scen, []byte(`{"inventory":[]}`), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"simulate", "install", "--root", filepath.Join(dir, "bad"), "--scenario", scen}, 1, "inventory is empty"},
		{[]string{"simulate", "install"}, 2, "--root is required"},
		{[]string{"simulate", "nope"}, 2, "unknown command"},
		{[]string{"simulate"}, 2, "usage"},
		{[]string{"simulate", "cypress-cloud", "run"}, 2, "started by the simulated runner"},
	} {
		code, _, errOut := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: code %d stderr %q, want %d %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}

func TestSimulate_W9_HiddenFromUsage(t *testing.T) {
	_, out, _ := runCLI(t, "help")
	if strings.Contains(out, "\n  simulate ") {
		t.Errorf("simulate is an internal command, listed in help:\n%s", out)
	}
}

func TestSimulate_R8_RenderWritesLogAndArtifacts(t *testing.T) {
	root := filepath.Join(t.TempDir(), "r")
	code, out, errOut := runCLI(t, "simulate", "render", "--root", root, "--build", "e2e-demo", "--categorize",
		"--start", "2026-05-02T13:00:00Z", "--template-args",
		"--template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --containsVm atvm --exclude_partial_match atvm144-suse15.0 --use_specified_plugin iscsi")
	if code != 0 || !strings.Contains(out, "exit 0") {
		t.Fatalf("code %d\n%s\n%s", code, out, errOut)
	}
	log, _ := os.ReadFile(filepath.Join(root, ".atvmsim/e2e-demo.log"))
	if strings.Count(string(log), "🏁 Recorded Run:") != 3 {
		t.Errorf("log has %d Recorded Run lines, want 3", strings.Count(string(log), "🏁 Recorded Run:"))
	}
	xml, _ := filepath.Glob(filepath.Join(root, "cypress/results/test-result-*.xml"))
	if len(xml) != 8 { // 5 hosts + one bookkeeping XML per group
		t.Errorf("%d JUnit files, want 8", len(xml))
	}
	if code, _, _ := runCLI(t, "simulate", "audit", "--root", root); code != 0 {
		t.Error("audit of a rendered root failed")
	}
}
