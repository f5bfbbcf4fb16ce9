package results

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	maxTxtLine  = 4096 // bytes of one transcript line that are looked at
	maxFailRows = 40   // continuation lines kept as a failure's text
)

var (
	txtCountRE = regexp.MustCompile(`(\d+) (passed|failed|pending)`)
)

// txtStamp splits "[<stamp>] <body>": a stamp of 1 to 40 characters, none
// of them ']' or ASCII white space, then one optional space. Parsed by hand:
// it is tried on every line, where a regexp spent most of the file's time.
func txtStamp(s string) (stamp, body string, ok bool) {
	if len(s) < 3 || s[0] != '[' {
		return "", "", false
	}
	n := 0
	for i, r := range s[1:] {
		switch r {
		case ']':
			if n == 0 {
				return "", "", false
			}
			body = s[2+i:]
			if len(body) > 0 && body[0] == ' ' {
				body = body[1:]
			}
			return s[1 : 1+i], body, true
		case ' ', '\t', '\n', '\f', '\r': // RE2's \s, which leaves out \v
			return "", "", false
		}
		if n++; n > 40 {
			return "", "", false
		}
	}
	return "", "", false
}

// txtErrorLine reports a line that starts with an error name: "Error: ",
// "CypressError: ", "AssertionError: " (an upper-case letter, letters,
// then "Error: ").
func txtErrorLine(s string) bool {
	j := 0
	for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z') {
		j++
	}
	if j < 5 || !strings.HasPrefix(s[j-5:], "Error: ") {
		return false
	}
	return j == 5 || s[0] >= 'A' && s[0] <= 'Z'
}

// txtState is the transcript read so far.
type txtState struct {
	ev                     Evidence
	known                  int // lines in the transcript's own shapes
	inHeader               bool
	failed                 bool
	passes, fails, pending int
	step, lastStart        string
	errText                string
	block                  []string // indented lines after TEST FAIL / an Error: line
	collecting, haveBlock  bool
	done                   bool
	// noiseCont: the last timed line was an ordinary log entry, so untimed
	// lines under it are its continuation (a console warning's own "Error:").
	noiseCont bool
}

// ParseReporterTXT reads one per-host cmcReporter console transcript (R6).
// FAIL only on explicit terminal markers — `cy:command error`, `cy:task
// error`, `TEST FAIL`, a line starting with an error name such as
// `AssertionError:`, `Timed out` — never on a bare word like "auth error
// encountered". Complete only with its `=== finished` line.
func ParseReporterTXT(path string, mtime time.Time, data []byte) (Evidence, error) {
	s := NewReporterTXTStream()
	_, _ = s.Write(data)
	return s.Evidence(path, mtime)
}

// txtPlain reports printable ASCII and tabs only: text cleanText leaves as
// it is. Most transcript lines are.
func txtPlain(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}

func (st *txtState) line(s string) {
	trimmed := strings.TrimSpace(s)
	if trimmed == "" {
		st.collecting = false
		return
	}
	if strings.HasPrefix(trimmed, "=== cmcReporter") {
		st.known++
		return
	}
	if strings.HasPrefix(trimmed, "=== finished") {
		st.finished(trimmed)
		return
	}
	if stamp, body, ok := txtStamp(trimmed); ok && parseArtifactTime(stamp) != nil {
		st.known++
		st.inHeader = false
		st.collecting = false
		st.event(strings.TrimSpace(body))
		return
	}
	if st.inHeader {
		st.header(trimmed)
		return
	}
	// An untimed line: the text of the failure printed under TEST FAIL.
	if !st.collecting && !st.noiseCont && (txtErrorLine(trimmed) || strings.HasPrefix(trimmed, "Timed out ")) {
		st.mark(trimmed)
		if !st.haveBlock {
			st.block, st.haveBlock, st.collecting = nil, true, true
		}
	}
	if st.collecting && len(st.block) < maxFailRows {
		st.block = append(st.block, trimmed)
	}
}

func (st *txtState) header(s string) {
	key, val, ok := strings.Cut(s, ":")
	if !ok {
		return
	}
	val = clipText(strings.TrimSpace(val), maxFieldLen)
	switch strings.TrimSpace(key) {
	case "host":
		st.ev.Machine = val
	case "build":
		st.ev.Build = val
	case "spec":
		st.ev.Spec = val
	case "started":
		st.ev.StartedAt = parseArtifactTime(val)
	case "template":
	default:
		return
	}
	st.known++
}

// finished reads "=== finished <time>: N passed, M failed, K pending ===";
// the counts are optional, the line alone marks the end.
func (st *txtState) finished(line string) {
	st.known++
	st.done = true
	st.collecting = false
	f := strings.Fields(strings.TrimPrefix(line, "=== finished"))
	if len(f) > 0 {
		st.ev.EndedAt = parseArtifactTime(strings.TrimSuffix(f[0], ":"))
	}
	counts := txtCountRE.FindAllStringSubmatch(line, 3)
	if len(counts) == 0 {
		st.ev.Passes, st.ev.Failures, st.ev.Pending = st.passes, st.fails, st.pending
		return
	}
	for _, c := range counts {
		n, _ := strconv.Atoi(c[1])
		switch c[2] {
		case "passed":
			st.ev.Passes = n
		case "failed":
			st.ev.Failures = n
			st.failed = st.failed || n > 0
		case "pending":
			st.ev.Pending = n
		}
	}
}

// event handles the body of a "[time] ..." line.
func (st *txtState) event(body string) {
	st.noiseCont = false
	for _, m := range []struct{ prefix, kind string }{
		{"TEST START ", "start"}, {"TEST PASS ", "pass"}, {"TEST FAIL ", "fail"},
		{"TEST SKIP ", "skip"}, {"TEST PENDING ", "skip"},
	} {
		if !strings.HasPrefix(body, m.prefix) {
			continue
		}
		title := strings.TrimSpace(body[len(m.prefix):])
		switch m.kind {
		case "start":
			st.lastStart = title
		case "pass":
			st.passes++
		case "skip":
			st.pending++
		case "fail":
			st.fails++
			st.failed = true
			if st.step == "" {
				st.step = title
			}
			if !st.haveBlock {
				st.block, st.haveBlock = nil, true
				st.collecting = true
			}
		}
		return
	}
	// A log line: "<type>[ <severity>]  <text>", cypress-terminal-report style.
	f := strings.Fields(body)
	if len(f) >= 2 && (f[0] == "cy:command" || f[0] == "cy:task") && f[1] == "error" {
		text := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(body, f[0])), "error"))
		st.mark(text)
		return
	}
	st.noiseCont = len(f) > 0 && strings.Contains(f[0], ":")
}

// mark records an explicit failure marker.
func (st *txtState) mark(text string) {
	st.failed = true
	if st.step == "" {
		st.step = st.lastStart
	}
	if st.errText == "" {
		st.errText = text
	}
}
