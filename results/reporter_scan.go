package results

import "strings"

// repScan decodes the common reporter file by hand, in one pass and with
// no reflection: what encoding/json spent most of the time on. It accepts
// only input whose decoding it can reproduce exactly - ASCII keys matched
// exactly and not repeated, strings as unquoteBounded keeps them, integer
// counts, dict or list events - and answers ok=false for anything else,
// which then takes the encoding/json path. Values it skips are still
// checked as JSON, so a file encoding/json would refuse is never accepted.
func repScan(data []byte) (doc repDoc, ok bool) {
	s := repScanner{b: data}
	s.ws()
	if !s.top(&doc) {
		return repDoc{}, false
	}
	s.ws()
	if s.i != len(s.b) {
		return repDoc{}, false
	}
	return doc, true
}

var (
	repTopKeys   = []string{"reporter", "host", "spec", "build", "start", "end", "stats", "metadata", "tests", "events", "results"}
	repStatsKeys = []string{"tests", "passes", "failures", "pending", "skipped"}
	repMetaKeys  = []string{"host", "start", "end", "endedAt", "build", "spec", "reporter"}
	repTestKeys  = []string{"title", "state", "startedAt", "endedAt", "error", "err"}
	repEventKeys = []string{"time", "type", "test", "message", "severity"}
	repErrKeys   = []string{"name", "message", "stack", "estack"}
)

// str reads a jstr value, a string or null (""), as jsonText would; a
// string too long for unquoteBounded to keep whole takes the slow path.
func (s *repScanner) str() (string, bool) {
	if s.literal("null") {
		return "", true
	}
	if s.peek() != '"' {
		return "", false
	}
	start := s.i
	var high, esc byte
	for end := start + 1; end < len(s.b); end++ {
		c := s.b[end]
		high |= c & 0x80
		switch {
		case c == '"':
			if end-start-1 > maxScanText {
				return "", false
			}
			s.i = end + 1
			if esc == 0 && high == 0 {
				return repIntern(s.b[start+1 : end]), true
			}
			return unquoteBounded(s.b[start:end+1], maxScanText), true
		case c < 0x20:
			return "", false
		case c == '\\':
			esc = 1
			s.i = end
			if !s.skipEscape() {
				return "", false
			}
			end = s.i - 1
		}
	}
	return "", false
}

// count reads a jint value: an integer or null; negative counts are 0 and
// large ones stop at 1e9, as jint does. Fractions and exponents fail.
func (s *repScanner) count() (jint, bool) {
	if s.literal("null") {
		return 0, true
	}
	neg := s.peek() == '-'
	if neg {
		s.i++
	}
	start := s.i
	var n int64
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		n = n*10 + int64(s.b[s.i]-'0')
		s.i++
	}
	digits := s.i - start
	if digits == 0 || digits > 15 || digits > 1 && s.b[start] == '0' {
		return 0, false
	}
	if c := s.peek(); c == '.' || c == 'e' || c == 'E' {
		return 0, false
	}
	if neg {
		return 0, true
	}
	return jint(min(n, 1e9)), true
}

func (s *repScanner) top(doc *repDoc) bool {
	if s.peek() != '{' {
		return false
	}
	s.i++
	var seen uint32
	for first := true; ; first = false {
		idx, done, ok := s.member(first, repTopKeys, &seen)
		if !ok {
			return false
		}
		if done {
			return true
		}
		var v string
		switch idx {
		case 0, 1, 2, 3, 4, 5:
			if v, ok = s.str(); ok {
				*[...]*jstr{&doc.Reporter, &doc.Host, &doc.Spec, &doc.Build, &doc.Start, &doc.End}[idx] = jstr(v)
			}
		case 6:
			ok = s.stats(&doc.Stats)
		case 7:
			ok = s.meta(&doc.Metadata)
		case 8:
			ok = s.tests(&doc.Tests)
		case 9:
			ok = s.events(&doc.Events)
		case 10:
			present := !s.literal("null")
			doc.Results = jseen(present)
			ok = !present || s.skip(0)
		default:
			ok = s.skip(0)
		}
		if !ok {
			return false
		}
	}
}

func (s *repScanner) stats(dst **repStats) bool {
	if s.literal("null") {
		*dst = nil
		return true
	}
	if s.peek() != '{' {
		return false
	}
	s.i++
	st := &repStats{}
	*dst = st
	var seen uint32
	for first := true; ; first = false {
		idx, done, ok := s.member(first, repStatsKeys, &seen)
		if !ok || done {
			return ok
		}
		if idx < 0 {
			ok = s.skip(0)
		} else {
			var n jint
			if n, ok = s.count(); ok {
				*[...]*jint{&st.Tests, &st.Passes, &st.Failures, &st.Pending, &st.Skipped}[idx] = n
			}
		}
		if !ok {
			return false
		}
	}
}

func (s *repScanner) meta(dst **repMeta) bool {
	if s.literal("null") {
		*dst = nil
		return true
	}
	if s.peek() != '{' {
		return false
	}
	s.i++
	m := &repMeta{}
	*dst = m
	var seen uint32
	for first := true; ; first = false {
		idx, done, ok := s.member(first, repMetaKeys, &seen)
		if !ok || done {
			return ok
		}
		if idx < 0 {
			ok = s.skip(0)
		} else {
			var v string
			if v, ok = s.str(); ok {
				*[...]*jstr{&m.Host, &m.Start, &m.End, &m.EndedAt, &m.Build, &m.Spec, &m.Reporter}[idx] = jstr(v)
			}
		}
		if !ok {
			return false
		}
	}
}

func (s *repScanner) tests(dst *[]repTest) bool {
	if s.literal("null") {
		*dst = nil
		return true
	}
	out := []repTest{}
	ok := s.list(func() bool {
		var t repTest
		if !s.literal("null") && !s.test(&t) {
			return false
		}
		out = append(out, t)
		return true
	})
	*dst = out
	return ok
}

func (s *repScanner) test(t *repTest) bool {
	if s.peek() != '{' {
		return false
	}
	s.i++
	var seen uint32
	for first := true; ; first = false {
		idx, done, ok := s.member(first, repTestKeys, &seen)
		if !ok || done {
			return ok
		}
		var v string
		switch {
		case idx < 0:
			ok = s.skip(0)
		case idx < 4:
			if v, ok = s.str(); ok {
				*[...]*jstr{&t.Title, &t.State, &t.StartedAt, &t.EndedAt}[idx] = jstr(v)
			}
		default:
			if s.peek() == '{' {
				v, ok = s.errObject()
			} else {
				v, ok = s.str()
			}
			if ok {
				*[...]*repErr{&t.Error, &t.Err}[idx-4] = repErr{text: v}
			}
		}
		if !ok {
			return false
		}
	}
}

// errObject reads a test's {name, message, stack, estack} error as
// repErr.UnmarshalJSON words it.
func (s *repScanner) errObject() (string, bool) {
	s.i++           // '{'
	var f [4]string // name, message, stack, estack
	var seen uint32
	for first := true; ; first = false {
		idx, done, ok := s.member(first, repErrKeys, &seen)
		if !ok {
			return "", false
		}
		if done {
			break
		}
		if idx < 0 {
			ok = s.skip(0)
		} else {
			f[idx], ok = s.str()
		}
		if !ok {
			return "", false
		}
	}
	name, msg, stack, estack := f[0], f[1], f[2], f[3]
	switch {
	case msg != "" && name != "" && !strings.HasPrefix(msg, name):
		return name + ": " + msg, true
	case msg != "":
		return msg, true
	case stack != "":
		return stack, true
	}
	return estack, true
}

func (s *repScanner) events(dst *[]repEvent) bool {
	if s.literal("null") {
		*dst = nil
		return true
	}
	out := []repEvent{}
	ok := s.list(func() bool {
		if s.peek() == '[' {
			ev, ok := s.listEvent()
			out = append(out, ev)
			return ok
		}
		var d repDictEvent
		if !s.literal("null") && !s.event(&d) {
			return false
		}
		out = append(out, d.event())
		return true
	})
	*dst = out
	return ok
}

// listEvent reads a [time, severity, message, …] record as
// repEvent.UnmarshalJSON does; fewer than three entries leave it empty.
func (s *repScanner) listEvent() (repEvent, bool) {
	var f [3]string
	n := 0
	ok := s.list(func() bool {
		ok := true
		if n < len(f) {
			f[n], ok = s.str()
		} else {
			ok = s.skip(1)
		}
		n++
		return ok
	})
	if !ok || n < 3 {
		return repEvent{}, ok
	}
	return repEvent{Time: f[0], Severity: strings.ToLower(f[1]), Message: f[2]}, true
}

func (s *repScanner) event(d *repDictEvent) bool {
	if s.peek() != '{' {
		return false
	}
	s.i++
	var seen uint32
	for first := true; ; first = false {
		idx, done, ok := s.member(first, repEventKeys, &seen)
		if !ok || done {
			return ok
		}
		if idx < 0 {
			ok = s.skip(0)
		} else {
			var v string
			if v, ok = s.str(); ok {
				*[...]*jstr{&d.Time, &d.Type, &d.Test, &d.Message, &d.Severity}[idx] = jstr(v)
			}
		}
		if !ok {
			return false
		}
	}
}

// repCommon are values most events repeat; returning them shared saves an
// allocation per field.
var repCommon = []string{"", "info", "success", "error", "warning", "passed", "failed", "pending", "skipped",
	"test:start", "test:end", "run:start", "run:end"}

func repIntern(b []byte) string {
	if len(b) <= len("test:start") {
		for _, c := range repCommon {
			if string(b) == c {
				return c
			}
		}
	}
	return string(b)
}
