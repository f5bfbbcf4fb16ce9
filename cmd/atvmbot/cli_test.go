package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Every subcommand answers -h and --help with its help on stdout, exit 0;
// `atvmbot help <cmd>` prints the same.
func TestCLI_HelpOnEverySubcommand(t *testing.T) {
	root := newRootCmd()
	var names []string
	for _, c := range root.Commands() {
		names = append(names, c.Name())
	}
	for _, want := range []string{"serve", "demo", "plan", "replay", "check-config", "doctor", "healthcheck", "version", "simulate"} {
		if c, _, err := root.Find([]string{want}); err != nil || c.Name() != want {
			t.Errorf("subcommand %s missing (have %v)", want, names)
		}
	}
	for _, name := range names {
		if name == "simulate" || name == "help" {
			continue // simulate hands every word to the simulator; help is help
		}
		for _, flag := range []string{"-h", "--help"} {
			code, out, errOut := runCLI(t, name, flag)
			if code != 0 || !strings.Contains(out, "Usage:\n  atvmbot "+name) || errOut != "" {
				t.Errorf("%s %s: exit %d\nstdout:\n%s\nstderr:\n%s", name, flag, code, out, errOut)
			}
		}
		code, out, _ := runCLI(t, "help", name)
		if _, h, _ := runCLI(t, name, "--help"); code != 0 || out != h {
			t.Errorf("help %s: exit %d, differs from %s --help:\n%s", name, code, name, out)
		}
	}
}

func TestCLI_TopLevel(t *testing.T) {
	old := version
	version = "v1.2.3-test"
	defer func() { version = old }()
	for _, tc := range []struct {
		args       []string
		code       int
		out, err   string // substrings of stdout, stderr
		notOut     string
		emptyError bool
	}{
		{args: nil, code: 0, out: "Available Commands:\n", notOut: "simulate", emptyError: true},
		{args: []string{"help"}, code: 0, out: "  plan ", emptyError: true},
		{args: []string{"-h"}, code: 0, out: "Usage:\n  atvmbot [command]", emptyError: true},
		{args: []string{"--version"}, code: 0, out: "atvmbot v1.2.3-test\n", emptyError: true},
		{args: []string{"-v"}, code: 0, out: "atvmbot v1.2.3-test\n", emptyError: true},
		{args: []string{"version"}, code: 0, out: "atvmbot v1.2.3-test\n", emptyError: true},
		{args: []string{"help", "plan"}, code: 0, out: "Usage:\n  atvmbot plan [--config F] [--format text|json] [--] <template>", emptyError: true},
		{args: []string{"demoo"}, code: 2, err: "unknown command \"demoo\" for \"atvmbot\"\n\nDid you mean this?\n\tdemo\n"},
		{args: []string{"replya"}, code: 2, err: "Did you mean this?\n\treplay\n"},
		{args: []string{"frobnicate"}, code: 2, err: "unknown command \"frobnicate\""},
		{args: []string{"serve", "--bogus"}, code: 2, err: "atvmbot serve: unknown flag: --bogus\nRun 'atvmbot serve --help' for usage.\n"},
		{args: []string{"version", "extra"}, code: 2, err: "unknown command \"extra\" for \"atvmbot version\""},
		{args: []string{"completion", "bash"}, code: 0, out: "bash completion", emptyError: true},
		{args: []string{"help", "repaly"}, code: 2, err: "atvmbot: unknown command \"repaly\" for \"atvmbot\"\n\nDid you mean this?\n\treplay\n"},
		{args: []string{"help", "simulate"}, code: 0, out: "Usage:\n  atvmbot simulate", emptyError: true},
		{args: []string{"simulate", "-h"}, code: 0, out: "Usage:\n  atvmbot simulate", emptyError: true},
		{args: []string{"__complete", "help", "pl"}, code: 0, out: "plan\tprint the plan"},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.err) ||
			(tc.notOut != "" && strings.Contains(out, "\n  "+tc.notOut+" ")) || (tc.emptyError && errOut != "") {
			t.Errorf("%q: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", tc.args, code, tc.code, out, errOut)
		}
	}
}

// Flags spelled the Go way (-config F), as before cobra, still work.
func TestCLI_GoStyleLongFlags(t *testing.T) {
	for _, args := range [][]string{
		{"check-config", "--offline", "--config", "../../config.example.yaml"},
		{"check-config", "-offline", "-config", "../../config.example.yaml"},
		{"check-config", "-offline", "-config=../../config.example.yaml"},
	} {
		if code, _, errOut := runCLI(t, args...); code != 0 || !strings.Contains(errOut, "config OK") {
			t.Errorf("%q: exit %d\n%s", args, code, errOut)
		}
	}
}

// atvmbot's own plan flags are only their exact spellings; every other word
// is the plan's, untouched and in order.
func TestCLI_SplitPlanArgs(t *testing.T) {
	type F = planFlag
	for _, tc := range []struct {
		args  []string
		own   []planFlag
		words []string
		help  bool
		err   string
	}{
		{args: []string{"cmc-e2e", "--containsVm", "x"}, words: []string{"cmc-e2e", "--containsVm", "x"}},
		{args: []string{"--format", "json", "cmc-e2e", "--containsVm", "x"}, own: []F{{"format", "json"}}, words: []string{"cmc-e2e", "--containsVm", "x"}},
		{args: []string{"cmc-e2e", "--containsVm", "x", "--format", "json"}, own: []F{{"format", "json"}}, words: []string{"cmc-e2e", "--containsVm", "x"}},
		{args: []string{"cmc-e2e", "--format=json", "--containsVm", "x", "--config=a.yaml"}, own: []F{{"format", "json"}, {"config", "a.yaml"}}, words: []string{"cmc-e2e", "--containsVm", "x"}},
		// /atvm spellings next to atvmbot's: the plan's.
		{args: []string{"cmc-e2e", "--config_file", "c.ts", "--config-file", "d.ts", "--Config", "e.ts", "--configs", "f", "--formats", "g", "--FORMAT", "h"},
			words: []string{"cmc-e2e", "--config_file", "c.ts", "--config-file", "d.ts", "--Config", "e.ts", "--configs", "f", "--formats", "g", "--FORMAT", "h"}},
		{args: []string{"cmc-e2e", "--config_file=c.ts", "--config", "a.yaml"}, own: []F{{"config", "a.yaml"}}, words: []string{"cmc-e2e", "--config_file=c.ts"}},
		// After "--" every word is the plan's, even atvmbot's spellings.
		{args: []string{"--format", "json", "--", "cmc-e2e", "--config", "c.ts", "--format", "x", "--", "-h"}, own: []F{{"format", "json"}},
			words: []string{"cmc-e2e", "--config", "c.ts", "--format", "x", "--", "-h"}},
		// Go spellings count before the first plan word only.
		{args: []string{"-config", "a.yaml", "-format=json", "cmc-e2e", "-format", "x"}, own: []F{{"config", "a.yaml"}, {"format", "json"}}, words: []string{"cmc-e2e", "-format", "x"}},
		{args: []string{"cmc-e2e", "-h"}, words: []string{"cmc-e2e"}, help: true},
		{args: []string{"--help"}, help: true},
		{args: []string{"cmc-e2e", "--format"}, err: "flag needs an argument: --format"},
	} {
		own, words, help, err := splitPlanArgs(tc.args)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: err %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(own, tc.own) || !reflect.DeepEqual(words, tc.words) || help != tc.help {
			t.Errorf("%q:\n own %q want %q\n words %q want %q\n help %v err %v", tc.args, own, tc.own, words, tc.words, help, err)
		}
	}
}

// The bot's flags of `plan` may come before or after the /atvm words, with
// the same plan; /atvm's --config_file is never taken for atvmbot's --config
// nor the other way round.
func TestCLI_PlanFlagOrder(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "atvmbot.yaml")
	if err := os.WriteFile(cfg, []byte("blacklist:\n  - machine: atvm9-rocky9.0\n    reason: TESTING\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	words := []string{"cmc-e2e", "--containsVm", "rocky"}
	_, want, _ := runCLI(t, append([]string{"plan", "--format", "json", "--config", cfg}, words...)...)
	if !strings.Contains(want, `"atvm9-rocky9.0"`) {
		t.Fatalf("the config's blacklist is not in the plan:\n%s", want)
	}
	for _, args := range [][]string{
		{"plan", "cmc-e2e", "--containsVm", "rocky", "--format", "json", "--config", cfg},
		{"plan", "--format=json", "cmc-e2e", "--containsVm", "rocky", "--config=" + cfg},
		{"plan", "--config", cfg, "cmc-e2e", "--format", "json", "--containsVm", "rocky"},
		{"plan", "--format", "json", "--config", cfg, "--", "cmc-e2e", "--containsVm", "rocky"},
	} {
		code, out, errOut := runCLI(t, args...)
		if code != 0 || out != want {
			t.Errorf("%q: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	for _, tc := range []struct {
		args      []string
		code      int
		out, errs string
	}{
		// /atvm's --config_file with atvmbot's --config after it: both kept.
		{[]string{"plan", "cmc-e2e", "--containsVm", "rocky", "--config_file", "cypress.atvm-config-silver.ts", "--config", cfg}, 0,
			"--config_file cypress.atvm-config-silver.ts --containsVm rocky", ""},
		// /atvm's alias --config after "--" is the plan's Cypress config.
		{[]string{"plan", "--", "cmc-e2e", "--containsVm", "rocky", "--config", "cypress.atvm-config-silver.ts"}, 0,
			"--config_file cypress.atvm-config-silver.ts --containsVm rocky", ""},
		// atvmbot's --config given a Cypress file: refused with the fix, not
		// read as YAML nor silently moved to the plan.
		{[]string{"plan", "cmc-e2e", "--containsVm", "rocky", "--config", "cypress.atvm-config-silver.ts"}, 2,
			"", "type --config_file cypress.atvm-config-silver.ts, or put the plan words after --"},
		// --format is atvmbot's only when spelled exactly.
		{[]string{"plan", "cmc-e2e", "--containsVm", "rocky", "--Format", "json"}, 2, "", "refused: "},
		{[]string{"plan", "cmc-e2e", "--containsVm", "rocky", "--format", "yaml"}, 2, "", "--format: want text or json"},
		{[]string{"plan", "cmc-e2e", "--containsVm", "rocky", "-h"}, 0, "Usage:\n  atvmbot plan", ""},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.errs) {
			t.Errorf("%q: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", tc.args, code, tc.code, out, errOut)
		}
	}
}
