package results

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// Defaults of the judgments that depend on elapsed time (D3, D6).
const (
	DefaultHungGrace   = 20 * time.Minute
	DefaultSettleDelay = 60 * time.Second
)

// Reconstruct rebuilds a run's true Status from what the controller holds
// (S2): the stored scope, the runner log and every artifact written since
// the run start. A PASS needs positive evidence (D1). It never panics: bad
// input becomes a note.
func Reconstruct(meta Meta, arts Artifacts) (st Status) {
	defer func() {
		if r := recover(); r != nil {
			st = Status{Build: meta.Build, Template: meta.Template, State: RunUnknown, Categorized: meta.Categorized,
				Hosts: []Host{}, Skipped: nonNilSkips(meta.Skipped), Remaining: []string{}, Subruns: []Subrun{},
				CurrentsURLs: []string{}, Notes: []string{fmt.Sprintf("status could not be reconstructed: %v", r)}}
		}
	}()
	r := newRecon(meta, arts)
	r.collect()
	r.readLog()
	r.buildScope()
	r.decideHosts()
	r.buildSubruns()
	r.decideState()
	r.timing()
	r.testFlow()
	return r.status()
}

// hostEv is everything known about one machine.
type hostEv struct {
	junit, mocha, repJSON, repTXT *Evidence
	row                           *SummaryRow
	rowBlock                      int
	spec                          *SpecRun
	specBlock                     int
	notes                         []string
}

type recon struct {
	meta Meta
	arts Artifacts

	notes    []string
	noteSeen map[string]bool

	configPattern []string
	specs         map[string][]byte // machine → generated spec bytes
	ev            map[string]*hostEv
	bookkeeping   []Evidence // check-xml-files.ts XMLs of this run
	latestMtime   time.Time

	blocks   []CloudBlock // the log's blocks, bookkeeping ones left out
	scope    []string
	hosts    []Host
	index    map[string]int // host name → index in hosts
	subruns  []Subrun
	state    string
	hung     bool
	runAlive bool
	started  *time.Time
	ended    *time.Time
	t        Timing
	flow     []string
	flowSrc  string
	groupFl  map[string][]string
}

func newRecon(meta Meta, arts Artifacts) *recon {
	if meta.HungGrace <= 0 {
		meta.HungGrace = DefaultHungGrace
	}
	if meta.SettleDelay <= 0 {
		meta.SettleDelay = DefaultSettleDelay
	}
	if meta.Now.IsZero() {
		meta.Now = time.Now()
	}
	return &recon{meta: meta, arts: arts, noteSeen: map[string]bool{}, ev: map[string]*hostEv{}, specs: map[string][]byte{}, index: map[string]int{}}
}

func (r *recon) note(format string, a ...any) {
	n := fmt.Sprintf(format, a...)
	if !r.noteSeen[n] {
		r.noteSeen[n] = true
		r.notes = append(r.notes, n)
	}
}

func (r *recon) host(m string) *hostEv {
	h := r.ev[m]
	if h == nil {
		h = &hostEv{rowBlock: -1, specBlock: -1}
		r.ev[m] = h
	}
	return h
}

// stale reports an artifact written before the run started (R1).
func (r *recon) stale(t time.Time) bool {
	return !r.meta.RunStart.IsZero() && !t.IsZero() && t.Before(r.meta.RunStart)
}

// collect parses every file and keeps, per machine and source, the newest
// artifact of this run (R1, R5).
func (r *recon) collect() {
	parsed := append([]ParsedFile(nil), r.arts.Parsed...)
	for _, f := range r.arts.Files {
		k := ClassifyPath(f.Path)
		if k == KindUnknown || (k != KindConfig && k != KindSpec && r.stale(f.ModTime)) {
			continue // skipped before parsing: stale artifacts cost nothing
		}
		pf := ParseFile(f)
		parsed = append(parsed, pf)
	}
	for i := range parsed {
		r.addParsed(&parsed[i])
	}
}

func (r *recon) addParsed(pf *ParsedFile) {
	switch pf.Kind {
	case KindConfig:
		if r.configPattern == nil || path.Base(pf.Path) == r.meta.ConfigFile {
			r.configPattern = pf.SpecPattern
		}
		return
	case KindSpec:
		r.specs[rlMachine(pf.Path)] = pf.Data
		return
	case KindUnknown:
		return
	}
	if r.stale(pf.ModTime) {
		return
	}
	if pf.Err != "" && len(pf.Evidence) == 0 {
		r.note("%s could not be read: %s", pf.Path, pf.Err)
	}
	if pf.ModTime.After(r.latestMtime) {
		r.latestMtime = pf.ModTime
	}
	for i := range pf.Evidence {
		ev := pf.Evidence[i]
		if ev.Path == "" {
			ev.Path = pf.Path
		}
		if ev.ModTime.IsZero() {
			ev.ModTime = pf.ModTime
		}
		if ev.Bookkeeping {
			r.bookkeeping = append(r.bookkeeping, ev)
			continue
		}
		if ev.Machine == "" {
			for _, n := range ev.Notes {
				r.note("%s: %s", pf.Path, n)
			}
			continue
		}
		if pf.Kind == KindReporterJSON || pf.Kind == KindReporterTXT {
			if _, at, ok := ReporterStamp(path.Base(pf.Path)); ok {
				if r.stale(at) {
					continue // a reporter run that began before this run (R1)
				}
				if ev.StartedAt == nil {
					a := at
					ev.StartedAt = &a
				}
			}
		}
		h := r.host(ev.Machine)
		slot := &h.junit
		switch ev.Source {
		case SourceMochawesome:
			slot = &h.mocha
		case SourceReporterJSON:
			slot = &h.repJSON
		case SourceReporterTXT:
			slot = &h.repTXT
		}
		if *slot == nil || newer(ev, **slot) {
			e := ev
			*slot = &e
		}
	}
}

// newer orders two artifacts of one machine and source: the later run
// start (reporter stamp, JUnit timestamp), then the later write (R1).
func newer(a, b Evidence) bool {
	as, bs := evStart(a), evStart(b)
	if !as.Equal(bs) {
		return as.After(bs)
	}
	if !a.ModTime.Equal(b.ModTime) {
		return a.ModTime.After(b.ModTime)
	}
	return a.Path > b.Path
}

func evStart(e Evidence) time.Time {
	if e.StartedAt != nil {
		return *e.StartedAt
	}
	return e.ModTime
}

// reporter returns the host's reporter evidence: the newest run, and for
// the same run timestamp the JSON over the .txt (R5).
func (h *hostEv) reporter() *Evidence {
	switch {
	case h.repJSON == nil:
		return h.repTXT
	case h.repTXT == nil:
		return h.repJSON
	case evStart(*h.repTXT).After(evStart(*h.repJSON)):
		return h.repTXT
	case !h.repJSON.Complete && h.repTXT.Complete && evStart(*h.repTXT).Equal(evStart(*h.repJSON)):
		return h.repTXT // a cut or unreadable JSON does not hide a finished transcript
	}
	return h.repJSON
}

// readLog indexes the runner log: per machine its latest summary row and
// spec run (a later block is a later attempt).
func (r *recon) readLog() {
	f := r.arts.RunLog
	if f == nil {
		return
	}
	if f.Lines == 0 {
		r.note("the runner log is empty")
	}
	if f.LongLines > 0 {
		r.note("the runner log has %d line(s) longer than %d bytes; they were cut", f.LongLines, rlMaxLineBytes)
	}
	if f.InvalidUTF8 > 0 {
		r.note("the runner log holds invalid UTF-8 on %d line(s)", f.InvalidUTF8)
	}
	for _, b := range f.Blocks {
		if !b.Bookkeeping {
			r.blocks = append(r.blocks, b)
		}
	}
	for bi := range r.blocks {
		b := &r.blocks[bi]
		for i := range b.Specs {
			h := r.host(b.Specs[i].Machine)
			h.spec, h.specBlock = &b.Specs[i], bi
		}
		for i := range b.Rows {
			if b.Rows[i].Machine == "" || b.Rows[i].Machine == "check-xml-files" {
				continue
			}
			h := r.host(b.Rows[i].Machine)
			h.row, h.rowBlock = &b.Rows[i], bi
		}
	}
}

// buildScope is the stored scope (D4), else the log's specPattern, else the
// config's; hosts are the scope plus every machine with evidence (R2).
func (r *recon) buildScope() {
	scope := r.meta.RequestedVMs
	if len(scope) == 0 && r.arts.RunLog != nil && len(r.arts.RunLog.SpecPatterns) > 0 {
		for _, s := range r.arts.RunLog.SpecPatterns[0].Specs {
			scope = append(scope, rlMachine(s))
		}
	}
	if len(scope) == 0 {
		for _, s := range r.configPattern {
			scope = append(scope, rlMachine(s))
		}
	}
	skipped := map[string]bool{}
	for _, s := range r.meta.Skipped {
		skipped[s.Name] = true
	}
	seen := map[string]bool{}
	add := func(m string) {
		m = strings.TrimSpace(m)
		if m == "" || seen[m] || skipped[m] || m == "check-xml-files" {
			return
		}
		seen[m] = true
		r.index[m] = len(r.hosts)
		r.hosts = append(r.hosts, Host{Name: m, Status: HostNotStarted})
	}
	for _, m := range scope {
		add(m)
		if seen[m] {
			r.scope = append(r.scope, m)
		}
	}
	var extra []string
	for m, e := range r.ev {
		if seen[m] || skipped[m] {
			continue
		}
		// With a stored scope (D4), a machine outside it joins the table
		// only with a finished result (R2); half-written artifacts of a
		// machine this run never asked for cannot keep the run open.
		if len(r.meta.RequestedVMs) > 0 && !e.hasResult() {
			r.note("artifacts of %s, which is not in this run's scope, are incomplete and were ignored", m)
			continue
		}
		extra = append(extra, m)
	}
	sort.Strings(extra)
	for _, m := range extra {
		add(m)
	}
}

func nonNilSkips(s []Skip) []Skip {
	if s == nil {
		return []Skip{}
	}
	return s
}
