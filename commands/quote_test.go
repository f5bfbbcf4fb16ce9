package commands

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// posixSplit is a small POSIX shell word splitter for the tests: blanks and
// newlines separate words; '…' is literal; "…" keeps \" \\ \$ \` and
// \newline escapes; a backslash outside quotes escapes the next character.
// It refuses what a shell would expand or treat as an operator, so a Join
// that let one through fails the round trip.
func posixSplit(s string) ([]string, error) {
	var (
		words  []string
		cur    strings.Builder
		inWord bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("unterminated '")
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`\n", s[i+1]) >= 0 {
					i++
				} else if s[i] == '$' || s[i] == '`' {
					return nil, errors.New("expansion inside double quotes")
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("unterminated \"")
			}
			inWord = true
		case c == '\\':
			if i+1 >= len(s) {
				return nil, errors.New("trailing backslash")
			}
			i++
			cur.WriteByte(s[i])
			inWord = true
		case strings.IndexByte("|&;<>()$`*?[#~", c) >= 0 && !(c == '#' && inWord) && !(c == '~' && inWord):
			return nil, errors.New("unquoted shell metacharacter " + string(c))
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func TestQuoteArg(t *testing.T) {
	cases := map[string]string{
		"python3":                 "python3",
		"./cmc-templates.py":      "./cmc-templates.py",
		"--exclude_partial_match": "--exclude_partial_match",
		"a,b.c-d_e/f+g:h@i=j%k":   "a,b.c-d_e/f+g:h@i=j%k",
		"":                        "''",
		"a b":                     "'a b'",
		"it's":                    `'it'\''s'`,
		"$(reboot)":               "'$(reboot)'",
		"`id`":                    "'`id`'",
		"a\nb":                    "'a\nb'",
		"~root":                   "'~root'",
		"*":                       "'*'",
		"'":                       `''\'''`,
		"\u2014x":                 "'\u2014x'",
	}
	for in, want := range cases {
		if got := QuoteArg(in); got != want {
			t.Errorf("QuoteArg(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJoinArgs_RoundTrip(t *testing.T) {
	for _, argv := range [][]string{
		{"python3", "./cmc-templates.py", "--template_name", "cmc-e2e"},
		{"echo", "", "a b", "it's", "$(id)", "`id`", "a\nb", "x;y", "\\", "\"", "#c", "~"},
		{},
	} {
		got, err := posixSplit(JoinArgs(argv))
		if err != nil {
			t.Errorf("split(Join(%q)): %v", argv, err)
			continue
		}
		if len(argv) == 0 && len(got) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, argv) {
			t.Errorf("split(Join(%q)) = %q", argv, got)
		}
	}
}

func TestPosixSplit_CatchesUnquoted(t *testing.T) {
	for _, s := range []string{"a;b", "a|b", "$(x)", "a `b`", "a*", "'x"} {
		if _, err := posixSplit(s); err == nil {
			t.Errorf("posixSplit(%q) did not refuse", s)
		}
	}
}

func FuzzJoinArgs(f *testing.F) {
	for _, s := range []string{"python3\x00./cmc-templates.py", "it's\x00$(id)", "\x00", "a b\x00\n\x00'\"\\", "\u2014x\x00~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, packed string) {
		argv := strings.Split(packed, "\x00")
		joined := JoinArgs(argv)
		got, err := posixSplit(joined)
		if err != nil {
			t.Fatalf("split(%q): %v", joined, err)
		}
		if !reflect.DeepEqual(got, argv) {
			t.Fatalf("split(Join(%q)) = %q via %q", argv, got, joined)
		}
	})
}
