package results

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// A post is built once as a small document — title, sections of atomic
// units, footer — and then laid out: whole, or split for length without
// ever cutting a unit (a host line, a step, one host's failure note).

type unitKind int

const (
	uItem  unitKind = iota // one list line
	uLabel                 // a sub-heading inside a section, optionally with a fenced block (code)
)

type postUnit struct {
	kind unitKind
	text string
	code []string
}

type postSection struct {
	name        string // SUMMARY, HOSTS, TIMING, COVERAGE, TEST FLOW, NOTES, FAILURE NOTES (S3)
	head        string // the rest of the label line
	units       []postUnit
	placeholder string // the label line's rest when the units move to a reply
}

type postDoc struct {
	md         bool
	title      string
	preamble   []string // e.g. the correction line
	sections   []postSection
	hostLevels []postSection // HOSTS at decreasing detail, [0] == the one in sections
	footer     string
}

// Section names, in the order of S3.
const (
	secSummary  = "SUMMARY"
	secHosts    = "HOSTS"
	secTiming   = "TIMING"
	secCoverage = "COVERAGE"
	secFlow     = "TEST FLOW"
	secNotes    = "NOTES"
	secFailures = "FAILURE NOTES"
)

// postBuilder holds what every section needs.
type postBuilder struct {
	st  Status
	opt RenderOptions
	sc  postScope
	md  bool
	loc *time.Location
	now time.Time
}

func buildDoc(st Status, opt RenderOptions, md bool) postDoc {
	b := &postBuilder{st: st, opt: opt, md: md, loc: opt.location(), now: opt.Now}
	if b.now.IsZero() {
		b.now = latestTime(&st)
	}
	b.sc = selectScope(st, opt.Subrun)
	d := postDoc{md: md, title: b.title(), preamble: b.preamble(), footer: b.footer()}
	for lvl := 0; lvl < hostLevels; lvl++ {
		d.hostLevels = append(d.hostLevels, b.hostsSection(lvl))
	}
	d.sections = []postSection{b.summary(), d.hostLevels[0], b.timing(), b.coverage(), b.flow(), b.notes()}
	if f, ok := b.failures(); ok {
		d.sections = append(d.sections, f)
	}
	return d
}

// esc makes artifact text safe for the target format.
func (b *postBuilder) esc(s string) string {
	if b.md {
		return mdEsc(s)
	}
	return foldSpace(s)
}

func (b *postBuilder) code(s string) string {
	if b.md {
		return mdCode(s)
	}
	return foldSpace(s)
}

func (b *postBuilder) link(text, url string) string {
	if b.md {
		return "[" + mdEsc(text) + "](" + strings.ReplaceAll(url, ")", "%29") + ")"
	}
	return text + ": " + url
}

func (b *postBuilder) label(s string) string {
	if b.md {
		return "_" + s + "_"
	}
	return s
}

func (b *postBuilder) when(t time.Time) string {
	return t.In(b.loc).Format("2006-01-02 15:04:05 MST")
}

func (b *postBuilder) title() string {
	t := b.st.Build
	if t == "" {
		t = "(unnamed build)"
	}
	if b.sc.subrun != nil {
		t += " — sub-run " + b.sc.subrun.Name
	} else if b.opt.Kind == Final && b.st.Categorized && len(b.st.Subruns) > 1 {
		t += " — final summary"
	}
	return b.esc(t)
}

func (b *postBuilder) preamble() []string {
	if b.opt.Kind != Correction {
		return nil
	}
	what := "the earlier result post"
	if b.opt.SupersedesLink != "" {
		what = b.link("the earlier result post", b.opt.SupersedesLink)
	}
	if b.md {
		return []string{"⚠️ **CORRECTION:** this result supersedes " + what + ", which was wrong."}
	}
	return []string{"⚠️ CORRECTION: this result supersedes " + what + ", which was wrong."}
}

func (b *postBuilder) footer() string {
	v := b.opt.Version
	if v == "" {
		v = b.st.Version
	}
	if v == "" {
		v = "(version unknown)"
	}
	return "atvmbot " + b.esc(v)
}

func (b *postBuilder) summary() postSection {
	c := countScope(b.sc)
	emoji, word := verdict(b.sc, c, b.st.Hung)
	head := fmt.Sprintf("%s %s — %d passed · %d failed · %d running · %d remaining · %d skipped",
		emoji, word, c.passed, c.failed, c.running, c.remaining, c.skipped)
	if c.unknown > 0 {
		head += fmt.Sprintf(" · %d unknown", c.unknown)
	}
	switch cur := b.sc.currents; {
	case len(cur) == 1:
		head += " — " + b.link("Currents run", cur[0].url)
	case len(cur) > 1:
		var links []string
		for i, u := range cur {
			name := u.name
			if name == "" {
				name = fmt.Sprintf("run %d", i+1)
			}
			links = append(links, b.link(name, u.url))
		}
		head += " — Currents: " + strings.Join(links, " · ")
	}
	s := postSection{name: secSummary, head: head}
	if b.sc.subrun != nil {
		s.units = append(s.units, postUnit{kind: uItem, text: b.wholeRunLine()})
	}
	s.units = append(s.units, b.causeUnits()...)
	return s
}

// wholeRunLine tells a sub-run post's reader where the whole run stands:
// one finished group is not the end of the run (W3).
func (b *postBuilder) wholeRunLine() string {
	all := countScope(selectScope(b.st, ""))
	done := 0
	for _, sr := range b.st.Subruns {
		if sr.Finished || sr.State == SubrunCompleted || sr.State == SubrunFailed {
			done++
		}
	}
	line := fmt.Sprintf("Whole run so far: %d passed · %d failed · %d running · %d remaining", all.passed, all.failed, all.running, all.remaining)
	if n := len(b.st.Subruns); n > 0 {
		line += fmt.Sprintf(" — %d of %d sub-runs finished", done, n)
	}
	return line
}

func (b *postBuilder) timing() postSection {
	tm := timingFor(&b.st, b.sc.hosts, b.sc.start, b.sc.end, b.sc.finished, b.now)
	var items []string
	start := b.sc.start
	if start == nil {
		start = earliestStart(b.sc.hosts)
	}
	if start != nil {
		items = append(items, "Start: "+b.when(*start))
	} else {
		items = append(items, "Start: not known yet")
	}
	if b.sc.finished {
		if b.sc.end != nil {
			items = append(items, "End: "+b.when(*b.sc.end))
		}
		if tm.ElapsedS > 0 {
			items = append(items, "Total: "+fmtDuration(tm.ElapsedS))
		}
	} else if tm.ElapsedS > 0 {
		items = append(items, fmt.Sprintf("Elapsed: %s (as of %s)", fmtDuration(tm.ElapsedS), b.when(b.now)))
	}
	switch tm.TimedHosts {
	case 0:
		items = append(items, "Host runtime: no host has finished yet")
	case 1:
		items = append(items, fmt.Sprintf("Host runtime: %s (%s, the only finished host)", fmtDuration(tm.AverageS), b.esc(tm.QuickestHost)))
	default:
		items = append(items, fmt.Sprintf("Host runtime: quickest %s (%s) · longest %s (%s) · average %s over %d hosts",
			fmtDuration(tm.QuickestS), b.esc(tm.QuickestHost), fmtDuration(tm.LongestS), b.esc(tm.LongestHost),
			fmtDuration(tm.AverageS), tm.TimedHosts))
	}
	if !runFinished(b.st.State) {
		items = append(items, b.etaLine())
	}
	return postSection{name: secTiming, units: itemUnits(items)}
}

// etaLine is the estimate for the whole remaining run (S6), even in a
// sub-run post.
func (b *postBuilder) etaLine() string {
	tm := RunETA(b.st, b.now)
	const label = "ETA for the whole remaining run: "
	switch {
	case tm.HostsLeft == 0:
		return label + "no host left to run"
	case tm.ETA == nil:
		return fmt.Sprintf("%snot known yet (%s left, none finished to time)", label, plural(tm.HostsLeft, "host", "hosts"))
	}
	in := "in under a minute"
	if m := math.Round(tm.ETA.Sub(b.now).Minutes()); m >= 1 {
		in = "in about " + fmtDuration(m*60)
	}
	at := "one host at a time"
	if tm.Parallelism != 1 {
		at = strconv.FormatFloat(tm.Parallelism, 'f', -1, 64) + " hosts at once"
	}
	return fmt.Sprintf("%s%s, %s (%s left, about %s each, %s)",
		label, FormatETA(*tm.ETA, b.loc), in, plural(tm.HostsLeft, "host", "hosts"), fmtDuration(timingStats(&b.st).avg), at)
}

func itemUnits(items []string) []postUnit {
	out := make([]postUnit, 0, len(items))
	for _, it := range items {
		out = append(out, postUnit{kind: uItem, text: it})
	}
	return out
}
