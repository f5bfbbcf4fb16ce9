package results

import (
	"fmt"
	"regexp"
	"strings"
)

const srcRunLog = "runner-log"

func (r *recon) decideHosts() {
	for i := range r.hosts {
		r.decideHost(&r.hosts[i])
	}
}

// sources returns the host's evidence in the R7 order of trust: run log,
// mochawesome, reporter (JSON over TXT), then JUnit.
func (e *hostEv) sources() []*Evidence {
	var out []*Evidence
	for _, x := range []*Evidence{e.mocha, e.reporter(), e.junit} {
		if x != nil {
			out = append(out, x)
		}
	}
	return out
}

func (r *recon) blockOpen(i int) bool {
	return i >= 0 && i < len(r.blocks) && !r.blocks[i].Finished
}

// decideHost gives one machine its status from every source: any FAIL
// wins; PASS needs a complete clean result and nothing against it (D1);
// in a categorized run it also needs the group's own log row (R3).
func (r *recon) decideHost(h *Host) {
	h.Kernel = r.meta.Inventory[h.Name]
	if r.meta.Categorized {
		h.Group = hostFamily(h.Name)
	}
	e := r.ev[h.Name]
	if e == nil {
		h.Status = HostNotStarted
		return
	}
	var pass, fail, running, unknown []string
	if e.row != nil {
		switch {
		case e.row.Failed():
			fail = append(fail, srcRunLog)
		case e.row.Tests > 0:
			pass = append(pass, srcRunLog)
		default:
			unknown = append(unknown, srcRunLog)
		}
	} else if e.spec != nil && (e.spec.Failing > 0 || e.spec.Finished && e.spec.FinishedFailed) {
		fail = append(fail, srcRunLog)
	}
	for _, x := range e.sources() {
		switch x.Status {
		case HostFail:
			fail = append(fail, x.Source)
		case HostPass:
			if x.Complete {
				pass = append(pass, x.Source)
			} else {
				unknown = append(unknown, x.Source)
			}
		case HostRunning:
			running = append(running, x.Source)
		default:
			unknown = append(unknown, x.Source)
		}
		for _, n := range x.Notes {
			h.Notes = appendOnce(h.Notes, n)
		}
	}
	// The host's own evidence in the log: its table row, or its spec's own
	// (Run Finished) box while the group is still running, with no source
	// of its own still running (D21: the other evidence agrees).
	logRow := e.row != nil || (e.specFinishedClean() && len(running) == 0)
	switch {
	case len(fail) > 0:
		h.Status = HostFail
		if len(pass) > 0 {
			h.Notes = appendOnce(h.Notes, fmt.Sprintf("sources disagree: %s say PASS, %s say FAIL", strings.Join(pass, ", "), strings.Join(fail, ", ")))
		}
	case len(pass) > 0 && r.meta.Categorized && !logRow:
		// R3: artifacts alone never prove a grouped host PASS.
		if r.blockOpen(e.specBlock) {
			h.Status = HostRunning
		} else {
			h.Status = HostUnknown
			h.Notes = appendOnce(h.Notes, "PASS not confirmed: the runner log has no summary row for this host")
		}
	case len(pass) > 0:
		h.Status = HostPass
	case len(running) > 0 || r.blockOpen(e.specBlock):
		h.Status = HostRunning
	case e.spec != nil:
		h.Status = HostUnknown
		h.Notes = appendOnce(h.Notes, "the spec ran but no result was found")
	case len(unknown) > 0:
		h.Status = HostUnknown
		h.Notes = appendOnce(h.Notes, "no complete result: "+strings.Join(unknown, ", ")+" unreadable or unfinished")
	default:
		h.Status = HostNotStarted
	}
	r.hostCounts(h, e)
	r.hostTimes(h, e)
	if h.Status == HostFail {
		r.hostDetail(h, e)
	}
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func (r *recon) hostCounts(h *Host, e *hostEv) {
	if e.row != nil {
		h.Tests, h.Failures = e.row.Tests, e.row.Failing
		return
	}
	for _, x := range e.sources() {
		if x.Tests > 0 || x.Failures > 0 {
			h.Tests, h.Failures = x.Tests, x.Failures
			return
		}
	}
	if e.spec != nil {
		h.Failures = e.spec.Failing
		if e.spec.Finished {
			h.Tests = e.spec.Tests
		}
	}
}

// specFinishedClean reports the host's spec invocation finished in the
// runner log with a clean (Run Finished) row of its own (D21).
func (e *hostEv) specFinishedClean() bool {
	return e.spec != nil && e.spec.Finished && !e.spec.FinishedFailed && e.spec.Failing == 0 && e.spec.Tests > 0
}

func (r *recon) hostTimes(h *Host, e *hostEv) {
	for _, x := range e.sources() {
		if h.StartedAt == nil && x.StartedAt != nil {
			t := *x.StartedAt
			h.StartedAt = &t
		}
		if h.EndedAt == nil && x.EndedAt != nil {
			t := *x.EndedAt
			h.EndedAt = &t
		}
	}
	if h.StartedAt != nil && h.EndedAt != nil && h.EndedAt.Before(*h.StartedAt) {
		h.EndedAt = nil
	}
	switch {
	case e.row != nil && e.row.DurationS > 0:
		h.DurationS = e.row.DurationS
	case h.StartedAt != nil && h.EndedAt != nil && h.Status != HostRunning:
		h.DurationS = round1(h.EndedAt.Sub(*h.StartedAt).Seconds())
	}
}

type detail struct{ src, step, err, excerpt string }

var stepNumRe = regexp.MustCompile(`^\s*(\d+)\.`)

func stepNum(s string) string {
	if m := stepNumRe.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// hostDetail takes the failing step and error from the best source (R7):
// run log, mochawesome, reporter JSON, reporter TXT, then JUnit. An empty
// error is no detail. When mochawesome and the reporter disagree on the
// step number, the reporter's step is kept.
func (r *recon) hostDetail(h *Host, e *hostEv) {
	var cands []detail
	if e.spec != nil {
		cands = append(cands, detail{srcRunLog, e.spec.FailedStep, e.spec.Error, e.spec.Excerpt})
	}
	for _, x := range []*Evidence{e.mocha, e.repJSON, e.repTXT, e.junit} {
		if x != nil && x.Status != HostPass {
			cands = append(cands, detail{x.Source, x.FailedStep, x.Error, x.Excerpt})
		}
	}
	var best *detail
	for i := range cands {
		if strings.TrimSpace(cands[i].err) != "" {
			best = &cands[i]
			break
		}
	}
	step := ""
	for _, c := range cands {
		if c.step != "" {
			step = c.step
			break
		}
	}
	if best != nil {
		h.DetailSource = best.src
		h.Error = best.err
		h.FailureExcerpt = best.excerpt
		if h.FailureExcerpt == "" {
			h.FailureExcerpt = best.err
		}
		if best.step != "" {
			step = best.step
		}
		if best.src == SourceMochawesome {
			for _, c := range cands {
				if (c.src == SourceReporterJSON || c.src == SourceReporterTXT) && c.step != "" {
					if stepNum(c.step) != stepNum(best.step) {
						step = c.step
					}
					break
				}
			}
		}
	} else {
		for _, c := range cands {
			if c.step != "" {
				h.DetailSource = c.src
				break
			}
		}
	}
	h.FailedStep = step
}

var familyPrefixRe = regexp.MustCompile(`^atvm\d+-`)

// hostFamily infers a machine's distro group from its name (R10):
// atvm71-redhat9.1 → redhat, atvm200-w2k25 → windows.
func hostFamily(m string) string {
	s := strings.ToLower(familyPrefixRe.ReplaceAllString(m, ""))
	i := 0
	for i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
		i++
	}
	w := s[:i]
	switch {
	case strings.HasPrefix(s, "w2k") || strings.HasPrefix(w, "win"):
		return "windows"
	case w == "rhel" || w == "redhat":
		return "redhat"
	case w == "sles" || w == "suse" || w == "opensuse":
		return "suse"
	case w == "":
		return "other"
	}
	return w
}
