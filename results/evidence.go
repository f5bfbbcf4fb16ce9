package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Evidence is what one artifact says about one machine.
type Evidence struct {
	Machine     string // e.g. atvm71-redhat9.1, taken from the content (R1), never only the file name
	Source      string // "junit", "mochawesome", "reporter-json", "reporter-txt"
	Path        string
	ModTime     time.Time
	Bookkeeping bool   // check-xml-files.ts XML: not a machine (R1)
	Complete    bool   // the artifact has its end (JUnit file parsed whole; reporter end / run:end / "=== finished"; mochawesome stats.end)
	Status      string // HostPass, HostFail, HostRunning or HostUnknown; PASS only when Complete and clean (D1)

	Tests, Passes, Failures, Pending int

	FailedStep         string // e.g. "38. Verify diskname2Reboot file is the same as ..."
	Error              string // short error (first meaningful line)
	Excerpt            string // a few trimmed lines for FAILURE NOTES, stack frames ("    at ...") dropped (S5)
	StartedAt, EndedAt *time.Time
	Build              string   // build / metadata.build (child build id in categorized runs), when present
	Spec               string   // spec path when present
	Title              string   // the first describe title, another name of the machine (D25)
	Notes              []string // real anomalies only (e.g. "truncated XML"), never bookkeeping
}

// Evidence sources.
const (
	SourceJUnit        = "junit"
	SourceMochawesome  = "mochawesome"
	SourceReporterJSON = "reporter-json"
	SourceReporterTXT  = "reporter-txt"
)

// Bounds on what a parser keeps from an artifact: a hostile or runaway file
// (a 1 GB line, a giant stack) must not end up whole in a post or in memory.
const (
	maxErrorLen   = 500      // Evidence.Error
	maxExcerptLen = 2000     // Evidence.Excerpt
	maxExcerptRow = 12       // lines kept in Evidence.Excerpt
	maxFieldLen   = 4096     // any other kept string (titles, names, paths)
	maxScanText   = 64 << 10 // how much of one error text is looked at
)

// clipText cuts s to at most n bytes on a rune boundary, marking the cut.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// cleanText makes arbitrary artifact bytes safe to keep: valid UTF-8, no
// ANSI colour codes, no NUL or other control characters except newline/tab.
func cleanText(s string) string {
	if len(s) > maxScanText {
		s = clipText(s, maxScanText)
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }) {
		return s // the common case: nothing to strip
	}
	s = ansiRE.ReplaceAllString(s, "")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return -1
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// isStackFrame reports a "    at fn (file:line:col)" line, which S5 keeps
// out of FAILURE NOTES.
func isStackFrame(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "at ") && (strings.Contains(t, "(") || strings.Contains(t, ":") || strings.Contains(t, "<anonymous>"))
}

// shortError picks the one line an operator needs from a Cypress error:
// the first stderr line of a failed cy.exec, the "> ..." line of a failed
// cy.task, else the first meaningful line.
func shortError(msg string) string {
	lines := strings.Split(cleanText(msg), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "Stderr:" {
			continue
		}
		for _, n := range lines[i+1:] {
			n = strings.TrimSpace(n)
			if n == "" || strings.HasPrefix(n, "Warning: Permanently added") {
				continue
			}
			if strings.HasPrefix(n, "https://on.cypress.io/") {
				break
			}
			return clipText(n, maxErrorLen)
		}
		break
	}
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "> ") && len(t) > 2 {
			return clipText(strings.TrimSpace(t[2:]), maxErrorLen)
		}
	}
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || isStackFrame(t) || strings.HasPrefix(t, "https://on.cypress.io/") {
			continue
		}
		return clipText(t, maxErrorLen)
	}
	return ""
}

// errorExcerpt keeps a few trimmed lines of an error for FAILURE NOTES, without
// stack frames or blank runs (S5).
func errorExcerpt(msg string) string {
	var out []string
	for _, l := range strings.Split(cleanText(msg), "\n") {
		t := strings.TrimSpace(l)
		if t == "" || isStackFrame(t) {
			continue
		}
		out = append(out, t)
		if len(out) == maxExcerptRow {
			break
		}
	}
	return clipText(strings.Join(out, "\n"), maxExcerptLen)
}

// machineFromSpec turns a spec path such as cypress/e2e/generated/atvm71-redhat9.1.ts
// into the machine name. Only known extensions are cut: machine names have dots.
func machineFromSpec(spec string) string {
	spec = strings.TrimSpace(spec)
	if i := strings.LastIndexAny(spec, `/\`); i >= 0 {
		spec = spec[i+1:]
	}
	for _, ext := range []string{".ts", ".js", ".tsx", ".jsx", ".mjs", ".cjs"} {
		if strings.HasSuffix(spec, ext) {
			spec = strings.TrimSuffix(spec, ext)
			spec = strings.TrimSuffix(spec, ".cy")
			break
		}
	}
	return clipText(spec, maxFieldLen)
}

// isBookkeepingSpec reports the wrapper's own check-xml-files.ts run (R1).
func isBookkeepingSpec(spec string) bool {
	return machineFromSpec(spec) == "check-xml-files"
}

// leadingWord is the first whitespace-separated word: describe titles are
// "<machine> <template>".
func leadingWord(s string) string {
	// strings.Fields(s)[0] without the slice of every word: it runs per test case.
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return ""
	}
	return clipText(s, maxFieldLen)
}

// parseArtifactTime reads the timestamps the artifacts use: RFC 3339 with a zone
// (reporter, mochawesome) or JUnit's UTC time without a zone.
func parseArtifactTime(s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

// isMachineLike rejects words that cannot be a host name (a fallback taken
// from a title must still look like one).
func isMachineLike(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '.' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// jstr is a JSON string field that keeps at most maxScanText bytes of its
// value and tolerates other JSON types (null, numbers), so one odd field
// never makes a whole artifact unreadable.
type jstr string

func (s *jstr) UnmarshalJSON(b []byte) error {
	*s = jstr(jsonText(b))
	return nil
}

// jsonText renders a JSON value as text: strings are unquoted (bounded),
// numbers and booleans kept as written, null/objects/arrays give "".
func jsonText(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return ""
	}
	switch b[0] {
	case '"':
		return unquoteBounded(b, maxScanText)
	case '{', '[', 'n':
		return ""
	}
	return clipText(string(b[:min(len(b), 64)]), 64)
}

// unquoteBounded decodes a valid JSON string literal, reading at most about
// limit bytes of it: a runaway value is cut on an escape boundary.
func unquoteBounded(b []byte, limit int) string {
	var s string
	// Most values hold no escape: the literal's inside is the text. (The
	// enclosing decode already checked the literal is valid JSON.)
	if n := len(b); n >= 2 && n <= limit+2 && b[0] == '"' && b[n-1] == '"' && bytes.IndexByte(b[1:n-1], '\\') < 0 {
		return strings.ToValidUTF8(string(b[1:n-1]), "\uFFFD")
	}
	if len(b) <= limit+2 {
		if json.Unmarshal(b, &s) != nil {
			return ""
		}
		return s
	}
	i := 1
	for i < limit && i < len(b)-1 {
		switch {
		case b[i] != '\\':
			i++
		case i+1 < len(b) && b[i+1] == 'u':
			i += 6
		default:
			i += 2
		}
	}
	i = min(i, len(b)-1)
	buf := make([]byte, 0, i+1)
	buf = append(append(buf, b[:i]...), '"')
	if json.Unmarshal(buf, &s) != nil {
		return ""
	}
	return s + "…"
}

// jint is a JSON count that tolerates floats, numeric strings and null.
type jint int

func (n *jint) UnmarshalJSON(b []byte) error {
	t := jsonText(b)
	f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || f != f || f < 0 {
		*n = 0
		return nil
	}
	*n = jint(min(f, 1e9)) // a count, never an overflow
	return nil
}

// jseen records that a field is present without keeping its value.
type jseen bool

func (s *jseen) UnmarshalJSON(b []byte) error {
	*s = jseen(!bytes.Equal(bytes.TrimSpace(b), []byte("null")))
	return nil
}

// decodeJSON decodes data into v, keeping going past type mismatches (a field
// of an unexpected type stays zero). truncated reports input that ends early.
func decodeJSON(data []byte, v any) (truncated bool, err error) {
	err = json.Unmarshal(data, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return false, nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset >= int64(len(bytes.TrimRightFunc(data, unicode.IsSpace))) {
		return true, err
	}
	return false, err
}
