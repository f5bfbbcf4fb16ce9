package results

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits that keep a hostile log's cost bounded: a line is kept up to
// rlMaxLineBytes (the rest is counted, not stored) and every list up to
// rlMaxItems entries.
const (
	rlMaxLineBytes = 1 << 20
	rlMaxItems     = 20000
	rlMaxExcerpt   = 1500
)

// RunLogFacts is what the runner log /tmp/<build>.log says so far.
type RunLogFacts struct {
	SpecPatterns []SpecPatternLine `json:"spec_patterns,omitempty"` // every `Extracted specPattern:` line
	Blocks       []CloudBlock      `json:"blocks,omitempty"`        // one per cypress-cloud invocation
	Detected     []int64           `json:"detected,omitempty"`      // line numbers of the wrapper's Detected 'Recorded Run' lines

	Lines       int64 `json:"lines"`
	Bytes       int64 `json:"bytes"`
	LongLines   int   `json:"long_lines,omitempty"`   // lines cut at rlMaxLineBytes
	InvalidUTF8 int   `json:"invalid_utf8,omitempty"` // lines of interest holding invalid UTF-8
	Dropped     int   `json:"dropped,omitempty"`      // items not kept past rlMaxItems
	Partial     bool  `json:"partial,omitempty"`      // the snapshot ends in a line without newline
}

// SpecPatternLine is one `Extracted specPattern: [...]` line (a Python list repr).
type SpecPatternLine struct {
	Line  int64    `json:"line"`
	Specs []string `json:"specs"`
}

// CloudBlock is one cypress-cloud invocation: a whole non-categorized run,
// or one grouped sub-run of a categorized run (docs/formats.md a.1, a.3).
type CloudBlock struct {
	StartLine   int64 `json:"start_line"`
	StartOffset int64 `json:"start_offset"`
	EndLine     int64 `json:"end_line"` // last line attributed to the block so far

	RunURL        string       `json:"run_url,omitempty"`      // 🎥 Run URL
	RecordedURL   string       `json:"recorded_url,omitempty"` // 🏁 Recorded Run (R11)
	BuildID       string       `json:"build_id,omitempty"`     // child --ci-build-id as printed (R10)
	Specs         []SpecRun    `json:"specs,omitempty"`        // `Running: spec (i/n)` lines
	CloudFinished bool         `json:"cloud_finished,omitempty"`
	Rows          []SummaryRow `json:"rows,omitempty"` // Cloud Run Finished spec rows
	Totals        *SummaryRow  `json:"totals,omitempty"`
	TableComplete bool         `json:"table_complete,omitempty"` // the table's bottom border was seen
	Finished      bool         `json:"finished,omitempty"`       // its own 🏁 Recorded Run line was seen
	Bookkeeping   bool         `json:"bookkeeping,omitempty"`    // ran only check-xml-files.ts
}

// SpecRun is one spec cypress-cloud ran, with the first failure Cypress
// printed for it (the consolidated log is the best failure source, R7).
type SpecRun struct {
	Spec    string `json:"spec"`
	Machine string `json:"machine"`
	Index   int    `json:"index"`
	Total   int    `json:"total"`
	Line    int64  `json:"line"`
	Failing int    `json:"failing,omitempty"` // mocha's "N failing"
	Batch   int    `json:"batch,omitempty"`   // specs of its cypress-cloud batch, when more than one was listed
	// Its own Cypress (Run Finished) box row (D21): the spec invocation has finished.
	Finished       bool   `json:"finished,omitempty"`
	FinishedFailed bool   `json:"finished_failed,omitempty"`
	Tests          int    `json:"tests,omitempty"`
	Passing        int    `json:"passing,omitempty"`
	FailedStep     string `json:"failed_step,omitempty"`
	Error          string `json:"error,omitempty"`
	Excerpt        string `json:"excerpt,omitempty"`
}

// SummaryRow is one row of a Cloud Run Finished table, continuation rows
// merged into the fields they continue (R9).
type SummaryRow struct {
	Marker    string  `json:"marker"` // ✔ or ✖
	Spec      string  `json:"spec"`   // for the totals row: the verdict text
	Machine   string  `json:"machine,omitempty"`
	Duration  string  `json:"duration"`
	DurationS float64 `json:"duration_s"`
	Tests     int     `json:"tests"`
	Passing   int     `json:"passing"`
	Failing   int     `json:"failing"`
	Pending   int     `json:"pending"`
	Skipped   int     `json:"skipped"`
	Line      int64   `json:"line"`

	raw [8]string // marker, spec, duration, five counts as read
}

// RunLogParser reads a runner log incrementally. It is an io.Writer: feed
// it the bytes as they arrive, in any chunking; Facts is a snapshot.
type RunLogParser struct {
	partial     []byte
	partialCut  bool // the pending line exceeded rlMaxLineBytes
	partialSize int64
	st          logState
}

// NewRunLogParser returns an empty parser.
func NewRunLogParser() *RunLogParser {
	return &RunLogParser{st: logState{cur: -1, curSpec: -1}}
}

// Write consumes more log bytes. It never fails.
func (p *RunLogParser) Write(b []byte) (int, error) {
	n := len(b)
	// ESC is searched once per chunk, not once per line: most logs hold
	// none, and then one scan clears every line of the chunk.
	esc := bytes.IndexByte(b, 0x1b)
	for pos := 0; pos < len(b); {
		i := bytes.IndexByte(b[pos:], '\n')
		if i < 0 {
			p.keep(b[pos:])
			break
		}
		end := pos + i
		if esc >= 0 && esc < pos {
			if esc = bytes.IndexByte(b[pos:], 0x1b); esc >= 0 {
				esc += pos
			}
		}
		if p.partialSize == 0 {
			p.st.lineESC(b[pos:end], false, int64(i), esc >= 0 && esc < end)
		} else {
			p.keep(b[pos:end])
			p.st.line(p.partial, p.partialCut, p.partialSize)
			p.partial, p.partialCut, p.partialSize = p.partial[:0], false, 0
			if cap(p.partial) > 64<<10 {
				p.partial = nil // a huge line's buffer is not kept
			}
		}
		pos = end + 1
	}
	return n, nil
}

func (p *RunLogParser) keep(b []byte) {
	p.partialSize += int64(len(b))
	room := rlMaxLineBytes - len(p.partial)
	if len(b) > room {
		b = b[:room]
		p.partialCut = true
	}
	p.partial = append(p.partial, b...)
}

// Facts returns a snapshot of everything read so far. A last line without
// its newline is included, so the snapshot does not depend on chunking.
func (p *RunLogParser) Facts() RunLogFacts {
	c := p.st.clone()
	if p.partialSize > 0 {
		c.line(p.partial, p.partialCut, p.partialSize)
		c.f.Bytes-- // no newline was read
		c.f.Partial = true
	}
	c.f.Blocks = c.f.Blocks[:len(c.f.Blocks):len(c.f.Blocks)]
	for i := range c.f.Blocks {
		b := &c.f.Blocks[i]
		b.Bookkeeping = len(b.Specs) > 0
		for _, s := range b.Specs {
			if !strings.Contains(s.Spec, "check-xml-files") {
				b.Bookkeeping = false
			}
		}
	}
	return c.f
}

// Table reading states.
const (
	tblNone   = iota
	tblAwait  // after "Cloud Run Finished", before the top border
	tblHeader // inside the box, before the line under the header
	tblRows
	tblTotals
)

type logState struct {
	f            RunLogFacts
	cur          int // current block, -1 when none is open
	table        int
	tableBlock   int // block the open table belongs to
	pendingBuild string
	fail         failCapture

	// Per-spec reading (runlog_spec.go): the spec of the batch whose output
	// is read, and Cypress's (Run Finished) box.
	curSpec        int
	cyBox          int // 0 none, 1 before the box, 2 in its rows
	cyMark, cyName string
	cyCounts       []string
}

type failCapture struct {
	state int // 0 idle, 1 after "N failing", 2 reading titles, 3 reading the error
	block int
	spec  int
	prev  int // the spec's failing count before this "N failing" (a batch may retarget it)
	step  string
	lines []string
}

func (s *logState) clone() logState {
	c := *s
	c.f.SpecPatterns = append([]SpecPatternLine(nil), s.f.SpecPatterns...)
	c.f.Detected = append([]int64(nil), s.f.Detected...)
	c.f.Blocks = make([]CloudBlock, len(s.f.Blocks))
	for i, b := range s.f.Blocks {
		b.Specs = append([]SpecRun(nil), b.Specs...)
		b.Rows = append([]SummaryRow(nil), b.Rows...)
		if b.Totals != nil {
			t := *b.Totals
			b.Totals = &t
		}
		c.f.Blocks[i] = b
	}
	c.fail.lines = append([]string(nil), s.fail.lines...)
	return c
}

var (
	cloudRunRe   = regexp.MustCompile(`^Running: (\S.*?) \((\d+)/(\d+)\)\s*$`)
	buildIDRe    = regexp.MustCompile(`(?:--ci-build-id(?:=|\s+)|(?i:\bci[-_ ]build[-_ ]id|\bbuild[-_ ]id)\s*[:=]\s*)['"]?([^\s'",]+)`)
	failingRe    = regexp.MustCompile(`^(\d+) failing\s*$`)
	failTitleRe  = regexp.MustCompile(`^1\) (.*)$`)
	rlURLRe      = regexp.MustCompile(`https?://\S+`)
	rlMachineRe  = regexp.MustCompile(`atvm\d+-[A-Za-z0-9._-]*[A-Za-z0-9]`)
	extractedTag = []byte("Extracted specPattern:")
	detectedTag  = []byte("Detected 'Recorded Run'")
	uildTag      = []byte("uild")
)

// line handles one complete line; size is its full length (cut or not).
func (s *logState) line(raw []byte, cut bool, size int64) {
	s.lineESC(raw, cut, size, bytes.IndexByte(raw, 0x1b) >= 0)
}

// lineESC is line when the caller already knows whether raw holds ESC.
func (s *logState) lineESC(raw []byte, cut bool, size int64, hasESC bool) {
	f := &s.f
	f.Lines++
	start := f.Bytes
	f.Bytes += size + 1
	if cut {
		f.LongLines++
	}
	if n := len(raw); n > 0 && raw[n-1] == '\r' {
		raw = raw[:n-1]
	}
	if hasESC {
		raw = rlStripSGR(raw)
	}
	t := rlTrimLeft(raw)
	busy := s.table != tblNone || s.fail.state != 0 || s.cyBox != 0
	if !busy && !rlInteresting(t) {
		return
	}
	if !utf8.Valid(raw) {
		f.InvalidUTF8++
		raw = bytes.ToValidUTF8(raw, []byte("\uFFFD"))
		t = rlTrimLeft(raw)
	}
	if !busy && !rlMayAct(raw, t) {
		return // e.g. "Response body: …": no string is made of it
	}
	s.handle(raw, t, start)
}

func (s *logState) block() *CloudBlock {
	if s.cur < 0 {
		return nil
	}
	return &s.f.Blocks[s.cur]
}

func (s *logState) newBlock(lineNo, offset int64) *CloudBlock {
	s.endTable()
	s.fail = failCapture{}
	s.curSpec, s.cyBox = -1, 0
	if len(s.f.Blocks) >= rlMaxItems {
		s.f.Dropped++
		s.f.Blocks = s.f.Blocks[:len(s.f.Blocks)-1]
	}
	s.f.Blocks = append(s.f.Blocks, CloudBlock{StartLine: lineNo, StartOffset: offset, EndLine: lineNo, BuildID: s.pendingBuild})
	s.pendingBuild = ""
	s.cur = len(s.f.Blocks) - 1
	return &s.f.Blocks[s.cur]
}

func (s *logState) endTable() {
	s.table = tblNone
}

func (s *logState) handle(raw, t []byte, offset int64) {
	lineNo := s.f.Lines
	ts := string(t)
	trimmed := strings.TrimSpace(ts)

	// Markers that bound blocks and tables come first: they end any open
	// table or failure capture (R9).
	switch {
	case strings.Contains(ts, "Extracted specPattern:"):
		s.fail = failCapture{}
		s.endTable()
		i := strings.Index(ts, "Extracted specPattern:")
		if len(s.f.SpecPatterns) < rlMaxItems {
			s.f.SpecPatterns = append(s.f.SpecPatterns, SpecPatternLine{Line: lineNo, Specs: rlPythonList(ts[i+len("Extracted specPattern:"):])})
		} else {
			s.f.Dropped++
		}
		s.cur = -1 // a parent block ends at the next Extracted specPattern (R9)
		return
	case strings.Contains(ts, "Detected 'Recorded Run'"):
		if len(s.f.Detected) < rlMaxItems {
			s.f.Detected = append(s.f.Detected, lineNo)
		} else {
			s.f.Dropped++
		}
		if b := s.block(); b != nil {
			b.EndLine = lineNo
		}
		return // never the end of a table or block (04-15)
	case trimmed == "Cloud Run Finished":
		s.fail = failCapture{}
		b := s.block()
		if b == nil || b.CloudFinished {
			b = s.newBlock(lineNo, offset) // a parent block ends at the next Cloud Run Finished (R9)
		}
		b.CloudFinished = true
		b.EndLine = lineNo
		s.table, s.tableBlock = tblAwait, s.cur
		return
	case strings.HasPrefix(ts, "🏁 Recorded Run:") || strings.HasPrefix(ts, "🏁 Recorded Run "):
		s.fail = failCapture{}
		b := s.block()
		if b == nil || b.Finished {
			b = s.newBlock(lineNo, offset)
		}
		if u := rlURLRe.FindString(ts); u != "" {
			b.RecordedURL = u
		}
		b.Finished = true
		b.EndLine = lineNo
		if s.table == tblAwait {
			s.endTable()
		}
		return // a table still open takes its late rows; the next block's markers close it
	case strings.HasPrefix(ts, "Using config file:"):
		s.fail = failCapture{}
		if b := s.block(); b == nil || b.RunURL != "" || len(b.Specs) > 0 || b.CloudFinished || b.Finished {
			s.newBlock(lineNo, offset)
		} else {
			s.endTable()
		}
		return
	case strings.HasPrefix(ts, "🎥 Run URL:"):
		s.fail = failCapture{}
		b := s.block()
		if b == nil || b.RunURL != "" || b.Finished || b.CloudFinished {
			b = s.newBlock(lineNo, offset)
		}
		b.RunURL = rlURLRe.FindString(ts)
		b.EndLine = lineNo
		return
	}
	if t0 := raw; len(t0) > 0 && t0[0] == 'R' { // cypress-cloud's Running is not indented
		if m := cloudRunRe.FindStringSubmatch(string(raw)); m != nil {
			s.fail = failCapture{}
			b := s.block()
			if b == nil || b.Finished || b.CloudFinished {
				b = s.newBlock(lineNo, offset)
			}
			idx, _ := strconv.Atoi(m[2])
			tot, _ := strconv.Atoi(m[3])
			s.addBatch(b, m[1], idx, tot, lineNo)
			b.EndLine = lineNo
			return
		}
	}
	if bytes.Contains(raw, uildTag) {
		if m := buildIDRe.FindStringSubmatch(ts); m != nil {
			if b := s.block(); b != nil && !b.Finished && b.BuildID == "" && !b.CloudFinished {
				b.BuildID = m[1]
			} else {
				s.pendingBuild = m[1]
			}
		}
	}
	if s.table != tblNone {
		s.tableLine(ts, trimmed, lineNo)
		return
	}
	if s.specLine(raw, trimmed, lineNo) {
		return
	}
	s.failLine(string(raw), trimmed)
}

// tableLine reads one line while a Cloud Run Finished table is open.
func (s *logState) tableLine(ts, trimmed string, lineNo int64) {
	if s.tableBlock < 0 || s.tableBlock >= len(s.f.Blocks) {
		s.endTable()
		return
	}
	b := &s.f.Blocks[s.tableBlock]
	switch {
	case trimmed == "":
		return
	case strings.HasPrefix(trimmed, "┌"):
		if s.table == tblAwait {
			s.table = tblHeader
		}
	case strings.HasPrefix(trimmed, "├"):
		switch s.table {
		case tblHeader:
			s.table = tblRows
		case tblRows:
			s.table = tblTotals
		}
	case strings.HasPrefix(trimmed, "└"):
		if s.table != tblAwait {
			b.TableComplete = true
			b.EndLine = lineNo
		}
		s.endTable()
	case strings.HasPrefix(trimmed, "│"):
		switch s.table {
		case tblAwait:
			s.endTable()
		case tblHeader:
			// The header is the box's first row; Cypress's own (Run
			// Finished) box has its header outside, so it is not ours.
			if !strings.Contains(trimmed, "Spec") || !strings.Contains(trimmed, "Passing") {
				s.endTable()
			}
		case tblRows:
			if len(b.Rows) < rlMaxItems || !isRowStart(ts) {
				b.Rows = mergeRow(b.Rows, ts, lineNo)
			} else {
				s.f.Dropped++
			}
			b.EndLine = lineNo
		case tblTotals:
			var tot []SummaryRow
			if b.Totals != nil {
				tot = []SummaryRow{*b.Totals}
			}
			tot = mergeRow(tot, ts, lineNo)
			if len(tot) > 0 {
				last := tot[len(tot)-1]
				b.Totals = &last
			}
			b.EndLine = lineNo
		}
	default:
		if s.table == tblAwait {
			s.endTable() // not the summary table after all (warnings, or a cut log)
		}
		// Other lines interleaved into the table are skipped (a.2 step 4).
	}
}
