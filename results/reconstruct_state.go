package results

import (
	"path"
	"reflect"
	"sort"
	"strings"
	"time"
)

// processes reads the ps snapshot: is the runner alive, and does it still
// have a live Cypress / cypress-cloud descendant (defunct = gone, D3)?
func (r *recon) processes() (runner, child bool) { return runnerAlive(r.meta) }

// runnerAlive is all a reconstruction reads of the ps snapshot.
func runnerAlive(meta Meta) (runner, child bool) {
	script := "run-sorry-cypress"
	for _, tok := range strings.Fields(meta.RunnerCommand) {
		if strings.HasSuffix(tok, ".py") {
			script = strings.TrimSuffix(path.Base(tok), ".py")
		}
	}
	runners := map[int]bool{}
	for _, p := range meta.Processes {
		if !p.Defunct() && strings.Contains(p.Args, script) && (meta.Build == "" || strings.Contains(p.Args, meta.Build)) {
			runners[p.PID] = true
		}
	}
	if len(runners) == 0 {
		return false, false
	}
	parent := map[int]int{}
	for _, p := range meta.Processes {
		parent[p.PID] = p.PPID
	}
	under := func(pid int) bool {
		for i := 0; i < 64 && pid > 1; i++ {
			pid = parent[pid]
			if runners[pid] {
				return true
			}
		}
		return false
	}
	for _, p := range meta.Processes {
		if runners[p.PID] || p.Defunct() || !strings.Contains(strings.ToLower(p.Args), "cypress") {
			continue
		}
		if under(p.PID) {
			return true, true
		}
	}
	return true, false
}

// decideState gives the run its state (ARCHITECTURE.md, D3, W1).
func (r *recon) decideState() {
	runner, child := r.processes()
	r.runAlive = runner
	openBlock := false
	for _, b := range r.blocks {
		if !b.Finished {
			openBlock = true
		}
	}
	groupsLeft := false
	for _, s := range r.subruns {
		if s.State == SubrunNotStarted || s.State == SubrunRunning {
			groupsLeft = true
		}
	}
	if runner {
		idle := !r.arts.LogModTime.IsZero() && r.meta.Now.Sub(r.arts.LogModTime) >= r.meta.HungGrace
		allRecorded := len(r.blocks) > 0 && !openBlock && !groupsLeft
		if allRecorded && !child && idle {
			r.state, r.hung = RunHung, true
			r.note("the runner is still alive %d min after its last output with no live Cypress child: hung after the results were recorded",
				int(r.meta.Now.Sub(r.arts.LogModTime).Minutes()))
			return
		}
		r.state = RunRunning
		return
	}
	count := map[string]int{}
	var cut []string
	for i := range r.hosts {
		h := &r.hosts[i]
		if h.Status == HostRunning {
			h.Status = HostUnknown
			h.Notes = appendOnce(h.Notes, "the runner stopped before this host finished")
			cut = append(cut, h.Name)
		}
		count[h.Status]++
	}
	evidence := len(r.blocks) > 0 || count[HostPass]+count[HostFail]+count[HostUnknown] > 0
	switch {
	case len(cut) > 0 || openBlock || count[HostNotStarted] > 0:
		if !evidence {
			r.state = RunUnknown
			r.note("the runner is not running and nothing of this run was found")
			break
		}
		r.state = RunTerminated
		r.note("the runner is not running but the run is unfinished: %d of %d hosts have no result", len(cut)+count[HostNotStarted], len(r.hosts))
	case count[HostFail] > 0:
		r.state = RunFailed
	case count[HostUnknown] > 0 || count[HostPass] == 0:
		r.state = RunUnknown
		if count[HostUnknown] > 0 {
			r.note("%d host(s) have no confirmed result", count[HostUnknown])
		}
	default:
		r.state = RunCompleted
	}
	for i := range r.subruns {
		if s := &r.subruns[i]; s.State == SubrunFailed {
			if r.state == RunCompleted {
				r.state = RunFailed
			}
		}
	}
}

func (r *recon) terminal() bool {
	return r.state != RunRunning
}

// timing fills start, end and the host runtime statistics (S6).
func (r *recon) timing() {
	if !r.meta.RunStart.IsZero() {
		t := r.meta.RunStart.UTC()
		r.started = &t
	}
	var lastEnd time.Time
	for _, h := range r.hosts {
		if h.StartedAt != nil && (r.started == nil || h.StartedAt.Before(*r.started)) {
			t := *h.StartedAt
			r.started = &t
		}
		if h.EndedAt != nil && h.EndedAt.After(lastEnd) {
			lastEnd = *h.EndedAt
		}
	}
	if r.terminal() {
		end := lastEnd
		for _, t := range []time.Time{r.arts.LogModTime, r.latestMtime} {
			if t.After(end) {
				end = t
			}
		}
		if !end.IsZero() {
			end = end.UTC()
			r.ended = &end
		}
	}
	r.inferDurations()
	var n int
	var sum float64
	for _, h := range r.hosts {
		if (h.Status != HostPass && h.Status != HostFail) || h.DurationS <= 0 {
			continue
		}
		if n == 0 || h.DurationS < r.t.QuickestS {
			r.t.QuickestS, r.t.QuickestHost = h.DurationS, h.Name
		}
		if h.DurationS > r.t.LongestS {
			r.t.LongestS, r.t.LongestHost = h.DurationS, h.Name
		}
		sum += h.DurationS
		n++
	}
	r.t.TimedHosts = n
	if n > 0 {
		r.t.AverageS = round1(sum / float64(n))
	}
	if r.started != nil {
		end := r.meta.Now
		if r.ended != nil {
			end = *r.ended
		}
		if d := end.Sub(*r.started).Seconds(); d > 0 {
			r.t.ElapsedS = round1(d)
		}
	}
	remaining := 0
	for _, h := range r.hosts {
		if h.Status == HostRunning || h.Status == HostNotStarted {
			remaining++
		}
	}
	r.t.HostsLeft = remaining
	par := r.parallelism()
	if n > 0 {
		r.t.Parallelism = float64(par)
	}
	// The ETA is not estimated here: status() takes the one estimate every
	// post shows (RunETA).
}

func round1(f float64) float64 {
	return float64(int64(f*10+0.5)) / 10
}

// inferDurations gives grouped hosts without a measured runtime the gap to
// the next host's start, or to the group's end for the last one (S6).
func (r *recon) inferDurations() {
	groups := map[string][]int{}
	for i, h := range r.hosts {
		groups[h.Group] = append(groups[h.Group], i)
	}
	ends := map[string]*time.Time{}
	for _, s := range r.subruns {
		if s.EndedAt != nil && len(s.Hosts) > 0 {
			if j, ok := r.index[s.Hosts[0]]; ok {
				ends[r.hosts[j].Group] = s.EndedAt
			}
		}
	}
	for g, idx := range groups {
		var started []int
		for _, i := range idx {
			if r.hosts[i].StartedAt != nil {
				started = append(started, i)
			}
		}
		sort.SliceStable(started, func(a, b int) bool { return r.hosts[started[a]].StartedAt.Before(*r.hosts[started[b]].StartedAt) })
		for k, i := range started {
			h := &r.hosts[i]
			if h.DurationS > 0 || (h.Status != HostPass && h.Status != HostFail) {
				continue
			}
			var next *time.Time
			switch {
			case k+1 < len(started):
				next = r.hosts[started[k+1]].StartedAt
			case ends[g] != nil:
				next = ends[g]
			case r.ended != nil:
				next = r.ended
			}
			if next != nil && next.After(*h.StartedAt) {
				h.DurationS = round1(next.Sub(*h.StartedAt).Seconds())
			}
		}
	}
}

// parallelism is the most hosts seen running at once, at least 1.
func (r *recon) parallelism() int {
	type edge struct {
		t time.Time
		d int
	}
	var es []edge
	for _, h := range r.hosts {
		if h.StartedAt == nil || h.DurationS <= 0 {
			continue
		}
		es = append(es, edge{*h.StartedAt, 1}, edge{h.StartedAt.Add(time.Duration(h.DurationS * float64(time.Second))), -1})
	}
	sort.Slice(es, func(a, b int) bool {
		if es[a].t.Equal(es[b].t) {
			return es[a].d < es[b].d
		}
		return es[a].t.Before(es[b].t)
	})
	best, cur := 1, 0
	for _, e := range es {
		cur += e.d
		if cur > best {
			best = cur
		}
	}
	return best
}

// testFlow reads TEST FLOW from the run's generated specs (S8), per group
// when groups differ (D10), else the configured static flow.
func (r *recon) testFlow() {
	gates := r.flowGates()
	flows := map[string][]string{}
	var order []string
	for _, h := range r.hosts {
		spec := r.specs[h.Name]
		if spec == nil {
			continue
		}
		if _, done := flows[h.Group]; done {
			continue
		}
		steps, notes, err := TestFlow(spec, gates)
		for _, n := range notes {
			r.note("TEST FLOW: %s", n) // an unknown gate is a real anomaly (S8)
		}
		if err != nil || len(steps) == 0 {
			continue
		}
		flows[h.Group] = steps
		order = append(order, h.Group)
	}
	if len(order) > 0 {
		r.flow, r.flowSrc = flows[order[0]], "spec"
		for _, g := range order[1:] {
			if !reflect.DeepEqual(flows[g], r.flow) {
				r.groupFl = flows
				break
			}
		}
		return
	}
	if len(r.meta.StaticFlow) > 0 {
		r.flow, r.flowSrc = r.meta.StaticFlow, "static"
	}
}

// coverage reflects the template command's real inputs (S7).
func (r *recon) coverage() Coverage {
	c := Coverage{Template: r.meta.Template, ConfigFile: r.meta.ConfigFile, Categorized: r.meta.Categorized, InstallOnly: r.meta.InstallOnly}
	if r.meta.Plugin != "" && r.meta.Plugin != "none" {
		c.Plugin = r.meta.Plugin
	}
	own := map[string]bool{"--template_name": true, "--config_file": true, "--use_specified_plugin": true, "--integration_type": true,
		"--categorize": true, "--containsVm": true, "--specify_vms": true, "--randomize": true, "--exclude_partial_match": true}
	f := strings.Fields(r.meta.TemplateCommand)
	for i := 0; i < len(f); i++ {
		if !strings.HasPrefix(f[i], "--") {
			continue
		}
		val := ""
		if i+1 < len(f) && !strings.HasPrefix(f[i+1], "--") {
			val = f[i+1]
		}
		switch f[i] {
		case "--template_name":
			if c.Template == "" {
				c.Template = val
			}
		case "--config_file":
			if c.ConfigFile == "" {
				c.ConfigFile = val
			}
		case "--use_specified_plugin":
			if c.Plugin == "" {
				c.Plugin = val
			}
		case "--integration_type":
			c.IntegrationType = val
		}
		if own[f[i]] {
			continue
		}
		if val != "" && !strings.Contains(val, "/") {
			c.Flags = append(c.Flags, f[i]+" "+val)
		} else {
			c.Flags = append(c.Flags, f[i])
		}
	}
	if b := path.Base(c.ConfigFile); strings.HasPrefix(b, "cypress.atvm-config-") {
		c.ConfigFamily = strings.TrimSuffix(strings.TrimPrefix(b, "cypress.atvm-config-"), ".ts")
	}
	return c
}

func (r *recon) status() Status {
	st := Status{
		Build: r.meta.Build, Template: r.meta.Template, State: r.state, Categorized: r.meta.Categorized,
		StartedAt: r.started, EndedAt: r.ended, Hosts: r.hosts, Skipped: nonNilSkips(r.meta.Skipped),
		Remaining: []string{}, Subruns: r.subruns, CurrentsURLs: []string{}, TestFlow: r.flow, Notes: r.notes,
		Coverage: r.coverage(), TemplateCommand: r.meta.TemplateCommand, RunnerCommand: r.meta.RunnerCommand,
		Timing: r.t, TestFlowSource: r.flowSrc, GroupFlows: r.groupFl, Hung: r.hung, Version: r.meta.Version,
	}
	if st.Hosts == nil {
		st.Hosts = []Host{}
	}
	if st.State == RunRunning {
		if eta := RunETA(st, r.meta.Now).ETA; eta != nil {
			utc := eta.UTC()
			st.Timing.ETA = &utc
		}
	}
	if st.Subruns == nil {
		st.Subruns = []Subrun{}
	}
	if st.TestFlow == nil {
		st.TestFlow = []string{}
	}
	if st.Notes == nil {
		st.Notes = []string{}
	}
	for _, h := range r.hosts {
		if h.Status == HostRunning || h.Status == HostNotStarted {
			st.Remaining = append(st.Remaining, h.Name)
		}
	}
	seen := map[string]bool{}
	addURL := func(u string) {
		if u != "" && !seen[u] {
			seen[u] = true
			st.CurrentsURLs = append(st.CurrentsURLs, u)
		}
	}
	for _, u := range r.meta.PostedURLs {
		addURL(u)
	}
	for i := range r.blocks {
		addURL(r.blockURL(i))
	}
	return st
}
