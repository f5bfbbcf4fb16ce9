package timeline

import (
	"strings"
	"time"

	"github.com/atvm/atvmbot/internal/synth"
	"github.com/atvm/atvmbot/results"
)

// Fixtures: Statuses built by hand so each picture's truth is known.

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) // 08:00 in New York

func at(min float64) *time.Time {
	t := t0.Add(time.Duration(min * float64(time.Minute)))
	return &t
}

func host(name, status, group string, start, end float64) results.Host {
	h := results.Host{Name: name, Status: status, Group: group, Tests: 22}
	if start >= 0 {
		h.StartedAt = at(start)
	}
	if end >= 0 {
		h.EndedAt = at(end)
	}
	return h
}

// categorizedRun: two finished groups and one not started; one failure at
// step 38 and one at step 1.
func categorizedRun() results.Status {
	fail := host("atvm1003-ubuntu22.3", results.HostFail, "ubuntu", 2, 41)
	fail.FailedStep = "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)"
	early := host("atvm1007-ubuntu20.7", results.HostFail, "ubuntu", 44, 47)
	early.FailedStep = "1. Verifying set up"
	st := results.Status{
		Build: "e2e-1714", Template: "cmc-e2e", State: results.RunFailed, Categorized: true,
		StartedAt: at(0), EndedAt: at(95),
		Hosts: []results.Host{
			host("atvm1001-redhat8.1", results.HostPass, "redhat", 1, 38),
			host("atvm1002-redhat9.2", results.HostPass, "redhat", 2, 52),
			host("atvm1005-redhat8.5", results.HostPass, "redhat", 39, 80),
			fail, early,
			host("atvm1004-ubuntu22.4", results.HostPass, "ubuntu", 1, 44),
			host("atvm1006-ubuntu24.6", results.HostPass, "ubuntu", 47, 93),
			host("atvm1008-w2k19.8", results.HostNotStarted, "w2k", -1, -1),
			host("atvm1009-w2k22.9", results.HostNotStarted, "w2k", -1, -1),
		},
		Subruns: []results.Subrun{
			{Name: "e2e-1714-redhat", State: results.SubrunCompleted, Hosts: []string{"atvm1001-redhat8.1", "atvm1002-redhat9.2", "atvm1005-redhat8.5"}},
			{Name: "e2e-1714-ubuntu", State: results.SubrunFailed, Hosts: []string{"atvm1003-ubuntu22.3", "atvm1004-ubuntu22.4", "atvm1006-ubuntu24.6", "atvm1007-ubuntu20.7"}},
			{Name: "e2e-1714-w2k", State: results.SubrunNotStarted, Hosts: []string{"atvm1008-w2k19.8", "atvm1009-w2k22.9"}},
		},
	}
	return st
}

// flatRun: not categorized, finished, with a skipped and an unknown host.
func flatRun() results.Status {
	fail := host("vm-oracle9", results.HostFail, "", 10, 31)
	fail.FailedStep = "12. Verify data for revert cmotion"
	return results.Status{
		Build: "nightly-88", Template: "cmc-smoke", State: results.RunCompleted,
		StartedAt: at(0), EndedAt: at(62),
		Hosts: []results.Host{
			host("vm-rhel8", results.HostPass, "", 0.5, 20),
			host("vm-rhel9", results.HostPass, "", 1, 24),
			fail,
			host("vm-sles15", results.HostPass, "", 20, 61),
			host("vm-win2019", results.HostSkipped, "", -1, -1),
			host("vm-debian12", results.HostUnknown, "", 24, 40),
		},
	}
}

// liveRun: still running at now = 50 min; two running, one waiting.
func liveRun() (results.Status, time.Time) {
	fail := host("atvm2003-suse15.3", results.HostFail, "suse", 3, 18)
	fail.FailedStep = "6. Install CMC"
	st := results.Status{
		Build: "e2e-1715", Template: "cmc-e2e", State: results.RunRunning, Categorized: true,
		StartedAt: at(0),
		Hosts: []results.Host{
			host("atvm2001-rocky9.1", results.HostPass, "rocky", 1, 30),
			host("atvm2002-rocky8.2", results.HostRunning, "rocky", 30, -1),
			fail,
			host("atvm2004-suse12.4", results.HostRunning, "suse", 18, -1),
			host("atvm2005-suse15.5", results.HostNotStarted, "suse", -1, -1),
		},
		Subruns: []results.Subrun{
			{Name: "e2e-1715-rocky", State: results.SubrunRunning, Hosts: []string{"atvm2001-rocky9.1", "atvm2002-rocky8.2"}},
			{Name: "e2e-1715-suse", State: results.SubrunRunning, Hosts: []string{"atvm2003-suse15.3", "atvm2004-suse12.4", "atvm2005-suse15.5"}},
		},
	}
	return st, *at(50)
}

// bigRun: the 500 hosts in 10 groups of internal/synth's benchmark run —
// its machine names, its groups (host i in group i mod 10), its durations
// (15–35 minutes) and its failures (every 37th host, at step 10) — with
// each group running 5 hosts at a time. At now, 4 hours in, the tail of
// each group is still running or has not started.
func bigRun() (results.Status, time.Time) {
	run := synth.ScaledBigRun(1)
	start := run.Start
	st := results.Status{Build: run.Build, Template: "cmc-e2e", State: results.RunRunning,
		Categorized: true, StartedAt: &start}
	now := start.Add(4 * time.Hour)
	lanes := make([][]time.Time, run.Groups)
	for g := 0; g < run.Groups; g++ {
		st.Subruns = append(st.Subruns, results.Subrun{State: results.SubrunCompleted})
		lanes[g] = make([]time.Time, 5)
		for j := range lanes[g] {
			lanes[g][j] = start.Add(time.Duration(g) * 2 * time.Minute)
		}
	}
	for i := 0; i < run.Hosts; i++ {
		spec := run.BigRunSpec(i)
		g, k := i%run.Groups, i/run.Groups
		fam := strings.TrimRight(strings.SplitN(spec.Machine, "-", 2)[1], "0123456789.")
		sr := &st.Subruns[g]
		sr.Name = run.Build + "-" + fam
		sr.Hosts = append(sr.Hosts, spec.Machine)
		from := lanes[g][k%5].Add(30 * time.Second)
		to := from.Add(time.Duration(spec.Row().DurationMS) * time.Millisecond)
		lanes[g][k%5] = to
		h := results.Host{Name: spec.Machine, Status: results.HostPass, Group: fam, Tests: len(spec.Steps),
			StartedAt: &from, EndedAt: &to}
		for _, step := range spec.Steps {
			if step.State == "failed" {
				h.Status, h.Failures, h.FailedStep = results.HostFail, 1, step.Title
			}
		}
		switch {
		case !from.Before(now):
			h = results.Host{Name: h.Name, Status: results.HostNotStarted, Group: fam}
			sr.State = results.SubrunRunning
		case to.After(now):
			h = results.Host{Name: h.Name, Status: results.HostRunning, Group: fam, StartedAt: h.StartedAt}
			sr.State = results.SubrunRunning
		}
		st.Hosts = append(st.Hosts, h)
	}
	return st, now
}
