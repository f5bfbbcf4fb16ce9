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
	configEnv     map[string]any    // the live config's env block
	specs         map[string][]byte // machine → generated spec bytes
	ev            map[string]*hostEv
	bookkeeping   []Evidence // check-xml-files.ts XMLs of this run
	latestMtime   time.Time
	idScope       []string // names hosts are identified by (D25)
	scopeKnown    bool     // idScope is the run's whole scope: other names are anomalies
	idIndex       *scopeIndex

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
		k := r.meta.Layout.Classify(f.Path)
		if k == KindUnknown || (k != KindConfig && k != KindSpec && r.stale(f.ModTime)) {
			continue // skipped before parsing: stale artifacts cost nothing
		}
		pf := ParseFileAs(k, f)
		parsed = append(parsed, pf)
	}
	r.initScope(parsed)
	for i := range parsed {
		if parsed[i].Kind != KindConfig {
			r.addParsed(&parsed[i])
		}
	}
}

func (r *recon) addParsed(pf *ParsedFile) {
	switch pf.Kind {
	case KindConfig:
		if r.configPattern == nil || path.Base(pf.Path) == r.meta.ConfigFile {
			r.configPattern = pf.SpecPattern
			r.configEnv = pf.Env
		}
		return
	case KindSpec:
		if m, ok := r.identify(rlMachine(pf.Path), pf.Path); ok {
			r.specs[m] = pf.Data
		}
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
		ev.Notes = fileNotes(pf.Path, ev.Notes)
		if pf.Err != "" {
			ev.Notes = append(ev.Notes, fmt.Sprintf("%s could not be read: %s", pf.Path, pf.Err))
		}
		if pf.Kind == KindReporterJSON || pf.Kind == KindReporterTXT {
			if at, ok := pf.reporterStamp(); ok {
				if r.stale(at) {
					continue // a reporter run that began before this run (R1)
				}
				if ev.StartedAt == nil {
					a := at
					ev.StartedAt = &a
				}
			}
		}
		m, ok := r.identify(ev.Machine, ev.Spec, ev.Machine, ev.Title, pf.Path)
		if !ok {
			r.outOfScope(pf.Path, firstSet(ev.Spec, ev.Machine))
			continue
		}
		ev.Machine = m
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
			// Own copies: names are mapped to the scope below (D25).
			b.Specs = append([]SpecRun(nil), b.Specs...)
			b.Rows = append([]SummaryRow(nil), b.Rows...)
			r.blocks = append(r.blocks, b)
		}
	}
	for bi := range r.blocks {
		b := &r.blocks[bi]
		for i := range b.Specs {
			s := &b.Specs[i]
			m, ok := r.identify(s.Machine, s.Spec)
			if !ok {
				r.outOfScope(fmt.Sprintf("the runner log (line %d)", s.Line), s.Spec)
				s.Machine = ""
				continue
			}
			s.Machine = m
			h := r.host(m)
			h.spec, h.specBlock = s, bi
		}
		for i := range b.Rows {
			row := &b.Rows[i]
			if row.Machine == "check-xml-files" || row.Spec == "" || isBookkeepingSpec(row.Spec) {
				row.Machine = ""
				continue
			}
			m, ok := r.identify(row.Machine, row.Spec)
			if !ok {
				if r.scopeKnown {
					r.outOfScope(fmt.Sprintf("the runner log's summary table (line %d)", row.Line), row.Spec)
				}
				row.Machine = ""
				continue
			}
			row.Machine = m
			h := r.host(m)
			h.row, h.rowBlock = row, bi
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
	for m := range r.ev {
		if seen[m] || skipped[m] || r.scopeKnown {
			continue // with a known scope only its machines are hosts (D25)
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
