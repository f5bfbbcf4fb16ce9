package results

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// buildSubruns makes one grouped sub-run per cypress-cloud block of a
// categorized run (W3), plus one NOT_STARTED sub-run per distro group of
// the stored scope that has not run yet (R2).
func (r *recon) buildSubruns() {
	if !r.meta.Categorized {
		return
	}
	inBlock := map[string]bool{}
	for i := range r.blocks {
		b := &r.blocks[i]
		hosts := blockHosts(*b)
		if len(hosts) == 0 {
			hosts = r.hostsOfBuild(b.BuildID) // R4: the group's hosts from its reporter artifacts
		}
		fam := dominantFamily(hosts)
		sub := Subrun{Name: r.subrunName(b.BuildID, fam, i), Hosts: hosts, BuildID: b.BuildID, CurrentsURL: r.blockURL(i)}
		for _, m := range hosts {
			inBlock[m] = true
			if j, ok := r.index[m]; ok && fam != "" {
				r.hosts[j].Group = fam
			}
		}
		sub.Finished = b.Finished && r.settled(i, hosts)
		sub.State = r.groupState(sub, b)
		r.groupTimes(&sub)
		r.subruns = append(r.subruns, sub)
	}
	// Hosts no block has run: by distro group, in scope order.
	var fams []string
	byFam := map[string][]string{}
	for _, h := range r.hosts {
		if inBlock[h.Name] {
			continue
		}
		f := hostFamily(h.Name)
		if byFam[f] == nil {
			fams = append(fams, f)
		}
		byFam[f] = append(byFam[f], h.Name)
	}
	for _, f := range fams {
		// The batch running now names only the hosts it has started: the
		// rest of its distro group belongs to it, not to a second sub-run
		// under the same name.
		if j := r.openSubrunOf(f); j >= 0 {
			r.subruns[j].Hosts = append(r.subruns[j].Hosts, byFam[f]...)
			continue
		}
		name := r.meta.Build + "-" + f
		if r.hasSubrun(name) {
			name += "-not-run"
		}
		sub := Subrun{Name: name, Hosts: byFam[f], State: SubrunNotStarted}
		st := r.statuses(sub.Hosts)
		switch {
		case st[HostFail] > 0:
			sub.State = SubrunFailed
			sub.Finished = st[HostRunning]+st[HostNotStarted] == 0
		case st[HostRunning] > 0 || (st[HostNotStarted] > 0 && st[HostNotStarted] < len(sub.Hosts)):
			sub.State = SubrunRunning
		case st[HostNotStarted] == len(sub.Hosts):
		default:
			// Results without the group's own runner-log summary (R3, R8).
			sub.State = RunUnknown
			r.note("group %s: results found without its runner-log summary; PASS is not confirmed", sub.Name)
		}
		r.groupTimes(&sub)
		r.subruns = append(r.subruns, sub)
	}
}

// openSubrunOf is the unfinished block sub-run of a distro family, or -1.
func (r *recon) openSubrunOf(fam string) int {
	for j := len(r.subruns) - 1; j >= 0; j-- {
		sr := r.subruns[j]
		if !sr.Finished && sr.State != SubrunCompleted && sr.State != SubrunFailed && dominantFamily(sr.Hosts) == fam {
			return j
		}
	}
	return -1
}

func (r *recon) hasSubrun(name string) bool {
	for _, sr := range r.subruns {
		if sr.Name == name {
			return true
		}
	}
	return false
}

func blockHosts(b CloudBlock) []string {
	var out []string
	seen := map[string]bool{}
	add := func(m string) {
		if m != "" && m != "check-xml-files" && !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	for _, s := range b.Specs {
		add(s.Machine)
	}
	for _, row := range b.Rows {
		add(row.Machine)
	}
	return out
}

// hostsOfBuild finds the machines whose artifacts carry a child build id.
func (r *recon) hostsOfBuild(build string) []string {
	if build == "" {
		return nil
	}
	var out []string
	for m, e := range r.ev {
		for _, x := range e.sources() {
			if x.Build == build {
				out = append(out, m)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

func dominantFamily(hosts []string) string {
	count := map[string]int{}
	best := ""
	for _, m := range hosts {
		f := hostFamily(m)
		count[f]++
		if best == "" || count[f] > count[best] {
			best = f
		}
	}
	return best
}

// subrunName is the child build id when it matches the hosts run, else the
// build named after the inferred host group (R10).
func (r *recon) subrunName(buildID, fam string, i int) string {
	fallback := r.meta.Build + "-" + fam
	if fam == "" {
		if buildID != "" {
			return buildID
		}
		return fmt.Sprintf("%s-group%d", r.meta.Build, i+1)
	}
	if buildID == "" {
		return fallback
	}
	id := strings.ToLower(buildID)
	if strings.HasSuffix(id, "-"+fam) || strings.Contains(id, fam) {
		return buildID
	}
	r.note("child build id %s does not match the hosts it ran (%s); reported as %s", buildID, fam, fallback)
	return fallback
}

func (r *recon) blockURL(i int) string {
	if i < len(r.meta.PostedURLs) && r.meta.PostedURLs[i] != "" {
		return r.meta.PostedURLs[i] // persisted URL wins over the log (R11)
	}
	if r.blocks[i].RecordedURL != "" {
		return r.blocks[i].RecordedURL
	}
	return r.blocks[i].RunURL
}

// settled is D6's second half: the group's hosts have their artifacts, a
// later group has started, or the settle delay has passed.
func (r *recon) settled(i int, hosts []string) bool {
	if i < len(r.blocks)-1 {
		return true
	}
	all := len(hosts) > 0
	for _, m := range hosts {
		if e := r.ev[m]; e == nil || len(e.sources()) == 0 {
			all = false
		}
	}
	if all {
		return true
	}
	return !r.arts.LogModTime.IsZero() && r.meta.Now.Sub(r.arts.LogModTime) >= r.meta.SettleDelay
}

func (r *recon) statuses(hosts []string) map[string]int {
	st := map[string]int{}
	for _, m := range hosts {
		if j, ok := r.index[m]; ok {
			st[r.hosts[j].Status]++
		}
	}
	return st
}

// groupState: COMPLETED only on the group's own summary with every host
// PASS (R3); FAILED on any failure; otherwise not confirmed.
func (r *recon) groupState(sub Subrun, b *CloudBlock) string {
	st := r.statuses(sub.Hosts)
	tableFail := b.Totals != nil && (b.Totals.Failing > 0 || b.Totals.Marker == "✖")
	switch {
	case !sub.Finished:
		return SubrunRunning
	case st[HostFail] > 0 || tableFail:
		return SubrunFailed
	case len(sub.Hosts) > 0 && st[HostPass] == len(sub.Hosts) && len(b.Rows) > 0:
		return SubrunCompleted
	}
	r.note("group %s finished without a readable summary for all its hosts; PASS is not confirmed", sub.Name)
	return RunUnknown
}

// groupTimes: start = the earliest host start from artifact metadata (not
// mtime, R4); end = the group's finalization: the first bookkeeping XML
// written after its last host, else its last host's end.
func (r *recon) groupTimes(sub *Subrun) {
	var start, last *time.Time
	for _, m := range sub.Hosts {
		j, ok := r.index[m]
		if !ok {
			continue
		}
		h := r.hosts[j]
		if h.StartedAt != nil && (start == nil || h.StartedAt.Before(*start)) {
			t := *h.StartedAt
			start = &t
		}
		end := h.EndedAt
		if end == nil && h.StartedAt != nil && h.DurationS > 0 {
			t := h.StartedAt.Add(time.Duration(h.DurationS * float64(time.Second)))
			end = &t
		}
		if end != nil && (last == nil || end.After(*last)) {
			t := *end
			last = &t
		}
	}
	sub.StartedAt = start
	if !sub.Finished && sub.State != SubrunFailed {
		return
	}
	if last != nil {
		var fin *time.Time
		for _, bk := range r.bookkeeping {
			if !bk.ModTime.Before(*last) && (fin == nil || bk.ModTime.Before(*fin)) {
				t := bk.ModTime
				fin = &t
			}
		}
		if fin == nil {
			fin = last
		}
		sub.EndedAt = fin
	}
}
