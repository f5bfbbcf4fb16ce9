package timeline

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/atvm/atvmbot/results"
)

// Row geometry in pixels (the canvas is drawn at 72 dpi: 1 pt = 1 px).
const (
	markBand   = 18 // above the first row: the start, end and now labels
	bottomPad  = 6  // below the last row, so its label never pushes the axis
	headerH    = 18 // a group's header row
	maxRowH    = 20 // a host row when there is room
	labelPitch = 12 // closest two host labels may be
	stepMinRow = 12 // thinner rows carry the step number in the label instead
	maxName    = 30 // runes of a host name in a label
)

// row is one line of the picture: a group header or a host.
type row struct {
	header  bool
	text    string // header text or host name
	class   int
	hasSpan bool
	start   time.Time
	end     time.Time
	step    string // failed step number, "" when none
	label   string // Y label; "" when thinned out
	y0, y1  float64
}

// layout is everything draw needs, decided without drawing.
type layout struct {
	rows      []row
	t0, t1    time.Time // the run's times: bars are clamped to them
	a0, a1    time.Time // the axis: t0..t1 with a margin for the lines and markers
	runStart  time.Time // zero: unknown
	runEnd    time.Time // zero: not ended
	now       time.Time
	live      bool // no run end: the now line is drawn
	rowH      float64
	height    float64 // the rows area, bands included
	stepOnBar bool
	every     int // label every k-th host when thinned; 0: all labelled
	counts    [numClasses]int
}

type group struct {
	name, state string
	hosts       []results.Host
}

// plan lays st out in a rows area at most avail pixels high.
func plan(st results.Status, now time.Time, avail float64) (*layout, error) {
	if len(st.Hosts) == 0 {
		return nil, ErrNoHosts
	}
	l := &layout{now: now}
	if l.now.IsZero() {
		l.now = latestTime(st)
	}
	if st.StartedAt != nil {
		l.runStart = *st.StartedAt
	}
	if st.EndedAt != nil {
		l.runEnd = *st.EndedAt
	}
	l.live = l.runEnd.IsZero()
	if !l.rangeOf(st) {
		return nil, ErrNoTiming
	}

	groups := groupHosts(st)
	headers := len(groups) > 1 || (len(groups) == 1 && groups[0].name != "")
	nHeaders := 0
	if headers {
		nHeaders = len(groups)
	}
	hostArea := avail - markBand - bottomPad - float64(nHeaders*headerH)
	l.rowH = math.Min(maxRowH, hostArea/float64(len(st.Hosts)))
	if l.rowH < 1 {
		l.rowH = 1 // past a few thousand hosts the cap gives way, not the bars
	}
	l.stepOnBar = l.rowH >= stepMinRow

	y := float64(markBand)
	for _, g := range groups {
		if headers {
			l.rows = append(l.rows, row{header: true, text: headerText(g), y0: y, y1: y + headerH})
			y += headerH
		}
		for _, h := range g.hosts {
			r := l.hostRow(h)
			r.y0, r.y1 = y, y+l.rowH
			y += l.rowH
			l.counts[r.class]++
			l.rows = append(l.rows, r)
		}
	}
	l.height = y + bottomPad
	l.label()
	return l, nil
}

// rangeOf sets the time axis: every known time, and now while the run is
// live. It reports false when the Status holds no time at all.
func (l *layout) rangeOf(st results.Status) bool {
	var t0, t1 time.Time
	see := func(p *time.Time) {
		if p == nil || p.IsZero() {
			return
		}
		if t0.IsZero() || p.Before(t0) {
			t0 = *p
		}
		if t1.IsZero() || p.After(t1) {
			t1 = *p
		}
	}
	see(st.StartedAt)
	see(st.EndedAt)
	for _, h := range st.Hosts {
		see(h.StartedAt)
		see(h.EndedAt)
	}
	for _, s := range st.Subruns {
		see(s.StartedAt)
		see(s.EndedAt)
	}
	if t0.IsZero() {
		return false
	}
	if l.live && l.now.After(t1) {
		t1 = l.now
	}
	if t1.Sub(t0) < time.Minute {
		t1 = t0.Add(time.Minute) // a bar needs some width to be seen
	}
	l.t0, l.t1 = t0, t1
	// A margin keeps the start and end lines off the frame and leaves room
	// right of the end for the waiting hosts' markers.
	pad := t1.Sub(t0) / 40
	l.a0, l.a1 = t0.Add(-pad), t1.Add(pad)
	return true
}

// hostRow decides a host's bar: its own times when known, a duration to
// fill a missing end, the open end (now, or the run's end) for a host
// without one.
func (l *layout) hostRow(h results.Host) row {
	r := row{text: h.Name, class: statusClass(h.Status)}
	if r.class == classFail {
		r.step = stepNumber(h.FailedStep)
	}
	dur := time.Duration(h.DurationS * float64(time.Second))
	open := l.now
	if !l.live {
		open = l.runEnd
	}
	switch {
	case h.StartedAt != nil && h.EndedAt != nil:
		r.start, r.end = *h.StartedAt, *h.EndedAt
	case h.StartedAt != nil && dur > 0 && r.class != classRunning:
		r.start, r.end = *h.StartedAt, h.StartedAt.Add(dur)
	case h.StartedAt != nil:
		r.start, r.end = *h.StartedAt, open
	case h.EndedAt != nil && dur > 0:
		r.start, r.end = h.EndedAt.Add(-dur), *h.EndedAt
	default:
		return r
	}
	r.start, r.end = clampTime(r.start, l.t0, l.t1), clampTime(r.end, l.t0, l.t1)
	if r.end.Before(r.start) {
		r.end = r.start
	}
	r.hasSpan = true
	return r
}

// label picks the Y labels. With room every host is labelled; otherwise
// failed and running hosts first, then every k-th host of each group from
// its first, never two closer than labelPitch.
func (l *layout) label() {
	var hosts []int
	for i := range l.rows {
		if !l.rows[i].header {
			hosts = append(hosts, i)
		}
	}
	if l.rowH >= labelPitch {
		for _, i := range hosts {
			l.rows[i].label = l.labelText(l.rows[i])
		}
		return
	}
	l.every = niceStep(int(math.Ceil(labelPitch / l.rowH)))
	var order []int
	for _, cls := range []int{classFail, classRunning} {
		for _, i := range hosts {
			if l.rows[i].class == cls {
				order = append(order, i)
			}
		}
	}
	k := 0 // every k-th host of each group, from its first
	for i := range l.rows {
		if l.rows[i].header {
			k = 0
			continue
		}
		if k%l.every == 0 {
			order = append(order, i)
		}
		k++
	}
	// Failed hosts are placed first and may sit next to a group header;
	// other labels keep clear of headers, where they would read as the
	// header's.
	var taken []float64 // centres of accepted labels (and headers)
	headersIn := false
	for _, i := range order {
		r := &l.rows[i]
		if r.class != classFail && !headersIn {
			for _, h := range l.rows {
				if h.header {
					taken = append(taken, (h.y0+h.y1)/2)
				}
			}
			headersIn = true
		}
		c := (r.y0 + r.y1) / 2
		if r.label != "" || crowded(taken, c) {
			continue
		}
		r.label = l.labelText(*r)
		taken = append(taken, c)
	}
}

func crowded(taken []float64, c float64) bool {
	for _, t := range taken {
		if math.Abs(t-c) < labelPitch {
			return true
		}
	}
	return false
}

func (l *layout) labelText(r row) string {
	s := truncate(r.text, maxName)
	if r.step != "" && !l.stepOnBar {
		s += " · step " + r.step
	}
	return s
}

// groupHosts splits the hosts into the picture's groups: the sub-runs in
// order for a categorized run, then any host no sub-run names by its group;
// one unnamed group otherwise. Within a group, started hosts by start time,
// then the rest in the Status's order.
func groupHosts(st results.Status) []group {
	var out []group
	if st.Categorized && len(st.Subruns) > 0 {
		byName := map[string]results.Host{}
		for _, h := range st.Hosts {
			byName[h.Name] = h
		}
		used := map[string]bool{}
		for _, sr := range st.Subruns {
			g := group{name: sr.Name, state: sr.State}
			for _, n := range sr.Hosts {
				if h, ok := byName[n]; ok && !used[n] {
					used[n] = true
					g.hosts = append(g.hosts, h)
				}
			}
			if len(g.hosts) > 0 {
				out = append(out, g)
			}
		}
		idx := map[string]int{}
		for _, h := range st.Hosts {
			if used[h.Name] {
				continue
			}
			name := h.Group
			if name == "" {
				name = "other hosts"
			}
			if _, ok := idx[name]; !ok {
				idx[name] = len(out)
				out = append(out, group{name: name})
			}
			out[idx[name]].hosts = append(out[idx[name]].hosts, h)
		}
	} else {
		out = []group{{hosts: append([]results.Host(nil), st.Hosts...)}}
	}
	for _, g := range out {
		sort.SliceStable(g.hosts, func(i, j int) bool {
			a, b := g.hosts[i].StartedAt, g.hosts[j].StartedAt
			if a == nil || b == nil {
				return a != nil && b == nil
			}
			return a.Before(*b)
		})
	}
	return out
}

func headerText(g group) string {
	name := g.name
	if name == "" {
		name = "hosts"
	}
	failed := 0
	for _, h := range g.hosts {
		if h.Status == results.HostFail {
			failed++
		}
	}
	s := truncate(name, 60)
	if g.state != "" {
		s += " — " + g.state
	}
	s += fmt.Sprintf(" · %d host%s", len(g.hosts), plural(len(g.hosts)))
	if failed > 0 {
		s += fmt.Sprintf(", %d failed", failed)
	}
	return s
}

// stepNumber is the leading number of a failed step ("38. Verify …" → "38").
func stepNumber(step string) string {
	step = strings.TrimSpace(step)
	end := strings.IndexFunc(step, func(r rune) bool { return !unicode.IsDigit(r) })
	if end < 0 {
		end = len(step)
	}
	return step[:end]
}

// niceStep rounds k up to 1, 2 or 5 times a power of ten, so the legend can
// say "every 10th" rather than "every 7th".
func niceStep(k int) int {
	if k <= 1 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= k {
				return m * p
			}
		}
	}
}

// latestTime is the newest time st holds, standing in for now.
func latestTime(st results.Status) time.Time {
	var t time.Time
	see := func(p *time.Time) {
		if p != nil && p.After(t) {
			t = *p
		}
	}
	see(st.StartedAt)
	see(st.EndedAt)
	for _, h := range st.Hosts {
		see(h.StartedAt)
		see(h.EndedAt)
	}
	for _, s := range st.Subruns {
		see(s.StartedAt)
		see(s.EndedAt)
	}
	return t
}

func clampTime(t, lo, hi time.Time) time.Time {
	if t.Before(lo) {
		return lo
	}
	if t.After(hi) {
		return hi
	}
	return t
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
