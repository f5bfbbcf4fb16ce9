package results

import "bytes"

// The JSON reading under repScan: members, lists, and values passed over
// but still checked.

// repScanner is a position in one reporter file.
type repScanner struct {
	b []byte
	i int
}

// repMaxDepth bounds the nesting of skipped values (encoding/json's own
// bound is far deeper; past this the slow path decides).
const repMaxDepth = 256

func (s *repScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *repScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// member reads the next member's key and colon of an object whose '{' is
// read; done reports its '}'. A key matching one of keys only when case is
// ignored, or seen before, fails: encoding/json's rules there are not
// reproduced. idx is the key's index in keys, or -1.
func (s *repScanner) member(first bool, keys []string, seen *uint32) (idx int, done, ok bool) {
	s.ws()
	switch c := s.peek(); {
	case c == '}':
		s.i++
		return -1, true, true
	case !first && c != ',':
		return -1, false, false
	case !first:
		s.i++
		s.ws()
	}
	if s.peek() != '"' {
		return -1, false, false
	}
	start := s.i + 1
	end := start
	for end < len(s.b) && s.b[end] != '"' {
		if c := s.b[end]; c < 0x20 || c >= 0x80 || c == '\\' {
			return -1, false, false
		}
		end++
	}
	if end >= len(s.b) {
		return -1, false, false
	}
	key := s.b[start:end]
	s.i = end + 1
	s.ws()
	if s.peek() != ':' {
		return -1, false, false
	}
	s.i++
	s.ws()
	idx = -1
	for j, k := range keys {
		if string(key) == k {
			idx = j
			break
		}
		// Keys are ASCII here: a case-folded match has the same length.
		if len(key) == len(k) && bytes.EqualFold(key, []byte(k)) {
			return -1, false, false
		}
	}
	if idx >= 0 {
		if *seen&(1<<idx) != 0 {
			return -1, false, false
		}
		*seen |= 1 << idx
	}
	return idx, false, true
}

// literal consumes word (null, true, false) if it is next.
func (s *repScanner) literal(word string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return false
	}
	s.i += len(word)
	return true
}

// list reads an array, calling elem for each element.
func (s *repScanner) list(elem func() bool) bool {
	if s.peek() != '[' {
		return false
	}
	s.i++
	s.ws()
	if s.peek() == ']' {
		s.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
			s.ws()
		case ']':
			s.i++
			return true
		default:
			return false
		}
	}
}

// skip checks and passes over any JSON value.
func (s *repScanner) skip(depth int) bool {
	if depth > repMaxDepth {
		return false
	}
	switch c := s.peek(); {
	case c == '"':
		return s.skipString()
	case c == '{':
		s.i++
		s.ws()
		if s.peek() == '}' {
			s.i++
			return true
		}
		for {
			if s.peek() != '"' || !s.skipString() {
				return false
			}
			s.ws()
			if s.peek() != ':' {
				return false
			}
			s.i++
			s.ws()
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			switch s.peek() {
			case ',':
				s.i++
				s.ws()
			case '}':
				s.i++
				return true
			default:
				return false
			}
		}
	case c == '[':
		return s.list(func() bool { return s.skip(depth + 1) })
	case c == '-' || c >= '0' && c <= '9':
		return s.skipNumber()
	}
	return s.literal("null") || s.literal("true") || s.literal("false")
}

func (s *repScanner) skipString() bool {
	s.i++ // the opening quote
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if !s.skipEscape() {
				return false
			}
		default:
			s.i++
		}
	}
	return false
}

// skipEscape passes over one valid escape at s.i ('\\').
func (s *repScanner) skipEscape() bool {
	if s.i+1 >= len(s.b) {
		return false
	}
	switch s.b[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
	case 'u':
		if s.i+6 > len(s.b) {
			return false
		}
		for _, h := range s.b[s.i+2 : s.i+6] {
			if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
				return false
			}
		}
		s.i += 6
	default:
		return false
	}
	return true
}

// skipNumber passes over a number in JSON's grammar.
func (s *repScanner) skipNumber() bool {
	if s.peek() == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	switch c := s.peek(); {
	case c == '0':
		s.i++
	case c >= '1' && c <= '9':
		digits()
	default:
		return false
	}
	if s.peek() == '.' {
		s.i++
		if digits() == 0 {
			return false
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}
