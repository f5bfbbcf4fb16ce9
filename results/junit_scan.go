package results

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// The JUnit hand scanner, in place of encoding/xml's tokens (most of the
// JUnit time went there). It feeds the parser the same start tags, end
// tags and character data encoding/xml would, and accepts only documents
// whose tokens it reproduces exactly: ASCII names without namespaces,
// quoted attribute values, the five predefined entities and numeric
// references, CDATA, comments, and XML declarations of version 1.0 in
// UTF-8. Any other construct (DOCTYPE, another processing instruction, a
// prefix or xmlns, an unknown entity) and any error - a cut-short file
// included - answers false, and the file is read again by encoding/xml,
// which then words the error as before.

// junitAttr is one attribute of a start tag read by the scanner: its value
// decoded.
type junitAttr struct{ name, val []byte }

// junitMaxDepth bounds the element nesting the scanner follows.
const junitMaxDepth = 256

// junitScanner is a position in one JUnit file.
type junitScanner struct {
	b     []byte
	i     int
	stack [][]byte // names of the open elements
	attrs []junitAttr
	text  []byte // the decoded character data handed over
}

// scan runs the whole document through p; false leaves p to be discarded.
func (p *junitParser) scan(data []byte) bool {
	s := junitScanner{b: data}
	for s.i < len(s.b) {
		if s.b[s.i] != '<' {
			end := len(s.b)
			if k := bytes.IndexByte(s.b[s.i:], '<'); k >= 0 {
				end = s.i + k
			}
			if !s.charData(p, s.b[s.i:end], false) {
				return false
			}
			s.i = end
			continue
		}
		rest := s.b[s.i:]
		var ok bool
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			ok = s.comment()
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			k := bytes.Index(rest[9:], []byte("]]>"))
			if k < 0 {
				return false
			}
			ok = s.charData(p, rest[9:9+k], true)
			s.i += 9 + k + 3
		case bytes.HasPrefix(rest, []byte("<?")):
			ok = s.declaration()
		case bytes.HasPrefix(rest, []byte("</")):
			ok = s.endTag(p)
		case len(rest) > 1 && rest[1] == '!':
			return false // DOCTYPE and other directives
		default:
			ok = s.startTag(p)
		}
		if !ok {
			return false
		}
	}
	// Input ending inside an element is the slow path's to word.
	return len(s.stack) == 0
}

// charData checks text or CDATA as encoding/xml does and hands it to the
// parser when a failure's text is being collected.
func (s *junitScanner) charData(p *junitParser, raw []byte, cdata bool) bool {
	decode := p.inFailure && p.failText.Len() < maxScanText
	var ok bool
	s.text, ok = xmlText(s.text[:0], raw, decode, cdata, false)
	if ok && decode {
		p.charData(s.text)
	}
	return ok
}

// comment passes over <!-- … -->; a "--" inside is an error in encoding/xml.
func (s *junitScanner) comment() bool {
	body := s.b[s.i+4:]
	k := bytes.Index(body, []byte("--"))
	if k < 0 || k+2 >= len(body) || body[k+2] != '>' {
		return false
	}
	s.i += 4 + k + 3
	return true
}

// declaration passes over <?xml …?> when it says only version 1.0, UTF-8
// and standalone; any other processing instruction is not taken.
func (s *junitScanner) declaration() bool {
	rest := s.b[s.i:]
	if !bytes.HasPrefix(rest, []byte("<?xml")) || len(rest) < 6 || !xmlSpace(rest[5]) && rest[5] != '?' {
		return false
	}
	k := bytes.Index(rest[5:], []byte("?>"))
	if k < 0 {
		return false
	}
	for _, f := range strings.Fields(string(rest[5 : 5+k])) {
		switch f {
		case `version="1.0"`, `version='1.0'`, `encoding="UTF-8"`, `encoding="utf-8"`, `encoding='UTF-8'`,
			`encoding='utf-8'`, `standalone="yes"`, `standalone="no"`, `standalone='yes'`, `standalone='no'`:
		default:
			return false
		}
	}
	s.i += 5 + k + 2
	return true
}

func xmlSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *junitScanner) space() {
	for s.i < len(s.b) && xmlSpace(s.b[s.i]) {
		s.i++
	}
}

// name reads an ASCII XML name without a prefix; anything else (a colon,
// a non-ASCII letter) is not taken.
func (s *junitScanner) name() ([]byte, bool) {
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || s.i > start && (c >= '0' && c <= '9' || c == '-' || c == '.') {
			s.i++
			continue
		}
		if c == ':' || c >= utf8.RuneSelf || c >= '0' && c <= '9' || c == '-' || c == '.' {
			return nil, false
		}
		break
	}
	return s.b[start:s.i], s.i > start
}

// junitNames are the element names the parser tells apart; returned shared
// they cost no allocation.
var junitNames = []string{"testsuites", "testsuite", "testcase", "failure", "error", "skipped", "system-out", "system-err", "properties", "property"}

func junitLocal(b []byte) string {
	for _, n := range junitNames {
		if string(b) == n {
			return n
		}
	}
	return string(b)
}

func (s *junitScanner) startTag(p *junitParser) bool {
	s.i++ // '<'
	name, ok := s.name()
	if !ok || len(s.stack) >= junitMaxDepth {
		return false
	}
	s.attrs = s.attrs[:0]
	empty := false
	for {
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		if c := s.b[s.i]; c == '>' || c == '/' {
			if c == '/' {
				if s.i+1 >= len(s.b) || s.b[s.i+1] != '>' {
					return false
				}
				empty = true
				s.i++
			}
			s.i++
			break
		}
		an, ok := s.name()
		if !ok || string(an) == "xmlns" {
			return false
		}
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != '=' {
			return false
		}
		s.i++
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != '"' && s.b[s.i] != '\'' {
			return false
		}
		q := s.b[s.i]
		k := bytes.IndexByte(s.b[s.i+1:], q)
		if k < 0 {
			return false
		}
		raw := s.b[s.i+1 : s.i+1+k]
		s.i += 1 + k + 1
		val := raw
		if bytes.IndexByte(raw, '&') >= 0 || bytes.IndexByte(raw, '\r') >= 0 {
			val, ok = xmlText(nil, raw, true, false, true) // its own bytes: rare
		} else {
			_, ok = xmlText(nil, raw, false, false, true)
		}
		if !ok {
			return false
		}
		s.attrs = append(s.attrs, junitAttr{an, val})
	}
	local := junitLocal(name)
	if len(s.stack) == 0 {
		if local != "testsuites" && local != "testsuite" {
			return false // the slow path words the refusal
		}
		p.rootSeen = true
	}
	s.stack = append(s.stack, name)
	p.start(&junitTag{local: local, fast: s.attrs})
	if empty {
		s.stack = s.stack[:len(s.stack)-1]
		p.end(local)
	}
	return true
}

func (s *junitScanner) endTag(p *junitParser) bool {
	s.i += 2 // "</"
	name, ok := s.name()
	if !ok {
		return false
	}
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != '>' {
		return false
	}
	s.i++
	if len(s.stack) == 0 || !bytes.Equal(s.stack[len(s.stack)-1], name) {
		return false
	}
	s.stack = s.stack[:len(s.stack)-1]
	p.end(junitLocal(name))
	return true
}

// xmlText checks raw character data, CDATA or an attribute value as
// encoding/xml's text() does and, with decode, appends its text to dst:
// entities and character references replaced (not in CDATA), \r and \r\n
// read as \n. false is anything encoding/xml refuses, or a reference this
// does not reproduce.
func xmlText(dst, raw []byte, decode, cdata, attr bool) ([]byte, bool) {
	// Most text holds no byte the rules below look at: then it is its text.
	plain := true
	for _, c := range raw {
		if xmlNotPlain[c] {
			plain = false
			break
		}
	}
	if plain {
		if decode {
			dst = append(dst, raw...)
		}
		return dst, true
	}
	var prev byte // the previous raw byte; none after a reference
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '&' && !cdata:
			r, n := xmlRef(raw[i:])
			if n == 0 {
				return dst, false
			}
			if decode {
				dst = utf8.AppendRune(dst, r)
			}
			i += n
			prev = 0
			continue
		case c == '\r':
			if decode {
				dst = append(dst, '\n')
			}
		case c == '\n' && prev == '\r':
		case c < 0x20 && c != '\t' && c != '\n', c == '<' && !cdata:
			return dst, false
		case c == '>' && !cdata && !attr && i >= 2 && raw[i-1] == ']' && raw[i-2] == ']':
			return dst, false // "]]>" outside CDATA
		case c == 0xEF && i+2 < len(raw) && raw[i+1] == 0xBF && raw[i+2] >= 0xBE:
			return dst, false // U+FFFE, U+FFFF are not XML characters
		default:
			if decode {
				dst = append(dst, c)
			}
		}
		prev = c
		i++
	}
	return dst, true
}

// xmlNotPlain marks the bytes xmlText must look at: controls (tab and
// newline aside), '&', '<', '>' and the lead byte of U+FFFE/U+FFFF.
var xmlNotPlain = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = c != '\t' && c != '\n'
	}
	t['&'], t['<'], t['>'], t[0xEF] = true, true, true, true
	return t
}()

// xmlRef reads the reference at b[0] ('&'): one of the five predefined
// entities or &#N; / &#xH; naming an XML character. n is 0 for any other.
func xmlRef(b []byte) (r rune, n int) {
	for _, e := range xmlEntities {
		if bytes.HasPrefix(b, []byte(e.ent)) {
			return e.r, len(e.ent)
		}
	}
	if len(b) < 4 || b[1] != '#' {
		return 0, 0
	}
	i, base := 2, rune(10)
	if b[2] == 'x' {
		i, base = 3, 16
	}
	start := i
	for ; i < len(b); i++ {
		d := hexDigit(b[i])
		if d < 0 || d >= base {
			break
		}
		if r = r*base + d; r > utf8.MaxRune {
			return 0, 0
		}
	}
	if i == start || i >= len(b) || b[i] != ';' || !xmlChar(r) {
		return 0, 0
	}
	return r, i + 1
}

// hexDigit is c's value as a hexadecimal digit, or -1.
func hexDigit(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return rune(c-'A') + 10
	}
	return -1
}

// xmlChar is XML's Char production (encoding/xml's isInCharacterRange).
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

var xmlEntities = []struct {
	ent string
	r   rune
}{{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}}
