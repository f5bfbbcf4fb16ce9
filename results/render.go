package results

import (
	"sort"
	"strings"
	"time"
)

// Kind says which post a rendering is for.
type Kind int

const (
	// Live is the progress post, edited in place while the run goes on.
	Live Kind = iota
	// SubrunResult is the result post of one finished grouped sub-run (W3).
	SubrunResult
	// Final is the run's result post, or a categorized run's final summary.
	Final
	// Correction replaces an earlier result post that was wrong (W7).
	Correction
)

// PostMaxRunes is the longest message Mattermost accepts (PostMessageMaxRunesV2).
const PostMaxRunes = 16383

// DefaultTimezone is the operators' zone (D11).
const DefaultTimezone = "America/New_York"

// RenderOptions shape one rendering of a Status.
type RenderOptions struct {
	Location       *time.Location // display zone (D11); nil: America/New_York
	Now            time.Time      // for elapsed time and the ETA; zero: the newest time in the Status
	Kind           Kind
	Subrun         string // render only this sub-run (name, child build id or group) (D10)
	SupersedesLink string // the earlier post a Correction replaces (W7)
	Version        string // footer (D9); empty: Status.Version
	MaxRunes       int    // per post; 0: PostMaxRunes
	// InThread says the post goes in a run's thread whose root shows
	// RunCard: the exact template command and the run's TEST FLOW. Each is
	// then shown once per thread: a sub-run post leaves the template
	// command out (the root and the final summary have it), and a sub-run
	// post or final summary whose flow the root shows says so in one line
	// instead of listing it again. A sub-run whose flow differs still
	// lists its own.
	InThread bool
	// Tags are the hosts' failure tags (D28), computed by the caller from
	// the history before this run; a FAIL line (and a FIXED pass) ends
	// with its host's tag. Nil: no tags.
	Tags map[string]Tag
}

// RenderMarkdown renders st as Mattermost markdown: [0] is the post, the rest
// are follow-up replies in order. Every element is at most MaxRunes runes;
// SUMMARY and HOSTS stay whole in the post and no host line is ever cut.
func RenderMarkdown(st Status, opt RenderOptions) []string {
	return assemble(buildDoc(st, opt, true), opt.maxRunes())
}

// RenderText renders st as plain text for the console and replay: the same
// sections in the same order, no markdown emphasis, never split.
func RenderText(st Status, opt RenderOptions) string {
	d := buildDoc(st, opt, false)
	return renderPost(d, d.sections)
}

func (o RenderOptions) maxRunes() int {
	if o.MaxRunes <= 0 {
		return PostMaxRunes
	}
	return o.MaxRunes
}

func (o RenderOptions) location() *time.Location {
	if o.Location != nil {
		return o.Location
	}
	if loc, err := time.LoadLocation(DefaultTimezone); err == nil {
		return loc
	}
	return time.UTC
}

// postScope is the part of a Status one post covers: the whole run, or one
// sub-run's hosts and flow (D10).
type postScope struct {
	subrun    *Subrun
	hosts     []Host
	skipped   []Skip
	remaining []string
	start     *time.Time
	end       *time.Time
	finished  bool
	state     string
	flow      []string
	flows     []groupFlow // per group, when the groups' flows differ
	currents  []namedURL
}

type groupFlow struct {
	group string
	steps []string
}

type namedURL struct{ name, url string }

func selectScope(st Status, name string) postScope {
	sc := postScope{
		hosts: st.Hosts, skipped: st.Skipped, remaining: st.Remaining,
		start: st.StartedAt, end: st.EndedAt, finished: runFinished(st.State), state: st.State,
		flow: st.TestFlow,
	}
	sr := findSubrun(st, name)
	if sr == nil {
		sc.flows = distinctGroupFlows(st)
		sc.currents = runCurrents(st)
		return sc
	}
	sc.subrun = sr
	in := map[string]bool{}
	for _, h := range sr.Hosts {
		in[h] = true
	}
	sc.hosts, sc.skipped, sc.remaining = nil, nil, nil
	seen := map[string]bool{}
	for _, h := range st.Hosts {
		if in[h.Name] || (len(sr.Hosts) == 0 && h.Group == name) {
			sc.hosts = append(sc.hosts, h)
			seen[h.Name] = true
		}
	}
	for _, h := range sr.Hosts {
		if !seen[h] {
			sc.remaining = append(sc.remaining, h)
		}
	}
	sc.start, sc.end = sr.StartedAt, sr.EndedAt
	sc.finished = sr.Finished || sr.State == SubrunCompleted || sr.State == SubrunFailed
	sc.state = ""
	if sr.State == SubrunFailed {
		sc.state = RunFailed
	}
	if f := groupFlowOf(st, sr, sc.hosts); f != nil {
		sc.flow = f
	}
	if sr.CurrentsURL != "" {
		sc.currents = []namedURL{{url: sr.CurrentsURL}}
	}
	return sc
}

// findSubrun finds a sub-run by name, then child build id, then host group.
func findSubrun(st Status, name string) *Subrun {
	if name == "" {
		return nil
	}
	for i := range st.Subruns {
		if st.Subruns[i].Name == name {
			return &st.Subruns[i]
		}
	}
	for i := range st.Subruns {
		if st.Subruns[i].BuildID == name {
			return &st.Subruns[i]
		}
	}
	var hosts []string
	for _, h := range st.Hosts {
		if h.Group == name {
			hosts = append(hosts, h.Name)
		}
	}
	if len(hosts) == 0 {
		return nil
	}
	return &Subrun{Name: name, Hosts: hosts}
}

// groupFlowOf is a sub-run's own flow: keyed by its name, else by its hosts' group.
func groupFlowOf(st Status, sr *Subrun, hosts []Host) []string {
	if f, ok := st.GroupFlows[sr.Name]; ok {
		return f
	}
	for _, h := range hosts {
		if f, ok := st.GroupFlows[h.Group]; ok && h.Group != "" {
			return f
		}
	}
	return nil
}

// distinctGroupFlows returns the per-group flows when at least two differ
// (D10); otherwise the run's one flow is enough.
func distinctGroupFlows(st Status) []groupFlow {
	if len(st.GroupFlows) < 2 {
		return nil
	}
	var out []groupFlow
	var first []string
	differ := false
	for _, g := range sortedGroups(st) {
		f := st.GroupFlows[g]
		if out == nil {
			first = f
		} else if strings.Join(f, "\n") != strings.Join(first, "\n") {
			differ = true
		}
		out = append(out, groupFlow{group: g, steps: f})
	}
	if !differ {
		return nil
	}
	return out
}

// sortedGroups lists GroupFlows keys in sub-run order, then the rest by name.
func sortedGroups(st Status) []string {
	var out []string
	used := map[string]bool{}
	for _, sr := range st.Subruns {
		if _, ok := st.GroupFlows[sr.Name]; ok && !used[sr.Name] {
			out = append(out, sr.Name)
			used[sr.Name] = true
		}
	}
	var rest []string
	for g := range st.GroupFlows {
		if !used[g] {
			rest = append(rest, g)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func runCurrents(st Status) []namedURL {
	var out []namedURL
	seen := map[string]bool{}
	for _, sr := range st.Subruns {
		if sr.CurrentsURL != "" && !seen[sr.CurrentsURL] {
			seen[sr.CurrentsURL] = true
			out = append(out, namedURL{sr.Name, sr.CurrentsURL})
		}
	}
	for _, u := range st.CurrentsURLs {
		if u != "" && !seen[u] {
			seen[u] = true
			out = append(out, namedURL{url: u})
		}
	}
	if len(out) == 1 {
		out[0].name = ""
	}
	return out
}

// hostCounts are the SUMMARY numbers of a scope.
type hostCounts struct {
	passed, failed, running, remaining, skipped, unknown int
}

func countScope(sc postScope) hostCounts {
	var c hostCounts
	listed := map[string]bool{}
	for _, h := range sc.hosts {
		listed[h.Name] = true
		switch h.Status {
		case HostPass:
			c.passed++
		case HostFail:
			c.failed++
		case HostRunning:
			c.running++
		case HostNotStarted:
			c.remaining++
		case HostSkipped:
			c.skipped++
		default:
			c.unknown++
		}
	}
	for _, r := range sc.remaining {
		if !listed[r] {
			listed[r] = true
			c.remaining++
		}
	}
	for _, s := range sc.skipped {
		if !listed[s.Name] {
			listed[s.Name] = true
			c.skipped++
		}
	}
	return c
}

// verdict is the SUMMARY's emoji and word. INCONCLUSIVE is never green: a
// finished scope with no host result, or with hosts whose result is missing.
func verdict(sc postScope, c hostCounts, hung bool) (string, string) {
	switch {
	case sc.state == RunCancelled:
		return "🛑", "CANCELLED"
	case sc.state == RunTerminated:
		return "⛔", "TERMINATED"
	case sc.state == RunLaunchFailed:
		return "🚫", "LAUNCH FAILED"
	case sc.state == RunLaunching:
		return "🚀", "LAUNCHING"
	case !sc.finished:
		return "🔄", "RUNNING"
	case (sc.state == RunHung || hung) && c.passed+c.failed == 0:
		return "⏸️", "HUNG"
	case c.passed+c.failed == 0:
		return "⚠️", "INCONCLUSIVE"
	case c.failed > 0 || sc.state == RunFailed:
		return "❌", "FAILED"
	case c.running+c.remaining+c.unknown > 0:
		return "⚠️", "INCONCLUSIVE"
	}
	return "✅", "PASSED"
}
