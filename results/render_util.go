package results

import (
	"strings"
	"unicode/utf8"
)

// clipRunes shortens s to at most n runes, ending with "…" when cut.
func clipRunes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return strings.TrimRight(string(rs[:n-1]), " ") + "…"
}
