package timeline

import (
	"fmt"
	"time"

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

var families = []string{"redhat", "ubuntu", "debian", "oracle", "suse", "centos", "rocky", "alma", "fedora", "w2k"}

// bigRun: 500 hosts in 10 groups of 50, named like internal/synth's big
// run; each group runs 5 hosts at a time for 15–35 minutes each; every
// 37th host fails at step 10 (as in the synthetic run); the last group is
// still running at now and its tail has not started.
func bigRun() (results.Status, time.Time) {
	st := results.Status{Build: "bench-e2e-categorized", Template: "cmc-e2e", State: results.RunRunning,
		Categorized: true, StartedAt: at(0)}
	now := 240.0
	for g := 0; g < 10; g++ {
		fam := families[g]
		sr := results.Subrun{Name: st.Build + "-" + fam, State: results.SubrunCompleted}
		lane := make([]float64, 5)
		for k := 0; k < 50; k++ {
			i := g*50 + k
			name := fmt.Sprintf("atvm%d-%s%d.%d", 1000+i, fam, 8+i%3, i%10)
			sr.Hosts = append(sr.Hosts, name)
			j := k % 5
			start := lane[j] + float64(g)*2 + 0.5
			dur := 15 + float64((i*7919)%20)
			h := host(name, results.HostPass, fam, start, start+dur)
			lane[j] = start + dur + 0.3
			if i%37 == 5 {
				h.Status, h.FailedStep = results.HostFail, "10. Verify data for cmotion"
			}
			switch {
			case start >= now:
				h.Status, h.StartedAt, h.EndedAt, h.FailedStep = results.HostNotStarted, nil, nil, ""
				sr.State = results.SubrunRunning
			case start+dur > now:
				h.Status, h.EndedAt, h.FailedStep = results.HostRunning, nil, ""
				sr.State = results.SubrunRunning
			}
			st.Hosts = append(st.Hosts, h)
		}
		st.Subruns = append(st.Subruns, sr)
	}
	return st, *at(now)
}
