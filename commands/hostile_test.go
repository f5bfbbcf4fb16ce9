package commands

import (
	"strings"
	"testing"
)

// hostile are inputs that must be refused, each with a message naming the
// option at fault. The typed text reaches no argv.
var hostile = []struct {
	name, text, flag string
}{
	{"semicolon", "--containsVm redhat;reboot", "--containsVm"},
	{"quoted semicolon command", "--containsVm 'redhat9.6; rm -rf /'", "--containsVm"},
	{"command substitution", "--containsVm $(reboot)", "--containsVm"},
	{"backticks", "--containsVm \"`reboot`\"", "--containsVm"},
	{"newline in value", "--containsVm redhat\nreboot", "--containsVm"},
	{"carriage return", "--containsVm redhat\rx", "--containsVm"},
	{"NUL byte", "--containsVm red\x00hat", "--containsVm"},
	{"escape sequence", "--containsVm red\x1b[31mhat", "--containsVm"},
	{"single quote in value", `--containsVm "red'hat"`, "--containsVm"},
	{"double quote in value", `--containsVm 'red"hat'`, "--containsVm"},
	{"pipe", "--containsVm redhat|tee", "--containsVm"},
	{"and-and", "--containsVm redhat&&reboot", "--containsVm"},
	{"redirect out", "--containsVm redhat>x", "--containsVm"},
	{"redirect in", "--containsVm red<x", "--containsVm"},
	{"glob", "--containsVm red*", "--containsVm"},
	{"tilde", "--containsVm ~root", "--containsVm"},
	{"variable", "--containsVm ${IFS}", "--containsVm"},
	{"backslash", `--containsVm red\hat`, "--containsVm"},
	{"percent", "--containsVm red%00", "--containsVm"},
	{"path traversal selector", "--containsVm ../../etc", "--containsVm"},
	{"dot dot", "--containsVm ..", "--containsVm"},
	{"leading dash value", "--containsVm -rf", "--containsVm"},
	{"second value substituted", "--containsVm redhat --containsVm \"$(id)\"", "--containsVm"},
	{"stray semicolon word", "--containsVm redhat9.6 ; reboot", "--containsVm"},
	{"stray substitution word", "--containsVm redhat9.6 $(reboot)", "--containsVm"},
	{"stray newline word", "--containsVm redhat9.6 \n reboot", "--containsVm"},
	{"10 kB value", "--containsVm " + strings.Repeat("a", 10240), "--containsVm"},
	{"config traversal", "--config_file ../../etc/passwd.ts", "--config_file"},
	{"config absolute", "--config_file /etc/cypress.ts", "--config_file"},
	{"config injection", "--config_file cypress.ts;id", "--config_file"},
	{"config newline", "--config_file 'cypress.atvm-config-gold.ts\nrm -rf /'", "--config_file"},
	{"config not ts", "--config_file cypress.atvm-config-gold.js", "--config_file"},
	{"build traversal", "--build ../evil", "--build"},
	{"build path", "--build a/b", "--build"},
	{"build variable", "--build $HOME", "--build"},
	{"build backticks after =", "--build=`id`", "--build"},
	{"build hidden", "--build .hidden", "--build"},
	{"build 10 kB", "--build " + strings.Repeat("b", 10240), "--build"},
	{"build too long", "--build " + strings.Repeat("b", 81), "--build"},
	{"specify injection", "--specify_vms atvm1-x,$(id)", "--specify_vms"},
	{"specify semicolon", "--specify_vms 'atvm1;atvm2'", "--specify_vms"},
	{"randomize injection", "--randomize 5;id", "--randomize"},
	{"randomize zero", "--randomize 0", "--randomize"},
	{"randomize huge", "--randomize 99999999999", "--randomize"},
	{"randomize negative", "--randomize -1", "--randomize"},
	{"plugin injection", "--use_specified_plugin fc;id", "--use_specified_plugin"},
	{"plugin zero-width", "--use_specified_plugin iscsi\u200b", "--use_specified_plugin"},
	{"integration injection", "--integration_type 'pure&&x'", "--integration_type"},
	{"platform substitution", "--vm_platforms vmware,$(id)", "--vm_platforms"},
	{"exclude with space", "--exclude_partial_match 'x y'", "--exclude_partial_match"},
	{"switch with value", "--test_partition=$(id)", "--test_partition"},
	{"em dash option", "\u2014containsVm redhat", "--containsVm"},
	{"en dash option", "\u2013containsVm redhat", "--containsVm"},
	{"minus signs option", "\u2212\u2212containsVm redhat", "--containsVm"},
	{"fullwidth hyphens option", "\uff0d\uff0dcontainsVm redhat", "--containsVm"},
	{"zero-width in option", "--contain\u200bsVm redhat", "--containsVm"},
	{"fullwidth value", "--containsVm \uff52\uff45\uff44\uff48\uff41\uff54", "--containsVm"},
	{"cyrillic look-alike", "--containsVm r\u0435dhat", "--containsVm"},
	{"no-break space", "--containsVm redhat\u00a0x", "--containsVm"},
	{"right-to-left override", "--containsVm redhat\u202e", "--containsVm"},
	{"typographic quotes", "--containsVm \u201credhat\u201d", "--containsVm"},
	{"BOM", "--containsVm \ufeffredhat", "--containsVm"},
	{"invalid UTF-8", "--containsVm red\xffhat", "--containsVm"},
	{"unterminated quote", "--containsVm 'redhat", "--containsVm"},
	{"unknown option", "--containsVM-evil=x", "--containsVM-evil"},
	{"option missing value", "--containsVm", "--containsVm"},
	{"variant without underscore", "--specifyvms atvm71-redhat9.1", "--specifyvms"},
	{"variant with hyphen", "--specify-vms atvm71-redhat9.1", "--specify-vms"},
	{"variant with three dashes", "---specify_vms atvm71-redhat9.1", "---specify_vms"},
	{"variant in capitals", "--SPECIFY_VMS atvm71-redhat9.1", "--SPECIFY_VMS"},
	{"variant with one dash", "-containsVm redhat9.6", "-containsVm"},
	{"variant in lower case", "--containsvm redhat9.6", "--containsvm"},
	{"variant opt-out", "--no_test_partition --containsVm x", "--no_test_partition"},
	{"stray words after a list", "--specify_vms x plan cmc-e2e", "--specify_vms"},
	{"stray word after a selector", "--containsVm redhat9.6 ubuntu24.04", "--containsVm"},
	{"unknown option far from all", "--frobnicate 3", "--frobnicate"},
}

func TestParse_D18_HostileRefused(t *testing.T) {
	if len(hostile) < 40 {
		t.Fatalf("only %d hostile cases", len(hostile))
	}
	for _, c := range hostile {
		t.Run(c.name, func(t *testing.T) {
			e := refusal(t, "plan cmc-e2e "+c.text, testConfig())
			if e.Flag != c.flag {
				t.Errorf("refusal names %q, want %q: %s", e.Flag, c.flag, e.Msg)
			}
			if !strings.Contains(e.Msg, "`"+c.flag+"`") {
				t.Errorf("message does not name %s: %s", c.flag, e.Msg)
			}
			if len(e.Msg) > 600 {
				t.Errorf("message is %d bytes; a refusal must not echo a huge value", len(e.Msg))
			}
			for _, r := range e.Msg {
				if r == '\n' || r == '\r' || r == 0 || r == 0x1b || r == 0x202e || r == 0x200b || r == 0xfeff {
					t.Errorf("message repeats a control or invisible character %U: %q", r, e.Msg)
				}
			}
		})
	}
}

func TestParse_D18_UnicodeDashSuggestion(t *testing.T) {
	e := refusal(t, "plan cmc-e2e \u2014containsVm redhat9.6", testConfig())
	for _, s := range []string{"`\u2014containsVm`", "unicode dash", "type `--containsVm`"} {
		if !strings.Contains(e.Msg, s) {
			t.Errorf("message lacks %q: %s", s, e.Msg)
		}
	}
}

func TestParse_D18_MentionNotEchoedLive(t *testing.T) {
	e := refusal(t, "plan cmc-e2e --containsVm @channel", testConfig())
	if !strings.Contains(e.Msg, "`\"@channel\"`") {
		t.Errorf("an echoed value must sit in a code span so it notifies nobody: %s", e.Msg)
	}
}

func TestParse_D18_HugeCommandRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("plan cmc-e2e")
	for i := 0; i < 12; i++ {
		b.WriteString(" --containsVm " + strings.TrimSuffix(strings.Repeat(strings.Repeat("a", 50)+",", 7), ","))
	}
	if _, err := Parse(b.String()); err == nil || !strings.Contains(err.Error(), "at most 4096") {
		t.Errorf("a %d-byte command: %v", b.Len(), err)
	}
	if _, err := Parse(strings.Repeat("x ", 40000)); err == nil {
		t.Errorf("an 80 kB message was accepted")
	}
	if _, err := Parse("plan cmc-e2e" + strings.Repeat(" --categorize", 300)); err == nil {
		t.Errorf("300 words were accepted")
	}
}

// valid are inputs, many of them near misses of the hostile ones, that must
// all produce a plan whose argv is shell-safe (D18).
var valid = []string{
	"plan cmc-e2e --containsVm redhat9.6",
	"/atvm plan cmc-e2e --containsVm redhat9.6",
	"PLAN cmc-e2e --containsVm redhat9.6",
	"plan CMC-E2E --containsVm redhat9.6",
	"plan e2e --containsVm redhat9.6",
	"plan cmc-systemos --randomize 2",
	"plan cmc-e2e --containsVm=redhat9.6",
	"plan cmc-e2e --containsVm=redhat9.6,ubuntu24.04",
	"plan cmc-e2e --containsVm redhat9.6 ,ubuntu24.04",
	"plan cmc-e2e --containsVm W2K25",
	"plan cmc-e2e --plugin=fc --containsVm redhat9.6",
	"plan cmc-e2e --integration pure --containsVm redhat9.6",
	"plan cmc-e2e --specify_vms=atvm71-redhat9.1",
	"plan cmc-e2e --specify_vms atvm71-redhat9.1, atvm5-ubuntu22.04",
	"plan cmc-e2e --specify_vms atvm71-redhat9.1,atvm5-ubuntu22.04",
	"plan cmc-e2e --containsVm redhat9.6, ubuntu24.04",
	"plan cmc-e2e --containsVm redhat9.6,",
	"plan cmc-e2e --containsVm redhat9.6 --containsVm ubuntu24.04",
	"plan cmc-e2e --containsVm \"redhat9.6\"",
	"plan cmc-e2e --containsVm 'redhat9.6'",
	"plan  cmc-e2e   --containsVm\tredhat9.6",
	"plan cmc-e2e --containsVm redhat9.6\n",
	"  plan cmc-e2e --containsVm redhat9.6  ",
	"plan cmc-e2e --containsVm a_b",
	"plan cmc-e2e --containsVm atvm113-debian9.0.0",
	"plan cmc-e2e --plugin fc --containsVm redhat9.6",
	"plan cmc-e2e --use_specified_plugin FC --containsVm x",
	"plan cmc-e2e --containsVm redhat --integration_type Pure",
	"plan cmc-e2e --randomize 5",
	"plan cmc-e2e --randomize 100",
	"plan cmc-e2e --randomize 1",
	"plan cmc-e2e --randomize 007",
	"plan cmc-e2e --containsVm ubuntu24.04 --build my-run_1.0",
	"plan cmc-e2e --containsVm x --build_name my-run",
	"plan cmc-e2e --containsVm x --build " + strings.Repeat("b", 80),
	"plan cmc-e2e --containsVm x --config_file cypress.atvm-config-silver.ts",
	"plan cmc-e2e --containsVm x --config cypress.atvm-config-gold.ts",
	"plan cmc-e2e --containsVm x --categorize",
	"plan cmc-e2e --containsVm x --no-watcher",
	"plan cmc-e2e --containsVm x --no-test-partition",
	"plan cmc-e2e --containsVm x --no-ignore-force-shutdown",
	"plan cmc-e2e --containsVm x --test_install_only",
	"plan cmc-e2e --containsVm x --exclude_partial_match ubuntu",
	"plan cmc-e2e --containsVm x --test_partition",
	"plan cmc-migrateops-compute-migration --containsVm ubuntu24.04 --vm_platforms VMware",
	"plan migrate --containsVm ubuntu24.04 --vm_platforms aws",
	"plan cmc-reboot --containsVm redhat8.10 --plugin both",
	"plan --template_name cmc-e2e --containsVm x",
	"plan cmc-e2e --template_name cmc-e2e --containsVm x",
	"plan cmc-e2e --specify_vms atvm5-ubuntu22.04 --exclude_partial_match foo",
	"plan cmc-e2e --containsVm redhat9.6 --vm_platforms vmware,hyperv",
	"plan cmc-e2e --containsVm " + strings.Repeat("a", 64),
	"plan cmc-e2e --specify_vms atvm71-redhat9.1 --no-watcher",
	"plan cmc-e2e --containsVm redhat9.6 --exclude_partial_match ubuntu, debian",
	"plan cmc-e2e --containsVm=redhat9.6, --categorize",
	"plan cmc-e2e --build_name=my-run --containsVm x",
	"plan cmc-e2e --config=cypress.atvm-config-gold.ts --containsVm x",
	"plan cmc-e2e --integration=pure --containsVm x",
	"plan cmc-reboot --specify_vms atvm71-redhat9.1 --categorize",
	"plan cmc-systemOS --randomize 3",
}

func TestParse_D18_ValidAndNearMissPlanned(t *testing.T) {
	if len(valid) < len(hostile)-20 {
		t.Fatalf("%d valid cases for %d hostile ones", len(valid), len(hostile))
	}
	for _, text := range valid {
		p := plan(t, text)
		for _, argv := range [][]string{p.TemplateArgv, p.RunnerArgv} {
			for _, a := range argv {
				if !SafeArg(a) {
					t.Errorf("%q: argument %q needs quoting", text, a)
				}
			}
		}
		if p.Template == "" || p.Build == "" || !p.Verify() {
			t.Errorf("%q: incomplete plan %+v", text, p)
		}
	}
}

// Variant spellings are refused, never taken for the option they resemble,
// each with the one spelling to type (the operator approves what was asked).
func TestParse_D26_VariantSpellingRefusedWithSuggestion(t *testing.T) {
	for text, want := range map[string]string{
		"plan cmc-e2e --specifyvms atvm71-redhat9.1":             "--specify_vms",
		"plan cmc-e2e --specify-vms atvm71-redhat9.1":            "--specify_vms",
		"plan cmc-e2e ---specify_vms atvm71-redhat9.1":           "--specify_vms",
		"plan cmc-e2e --SPECIFY_VMS atvm71-redhat9.1":            "--specify_vms",
		"plan cmc-e2e --ContainsVM redhat9.6":                    "--containsVm",
		"plan cmc-e2e --containsVm x --Categorize":               "--categorize",
		"plan cmc-e2e --containsVm x --no_ignore_force_shutdown": "--no-ignore-force-shutdown",
		"plan cmc-e2e --containsVm x --Build_Name b":             "--build_name",
		"approve --confirm_both":                                 "--confirm-both",
		"approve --No-Watcher":                                   "--no-watcher",
		"approve without-watcher":                                "without watcher",
		"cancel b --YES":                                         "--yes",
		"cancel b -y":                                            "--yes",
	} {
		_, err := Parse(text)
		if err == nil {
			t.Errorf("%q was accepted", text)
			continue
		}
		if !strings.Contains(err.Error(), "did you mean `"+want+"`") {
			t.Errorf("%q: refusal lacks the suggestion %s: %v", text, want, err)
		}
	}
	_, err := Parse("plan cmc-e2e --frobnicate 3 --containsVm x")
	if err == nil || !strings.Contains(err.Error(), "unknown option `--frobnicate`") || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("an option far from all: %v", err)
	}
}

// A list option takes one comma-separated value: words after it are refused,
// named, never planned as machines.
func TestParse_D26_ListOptionTakesOneValue(t *testing.T) {
	_, err := Parse("plan cmc-e2e --specify_vms x plan cmc-e2e")
	want := "unexpected words `plan` `cmc-e2e` after `--specify_vms x`; a list option takes one comma-separated value"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("stray words: %v\nwant %q", err, want)
	}
	_, err = Parse("plan cmc-e2e --containsVm redhat9.6 ubuntu24.04 --categorize")
	if err == nil || !strings.Contains(err.Error(), "unexpected word `ubuntu24.04` after `--containsVm redhat9.6`") {
		t.Errorf("one stray word: %v", err)
	}
	for _, ok := range []string{
		"plan cmc-e2e --containsVm redhat9.6, ubuntu24.04",
		"plan cmc-e2e --containsVm redhat9.6 ,ubuntu24.04",
		"plan cmc-e2e --containsVm redhat9.6,ubuntu24.04",
	} {
		cmd, err := Parse(ok)
		if err != nil {
			t.Errorf("%q: %v", ok, err)
			continue
		}
		if got := strings.Join(cmd.Plan.ContainsVM, ","); got != "redhat9.6,ubuntu24.04" {
			t.Errorf("%q: selectors %q", ok, got)
		}
	}
}
