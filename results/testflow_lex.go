package results

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The TEST FLOW reader understands the small TypeScript subset that
// cmc-templates.py generates. It tokenizes first so that braces, "if (" and
// "it(" inside strings, template literals, comments and regular expressions
// are never mistaken for code (S9: text in a spec is no proof).

type tokKind int

const (
	tkIdent tokKind = iota
	tkString
	tkTemplate // raw text between the backticks, ${…} kept as written
	tkNumber
	tkPunct
	tkRegex
)

type token struct {
	kind  tokKind
	text  string // identifier, punctuator, number, cooked string or raw template
	start int    // byte offsets in the source
	end   int
	line  int
	nl    bool // a line break precedes the token (for automatic semicolons)
}

// maxTemplateDepth bounds `${ `${ … }` }` nesting so hostile input cannot
// recurse without limit.
const maxTemplateDepth = 64

var puncts = []string{
	"===", "!==", "...", "**=", "&&=", "||=", "??=",
	"=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--",
	"+=", "-=", "*=", "/=", "%=", "**",
}

type lexer struct {
	src  string
	pos  int
	line int
	nl   bool
	toks []token
}

func tokenize(src []byte) ([]token, error) {
	lx := &lexer{src: string(src), line: 1}
	for {
		if err := lx.skipSpace(); err != nil {
			return nil, err
		}
		if lx.pos >= len(lx.src) {
			return lx.toks, nil
		}
		if err := lx.next(); err != nil {
			return nil, err
		}
	}
}

func (lx *lexer) skipSpace() error {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == '\n':
			lx.line++
			lx.nl = true
			lx.pos++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			lx.pos++
		case strings.HasPrefix(lx.src[lx.pos:], "//"):
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.pos++
			}
		case strings.HasPrefix(lx.src[lx.pos:], "/*"):
			end := strings.Index(lx.src[lx.pos+2:], "*/")
			if end < 0 {
				return fmt.Errorf("line %d: unterminated comment", lx.line)
			}
			body := lx.src[lx.pos : lx.pos+2+end+2]
			if n := strings.Count(body, "\n"); n > 0 {
				lx.line += n
				lx.nl = true
			}
			lx.pos += len(body)
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
			if r != '\u00a0' && r != '\ufeff' && r != '\u2028' && r != '\u2029' {
				return nil // part of an identifier
			}
			lx.pos += size
		default:
			return nil
		}
	}
	return nil
}

func (lx *lexer) emit(kind tokKind, text string, start int, line int) {
	lx.toks = append(lx.toks, token{kind: kind, text: text, start: start, end: lx.pos, line: line, nl: lx.nl})
	lx.nl = false
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c|0x20 >= 'a' && c|0x20 <= 'z') || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func (lx *lexer) next() error {
	start, line := lx.pos, lx.line
	c := lx.src[lx.pos]
	switch {
	case isIdentStart(c):
		for lx.pos < len(lx.src) && isIdentPart(lx.src[lx.pos]) {
			lx.pos++
		}
		lx.emit(tkIdent, lx.src[start:lx.pos], start, line)
	case c >= '0' && c <= '9' || (c == '.' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] >= '0' && lx.src[lx.pos+1] <= '9'):
		for lx.pos < len(lx.src) && (isIdentPart(lx.src[lx.pos]) || lx.src[lx.pos] == '.') {
			lx.pos++
		}
		lx.emit(tkNumber, lx.src[start:lx.pos], start, line)
	case c == '"' || c == '\'':
		s, err := lx.quoted(c)
		if err != nil {
			return err
		}
		lx.emit(tkString, s, start, line)
	case c == '`':
		lx.pos++
		if err := lx.template(0); err != nil {
			return err
		}
		lx.emit(tkTemplate, lx.src[start+1:lx.pos-1], start, line)
	case c == '/' && lx.regexAllowed():
		if lx.regex() {
			lx.emit(tkRegex, lx.src[start:lx.pos], start, line)
			return nil
		}
		lx.pos = start + 1
		lx.emit(tkPunct, "/", start, line)
	default:
		for _, p := range puncts {
			if strings.HasPrefix(lx.src[lx.pos:], p) {
				lx.pos += len(p)
				lx.emit(tkPunct, p, start, line)
				return nil
			}
		}
		lx.pos++
		lx.emit(tkPunct, string(c), start, line)
	}
	return nil
}

// quoted reads a '…' or "…" string and returns its cooked value.
func (lx *lexer) quoted(q byte) (string, error) {
	line := lx.line
	lx.pos++
	var b strings.Builder
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch c {
		case q:
			lx.pos++
			return b.String(), nil
		case '\n':
			return "", fmt.Errorf("line %d: unterminated string", line)
		case '\\':
			lx.pos++
			if lx.pos >= len(lx.src) {
				return "", fmt.Errorf("line %d: unterminated string", line)
			}
			lx.escape(&b)
		default:
			b.WriteByte(c)
			lx.pos++
		}
	}
	return "", fmt.Errorf("line %d: unterminated string", line)
}

// escape cooks one escape sequence; lx.pos is just after the backslash.
func (lx *lexer) escape(b *strings.Builder) {
	c := lx.src[lx.pos]
	lx.pos++
	switch c {
	case 'n':
		b.WriteByte('\n')
	case 't':
		b.WriteByte('\t')
	case 'r':
		b.WriteByte('\r')
	case '\n':
		lx.line++ // line continuation
	case 'x', 'u':
		n := 2
		if c == 'u' {
			n = 4
		}
		if lx.pos+n <= len(lx.src) {
			if v, err := strconv.ParseUint(lx.src[lx.pos:lx.pos+n], 16, 32); err == nil {
				b.WriteRune(rune(v))
				lx.pos += n
				return
			}
		}
		b.WriteByte(c)
	default:
		b.WriteByte(c)
	}
}

// template skips a template literal's body up to and including its closing
// backtick, descending into ${…} expressions.
func (lx *lexer) template(depth int) error {
	if depth > maxTemplateDepth {
		return fmt.Errorf("line %d: template literals nested too deeply", lx.line)
	}
	line := lx.line
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == '`':
			lx.pos++
			return nil
		case c == '\\':
			lx.pos += 2
		case c == '$' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == '{':
			lx.pos += 2
			if err := lx.skipExpr(depth + 1); err != nil {
				return err
			}
		default:
			if c == '\n' {
				lx.line++
			}
			lx.pos++
		}
	}
	return fmt.Errorf("line %d: unterminated template literal", line)
}

// skipExpr skips a ${…} expression up to and including its closing brace.
func (lx *lexer) skipExpr(depth int) error {
	line, braces := lx.line, 0
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch c {
		case '{':
			braces++
			lx.pos++
		case '}':
			lx.pos++
			if braces == 0 {
				return nil
			}
			braces--
		case '"', '\'':
			if _, err := lx.quoted(c); err != nil {
				return err
			}
		case '`':
			lx.pos++
			if err := lx.template(depth); err != nil {
				return err
			}
		case '\n':
			lx.line++
			lx.pos++
		default:
			lx.pos++
		}
	}
	return fmt.Errorf("line %d: unterminated ${ in template literal", line)
}

// regexAllowed reports whether a '/' here starts a regular expression: it
// does where an operand is expected, not after a value.
func (lx *lexer) regexAllowed() bool {
	if strings.HasPrefix(lx.src[lx.pos:], "//") || strings.HasPrefix(lx.src[lx.pos:], "/*") {
		return false
	}
	if len(lx.toks) == 0 {
		return true
	}
	prev := lx.toks[len(lx.toks)-1]
	switch prev.kind {
	case tkPunct:
		return prev.text != ")" && prev.text != "]" && prev.text != "}"
	case tkIdent:
		switch prev.text {
		case "return", "typeof", "case", "in", "of", "new", "delete", "void", "throw", "else", "do", "yield", "await":
			return true
		}
	}
	return false
}

// regex scans /body/flags; it reports false (consuming nothing useful) when
// the line ends first, so the '/' is read as division instead.
func (lx *lexer) regex() bool {
	i, class := lx.pos+1, false
	for i < len(lx.src) {
		c := lx.src[i]
		switch {
		case c == '\n':
			return false
		case c == '\\':
			i += 2
			continue
		case c == '[':
			class = true
		case c == ']':
			class = false
		case c == '/' && !class:
			i++
			for i < len(lx.src) && isIdentPart(lx.src[i]) {
				i++
			}
			lx.pos = i
			return true
		}
		i++
	}
	return false
}

// matchBrackets pairs every (, [ and { with its closer.
func matchBrackets(toks []token) ([]int, error) {
	match := make([]int, len(toks))
	var stack []int
	for i, t := range toks {
		match[i] = -1
		if t.kind != tkPunct {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			stack = append(stack, i)
		case ")", "]", "}":
			if len(stack) == 0 {
				return nil, fmt.Errorf("line %d: unbalanced %q", t.line, t.text)
			}
			open := stack[len(stack)-1]
			if closer[toks[open].text] != t.text {
				return nil, fmt.Errorf("line %d: %q closes %q of line %d", t.line, t.text, toks[open].text, toks[open].line)
			}
			stack = stack[:len(stack)-1]
			match[open], match[i] = i, open
		}
	}
	if len(stack) > 0 {
		t := toks[stack[len(stack)-1]]
		return nil, fmt.Errorf("line %d: %q is never closed", t.line, t.text)
	}
	return match, nil
}

var closer = map[string]string{"(": ")", "[": "]", "{": "}"}

// cookTemplate turns a template literal's raw text into a title: escapes are
// cooked, ${…} parts stay as written (their value is not known here).
func cookTemplate(raw string) string {
	var b strings.Builder
	lx := &lexer{src: raw}
	for lx.pos < len(raw) {
		c := raw[lx.pos]
		if c == '\\' && lx.pos+1 < len(raw) {
			lx.pos++
			lx.escape(&b)
			continue
		}
		b.WriteByte(c)
		lx.pos++
	}
	return b.String()
}
