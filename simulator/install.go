package simulator

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

//go:embed testdata/demo.yaml
var demoScenario []byte

// DemoScenario is the built-in demo: a categorized run of several distro
// groups with two hosts failing one step the same way, seconds long at
// its speed.
func DemoScenario() []byte { return append([]byte(nil), demoScenario...) }

// StateDir is the simulator's own directory inside a simulated root.
const StateDir = ".atvmsim"

// Paths inside a simulated root.
const (
	TemplateScript = "cmc-templates.py"
	RunnerScript   = "run-sorry-cypress.py"
	AuditFile      = StateDir + "/audit.jsonl"
)

// shim is a python3 script that hands its invocation to the simulator. It
// keeps the script path and options as given (sys.orig_argv) for the audit,
// and names itself in argv[0] so `ps` shows the script.
const shim = `#!/usr/bin/env python3
# Simulated ATVM %s: hands over to the atvmbot controller simulator.
import json, os, sys

BIN = %s
here = os.path.dirname(os.path.abspath(__file__))
argv = list(getattr(sys, "orig_argv", ["python3"] + sys.argv))
# The interpreter by name: version managers (pyenv) replace what was typed
# with its full path.
argv[0] = os.path.basename(argv[0])
os.environ["ATVMSIM_ROOT"] = here
os.environ["ATVMSIM_ARGV"] = json.dumps(argv)
os.execv(BIN, ["python3 ./%s", "simulate", "%s"] + sys.argv[1:])
`

// Install creates a simulated ATVM root: the two python3 shims (calling bin,
// default this executable), the gold config, the artifact directories, the
// scenario and an empty audit log.
func Install(root string, scenario []byte, bin string) error {
	if _, err := ParseScenario(scenario); err != nil {
		return err
	}
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		bin = exe
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	for _, d := range []string{StateDir, "cypress/e2e/generated", "cypress/results",
		"cypress/cmcReporter/mochawesome", "cypress/cmcReporter/logs", "cypress/support"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	name := "scenario.yaml"
	if t := bytes.TrimSpace(scenario); len(t) > 0 && t[0] == '{' {
		name = "scenario.json"
	}
	os.Remove(filepath.Join(root, StateDir, "scenario.yaml"))
	os.Remove(filepath.Join(root, StateDir, "scenario.json"))
	pyBin, _ := json.Marshal(abs) // a JSON string is a valid Python literal
	files := map[string][]byte{
		filepath.Join(StateDir, name):    scenario,
		filepath.Join(StateDir, "bin"):   []byte(abs + "\n"),
		GoldConfig:                       RenderConfig(nil, Env{}),
		"currents.config.js":             []byte("module.exports = {\n  projectId: \"cdc-e2e\",\n  cloudServiceUrl: \"https://cy.currents.dev\",\n};\n"),
		"cypress/e2e/check-xml-files.ts": []byte(checkXMLSpec),
		TemplateScript:                   fmt.Appendf(nil, shim, "template generator", pyBin, TemplateScript, "template"),
		RunnerScript:                     fmt.Appendf(nil, shim, "runner", pyBin, RunnerScript, "runner"),
	}
	for rel, data := range files {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(rel, ".py") {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(root, rel), data, mode); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(filepath.Join(root, AuditFile), os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	return f.Close()
}

const checkXMLSpec = `// Bookkeeping spec run by run-sorry-cypress.py after each batch: checks the
// JUnit files were written. Its results are not machine results.
describe("check-xml-files", () => {
  it("Verify result XML files", () => {
    cy.task("checkXmlFiles", Cypress.env("vms"));
  });
});
`

// LoadScenario reads the scenario installed in a simulated root.
func LoadScenario(root string) (*Scenario, error) {
	for _, name := range []string{"scenario.yaml", "scenario.json"} {
		data, err := os.ReadFile(filepath.Join(root, StateDir, name))
		if err == nil {
			return ParseScenario(data)
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%s is not a simulated ATVM root (no %s/scenario.yaml)", root, StateDir)
}

// AuditEntry is one invocation of a shim, as the shim received it.
type AuditEntry struct {
	Time time.Time `json:"time"`
	Cwd  string    `json:"cwd"`
	Argv []string  `json:"argv"`
}

// Command is the entry's argv as one shell command line (shlex.quote rules),
// the form a plan post shows.
func (e AuditEntry) Command() string {
	parts := make([]string, len(e.Argv))
	for i, a := range e.Argv {
		parts[i] = ShellQuote(a)
	}
	return strings.Join(parts, " ")
}

var shellSafeRE = regexp.MustCompile(`^[A-Za-z0-9@%+=:,./_-]+$`)

// ShellQuote quotes a word as Python's shlex.quote does.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if shellSafeRE.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// appendAudit records an invocation with one O_APPEND write, so concurrent
// invocations never interleave within a line.
func appendAudit(root string, e AuditEntry) error {
	e.Time = e.Time.UTC()
	line, err := marshalJS(e)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(root, AuditFile), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ReadAudit returns every invocation recorded in a simulated root, oldest first.
func ReadAudit(root string) ([]AuditEntry, error) {
	f, err := os.Open(filepath.Join(root, AuditFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []AuditEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e AuditEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return out, fmt.Errorf("audit: %w", err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}
