package results

import (
	"bytes"
	"errors"
	"html"
	"strings"
	"unicode/utf8"
)

// The HTML side of a mochawesome report: finding <body data-raw> and
// undoing its escaping.

// bodyDataRaw finds the data-raw attribute of the <body> start tag, skipping
// comments and the raw text of <script>/<style> (inlined assets may hold
// anything). The value is returned still HTML-escaped.
func bodyDataRaw(data []byte) ([]byte, error) {
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], '<')
		if j < 0 {
			break
		}
		i += j
		rest := data[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			k := bytes.Index(rest[4:], []byte("-->"))
			if k < 0 {
				return nil, errors.New("unclosed comment before <body>")
			}
			i += 4 + k + 3
			continue
		case tagIs(rest, "script"), tagIs(rest, "style"):
			name := "</script"
			if tagIs(rest, "style") {
				name = "</style"
			}
			k := indexFold(rest[1:], name)
			if k < 0 {
				return nil, errors.New("unclosed " + name[2:] + " before <body>")
			}
			i += 1 + k + len(name)
			continue
		case tagIs(rest, "body"):
			v, found, _, ok := tagAttr(rest[len("<body"):], "data-raw")
			if !ok {
				return nil, errors.New("<body> tag is cut short")
			}
			if !found {
				return nil, errors.New("<body> has no data-raw attribute")
			}
			return v, nil
		}
		// Any other tag: step over it, quoted values included.
		_, _, n, ok := tagAttr(rest[1:], "")
		if !ok {
			break
		}
		i += 1 + n
	}
	return nil, errors.New("no <body data-raw> found: not a mochawesome report")
}

// tagIs reports "<name" followed by a tag-name delimiter, in any case.
func tagIs(b []byte, name string) bool {
	n := 1 + len(name)
	if len(b) <= n || !bytes.EqualFold(b[1:n], []byte(name)) {
		return false
	}
	switch b[n] {
	case ' ', '\t', '\n', '\r', '\f', '>', '/':
		return true
	}
	return false
}

func indexFold(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); {
		k := bytes.IndexByte(b[i:], s[0])
		if k < 0 {
			return -1
		}
		i += k
		if i+len(s) <= len(b) && bytes.EqualFold(b[i:i+len(s)], []byte(s)) {
			return i
		}
		i++
	}
	return -1
}

// tagAttr reads attributes up to the closing '>' of a start tag. It
// returns the value (raw) of the first attribute whose lowercased name is
// want ("" looks for none; a name without a value has a nil one), the
// bytes consumed, and whether the tag was closed.
func tagAttr(b []byte, want string) (val []byte, found bool, n int, closed bool) {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
	i := 0
	// Skip the rest of the tag name.
	for i < len(b) && !isSpace(b[i]) && b[i] != '>' && b[i] != '/' {
		i++
	}
	for i < len(b) {
		for i < len(b) && (isSpace(b[i]) || b[i] == '/') {
			i++
		}
		if i >= len(b) {
			break
		}
		if b[i] == '>' {
			return val, found, i + 1, true
		}
		start := i
		for i < len(b) && !isSpace(b[i]) && b[i] != '=' && b[i] != '>' && b[i] != '/' {
			i++
		}
		// The first of duplicated attributes wins, as in HTML.
		match := want != "" && !found && attrNameIs(b[start:min(i, start+64)], want)
		found = found || match
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) || b[i] != '=' {
			continue
		}
		i++
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			break
		}
		var v []byte
		if q := b[i]; q == '"' || q == '\'' {
			k := bytes.IndexByte(b[i+1:], q)
			if k < 0 {
				return val, found, len(b), false
			}
			v, i = b[i+1:i+1+k], i+1+k+1
		} else {
			s := i
			for i < len(b) && !isSpace(b[i]) && b[i] != '>' {
				i++
			}
			v = b[s:i]
		}
		if match {
			val = v
		}
	}
	return val, found, len(b), false
}

// attrNameIs reports strings.ToLower(string(name)) == want without the
// string when the name is ASCII.
func attrNameIs(name []byte, want string) bool {
	for _, c := range name {
		if c >= utf8.RuneSelf {
			return strings.ToLower(string(name)) == want
		}
	}
	if len(name) != len(want) {
		return false
	}
	for k, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != want[k] {
			return false
		}
	}
	return true
}

// htmlUnescapeBytes undoes escapeHtml's five entities in one pass; any
// other entity falls back to the standard unescaper.
func htmlUnescapeBytes(b []byte) []byte {
	if bytes.IndexByte(b, '&') < 0 {
		return b
	}
	return htmlUnescapeAppend(make([]byte, 0, len(b)), b)
}

// htmlUnescapeAppend is htmlUnescapeBytes appending to out.
func htmlUnescapeAppend(out, b []byte) []byte {
	for i := 0; i < len(b); {
		k := bytes.IndexByte(b[i:], '&')
		if k < 0 {
			out = append(out, b[i:]...)
			break
		}
		out = append(out, b[i:i+k]...)
		i += k
		if ch, n := htmlEntity(b[i:]); n > 0 {
			out = append(out, ch)
			i += n
			continue
		}
		end := bytes.IndexByte(b[i:min(len(b), i+32)], ';')
		if end < 0 {
			out = append(out, '&')
			i++
			continue
		}
		out = append(out, html.UnescapeString(string(b[i:i+end+1]))...)
		i += end + 1
	}
	return out
}

// htmlEntity reads one of escapeHtml's entities at b[0] ('&'), choosing by
// its second byte: n is 0 for any other.
func htmlEntity(b []byte) (ch byte, n int) {
	if len(b) < 4 {
		return 0, 0
	}
	var ent string
	switch b[1] {
	case 'q':
		ent, ch = "&quot;", '"'
	case 'a':
		ent, ch = "&amp;", '&'
	case 'l':
		ent, ch = "&lt;", '<'
	case 'g':
		ent, ch = "&gt;", '>'
	case '#':
		ent, ch = "&#39;", '\''
		if b[2] == 'x' {
			ent = "&#x27;"
		}
	default:
		return 0, 0
	}
	if len(b) < len(ent) || string(b[:len(ent)]) != ent {
		return 0, 0
	}
	return ch, len(ent)
}
