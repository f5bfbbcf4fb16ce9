package commands

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Size limits. A value longer than maxValue is refused naming its flag; a
// whole command longer than maxText is refused after parsing (so a huge value
// is still reported against its flag); anything past maxRaw is not even
// tokenized.
const (
	maxValue  = 512
	maxText   = 4096
	maxRaw    = 64 << 10
	maxTokens = 256
)

// token is one word of the command after quote removal.
type token struct {
	text   string
	quoted bool // some part of it was inside quotes
}

// tokenize splits like a very small POSIX shell: words are separated by
// spaces and tabs, '…' and "…" group words (no escapes inside; a backslash is
// an ordinary character and is refused later where it matters). Newlines and
// other control characters stay inside their word so the check of that word
// can name the flag it belongs to. On an unterminated quote it returns the
// words read so far and the error.
func tokenize(s string) ([]token, error) {
	var (
		out    []token
		cur    strings.Builder
		inWord bool
		quoted bool
	)
	flush := func() {
		if inWord {
			out = append(out, token{text: cur.String(), quoted: quoted})
		}
		cur.Reset()
		inWord, quoted = false, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t':
			flush()
		case '\'', '"':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				flush()
				return out, fmt.Errorf("unterminated %c quote", c)
			}
			cur.WriteString(s[i+1 : i+1+end])
			inWord, quoted = true, true
			i += end + 1
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	flush()
	return out, nil
}

// badRune describes the first character of s that may never appear in a
// command word: control characters, invalid UTF-8, and every non-ASCII
// character (look-alike dashes, fullwidth letters, invisible characters,
// typographic quotes, foreign letters that look Latin). It returns "" when s
// is plain printable ASCII.
func badRune(s string) string {
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		if r == utf8.RuneError && size == 1 {
			return "invalid UTF-8"
		}
		if d := describeRune(r); d != "" {
			return d
		}
	}
	return ""
}

var controlNames = map[rune]string{
	0: "a NUL byte", '\n': "a newline", '\r': "a carriage return", '\t': "a tab",
	0x1b: "an escape character", 0x7f: "a DEL character",
}

func describeRune(r rune) string {
	switch {
	case r < 0x20 || r == 0x7f:
		if n, ok := controlNames[r]; ok {
			return n
		}
		return fmt.Sprintf("a control character (U+%04X)", r)
	case r < 0x7f:
		return ""
	case isDash(r):
		return fmt.Sprintf("a unicode dash %q (U+%04X)", r, r)
	case r >= 0xFF01 && r <= 0xFF5E:
		return fmt.Sprintf("a fullwidth character %q (U+%04X) instead of %q", r, r, r-0xFEE0)
	case unicode.Is(unicode.Cf, r) || r == 0x200B || r == 0x2060 || r == 0x180E:
		return fmt.Sprintf("an invisible character (U+%04X)", r)
	case unicode.Is(unicode.Zs, r) || r == 0x2028 || r == 0x2029 || r == 0x85:
		return fmt.Sprintf("a non-ASCII space (U+%04X)", r)
	case r == '‘' || r == '’' || r == '“' || r == '”' || r == '′' || r == '″':
		return fmt.Sprintf("a typographic quote %q (U+%04X); type ' or \" instead", r, r)
	case unicode.IsControl(r):
		return fmt.Sprintf("a control character (U+%04X)", r)
	default:
		return fmt.Sprintf("a non-ASCII character %q (U+%04X)", r, r)
	}
}

// isDash reports the characters that chat clients and keyboards put in place
// of '-' (autocorrected "--" becomes an em dash).
func isDash(r rune) bool {
	return r != '-' && (unicode.Is(unicode.Pd, r) || r == '−' || r == '﹣' || r == '－' || r == '⁃')
}

// foldLookalikes maps what a keyboard or chat client changed back to ASCII:
// dashes to '-', fullwidth forms to ASCII, invisible characters removed. It is
// used only to suggest what to type, never to accept input.
func foldLookalikes(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case isDash(r):
			b.WriteByte('-')
		case r >= 0xFF01 && r <= 0xFF5E:
			b.WriteRune(r - 0xFEE0)
		case unicode.Is(unicode.Cf, r) || r == 0x200B || r == 0x2060:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// looksLikeFlag reports whether a word is meant as an option: it starts with
// '-' or with a character a keyboard substitutes for one.
func looksLikeFlag(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '-' || isDash(r) || r == '－'
}
