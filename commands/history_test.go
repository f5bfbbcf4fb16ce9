package commands

import (
	"strings"
	"testing"
)

func TestParse_D28_History(t *testing.T) {
	cases := []struct {
		in       string
		host     string
		template string
		last     int
		refusal  string // part of the refusal; "" = accepted
	}{
		{in: "history atvm71-redhat9.1", host: "atvm71-redhat9.1", last: HistoryDefaultLast},
		{in: "/atvm history atvm71-redhat9.1 --template cmc-reboot --last 5", host: "atvm71-redhat9.1", template: "cmc-reboot", last: 5},
		{in: "history --last=3 atvm88-redhat8.10 --template=cmc-e2e", host: "atvm88-redhat8.10", template: "cmc-e2e", last: 3},
		{in: "history", refusal: "needs a host"},
		{in: "history atvm71-redhat9.1 atvm88-redhat8.10", refusal: "takes one host"},
		{in: "history atvm71-redhat9.1 --last 0", refusal: "1 to 50"},
		{in: "history atvm71-redhat9.1 --last 51", refusal: "1 to 50"},
		{in: "history atvm71-redhat9.1 --last many", refusal: "not a number"},
		{in: "history atvm71-redhat9.1 --last", refusal: "needs a value"},
		{in: "history atvm71-redhat9.1 --last 2 --last 3", refusal: "given twice"},
		{in: "history atvm71-redhat9.1 --templat cmc-reboot", refusal: "did you mean"},
		{in: "history atvm71-redhat9.1 --template 'cmc reboot'", refusal: "template"},
		{in: "history 'atvm71;rm -rf'", refusal: "not a machine name"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			cmd, err := Parse(c.in)
			if c.refusal != "" {
				if err == nil || !strings.Contains(err.Error(), c.refusal) {
					t.Fatalf("refusal %v, want one saying %q", err, c.refusal)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cmd.Name != CmdHistory || cmd.Machine != c.host || cmd.Template != c.template || cmd.Last != c.last {
				t.Errorf("got %+v", cmd)
			}
		})
	}
}

func TestParse_D28_FlakyAndFailures(t *testing.T) {
	cases := []struct {
		in      string
		name    string
		days    int
		refusal string
	}{
		{in: "flaky", name: CmdFlaky, days: HistoryDefaultDays},
		{in: "failures --days 30", name: CmdFailures, days: 30},
		{in: "/atvm flaky --days=7", name: CmdFlaky, days: 7},
		{in: "flaky --days 0", refusal: "1 to 365"},
		{in: "failures --days 366", refusal: "1 to 365"},
		{in: "failures --days", refusal: "needs a value"},
		{in: "flaky --day 3", refusal: "did you mean"},
		{in: "flaky atvm71-redhat9.1", refusal: "takes no word"},
		{in: "failures --days 3 --days 4", refusal: "given twice"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			cmd, err := Parse(c.in)
			if c.refusal != "" {
				if err == nil || !strings.Contains(err.Error(), c.refusal) {
					t.Fatalf("refusal %v, want one saying %q", err, c.refusal)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cmd.Name != c.name || cmd.Days != c.days {
				t.Errorf("got %+v", cmd)
			}
		})
	}
}

// A rerun keeps the template and its options, names the failed machines
// instead of the selectors, and renames a build the operator gave.
func TestRerunRequest_D28(t *testing.T) {
	orig := PlanRequest{Template: "cmc-reboot", ContainsVM: []string{"redhat"}, Exclude: []string{"atvm9"}, Randomize: 0,
		Plugin: "both", Switches: []string{"--test_install_only"}, OptOuts: []string{"--test_partition"}, Categorize: true, Build: "nightly"}
	got := RerunRequest(orig, []string{"atvm88-redhat8.10", "atvm71-redhat9.1"})
	if got.Template != "cmc-reboot" || got.Plugin != "both" || !got.Categorize || len(got.ContainsVM) != 0 || len(got.Exclude) != 0 ||
		strings.Join(got.SpecifyVMs, ",") != "atvm71-redhat9.1,atvm88-redhat8.10" || got.Build != "nightly-rerun" ||
		got.Switches[0] != "--test_install_only" || got.OptOuts[0] != "--test_partition" {
		t.Errorf("rerun request: %+v", got)
	}
	if err := got.validate(); err != nil {
		t.Errorf("rerun request invalid: %v", err)
	}
	if orig.ContainsVM[0] != "redhat" || len(orig.SpecifyVMs) != 0 {
		t.Error("the original request changed")
	}
	if RerunRequest(PlanRequest{Template: "cmc-e2e", Randomize: 3}, []string{"atvm5-ubuntu22.04"}).Build != "" {
		t.Error("a derived build name is derived again")
	}
	if cmd, err := Parse("rerun reboot-1130"); err != nil || cmd.Name != CmdRerun || cmd.Target != "reboot-1130" {
		t.Errorf("parse: %+v, %v", cmd, err)
	}
	if _, err := Parse("rerun"); err == nil {
		t.Error("rerun without a build accepted")
	}
}

// `rerun BUILD` with at most one of --failed (the default), --all and
// --skip-known; anything else is refused with the spelling to type.
func TestParse_D28_RerunModes(t *testing.T) {
	cases := []struct {
		in, build, mode, refusal string
	}{
		{in: "rerun reboot-1130", build: "reboot-1130", mode: RerunFailed},
		{in: "/atvm rerun reboot-1130 --failed", build: "reboot-1130", mode: RerunFailed},
		{in: "rerun --all reboot-1130", build: "reboot-1130", mode: RerunAll},
		{in: "rerun reboot-1130 --skip-known --skip-known", build: "reboot-1130", mode: RerunSkipKnown},
		{in: "rerun", refusal: "needs a build name"},
		{in: "rerun --all", refusal: "needs a build name"},
		{in: "rerun reboot-1130 reboot-1201", refusal: "takes one build name"},
		{in: "rerun reboot-1130 --all --failed", refusal: "cannot go with --all"},
		{in: "rerun reboot-1130 --skip_known", refusal: "did you mean `--skip-known`"},
		{in: "rerun reboot-1130 --everything", refusal: "unknown option"},
		{in: "rerun 'reboot;rm -rf /'", refusal: "not a build name"},
		{in: "rerun reboot-1130 —all", refusal: "contains"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			cmd, err := Parse(c.in)
			if c.refusal != "" {
				if err == nil || !strings.Contains(err.Error(), c.refusal) {
					t.Fatalf("refusal %v, want one saying %q", err, c.refusal)
				}
				return
			}
			if err != nil || cmd.Name != CmdRerun || cmd.Target != c.build || cmd.Rerun != c.mode {
				t.Errorf("got %+v, %v; want %s %s", cmd, err, c.build, c.mode)
			}
		})
	}
}
