package bot

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/results"
)

// finalMessages are the posts as they stand now (edits applied), by id.
func (c *testChat) finalMessages() map[string]*testPost {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]*testPost{}
	for id, p := range c.posts {
		cp := *p
		out[id] = &cp
	}
	return out
}

var reRuleIDInChat = regexp.MustCompile(`\([PSRWD][0-9]+\)`)

// wordsRun is a categorized run of two groups that share one 20-step flow,
// seen at three polls: redhat done while ubuntu runs, the same again, and
// everything done.
func wordsRun(t0 time.Time) []results.Status {
	var flow []string
	for i := 1; i <= 20; i++ {
		flow = append(flow, fmt.Sprintf("%d. Step %d of the flow", i, i))
	}
	at := func(m int) *time.Time { x := t0.Add(time.Duration(m) * time.Minute); return &x }
	const cmd = "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --containsVm redhat,ubuntu --ignore_force_shutdown --test_partition"
	mk := func(state string, rh, ub results.Subrun, hosts ...results.Host) results.Status {
		return results.Status{Build: "e2e-words", Template: "cmc-e2e", State: state, Categorized: true,
			StartedAt: at(0), TemplateCommand: cmd, TestFlow: flow, TestFlowSource: "spec",
			GroupFlows: map[string][]string{"redhat": flow, "ubuntu": flow},
			Hosts:      hosts, Subruns: []results.Subrun{rh, ub}}
	}
	h := func(name, group, status string, start, dur int) results.Host {
		x := results.Host{Name: name, Group: group, Status: status, Tests: 20}
		if start >= 0 {
			x.StartedAt = at(start)
		}
		if dur > 0 {
			x.DurationS = float64(dur * 60)
		}
		return x
	}
	rh := results.Subrun{Name: "redhat", State: results.SubrunCompleted, Hosts: []string{"atvm70-redhat9.6", "atvm71-redhat9.1"}, Finished: true, StartedAt: at(0), EndedAt: at(24)}
	ubRun := results.Subrun{Name: "ubuntu", State: results.SubrunRunning, Hosts: []string{"atvm5-ubuntu22.04", "atvm6-ubuntu24.04"}, StartedAt: at(24)}
	ubDone := results.Subrun{Name: "ubuntu", State: results.SubrunCompleted, Hosts: ubRun.Hosts, Finished: true, StartedAt: at(24), EndedAt: at(48)}
	running := mk(results.RunRunning, rh, ubRun,
		h("atvm70-redhat9.6", "redhat", results.HostPass, 0, 12), h("atvm71-redhat9.1", "redhat", results.HostPass, 12, 12),
		h("atvm5-ubuntu22.04", "ubuntu", results.HostRunning, 24, 0), h("atvm6-ubuntu24.04", "ubuntu", results.HostNotStarted, -1, 0))
	done := mk(results.RunCompleted, rh, ubDone,
		h("atvm70-redhat9.6", "redhat", results.HostPass, 0, 12), h("atvm71-redhat9.1", "redhat", results.HostPass, 12, 12),
		h("atvm5-ubuntu22.04", "ubuntu", results.HostPass, 24, 12), h("atvm6-ubuntu24.04", "ubuntu", results.HostPass, 36, 12))
	done.EndedAt = at(48)
	return []results.Status{running, running, done}
}

// What an operator reads: help, a plan, a status, the sub-run posts and
// the final summary of a run show no rule IDs, write every command as
// `/atvm …`, show the template command and the TEST FLOW once per run (the
// root), and agree on the ETA.
func TestCore_D27_PostsOperatorsRead_NoRuleIDsOnceEachOneETA(t *testing.T) {
	t0 := time.Date(2026, 3, 30, 17, 20, 0, 0, time.UTC)
	statuses := wordsRun(t0)
	f := newCore(t, statuses...)
	now := t0.Add(30 * time.Minute)
	f.core.Now = func() time.Time { return now }
	ctx := context.Background()

	var replies []string
	for _, topic := range append([]string{""}, commands.CommandNames...) {
		replies = append(replies, f.say(t, "alice", strings.TrimSpace("help "+topic)).Ephemeral)
	}
	replies = append(replies, f.say(t, "qa-lead", "plan cmc-e2e --containsVm redhat,ubuntu --categorize").Ephemeral)
	replies = append(replies, f.say(t, "qa-lead", "plan cmc-e2e --specifyvms x").Ephemeral)
	replies = append(replies, f.say(t, "qa-lead", "approve").Ephemeral)
	f.core.Wait()
	f.core.Tick(ctx)
	replies = append(replies, f.say(t, "alice", "status").Ephemeral)
	f.core.Tick(ctx)
	progressAfterSub := f.out.String()
	for i := 0; i < 4; i++ {
		f.core.Tick(ctx)
	}
	replies = append(replies, f.say(t, "alice", "status").Ephemeral)

	all := f.out.String() + "\n" + strings.Join(replies, "\n")
	if m := reRuleIDInChat.FindAllString(all, -1); len(m) > 0 {
		t.Errorf("rule IDs in chat text: %v\n%s", m, all)
	}
	for _, m := range regexp.MustCompile("(.{0,6})approve p-[0-9a-f]{6}").FindAllStringSubmatch(all, -1) {
		if !strings.HasSuffix(m[1], "/atvm ") {
			t.Errorf("a command written without /atvm: %q", m[0])
		}
	}

	// One post of each kind, as they stand now.
	posts := f.console.finalMessages()
	var ids []string
	for id := range posts {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { a, _ := strconv.Atoi(ids[i][1:]); b, _ := strconv.Atoi(ids[j][1:]); return a < b })
	var root, final string
	var subs []string
	for _, id := range ids {
		m := posts[id].message
		switch {
		case strings.Contains(m, "results follow in this thread"):
			root = m
		case strings.Contains(m, "Final summary"):
			final = m
		case strings.Contains(m, " — sub-run "):
			subs = append(subs, m)
		}
	}
	if root == "" || final == "" || len(subs) != 2 {
		t.Fatalf("root %t, final %t, %d sub-run posts:\n%s", root != "", final != "", len(subs), f.out)
	}
	cmd := statuses[0].TemplateCommand
	if strings.Count(root, cmd) != 1 || strings.Count(final, cmd) != 1 {
		t.Errorf("the template command belongs once in the root and once in the final summary:\nroot:\n%s\nfinal:\n%s", root, final)
	}
	if !strings.Contains(root, "Step 20 of the flow") {
		t.Errorf("the root lacks the run's TEST FLOW:\n%s", root)
	}
	for _, s := range subs {
		if strings.Contains(s, cmd) {
			t.Errorf("a sub-run post repeats the template command:\n%s", s)
		}
		if strings.Contains(s, "Step 7 of the flow") || !strings.Contains(s, "**TEST FLOW:** as in the run's first post, 20 steps") {
			t.Errorf("a sub-run post whose flow is the run's repeats it:\n%s", s)
		}
		for _, sec := range []string{"**SUMMARY:**", "**HOSTS:**", "**TIMING:**", "**COVERAGE:**", "**TEST FLOW:**", "**NOTES:**"} {
			if !strings.Contains(s, sec) {
				t.Errorf("a sub-run post lacks %s (S3):\n%s", sec, s)
			}
		}
	}
	if strings.Contains(final, "Step 7 of the flow") || !strings.Contains(final, "**TEST FLOW:** as in the run's first post, 20 steps") {
		t.Errorf("the final summary repeats the TEST FLOW:\n%s", final)
	}

	// The progress post and the redhat sub-run post were written at the
	// same moment: one ETA, one format.
	pm := regexp.MustCompile(`ETA (\d{4}-\d\d-\d\d \d\d:\d\d \S+) \(whole remaining run`).FindAllStringSubmatch(progressAfterSub, -1)
	sm := regexp.MustCompile(`ETA for the whole remaining run: (\d{4}-\d\d-\d\d \d\d:\d\d \S+),`).FindAllStringSubmatch(progressAfterSub, -1)
	if len(pm) == 0 || len(sm) == 0 {
		t.Fatalf("no ETA in the progress post (%d) or the sub-run post (%d):\n%s", len(pm), len(sm), progressAfterSub)
	}
	if pm[len(pm)-1][1] != sm[len(sm)-1][1] {
		t.Errorf("the progress post says ETA %s, the sub-run post %s", pm[len(pm)-1][1], sm[len(sm)-1][1])
	}
	if strings.Contains(all, "1 hosts") {
		t.Errorf("a plural for one host:\n%s", all)
	}
}
