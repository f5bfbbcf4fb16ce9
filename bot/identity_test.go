package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
)

func (f *coreFixture) as(t *testing.T, in Incoming) Reply {
	t.Helper()
	if in.ChannelID == "" {
		in.ChannelID = f.console.Channel()
	}
	return f.core.Handle(context.Background(), in)
}

// D23: the user id decides, not the name the request carries: a request
// naming an approver but sent by another user id approves nothing.
func TestIdentity_D23_NameIsNotIdentity(t *testing.T) {
	f := newCore(t, results.Status{State: results.RunRunning})
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	rep := f.as(t, Incoming{Source: SourceSlash, UserID: "u-mallory", UserName: "qa-lead", Text: "approve"})
	if !strings.Contains(rep.Ephemeral, "Not approved") || len(f.runner.launched) != 0 {
		t.Fatalf("a request naming an approver approved: %q", rep.Ephemeral)
	}
	// No user id from the server: nothing that changes state is done.
	rep = f.as(t, Incoming{Source: SourceSlash, UserName: "qa-lead", Text: "approve"})
	if !strings.Contains(rep.Ephemeral, "cannot tell who") || len(f.runner.launched) != 0 {
		t.Fatalf("a request without a user id: %q", rep.Ephemeral)
	}
	// Reads need no identity.
	if rep := f.as(t, Incoming{Source: SourceSlash, Text: "help"}); strings.Contains(rep.Ephemeral, "cannot tell who") {
		t.Fatalf("help refused without a user id: %q", rep.Ephemeral)
	}
	// Approvers resolved to ids: the resolved id approves, the name does not.
	f.core.setApprovers([]string{"u-lead"})
	if rep := f.as(t, Incoming{Source: SourceSlash, UserID: "qa-lead", UserName: "qa-lead", Text: "approve"}); !strings.Contains(rep.Ephemeral, "Not approved") {
		t.Fatalf("the approver's name approved after resolution to ids: %q", rep.Ephemeral)
	}
	if rep := f.as(t, Incoming{Source: SourceSlash, UserID: "u-lead", UserName: "whoever", Text: "approve"}); !strings.Contains(rep.Ephemeral, "Approved plan") {
		t.Fatalf("the approver's id did not approve: %q", rep.Ephemeral)
	}
	f.core.Wait()
	entries, _ := f.db.AuditLog(context.Background(), 10)
	if len(entries) == 0 || entries[0].ActorID != "u-lead" || entries[0].Action != "approve" {
		t.Fatalf("audit: %+v", entries)
	}
}

// A button made for another version of the plan (its hash) or pressed in
// another channel approves nothing (P2).
func TestButtons_P2_HashAndChannelBound(t *testing.T) {
	f := newCore(t, results.Status{State: results.RunRunning})
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	open, _ := f.db.OpenPlans(context.Background(), f.console.Channel())
	if len(open) != 1 {
		t.Fatalf("open plans: %d", len(open))
	}
	p := open[0]
	press := func(hash, channel string) Reply {
		return f.as(t, Incoming{Source: SourceButton, UserID: "qa-lead", UserName: "qa-lead", ChannelID: channel,
			Action: &ActionCall{Plan: p.ID, Hash: hash, Action: actApprove, Expires: time.Now().Add(time.Hour)}})
	}
	if rep := press("0000", f.console.Channel()); !strings.Contains(rep.Ephemeral, "changed") || len(f.runner.launched) != 0 {
		t.Fatalf("a button of another plan version: %q", rep.Ephemeral)
	}
	if rep := press(p.Hash, "other-channel"); !strings.Contains(rep.Ephemeral, "Not approved") || len(f.runner.launched) != 0 {
		t.Fatalf("a button pressed in another channel: %q", rep.Ephemeral)
	}
	if rep := press(p.Hash, f.console.Channel()); !strings.Contains(rep.Ephemeral, "Approved plan") {
		t.Fatalf("the plan's own button: %q", rep.Ephemeral)
	}
	f.core.Wait()
}

// An expired plan is closed, so the same request makes a fresh plan (no
// "already open" / "expired" loop); the same words in two channels make two
// plans with their own ids.
func TestPlans_P2_ExpiredPlanReplansAndIDsPerChannel(t *testing.T) {
	f := newCore(t, results.Status{State: results.RunRunning})
	now := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	f.core.Now = func() time.Time { return now }
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	if rep := f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6"); !strings.Contains(rep.Ephemeral, "already open") {
		t.Fatalf("the same plan again while open: %q", rep.Ephemeral)
	}
	now = now.Add(f.core.Cfg.Approvals.PlanTTL + time.Minute)
	if rep := f.say(t, "qa-lead", "approve"); !strings.Contains(rep.Ephemeral, "expired") {
		t.Fatalf("approving an expired plan: %q", rep.Ephemeral)
	}
	rep := f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	if !strings.Contains(rep.Ephemeral, "posted") {
		t.Fatalf("re-planning an expired plan: %q", rep.Ephemeral)
	}
	if rep := f.say(t, "qa-lead", "approve"); !strings.Contains(rep.Ephemeral, "Approved plan") {
		t.Fatalf("approving the fresh plan: %q", rep.Ephemeral)
	}
	f.core.Wait()

	rep = f.as(t, Incoming{Source: SourceSlash, UserID: "alice", UserName: "alice", ChannelID: "ch-a", Text: "plan cmc-e2e --containsVm ubuntu"})
	rep2 := f.as(t, Incoming{Source: SourceSlash, UserID: "alice", UserName: "alice", ChannelID: "ch-b", Text: "plan cmc-e2e --containsVm ubuntu"})
	if !strings.Contains(rep.Ephemeral, "posted") || !strings.Contains(rep2.Ephemeral, "posted") {
		t.Fatalf("the same words in two channels: %q / %q", rep.Ephemeral, rep2.Ephemeral)
	}
	a, _ := f.db.OpenPlans(context.Background(), "ch-a")
	b, _ := f.db.OpenPlans(context.Background(), "ch-b")
	if len(a) != 1 || len(b) != 1 || a[0].ID == b[0].ID {
		t.Fatalf("plans per channel: %+v / %+v", a, b)
	}
}

// unwatch needs the run's approver, the plan's author or an approver.
func TestUnwatch_D14_OnlyApproverOrAuthor(t *testing.T) {
	f := newCore(t, results.Status{State: results.RunRunning})
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6 --build b1")
	f.say(t, "qa-lead", "approve")
	f.core.Wait()
	if rep := f.say(t, "mallory", "unwatch b1"); !strings.Contains(rep.Ephemeral, "Only the run's approver") {
		t.Fatalf("a stranger's unwatch: %q", rep.Ephemeral)
	}
	run, _ := f.db.LatestRunByBuild(context.Background(), "b1")
	if !run.Watcher {
		t.Fatal("a stranger unwatched the run")
	}
	if rep := f.say(t, "alice", "unwatch b1"); !strings.Contains(rep.Ephemeral, "No more posts") {
		t.Fatalf("the plan's author's unwatch: %q", rep.Ephemeral)
	}
}

// D24: a cancel of a running run patches the progress post to CANCELLED,
// and status lists unfinished hosts as not run, never RUNNING.
func TestCancel_D24_RootSaysCancelledStatusNoRunningHosts(t *testing.T) {
	rh := results.Subrun{Name: "redhat", State: results.SubrunRunning, Hosts: []string{"atvm71-redhat9.1"}}
	ub := results.Subrun{Name: "ubuntu", State: results.SubrunNotStarted, Hosts: []string{"atvm5-ubuntu22.04"}}
	f := newCore(t, categorized(results.RunRunning, rh, ub, host("atvm71-redhat9.1", "redhat", results.HostRunning), host("atvm5-ubuntu22.04", "ubuntu", results.HostNotStarted)))
	f.say(t, "qa-lead", "plan cmc-e2e --containsVm redhat,ubuntu --categorize --build cx")
	f.say(t, "qa-lead", "approve")
	f.core.Wait()
	f.core.Tick(context.Background())
	rep := f.say(t, "qa-lead", "cancel cx --yes")
	if !strings.Contains(rep.Ephemeral, "while it ran") || !strings.Contains(rep.Ephemeral, "runner was stopped") {
		t.Fatalf("cancel reply: %q", rep.Ephemeral)
	}
	run, _ := f.db.LatestRunByBuild(context.Background(), "cx")
	if run.State != results.RunCancelled {
		t.Fatalf("state %s", run.State)
	}
	if held, _ := f.db.HoldsLock(context.Background(), run.ID); held {
		t.Fatal("the controller stayed locked after the runner was stopped")
	}
	if !strings.Contains(f.out.String(), "CANCELLED") {
		t.Fatalf("the root post was not patched to CANCELLED:\n%s", f.out)
	}
	st := f.say(t, "qa-lead", "status cx").Ephemeral
	if strings.Contains(st, "- RUNNING") || !strings.Contains(st, "CANCELLED") {
		t.Fatalf("status after the cancel:\n%s", st)
	}
	// The ticks after the cancel post nothing for the run.
	before := len(f.posts(t, ""))
	for i := 0; i < 3; i++ {
		f.core.Tick(context.Background())
	}
	if after := len(f.posts(t, "")); after != before {
		t.Fatalf("posts after the cancel: %d → %d", before, after)
	}
	if rep := f.say(t, "qa-lead", "cancel cx --yes"); !strings.Contains(rep.Ephemeral, "No active run") && !strings.Contains(rep.Ephemeral, "already ended") {
		t.Fatalf("a second cancel: %q", rep.Ephemeral)
	}
}

// A running run whose polls keep failing shows in /healthz's watch check
// once its last good poll is older than three intervals and a poll's
// deadline; a run polled lately does not.
func TestHealth_StalePollNamed(t *testing.T) {
	f := newCore(t, results.Status{State: results.RunRunning})
	now := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	f.core.Now = func() time.Time { return now }
	f.say(t, "qa-lead", "plan cmc-e2e --containsVm redhat9.6 --build hb")
	f.say(t, "qa-lead", "approve")
	f.core.Wait()
	ctx := context.Background()
	f.core.Tick(ctx)
	if stale, err := f.core.StalePolls(ctx); err != nil || len(stale) != 0 {
		t.Fatalf("a run just polled is stale: %v %v", stale, err)
	}
	now = now.Add(3*f.core.Cfg.Watch.PollInterval + f.core.pollTimeout() + time.Second)
	stale, err := f.core.StalePolls(ctx)
	if err != nil || len(stale) != 1 || !strings.Contains(stale[0], "hb") {
		t.Fatalf("a run not polled for long: %v %v", stale, err)
	}
}
