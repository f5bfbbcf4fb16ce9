package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// newCores is newCore with several controllers, each with its own scripted
// runner playing the same statuses; defaultFor names the controller whose
// channels hold the test channel ("" = none).
func newCores(t *testing.T, names []string, defaultFor string, statuses ...results.Status) (*coreFixture, map[string]*scriptedRunner) {
	t.Helper()
	f := newCore(t, statuses...)
	f.core.Runner = nil
	f.core.Runners = map[string]Runner{}
	f.core.Cfg.Controllers = map[string]config.ControllerEntry{}
	runners := map[string]*scriptedRunner{}
	for _, n := range names {
		e := config.ControllerEntry{Controller: f.core.Cfg.Controller}
		if n == defaultFor {
			e.Channels = []string{f.console.Channel()}
		}
		f.core.Cfg.Controllers[n] = e
		r := &scriptedRunner{name: n, statuses: append([]results.Status(nil), statuses...)}
		runners[n] = r
		f.core.Runners[n] = r
	}
	return f, runners
}

func openPlans(t *testing.T, f *coreFixture) []storage.Plan {
	t.Helper()
	open, err := f.db.OpenPlans(context.Background(), f.console.Channel())
	if err != nil {
		t.Fatal(err)
	}
	return open
}

func TestCore_C21_PlanResolvesItsController(t *testing.T) {
	for _, tc := range []struct {
		name       string
		names      []string
		defaultFor string
		text       string
		refusal    string // "" = posted
		controller string // stored with the plan
		shown      bool   // the plan post names the controller
	}{
		{"several, none named, no default: refused with the list", []string{"a", "b"}, "", "plan cmc-e2e --containsVm redhat9.6",
			"several controllers and this channel has none by default; name one with --controller: a, b", "", false},
		{"several, unknown name: refused with the list", []string{"a", "b"}, "", "plan cmc-e2e --containsVm redhat9.6 --controller c",
			"unknown controller c; controllers: a, b", "", false},
		{"several, named", []string{"a", "b"}, "", "plan cmc-e2e --containsVm redhat9.6 --controller b", "", "b", true},
		{"several, the channel's default", []string{"a", "b"}, "b", "plan cmc-e2e --containsVm redhat9.6", "", "b", true},
		{"several, named over the channel's default", []string{"a", "b"}, "b", "plan cmc-e2e --containsVm redhat9.6 --controller a", "", "a", true},
		{"one in the map: the only one, not shown", []string{"lab"}, "", "plan cmc-e2e --containsVm redhat9.6", "", "lab", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := newCores(t, tc.names, tc.defaultFor)
			rep := f.say(t, "alice", tc.text)
			open := openPlans(t, f)
			if tc.refusal != "" {
				if !strings.Contains(rep.Ephemeral, "Plan refused") || !strings.Contains(rep.Ephemeral, tc.refusal) {
					t.Fatalf("reply %q, want a refusal with %q", rep.Ephemeral, tc.refusal)
				}
				if len(open) != 0 || f.out.Len() != 0 {
					t.Fatalf("a refused plan stored %d plans and posted %q", len(open), f.out)
				}
				return
			}
			if !strings.Contains(rep.Ephemeral, "posted") || len(open) != 1 {
				t.Fatalf("reply %q, %d open plans", rep.Ephemeral, len(open))
			}
			if open[0].Controller != tc.controller {
				t.Fatalf("stored controller %q, want %q", open[0].Controller, tc.controller)
			}
			if got := strings.Contains(open[0].PlanJSON, `"controller":"`+tc.controller+`"`); got != tc.shown {
				t.Fatalf("plan JSON names the controller: %v, want %v: %s", got, tc.shown, open[0].PlanJSON)
			}
			if got := strings.Contains(f.out.String(), "**Controller:** `"+tc.controller+"`"); got != tc.shown {
				t.Fatalf("plan post names the controller: %v, want %v:\n%s", got, tc.shown, f.out)
			}
		})
	}
}

// The old single `controller:` block: plans are the only controller's
// ("default"), the post names none, and the same plan again is the open one.
func TestCore_C21_SingleControllerPlansAsBefore(t *testing.T) {
	f := newCore(t, results.Status{State: results.RunRunning})
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	rep := f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	open := openPlans(t, f)
	if len(open) != 1 || open[0].Controller != config.DefaultControllerName || !strings.Contains(rep.Ephemeral, "already open") {
		t.Fatalf("open %+v, reply %q", open, rep.Ephemeral)
	}
	if strings.Contains(f.out.String(), "Controller:") || strings.Contains(open[0].PlanJSON, `"controller"`) {
		t.Fatalf("one controller is never named:\n%s\n%s", f.out, open[0].PlanJSON)
	}
}

// The same commands on two controllers are two plans; on one, one.
func TestCore_C21_SamePlanOnTwoControllersIsTwoPlans(t *testing.T) {
	f, _ := newCores(t, []string{"a", "b"}, "")
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6 --controller a")
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6 --controller b")
	rep := f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6 --controller b")
	if !strings.Contains(rep.Ephemeral, "already open") {
		t.Fatalf("the same plan on b again: %q", rep.Ephemeral)
	}
	open := openPlans(t, f)
	if len(open) != 2 || open[0].Hash != open[1].Hash || open[0].ID == open[1].ID || open[0].Controller == open[1].Controller {
		t.Fatalf("want two open plans, one per controller, same hash: %+v", open)
	}
}

// planAndApprove plans the W3 request on a controller in a channel and
// approves it by id; the launch has finished when it returns.
func planAndApprove(t *testing.T, f *coreFixture, channel, ctl string) Reply {
	t.Helper()
	id := planOn(t, f, channel, ctl)
	rep := f.core.Handle(context.Background(), Incoming{Source: SourceConsole, UserName: "qa-lead", ChannelID: channel, Text: "approve " + id})
	f.core.Wait()
	return rep
}

func planOn(t *testing.T, f *coreFixture, channel, ctl string) string {
	t.Helper()
	rep := f.core.Handle(context.Background(), Incoming{Source: SourceConsole, UserName: "alice", ChannelID: channel,
		Text: "plan cmc-e2e --containsVm redhat,ubuntu --categorize --controller " + ctl})
	open, _ := f.db.OpenPlans(context.Background(), channel)
	for _, p := range open {
		if p.Controller == ctl {
			return p.ID
		}
	}
	t.Fatalf("no open plan on %s after %q", ctl, rep.Ephemeral)
	return ""
}

func w3Statuses() []results.Status {
	rh := results.Subrun{Name: "redhat", State: results.SubrunCompleted, Hosts: []string{"atvm71-redhat9.1"}, Finished: true}
	ubRunning := results.Subrun{Name: "ubuntu", State: results.SubrunRunning, Hosts: []string{"atvm5-ubuntu22.04"}}
	ubDone := results.Subrun{Name: "ubuntu", State: results.SubrunFailed, Hosts: []string{"atvm5-ubuntu22.04"}, Finished: true}
	h1, h2run, h2fail := host("atvm71-redhat9.1", "redhat", results.HostPass), host("atvm5-ubuntu22.04", "ubuntu", results.HostRunning), host("atvm5-ubuntu22.04", "ubuntu", results.HostFail)
	return []results.Status{
		categorized(results.RunRunning, rh, ubRunning, h1, h2run),
		categorized(results.RunRunning, rh, ubRunning, h1, h2run),
		categorized(results.RunFailed, rh, ubDone, h1, h2fail),
	}
}

// A's lock never blocks B; a second approval for a busy controller is
// refused naming it (D15); each run is polled by its own controller's runner
// and posts once per finished group and once at the end (W1, W3).
func TestCore_C21_D15_EachControllerItsOwnLock_W3_PostsOncePerRun(t *testing.T) {
	f, rs := newCores(t, []string{"a", "b"}, "", w3Statuses()...)
	ch := f.console.Channel()
	for _, step := range []struct {
		ctl  string
		want string // in the reply
	}{
		{"a", "Approved plan"},
		{"b", "Approved plan"}, // while a runs
		{"a", "controller `a` is busy"},
		{"b", "controller `b` is busy"},
	} {
		if rep := planAndApprove(t, f, ch, step.ctl); !strings.Contains(rep.Ephemeral, step.want) {
			t.Fatalf("approve on %s: %q, want %q", step.ctl, rep.Ephemeral, step.want)
		}
	}
	ctx := context.Background()
	runOf := map[string]storage.Run{}
	for _, ctl := range []string{"a", "b"} {
		if n := len(rs[ctl].launched); n != 1 {
			t.Fatalf("runner %s launched %d runs, want 1", ctl, n)
		}
		runID, _, _, held, _ := f.db.Lock(ctx, ctl)
		if !held {
			t.Fatalf("controller %s is not locked by its run", ctl)
		}
		r, err := f.db.GetRun(ctx, runID)
		if err != nil || r.Controller != ctl {
			t.Fatalf("run %s on %q, %v; want on %s", runID, r.Controller, err, ctl)
		}
		runOf[ctl] = r
	}
	for i := 0; i < 6; i++ {
		f.core.Tick(ctx)
	}
	for _, ctl := range []string{"a", "b"} {
		run := runOf[ctl]
		rs[ctl].mu.Lock()
		polled := append([]string(nil), rs[ctl].polled...)
		rs[ctl].mu.Unlock()
		if len(polled) == 0 {
			t.Fatalf("runner %s never polled", ctl)
		}
		for _, id := range polled {
			if id != run.ID {
				t.Fatalf("runner %s polled run %s, not its own %s", ctl, id, run.ID)
			}
		}
		posts, _ := f.db.RunPosts(ctx, run.ID)
		kinds := map[string]int{}
		for _, p := range posts {
			kinds[p.Kind]++
		}
		if kinds["subrun"] != 2 || kinds["final"] != 1 {
			t.Fatalf("run on %s posted %v; want 2 sub-run posts and 1 final", ctl, kinds)
		}
		if got, _ := f.db.GetRun(ctx, run.ID); got.State != results.RunFailed {
			t.Fatalf("run on %s ended %s, want FAILED", ctl, got.State)
		}
		if _, _, _, held, _ := f.db.Lock(ctx, ctl); held {
			t.Fatalf("controller %s stayed locked after its run", ctl)
		}
	}
}

// Two approvals for one controller at once (plans of two channels): one
// launches, the other is refused busy; the other controller is untouched.
func TestCore_C21_D15_TwoApprovalsForOneControllerSerialize(t *testing.T) {
	f, rs := newCores(t, []string{"a", "b"}, "", results.Status{State: results.RunRunning})
	chans := []string{f.console.Channel(), "ops"}
	ids := []string{planOn(t, f, chans[0], "a"), planOn(t, f, chans[1], "a")}
	reps := make([]Reply, 2)
	var wg sync.WaitGroup
	for i := range chans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reps[i] = f.core.Handle(context.Background(), Incoming{Source: SourceConsole, UserName: "qa-lead", ChannelID: chans[i], Text: "approve " + ids[i]})
		}()
	}
	wg.Wait()
	f.core.Wait()
	approved, busy := 0, 0
	for _, r := range reps {
		switch {
		case strings.Contains(r.Ephemeral, "Approved plan"):
			approved++
		case strings.Contains(r.Ephemeral, "controller `a` is busy"):
			busy++
		}
	}
	if approved != 1 || busy != 1 || len(rs["a"].launched) != 1 || len(rs["b"].launched) != 0 {
		t.Fatalf("replies %q; a launched %d, b %d; want one approved, one refused busy", []string{reps[0].Ephemeral, reps[1].Ephemeral}, len(rs["a"].launched), len(rs["b"].launched))
	}
	if rep := planAndApprove(t, f, chans[0], "b"); !strings.Contains(rep.Ephemeral, "Approved plan") {
		t.Fatalf("b while a is busy: %q", rep.Ephemeral)
	}
}

// A state file from a single controller holds its run's lock under the
// runner's old key (its address). After a restart, with the same block or
// moved under controllers:, the lock stays held until that run ends: the run
// is followed by the controller's runner, and a second approval on the same
// configuration is refused busy (D15).
func TestCore_C21_D15_LockUnderTheOldKeySurvivesARestart(t *testing.T) {
	const oldKey = "10.0.0.1:22"
	for _, tc := range []struct {
		name    string
		restart func(f *coreFixture, r *scriptedRunner)
		busy    bool // a new approval is refused busy by the lock itself
	}{
		{"same single block", func(f *coreFixture, r *scriptedRunner) {
			r.name = oldKey
			f.core.Runner = r
		}, true},
		{"moved under controllers:", func(f *coreFixture, r *scriptedRunner) {
			r.name = config.DefaultControllerName
			f.core.Runner = nil
			f.core.Runners = map[string]Runner{config.DefaultControllerName: r}
			f.core.Cfg.Controllers = map[string]config.ControllerEntry{config.DefaultControllerName: {Controller: f.core.Cfg.Controller}}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newCore(t)
			f.runner.name = oldKey
			if rep := f.say(t, "qa-lead", "plan cmc-e2e --containsVm redhat,ubuntu --categorize"); !strings.Contains(rep.Ephemeral, "posted") {
				t.Fatal(rep.Ephemeral)
			}
			f.say(t, "qa-lead", "approve")
			f.core.Wait()
			runID, _, _, held, _ := f.db.Lock(ctx, oldKey)
			if !held {
				t.Fatal("no lock under the old key")
			}
			// The restart: a new core over the same state file.
			after := &scriptedRunner{statuses: w3Statuses()}
			cfg := *f.core.Cfg
			f.core = &Core{Cfg: &cfg, DB: f.db, Chat: f.console, Log: f.core.Log, Version: "vtest", Channel: f.console.Channel()}
			tc.restart(f, after)
			f.core.Tick(ctx)
			if id, _, _, held, _ := f.db.Lock(ctx, oldKey); !held || id != runID {
				t.Fatalf("the old lock was released while its run is live (held %v by %q)", held, id)
			}
			if tc.busy {
				f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
				if rep := f.say(t, "qa-lead", "approve"); !strings.Contains(rep.Ephemeral, "the controller is busy") {
					t.Fatalf("second approval: %q", rep.Ephemeral)
				}
			}
			for i := 0; i < 5; i++ {
				f.core.Tick(ctx)
			}
			if len(after.polled) == 0 || after.polled[0] != runID {
				t.Fatalf("the run was not followed after the restart: polled %v", after.polled)
			}
			if got, _ := f.db.GetRun(ctx, runID); got.State != results.RunFailed {
				t.Fatalf("run ended %s, want FAILED", got.State)
			}
			if _, _, _, held, _ := f.db.Lock(ctx, oldKey); held {
				t.Fatal("the old lock outlived its run")
			}
		})
	}
}

// With several controllers `status` starts with one line per controller —
// the bot's run on it with its progress, or idle — and gives the details
// of the run asked for: BUILD, else the run on --controller NAME, else the
// latest active run; an unknown name is refused with the configured ones.
func TestCore_C21_S1_StatusOneLinePerController(t *testing.T) {
	f, _ := newCores(t, []string{"a", "b"}, "", w3Statuses()...)
	ch := f.console.Channel()
	if rep := planAndApprove(t, f, ch, "a"); !strings.Contains(rep.Ephemeral, "Approved plan") {
		t.Fatalf("approve on a: %q", rep.Ephemeral)
	}
	ctx := context.Background()
	f.core.Tick(ctx)
	runA, _, _, _, _ := f.db.Lock(ctx, "a")
	run, err := f.db.GetRun(ctx, runA)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   string
		want []string
		not  []string
	}{
		{in: "status", want: []string{"**Controllers:**\n- `a` — `" + run.Build + "` RUNNING · 1/2 hosts done · 0 failed", "\n- `b` — idle\n", "**SUMMARY:**"}},
		{in: "status --controller a", want: []string{"- `b` — idle", "**SUMMARY:**", "atvm71-redhat9.1"}},
		{in: "status --controller b", want: []string{"- `a` — `" + run.Build + "` RUNNING", "No run on controller `b` yet."}, not: []string{"**SUMMARY:**"}},
		{in: "status --controller c", want: []string{"No controller is named `c`; configured: a, b."}, not: []string{"**Controllers:**"}},
	} {
		rep := f.say(t, "alice", c.in)
		for _, w := range c.want {
			if !strings.Contains(rep.Ephemeral, w) {
				t.Errorf("%s: lacks %q:\n%s", c.in, w, rep.Ephemeral)
			}
		}
		for _, w := range c.not {
			if strings.Contains(rep.Ephemeral, w) {
				t.Errorf("%s: has %q:\n%s", c.in, w, rep.Ephemeral)
			}
		}
	}
	// One controller: no overview, as before.
	g := newCore(t)
	if rep := g.say(t, "alice", "status"); strings.Contains(rep.Ephemeral, "**Controllers:**") {
		t.Errorf("one controller, yet an overview:\n%s", rep.Ephemeral)
	}
}

// The same build approved on two controllers in one millisecond gets two
// run IDs (the controller's name is in it): both launch, neither collides.
func TestCore_C21_SameBuildSameMillisecondTwoRunIDs(t *testing.T) {
	f, rs := newCores(t, []string{"a", "b"}, "", w3Statuses()...)
	frozen := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	f.core.Now = func() time.Time { return frozen }
	ch := f.console.Channel()
	for _, ctl := range []string{"a", "b"} {
		if rep := planAndApprove(t, f, ch, ctl); !strings.Contains(rep.Ephemeral, "Approved plan") {
			t.Fatalf("approve on %s: %q", ctl, rep.Ephemeral)
		}
	}
	ids := map[string]bool{}
	for _, ctl := range []string{"a", "b"} {
		id, _, _, held, _ := f.db.Lock(context.Background(), ctl)
		if !held || len(rs[ctl].launched) != 1 {
			t.Fatalf("controller %s: held %v, %d launches", ctl, held, len(rs[ctl].launched))
		}
		if !strings.Contains(id, "-"+ctl+".") {
			t.Errorf("run %s does not name its controller %s", id, ctl)
		}
		ids[id] = true
	}
	if len(ids) != 2 {
		t.Errorf("run IDs %v, want two", ids)
	}
}
