package results

import (
	"strconv"
	"strings"
)

// failLine follows Cypress's mocha output for the current spec and keeps
// the first failure's step and error.
func (s *logState) failLine(rawLine, trimmed string) {
	fc := &s.fail
	switch fc.state {
	case 0:
		if m := failingRe.FindStringSubmatch(trimmed); m != nil {
			b := s.block()
			if b == nil || len(b.Specs) == 0 {
				return
			}
			n, _ := strconv.Atoi(m[1])
			i := s.currentSpec(b)
			prev := b.Specs[i].Failing
			b.Specs[i].Failing = n
			*fc = failCapture{state: 1, block: s.cur, spec: i, prev: prev}
		}
	case 1:
		if trimmed == "" {
			return
		}
		if m := failTitleRe.FindStringSubmatch(trimmed); m != nil {
			fc.state = 2
			s.retarget(m[1])
			return
		}
		*fc = failCapture{}
	case 2:
		indent := len(rawLine) - len(strings.TrimLeft(rawLine, " "))
		if trimmed != "" && indent > 5 && strings.HasSuffix(trimmed, ":") {
			fc.step = strings.TrimSuffix(trimmed, ":")
			return
		}
		if trimmed == "" {
			return
		}
		fc.state = 3
		fc.lines = append(fc.lines, trimmed)
	case 3:
		if strings.HasPrefix(trimmed, "at ") || strings.HasPrefix(trimmed, "(Results)") || strings.HasPrefix(trimmed, "2) ") || len(fc.lines) >= 12 {
			s.finishFail()
			return
		}
		if trimmed != "" {
			fc.lines = append(fc.lines, trimmed)
		}
	}
}

func (s *logState) finishFail() {
	fc := s.fail
	s.fail = failCapture{}
	if fc.block < 0 || fc.block >= len(s.f.Blocks) {
		return
	}
	b := &s.f.Blocks[fc.block]
	if fc.spec < 0 || fc.spec >= len(b.Specs) || len(fc.lines) == 0 {
		return
	}
	sp := &b.Specs[fc.spec]
	sp.FailedStep = fc.step
	sp.Error = rlShortError(fc.lines)
	ex := strings.Join(fc.lines, "\n")
	if r := []rune(ex); len(r) > rlMaxExcerpt {
		ex = string(r[:rlMaxExcerpt]) + "…"
	}
	sp.Excerpt = ex
}

// rlUnescape undoes a Python repr's escapes; built once, not per item.
var rlUnescape = strings.NewReplacer(`\'`, `'`, `\"`, `"`, `\\`, `\`)

// rlPythonList reads a Python list repr of strings: ['a.ts', "b.ts"].
func rlPythonList(s string) []string {
	out := []string{}
	cfgQuotedEach(s, func(q byte, v string) {
		if q == '`' || v == "" {
			return
		}
		if strings.IndexByte(v, '\\') >= 0 {
			v = rlUnescape.Replace(v)
		}
		out = append(out, v)
	})
	return out
}

// rlMachine names the machine a spec path is for: the atvm name in
// its base name, else the base name without extension.
func rlMachine(spec string) string {
	base := spec
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	for _, ext := range []string{".cy.ts", ".cy.js", ".ts", ".js"} {
		if strings.HasSuffix(base, ext) {
			base = strings.TrimSuffix(base, ext)
			break
		}
	}
	if m := rlMachineRe.FindString(base); m != "" {
		return m
	}
	return base
}

// rlShortError picks the line an operator needs from a Cypress error: the
// first Stderr line of a cy.exec, the "> " line of a cy.task, else the first.
func rlShortError(lines []string) string {
	for i, l := range lines {
		if l == "Stderr:" && i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "https://on.cypress.io") {
			return lines[i+1]
		}
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "> ") && len(l) > 2 {
			return strings.TrimSpace(l[2:])
		}
	}
	return lines[0]
}
