package commands

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse_Commands(t *testing.T) {
	cases := []struct {
		text string
		want Command
	}{
		{"", Command{Name: CmdHelp}},
		{"/atvm", Command{Name: CmdHelp}},
		{"help", Command{Name: CmdHelp}},
		{"help Plan", Command{Name: CmdHelp, Topic: CmdPlan}},
		{"approve", Command{Name: CmdApprove}},
		{"/atvm approve p-7F3A2C", Command{Name: CmdApprove, Target: "p-7f3a2c"}},
		{"approve without watcher", Command{Name: CmdApprove, WithoutWatcher: true}},
		{"approve p-7f3a2c without watcher --confirm-both", Command{Name: CmdApprove, Target: "p-7f3a2c", WithoutWatcher: true, ConfirmBoth: true}},
		{"approve --no-watcher", Command{Name: CmdApprove, WithoutWatcher: true}},
		{"Approve --confirm-both p-7f3a2c", Command{Name: CmdApprove, Target: "p-7f3a2c", ConfirmBoth: true}},
		{"cancel", Command{Name: CmdCancel}},
		{"cancel p-7f3a2c", Command{Name: CmdCancel, Target: "p-7f3a2c"}},
		{"cancel e2e-redhat9.6-iscsi --yes", Command{Name: CmdCancel, Target: "e2e-redhat9.6-iscsi", Yes: true}},
		{"status", Command{Name: CmdStatus}},
		{"status reboot-redhat8.10-both", Command{Name: CmdStatus, Target: "reboot-redhat8.10-both"}},
		{"runs", Command{Name: CmdRuns}},
		{"queue", Command{Name: CmdQueue}},
		{"watch e2e-x", Command{Name: CmdWatch, Target: "e2e-x"}},
		{"unwatch e2e-x", Command{Name: CmdUnwatch, Target: "e2e-x"}},
		{"blacklist", Command{Name: CmdBlacklist, Action: BlacklistList}},
		{"blacklist list", Command{Name: CmdBlacklist, Action: BlacklistList}},
		{"blacklist add atvm144-suse15.0 CRASHES WHEN CREATING MIGRATION SESSION - BUG",
			Command{Name: CmdBlacklist, Action: BlacklistAdd, Machine: "atvm144-suse15.0", Reason: "CRASHES WHEN CREATING MIGRATION SESSION - BUG"}},
		{`blacklist add atvm6-centos6.0 "CMC INSTALL - CAN'T COMPILE"`,
			Command{Name: CmdBlacklist, Action: BlacklistAdd, Machine: "atvm6-centos6.0", Reason: "CMC INSTALL - CAN'T COMPILE"}},
		{"blacklist remove atvm144-suse15.0", Command{Name: CmdBlacklist, Action: BlacklistRemove, Machine: "atvm144-suse15.0"}},
		{"plan cmc-e2e --containsVm redhat9.6,ubuntu24.04 --plugin FC --no-watcher --no-test-partition --test_install_only --categorize --build b1",
			Command{Name: CmdPlan, Plan: &PlanRequest{Template: "cmc-e2e", ContainsVM: []string{"redhat9.6", "ubuntu24.04"},
				Plugin: "fc", NoWatcher: true, OptOuts: []string{"--test_partition"}, Switches: []string{"--test_install_only"},
				Categorize: true, Build: "b1"}}},
	}
	for _, c := range cases {
		got, err := Parse(c.text)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.text, err)
			continue
		}
		if d := diff(c.want, got); d != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", c.text, d)
		}
	}
}

func TestParse_Refusals(t *testing.T) {
	cases := []struct{ text, flag, contains string }{
		{"plna cmc-e2e", "", "did you mean `plan`"},
		{"aprove", "", "did you mean `approve`"},
		{"--containsVm x", "", "starts with its name"},
		{"plan", "template", "needs a template"},
		{"plan --containsVm x", "template", "needs a template"},
		{"plan cmc-e2e redhat9.6", "template", "options start with `--`"},
		{"plan cmc-e2e --randomize 2 extra", "--randomize", "unexpected word"},
		{"plan cmc-e2e --containsVm x --build a --build b", "--build", "given twice"},
		{"plan cmc-e2e --containsVm x --plugin fc --plugin iscsi", "--use_specified_plugin", "given twice"},
		{"plan cmc-e2e --contains x", "--contains", "did you mean `--containsVm`"},
		{"plan cmc-e2e --specifyvm x", "--specifyvm", "did you mean `--specify_vms`"},
		{"plan cmc-e2e --no-test-partiton", "--no-test-partiton", "did you mean `--no-test-partition`"},
		{"plan cmc-e2e --containsVm x --test_partition --no-test-partition", "--test_partition", "turned off"},
		{"plan cmc-e2e --containsVm x --categorize=yes", "--categorize", "takes no value"},
		{"plan cmc-e2e --containsVm --categorize", "--containsVm", "is an option"},
		{"approve p-123", "approve", "not a plan ID"},
		{"approve now", "approve", "unexpected word"},
		{"approve p-7f3a2c p-000000", "approve", "two plans"},
		{"approve --confirm-bothh", "--confirm-bothh", "did you mean `--confirm-both`"},
		{"cancel a b", "cancel", "second word"},
		{"cancel --force", "--force", "unknown option"},
		{"cancel $(id)", "cancel", "not a build name"},
		{"status a;b", "status", "not a build name"},
		{"status a b", "status", "one build name"},
		{"watch", "watch", "needs a build name"},
		{"unwatch ../x", "unwatch", "not a build name"},
		{"runs now", "runs", "takes no arguments"},
		{"blacklist purge", "blacklist", "unknown action"},
		{"blacklist add", "blacklist", "needs a machine"},
		{"blacklist add atvm1-x", "blacklist", "needs a reason"},
		{"blacklist add atvm1-x,atvm2-y reason", "blacklist", "not a machine name"},
		{"blacklist add atvm1-x reason; rm -rf /", "blacklist", "not accepted"},
		{"blacklist add atvm1-x `reason`", "blacklist", "not accepted"},
		{"blacklist add atvm1-x \u201creason\u201d", "blacklist", "typographic quote"},
		{"blacklist remove atvm1-x atvm2-y", "blacklist", "one machine name"},
		{"help plna", "help", "did you mean `plan`"},
		{"\u2014plan cmc-e2e", "", "unicode dash"},
	}
	for _, c := range cases {
		_, err := Parse(c.text)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want a *Error", c.text, err)
			continue
		}
		if e.Flag != c.flag || !strings.Contains(e.Msg, c.contains) {
			t.Errorf("Parse(%q): flag %q msg %q\nwant flag %q and %q", c.text, e.Flag, e.Msg, c.flag, c.contains)
		}
	}
}

func TestParseArgs_SameAsParse(t *testing.T) {
	a, err := ParseArgs([]string{"plan", "cmc-e2e", "--containsVm", "redhat9.6", "--plugin=fc"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Parse("plan cmc-e2e --containsVm redhat9.6 --plugin=fc")
	if d := diff(b, a); d != "" {
		t.Errorf("ParseArgs differs from Parse:\n%s", d)
	}
	// A shell word with a space stays one word and is refused as such.
	if _, err := ParseArgs([]string{"plan", "cmc-e2e", "--containsVm", "redhat; reboot"}); err == nil || !strings.Contains(err.Error(), "`;`") {
		t.Errorf("ParseArgs accepted a value with a shell metacharacter: %v", err)
	}
}

func TestTokenize(t *testing.T) {
	cases := map[string][]string{
		`a b`:             {"a", "b"},
		"a\t b  ":         {"a", "b"},
		`'a b' c`:         {"a b", "c"},
		`"it's" x`:        {"it's", "x"},
		`a"b c"d`:         {"ab cd"},
		`''`:              {""},
		"a\nb c":          {"a\nb", "c"},
		`x\ y`:            {`x\`, "y"},
		"\u2014x \u00a0y": {"\u2014x", "\u00a0y"},
	}
	for in, want := range cases {
		toks, err := tokenize(in)
		if err != nil {
			t.Errorf("tokenize(%q): %v", in, err)
			continue
		}
		var got []string
		for _, tk := range toks {
			got = append(got, tk.text)
		}
		if d := diff(want, got); d != "" {
			t.Errorf("tokenize(%q) (-want +got):\n%s", in, d)
		}
	}
	if _, err := tokenize(`a "b`); err == nil {
		t.Errorf("unterminated quote accepted")
	}
}

func TestHelp_EveryCommand(t *testing.T) {
	for _, c := range CommandNames {
		h := Help(c)
		if !strings.HasPrefix(h, "`/atvm "+c) || !strings.Contains(h, "Example") {
			t.Errorf("Help(%q) lacks its usage line or examples:\n%s", c, h)
		}
		if !strings.Contains(Help(""), c) || !strings.Contains(AutocompleteHint, c) {
			t.Errorf("%s missing from the overview or the autocomplete hint", c)
		}
	}
	if !strings.Contains(Help("aprove"), "did you mean `approve`") {
		t.Errorf("Help of a typo: %s", Help("aprove"))
	}
	// Every example in the help parses, and every plan example plans.
	for _, c := range CommandNames {
		for _, line := range strings.Split(Help(c), "\n") {
			if !strings.HasPrefix(line, "/atvm "+c) {
				continue
			}
			ex := strings.TrimSpace(line)
			cmd, err := Parse(ex)
			if err != nil {
				t.Errorf("help example %q: %v", ex, err)
				continue
			}
			if cmd.Plan != nil {
				if _, err := BuildPlan(*cmd.Plan, testConfig()); err != nil {
					t.Errorf("help example %q: %v", ex, err)
				}
			}
		}
	}
}

// diff is "" when want and got are deeply equal, else both as JSON.
func diff(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	return "-" + string(w) + "\n+" + string(g)
}

// A suggestion reads as a sentence's end: "…; did you mean `status`?", never
// followed by more punctuation ("?;", "?.").
func TestParse_D26_SuggestionEndsTheSentence(t *testing.T) {
	for _, text := range []string{"staus", "help staus", "blacklist ad x", "plan cmc-e2ee --containsVm x", "plan cmc-e2e --containsVm x --use_specified_plugin fcc"} {
		msg := refusal(t, text, testConfig()).Error()
		if !strings.Contains(msg, "did you mean") || strings.Contains(msg, "?;") || strings.Contains(msg, "?.") {
			t.Errorf("%q: %s", text, msg)
		}
	}
}
