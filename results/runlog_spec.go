package results

import (
	"path"
	"regexp"
	"strings"
)

// Per-spec facts of the runner log (D21, docs/formats.md a.1, a.4): the
// specs of one cypress-cloud batch, which of them Cypress is running now,
// and the spec's own `(Run Finished)` box, the proof that the spec
// invocation has finished.

// cypressRunRe is Cypress's own "  Running:  spec   (i of n)" line, printed
// for each spec of a batch (cypress-cloud's own line is not indented).
var cypressRunRe = regexp.MustCompile(`^\s+Running:\s+(\S.*?)\s+\((\d+) of (\d+)\)\s*$`)

// rlBatchSpecs splits cypress-cloud's "Running: a.ts, b.ts, c.ts (3/3)"
// list: one batch holds several specs (batch size 3 by default).
func rlBatchSpecs(list string) []string {
	var out []string
	for _, s := range strings.Split(list, ", ") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		out = []string{list}
	}
	return out
}

// addBatch records every spec of a cypress-cloud Running line. Until
// Cypress says which spec of the batch runs, output goes to its first.
func (s *logState) addBatch(b *CloudBlock, list string, idx, tot int, lineNo int64) {
	specs := rlBatchSpecs(list)
	s.curSpec = len(b.Specs)
	for _, sp := range specs {
		if len(b.Specs) >= rlMaxItems {
			s.f.Dropped++
			continue
		}
		b.Specs = append(b.Specs, SpecRun{Spec: sp, Machine: rlMachine(sp), Index: idx, Total: tot, Line: lineNo, Batch: len(specs)})
	}
}

// specOf finds the spec of the current block's latest batch that Cypress
// names (a basename), or -1.
func specOf(b *CloudBlock, name string) int {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	for i := len(b.Specs) - 1; i >= 0; i-- {
		if path.Base(strings.ReplaceAll(b.Specs[i].Spec, `\`, "/")) == name {
			return i
		}
	}
	return -1
}

// currentSpec is the index of the spec whose output is being read.
func (s *logState) currentSpec(b *CloudBlock) int {
	if s.curSpec >= 0 && s.curSpec < len(b.Specs) {
		return s.curSpec
	}
	return len(b.Specs) - 1
}

// specLine handles Cypress's per-spec lines inside a block: its indented
// Running line (which spec of the batch the output belongs to) and its
// (Run Finished) box. It reports whether the line was taken.
func (s *logState) specLine(raw []byte, trimmed string, lineNo int64) bool {
	if s.cyBox != 0 {
		return s.boxLine(trimmed, lineNo)
	}
	switch {
	case trimmed == "(Run Finished)":
		if s.fail.state == 3 {
			s.finishFail()
		}
		s.fail = failCapture{}
		if b := s.block(); b != nil && !b.CloudFinished {
			s.cyBox, s.cyMark = 1, ""
		}
		return true
	case len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t') && strings.HasPrefix(trimmed, "Running:"):
		m := cypressRunRe.FindStringSubmatch(string(raw))
		b := s.block()
		if m == nil || b == nil {
			return false
		}
		if s.fail.state == 3 {
			s.finishFail()
		}
		s.fail = failCapture{}
		if i := specOf(b, m[1]); i >= 0 {
			s.curSpec = i
		}
		return true
	}
	return false
}

// boxLine reads one line of Cypress's (Run Finished) box: the header
// outside it, the rows, and the totals line after the bottom border.
func (s *logState) boxLine(trimmed string, lineNo int64) bool {
	b := s.block()
	switch {
	case b == nil:
		s.cyBox = 0
		return false
	case trimmed == "":
		return true
	case s.cyBox == 1 && strings.HasPrefix(trimmed, "Spec"):
		return true // the header sits outside the box
	case strings.HasPrefix(trimmed, "┌"), strings.HasPrefix(trimmed, "├"):
		s.cyBox = 2
		return true
	case strings.HasPrefix(trimmed, "└"):
		s.cyBox = 0 // the totals line after it is not a spec
		return true
	case s.cyBox == 2 && strings.HasPrefix(trimmed, "│"):
		s.boxRow(b, trimmed, lineNo)
		return true
	}
	s.cyBox = 0
	return false
}

// boxRow reads "│ ✖  spec.ts   10:21   22   9   1   12   - │": the last six
// fields are the duration and five counts; a row without a marker carries
// the rest of a wrapped spec name.
func (s *logState) boxRow(b *CloudBlock, trimmed string, lineNo int64) {
	f := strings.Fields(strings.Trim(trimmed, "│ "))
	if len(f) == 0 {
		return
	}
	if f[0] != "✔" && f[0] != "✖" {
		if s.cyMark != "" && len(f) == 1 {
			s.cyName += f[0]
			s.matchBox(b)
		}
		return
	}
	s.cyMark = ""
	if len(f) < 8 {
		return
	}
	n := len(f)
	s.cyName = strings.Join(f[1:n-6], "")
	s.cyMark, s.cyCounts = f[0], f[n-5:]
	s.matchBox(b)
}

// matchBox books the box row read so far to its spec, once its name is
// whole enough to match.
func (s *logState) matchBox(b *CloudBlock) {
	i := specOf(b, s.cyName)
	if i < 0 {
		return
	}
	sp := &b.Specs[i]
	sp.Finished = true
	sp.Tests = rlCount(s.cyCounts[0])
	sp.Passing = rlCount(s.cyCounts[1])
	if fl := rlCount(s.cyCounts[2]); fl > sp.Failing {
		sp.Failing = fl
	}
	sp.FinishedFailed = s.cyMark == "✖" || sp.Failing > 0 || rlCount(s.cyCounts[4]) > 0
}

// retarget moves a failure block to the spec of the batch its first title
// names ("1) atvm72-redhat9.6 cmc-reboot"), when the log did not say which
// spec of a batch was running (no Cypress Running line came through).
func (s *logState) retarget(title string) {
	fc := &s.fail
	if fc.block < 0 || fc.block >= len(s.f.Blocks) {
		return
	}
	b := &s.f.Blocks[fc.block]
	if fc.spec < 0 || fc.spec >= len(b.Specs) || b.Specs[fc.spec].Batch < 2 {
		return
	}
	own := b.Specs[fc.spec].Machine
	if own != "" && strings.HasPrefix(title, own+" ") {
		return
	}
	first := b.Specs[fc.spec].Line
	for j := range b.Specs {
		sp := &b.Specs[j]
		if j == fc.spec || sp.Line != first || sp.Machine == "" || !strings.HasPrefix(title, sp.Machine+" ") {
			continue
		}
		sp.Failing = b.Specs[fc.spec].Failing
		b.Specs[fc.spec].Failing = fc.prev
		fc.spec = j
		s.curSpec = j
		return
	}
}
