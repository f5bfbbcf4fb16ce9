package commands

import (
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/atvm/atvmbot/config"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// testConfig is the embedded defaults with one approver.
func testConfig() *config.Config {
	c := config.Default()
	c.Approvals.Approvers = []string{"lead", "ops"}
	return &c
}

// plan parses text and builds its plan; any refusal fails the test.
func plan(t *testing.T, text string) Plan {
	t.Helper()
	return planWith(t, text, testConfig())
}

func planWith(t *testing.T, text string, cfg *config.Config) Plan {
	t.Helper()
	cmd, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	if cmd.Name != CmdPlan || cmd.Plan == nil {
		t.Fatalf("Parse(%q) = %+v, want a plan", text, cmd)
	}
	p, err := BuildPlan(*cmd.Plan, cfg)
	if err != nil {
		t.Fatalf("BuildPlan(%q): %v", text, err)
	}
	return p
}

// refusal parses and plans text and returns the refusal it must produce.
func refusal(t *testing.T, text string, cfg *config.Config) *Error {
	t.Helper()
	cmd, err := Parse(text)
	if err == nil {
		if cmd.Plan == nil {
			t.Fatalf("Parse(%q) = %+v, want a refusal", text, cmd)
		}
		var p Plan
		p, err = BuildPlan(*cmd.Plan, cfg)
		if err == nil {
			t.Fatalf("%q was accepted, want a refusal; template command: %s", text, p.TemplateCommand)
		}
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error %T %v is not a *commands.Error", text, err, err)
	}
	return e
}

// argValue returns the value after flag in argv, and whether flag is there.
func argValue(argv []string, flag string) (string, bool) {
	for i, a := range argv {
		if a == flag {
			if i+1 < len(argv) && !strings.HasPrefix(argv[i+1], "--") {
				return argv[i+1], true
			}
			return "", true
		}
	}
	return "", false
}

func countArg(argv []string, flag string) int {
	n := 0
	for _, a := range argv {
		if a == flag {
			n++
		}
	}
	return n
}

// blacklistCSV is today's list (P12) in the maintained order.
const blacklistCSV = "atvm6-centos6.0,atvm41-redhat6.0,atvm73-oracle6.0,atvm113-debian9.0.0,atvm115-debian9.1.0,atvm116-debian9.2.0,atvm156-debian9.3.0,atvm144-suse15.0"

func cfgEntry(machine, reason string) config.BlacklistEntry {
	return config.BlacklistEntry{Machine: machine, Reason: reason}
}
