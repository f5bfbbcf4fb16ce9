package controller

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"
)

// shellSplit runs line through sh and returns the words it made.
func shellSplit(t testing.TB, line string) []string {
	t.Helper()
	// sh itself must parse the line: "set -- <line>", then print each
	// word NUL-terminated.
	cmd := exec.Command("sh", "-c", "set -- "+line+"\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done")
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh failed on %q: %v", line, err)
	}
	words := strings.Split(string(got), "\x00")
	return words[:len(words)-1]
}

func TestQuote_RoundTripThroughSh(t *testing.T) {
	cases := []struct {
		name string
		argv []string
	}{
		{"plain", []string{"python3", "./cmc-templates.py", "--template_name", "cmc-e2e"}},
		{"spaces", []string{"a b", "  lead", "trail  ", "tab\there"}},
		{"quotes", []string{`it's`, `"dq"`, `'`, `''`, `a'b'c`}},
		{"newlines", []string{"line1\nline2", "\n", "end\n"}},
		{"expansions", []string{"$(id)", "`id`", "$HOME", "${x:-y}", "$((1+2))", "~", "~/x"}},
		{"globs and operators", []string{"*", "?", "[a]", "a;b", "a|b", "a&b", "a>b", "<x", "#comment", "!x", "{a,b}"}},
		{"backslashes", []string{`\`, `\\`, `a\nb`, `\'`}},
		{"empty", []string{"", "x", ""}},
		{"unicode", []string{"héllo", "🏁 Recorded Run:", "日本語", "\u00a0nbsp"}},
		{"assignment-looking", []string{"FOO=bar", "--key=secret", "x=$(id)"}},
		{"invalid utf8", []string{"\xff\xfe", "a\x80b"}},
		{"dash", []string{"-", "--", "-n", "-e"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			line, err := QuoteArgv(tc.argv)
			if err != nil {
				t.Fatal(err)
			}
			got := shellSplit(t, line)
			if len(got) != len(tc.argv) {
				t.Fatalf("line %q: got %d words %q, want %q", line, len(got), got, tc.argv)
			}
			for i := range got {
				if got[i] != tc.argv[i] {
					t.Errorf("word %d: got %q want %q (line %q)", i, got[i], tc.argv[i], line)
				}
			}
		})
	}
}

func TestQuote_SafeWordsStayReadable(t *testing.T) {
	line, err := QuoteArgv([]string{"python3", "./run-sorry-cypress.py", "--config_file", "cypress.atvm-config-gold.ts", "--build_name", "e2e-debian12.5-iscsi", "--categorize"})
	if err != nil {
		t.Fatal(err)
	}
	want := "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-debian12.5-iscsi --categorize"
	if line != want {
		t.Errorf("got %q want %q", line, want)
	}
	if q := Quote("FOO=bar"); q != "'FOO=bar'" {
		t.Errorf("an assignment-looking word must be quoted, got %s", q)
	}
}

func TestQuote_NULRefused(t *testing.T) {
	if _, err := QuoteArgv([]string{"a\x00b"}); err == nil {
		t.Fatal("want an error for a NUL byte")
	}
	if _, err := commandLine([]string{"x"}, "", map[string]string{"BAD-NAME": "v"}); err == nil {
		t.Fatal("want an error for a bad env name")
	}
}

func TestCommandLine_DirAndEnv(t *testing.T) {
	dir := t.TempDir() + "/with space 'q'"
	if err := exec.Command("mkdir", "-p", dir).Run(); err != nil {
		t.Fatal(err)
	}
	line, err := commandLine([]string{"sh", "-c", `printf '%s|%s' "$PWD" "$V"`}, dir, map[string]string{"V": "a b $(id)"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("sh", "-c", line).Output()
	if err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	if want := dir + "|a b $(id)"; string(out) != want {
		t.Errorf("got %q want %q", out, want)
	}
}

func FuzzQuoteArgv(f *testing.F) {
	for _, s := range []string{"", "a b", "it's", "$(id)", "`x`", "\n", "🏁", "\xff", "'\"\\"} {
		f.Add(s, "second")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		argv := []string{a, b}
		line, err := QuoteArgv(argv)
		if bytes.IndexByte([]byte(a+b), 0) >= 0 {
			if err == nil {
				t.Fatal("NUL accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		got := shellSplit(t, line)
		if len(got) != 2 || got[0] != a || got[1] != b {
			t.Fatalf("round trip of %q (valid utf8 %v) gave %q via %q", argv, utf8.ValidString(a), got, line)
		}
	})
}
