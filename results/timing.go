package results

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// ComputeTiming fills st.Timing: elapsed time, quickest/longest/average
// runtime of the finished hosts, and the ETA of the whole remaining run (S6).
// A zero now means "the latest time the status itself knows".
func ComputeTiming(st *Status, now time.Time) {
	if now.IsZero() {
		now = latestTime(st)
	}
	st.Timing = timingFor(st, st.Hosts, st.StartedAt, st.EndedAt, runFinished(st.State), now)
	if !runFinished(st.State) {
		wholeRunETA(st, &st.Timing, now)
	}
}

// RunETA is the one estimate of when the whole remaining run ends (S6),
// as of now: the progress post, every result post and status all show this
// one, formatted by FormatETA, so they agree. Its ETA is nil when the run
// is over or no host has finished to time yet.
func RunETA(st Status, now time.Time) Timing {
	ComputeTiming(&st, now)
	return st.Timing
}

// FormatETA is the one way an ETA is written: to the minute (it is an
// estimate), in loc.
func FormatETA(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// plural is "1 host", "2 hosts".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// runFinished reports a run state after which no host will run any more.
func runFinished(state string) bool {
	switch state {
	case RunCompleted, RunFailed, RunCancelled, RunTerminated, RunHung, RunUnknown, RunLaunchFailed:
		return true
	}
	return false
}

// timingFor computes elapsed time and host runtime stats of a scope (the
// whole run, or one sub-run's hosts); the ETA is the whole run's, apart.
func timingFor(st *Status, hosts []Host, start, end *time.Time, finished bool, now time.Time) Timing {
	var tm Timing
	durs := hostDurations(st, hosts)
	begin := start
	if begin == nil {
		begin = earliestStart(hosts)
	}
	stop := now
	if end != nil {
		stop = *end
	} else if finished {
		if t := latestTime(&Status{Hosts: hosts}); !t.IsZero() {
			stop = t
		}
	}
	if begin != nil && stop.After(*begin) {
		tm.ElapsedS = stop.Sub(*begin).Seconds()
	}

	first := true
	var sum float64
	for _, h := range hosts {
		d, ok := durs[h.Name]
		if !ok {
			continue
		}
		if first || d < tm.QuickestS {
			tm.QuickestS, tm.QuickestHost = d, h.Name
		}
		if first || d > tm.LongestS {
			tm.LongestS, tm.LongestHost = d, h.Name
		}
		first = false
		sum += d
		tm.TimedHosts++
	}
	if tm.TimedHosts > 0 {
		tm.AverageS = sum / float64(tm.TimedHosts)
	}
	return tm
}

// wholeRunETA estimates when the whole run ends: the average host runtime
// times the hosts left (a running host counts for what it has still to go),
// divided by the parallelism seen so far.
func wholeRunETA(st *Status, tm *Timing, now time.Time) {
	all := timingStats(st)
	avg := all.avg
	running, waiting := 0, 0
	var work, busy float64
	listed := map[string]bool{}
	for _, h := range st.Hosts {
		listed[h.Name] = true
		switch h.Status {
		case HostRunning:
			running++
			left := avg
			if h.StartedAt != nil && now.After(*h.StartedAt) {
				el := now.Sub(*h.StartedAt).Seconds()
				busy += el
				left = math.Max(avg-el, avg*0.1)
			}
			work += left
		case HostNotStarted:
			waiting++
			work += avg
		}
	}
	for _, r := range st.Remaining {
		if !listed[r] {
			listed[r] = true
			waiting++
			work += avg
		}
	}
	tm.HostsLeft = running + waiting
	if tm.HostsLeft == 0 || avg <= 0 {
		return
	}
	busy += all.sum
	p := 1.0
	begin := st.StartedAt
	if begin == nil {
		begin = earliestStart(st.Hosts)
	}
	if begin != nil && now.After(*begin) {
		p = busy / now.Sub(*begin).Seconds()
	}
	p = math.Max(1, math.Min(p, float64(running+all.n))) // never more hosts at once than have run
	p = math.Round(p*10) / 10
	tm.Parallelism = p
	eta := now.Add(time.Duration(work / p * float64(time.Second))).Round(time.Second)
	tm.ETA = &eta
}

type durStats struct {
	n   int
	sum float64
	avg float64
}

func timingStats(st *Status) durStats {
	var s durStats
	for _, d := range hostDurations(st, st.Hosts) {
		s.n++
		s.sum += d
	}
	if s.n > 0 {
		s.avg = s.sum / float64(s.n)
	}
	return s
}

// hostDurations returns the runtime of every finished host of hosts: the
// recorded duration, else end − start, else (S6: infer, never n/a) the time
// from its start to the next start of its sequence — the next host of the
// same group (sub-run), or the group's or run's end for the last one.
func hostDurations(st *Status, hosts []Host) map[string]float64 {
	out := map[string]float64{}
	seqEnd := sequenceEnds(st)
	for _, h := range hosts {
		if h.Status != HostPass && h.Status != HostFail {
			continue
		}
		switch {
		case h.DurationS > 0:
			out[h.Name] = h.DurationS
		case h.StartedAt != nil && h.EndedAt != nil && h.EndedAt.After(*h.StartedAt):
			out[h.Name] = h.EndedAt.Sub(*h.StartedAt).Seconds()
		case h.StartedAt != nil:
			if e, ok := seqEnd[h.Name]; ok && e.After(*h.StartedAt) {
				out[h.Name] = e.Sub(*h.StartedAt).Seconds()
			}
		}
	}
	return out
}

// sequenceEnds infers each host's end from the start of the host after it in
// the same sequence: hosts of one sub-run (or of the whole run when it is not
// categorized) run one after another.
func sequenceEnds(st *Status) map[string]time.Time {
	groupOf := map[string]string{}
	groupEnd := map[string]*time.Time{}
	for _, sr := range st.Subruns {
		for _, h := range sr.Hosts {
			groupOf[h] = sr.Name
		}
		groupEnd[sr.Name] = sr.EndedAt
	}
	seqs := map[string][]Host{}
	for _, h := range st.Hosts {
		if h.StartedAt == nil {
			continue
		}
		g, ok := groupOf[h.Name]
		if !ok {
			g = "\x00" + h.Group
		}
		seqs[g] = append(seqs[g], h)
	}
	out := map[string]time.Time{}
	for g, hs := range seqs {
		sort.SliceStable(hs, func(i, j int) bool { return hs[i].StartedAt.Before(*hs[j].StartedAt) })
		for i, h := range hs {
			switch {
			case i+1 < len(hs):
				out[h.Name] = *hs[i+1].StartedAt
			case h.EndedAt != nil:
				out[h.Name] = *h.EndedAt
			case groupEnd[g] != nil:
				out[h.Name] = *groupEnd[g]
			case st.EndedAt != nil:
				out[h.Name] = *st.EndedAt
			}
		}
	}
	return out
}

func earliestStart(hosts []Host) *time.Time {
	var t *time.Time
	for _, h := range hosts {
		if h.StartedAt != nil && (t == nil || h.StartedAt.Before(*t)) {
			t = h.StartedAt
		}
	}
	return t
}

// latestTime is the newest timestamp a status holds.
func latestTime(st *Status) time.Time {
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
		if h.StartedAt != nil && h.DurationS > 0 {
			e := h.StartedAt.Add(time.Duration(h.DurationS * float64(time.Second)))
			see(&e)
		}
	}
	for _, s := range st.Subruns {
		see(s.StartedAt)
		see(s.EndedAt)
	}
	return t
}

// fmtDuration prints whole seconds as "1h 4m 12s", "9m 2s", "55m" or
// "45s": zero parts are left out.
func fmtDuration(sec float64) string {
	s := int64(math.Round(sec))
	if s <= 0 {
		return "0s"
	}
	var parts []string
	for _, u := range []struct {
		n    int64
		unit string
	}{{s / 3600, "h"}, {s % 3600 / 60, "m"}, {s % 60, "s"}} {
		if u.n > 0 {
			parts = append(parts, fmt.Sprintf("%d%s", u.n, u.unit))
		}
	}
	return strings.Join(parts, " ")
}
