package commands

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

// FuzzParse: no input panics; every refusal is a short *Error that repeats
// no control or invisible character; every accepted plan's argv holds only
// shell-safe words, so its display string is the argv joined by spaces.
func FuzzParse(f *testing.F) {
	for _, s := range valid {
		f.Add(s)
	}
	for _, c := range hostile {
		if len(c.text) < 600 {
			f.Add("plan cmc-e2e " + c.text)
		}
	}
	for _, s := range []string{"approve p-7f3a2c without watcher --confirm-both", "cancel b --yes", "status",
		`blacklist add atvm6-centos6.0 "CMC INSTALL - CAN'T COMPILE"`, "help plan", "queue", "unwatch x"} {
		f.Add(s)
	}
	cfg := testConfig()
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := Parse(text)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Msg == "" {
				t.Fatalf("Parse(%q): %T %v", text, err, err)
			}
			checkMessage(t, text, e.Msg)
			return
		}
		if cmd.Name == "" || !contains(CommandNames, cmd.Name) {
			t.Fatalf("Parse(%q) = unknown command %q", text, cmd.Name)
		}
		if cmd.Plan == nil {
			return
		}
		p, err := BuildPlan(*cmd.Plan, cfg)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("BuildPlan(%q): %T %v", text, err, err)
			}
			checkMessage(t, text, e.Msg)
			return
		}
		for _, argv := range [][]string{p.TemplateArgv, p.RunnerArgv} {
			for _, a := range argv {
				if !SafeArg(a) {
					t.Fatalf("%q: unsafe argument %q", text, a)
				}
			}
		}
		if strings.Join(p.TemplateArgv, " ") != p.TemplateCommand || strings.Join(p.RunnerArgv, " ") != p.RunnerCommand {
			t.Fatalf("%q: display differs from argv", text)
		}
		if !p.Verify() || len(p.Build) > maxBuild || !reBuild.MatchString(p.Build) {
			t.Fatalf("%q: bad plan %+v", text, p)
		}
	})
}

func checkMessage(t *testing.T, text, msg string) {
	t.Helper()
	if len(msg) > 1500 {
		t.Fatalf("Parse(%q): %d-byte message", text, len(msg))
	}
	for _, r := range msg {
		if r < 0x20 || r == 0x7f || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar {
			t.Fatalf("Parse(%q): message repeats %U: %q", text, r, msg)
		}
	}
}
