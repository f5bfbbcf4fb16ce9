package results

import (
	"strings"
	"testing"
)

// leadingWordByFields is leadingWord as first written: the reference.
func leadingWordByFields(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return clipText(f[0], maxFieldLen)
}

var leadingWordCases = []string{
	"", " ", "\t\n\v\f\r ", "atvm1-x cmc-reboot 1. step", "  atvm1-x\tt", "one",
	"\u00a0atvm1\u0085x y", "\u2003a\u3000b", "\xffatvm \xfe", "a\x00b c", strings.Repeat("w", 300) + " x",
}

func TestLeadingWord_MatchesFields(t *testing.T) {
	for _, s := range leadingWordCases {
		if got, want := leadingWord(s), leadingWordByFields(s); got != want {
			t.Errorf("leadingWord(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzLeadingWord(f *testing.F) {
	for _, s := range leadingWordCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := leadingWord(s), leadingWordByFields(s); got != want {
			t.Fatalf("leadingWord(%q) = %q, want %q", s, got, want)
		}
	})
}
