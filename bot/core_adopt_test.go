package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// discoveringRunner is scriptedRunner plus a controller that may run
// something the bot did not launch.
type discoveringRunner struct {
	*scriptedRunner
	dmu         sync.Mutex
	disc        controller.Discovery
	discoverErr error
	snapshot    results.Status
	snapshots   []storage.Run
}

func (r *discoveringRunner) set(d controller.Discovery, err error) {
	r.dmu.Lock()
	defer r.dmu.Unlock()
	r.disc, r.discoverErr = d, err
}

func (r *discoveringRunner) Discover(context.Context, bool) (controller.Discovery, error) {
	r.dmu.Lock()
	defer r.dmu.Unlock()
	return r.disc, r.discoverErr
}

func (r *discoveringRunner) AdoptionOf(_ context.Context, d controller.Discovered, by string) (Launched, error) {
	return Launched{ControllerStart: d.Start, RunnerPID: d.RunnerPID, RunnerStart: "77", ScopeJSON: `{"adopted":{"by":"` + by + `"}}`}, nil
}

func (r *discoveringRunner) Snapshot(_ context.Context, run storage.Run) (Observation, error) {
	r.dmu.Lock()
	defer r.dmu.Unlock()
	r.snapshots = append(r.snapshots, run)
	return Observation{Status: r.snapshot}, nil
}

func newAdoptCore(t *testing.T, statuses ...results.Status) (*coreFixture, *discoveringRunner) {
	t.Helper()
	f := newCore(t, statuses...)
	dr := &discoveringRunner{scriptedRunner: f.runner}
	f.core.Runner = dr
	return f, dr
}

var handStart = time.Date(2026, 5, 11, 14, 2, 7, 0, time.UTC)

func handRun(build string) controller.Discovered {
	return controller.Discovered{Build: build, Live: true, RunnerPID: 5150, ProcPID: 5151, Start: handStart,
		RunnerCommand:   "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name " + build,
		TemplateCommand: "python3 ./cmc-templates.py --template_name cmc-reboot --config_file cypress.atvm-config-gold.ts --containsVm redhat"}
}

func TestStatus_S1_LiveRunStartedByHandIsTheAnswer(t *testing.T) {
	f, dr := newAdoptCore(t)
	dr.snapshot = results.Status{Build: "hand-1", Template: "cmc-reboot", State: results.RunRunning,
		Hosts: []results.Host{host("atvm71-redhat9.1", "", results.HostRunning)}, Notes: []string{"Not launched by the bot: started by hand on the controller"}}
	dr.set(controller.Discovery{Live: []controller.Discovered{handRun("hand-1")}}, nil)
	rep := f.say(t, "alice", "status")
	for _, want := range []string{"hand-1", "SUMMARY:", "HOSTS:", "atvm71-redhat9.1 - RUNNING", "NOTES:", "Not launched by the bot"} {
		if !strings.Contains(rep.Ephemeral, want) {
			t.Errorf("status lacks %q:\n%s", want, rep.Ephemeral)
		}
	}
	if len(dr.snapshots) != 1 || !dr.snapshots[0].Adopted || dr.snapshots[0].Template != "cmc-reboot" || !dr.snapshots[0].ControllerStart.Equal(handStart) {
		t.Fatalf("snapshot of %+v", dr.snapshots)
	}
	// Nothing was stored: reporting is not adopting.
	if runs, _ := f.db.RecentRuns(context.Background(), 5); len(runs) != 0 {
		t.Errorf("status stored %d run(s)", len(runs))
	}
}

func TestStatus_S1_MostRecentRunWhenNothingLive(t *testing.T) {
	f, dr := newAdoptCore(t)
	recent := controller.Discovered{Build: "hand-old", LogPath: "/tmp/hand-old.log", LastActivity: handStart}
	dr.snapshot = results.Status{Build: "hand-old", State: results.RunFailed, Hosts: []results.Host{host("atvm5-ubuntu22.04", "", results.HostFail)}}
	dr.set(controller.Discovery{Recent: &recent, Candidates: []controller.Discovered{recent}}, nil)
	rep := f.say(t, "alice", "status")
	if !strings.Contains(rep.Ephemeral, "hand-old") || !strings.Contains(rep.Ephemeral, "atvm5-ubuntu22.04 - FAIL") {
		t.Fatalf("status:\n%s", rep.Ephemeral)
	}
	// By name too, though the bot never ran it.
	rep = f.say(t, "alice", "status hand-old")
	if !strings.Contains(rep.Ephemeral, "hand-old") || strings.Contains(rep.Ephemeral, "No run of") {
		t.Fatalf("status by name:\n%s", rep.Ephemeral)
	}
	// The controller silent and no run of the bot's own: say so.
	dr.set(controller.Discovery{}, errors.New("dial tcp: connection refused"))
	if rep := f.say(t, "alice", "status"); !strings.Contains(rep.Ephemeral, "did not answer") {
		t.Fatalf("silent controller: %s", rep.Ephemeral)
	}
}

func TestApprove_D15_RefusedWhileRunStartedByHandIsLive(t *testing.T) {
	f, dr := newAdoptCore(t, results.Status{State: results.RunRunning})
	dr.set(controller.Discovery{Live: []controller.Discovered{handRun("hand-2")}}, nil)
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	rep := f.say(t, "qa-lead", "approve")
	f.core.Wait()
	for _, want := range []string{"Not approved", "`hand-2`", "started by hand on the controller", "2026-05-11 10:02 EDT", "`/atvm status hand-2`", "pid 5151"} {
		if !strings.Contains(rep.Ephemeral, want) {
			t.Errorf("refusal lacks %q: %s", want, rep.Ephemeral)
		}
	}
	if len(f.runner.launched) != 0 {
		t.Fatal("launched while the controller was busy")
	}
	// A controller that does not answer refuses too (fail closed).
	dr.set(controller.Discovery{}, errors.New("ssh: handshake failed"))
	if rep := f.say(t, "qa-lead", "approve"); !strings.Contains(rep.Ephemeral, "did not answer") || len(f.runner.launched) != 0 {
		t.Fatalf("silent controller: %s", rep.Ephemeral)
	}
	// A template step started by hand holds the controller as well.
	dr.set(controller.Discovery{Templates: []results.Process{{PID: 77, ElapsedS: 90, Args: "python3 ./cmc-templates.py --template_name cmc-e2e"}}}, nil)
	if rep := f.say(t, "qa-lead", "approve"); !strings.Contains(rep.Ephemeral, "template step is running") {
		t.Fatalf("template step: %s", rep.Ephemeral)
	}
	// The plan stayed open: once the controller is free it launches.
	dr.set(controller.Discovery{}, nil)
	rep = f.say(t, "qa-lead", "approve")
	f.core.Wait()
	if !strings.Contains(rep.Ephemeral, "Approved plan") || len(f.runner.launched) != 1 {
		t.Fatalf("free controller: %s", rep.Ephemeral)
	}
}

func TestWatch_S2_AdoptedRunPostedLikeOurs_W1_Once(t *testing.T) {
	f, dr := newAdoptCore(t,
		results.Status{Build: "hand-3", State: results.RunRunning, Hosts: []results.Host{host("atvm71-redhat9.1", "", results.HostRunning)}},
		results.Status{Build: "hand-3", State: results.RunFailed, Hosts: []results.Host{host("atvm71-redhat9.1", "", results.HostFail)}},
	)
	ctx := context.Background()
	dr.set(controller.Discovery{Live: []controller.Discovered{handRun("hand-3")}}, nil)
	if rep := f.say(t, "alice", "watch nosuch"); !strings.Contains(rep.Ephemeral, "No run of `nosuch` is live") || !strings.Contains(rep.Ephemeral, "`hand-3`") {
		t.Fatalf("watch of an unknown build: %s", rep.Ephemeral)
	}
	rep := f.say(t, "alice", "watch hand-3")
	if !strings.Contains(rep.Ephemeral, "Watching `hand-3`") {
		t.Fatalf("watch: %s", rep.Ephemeral)
	}
	run, err := f.db.LatestRunByBuild(ctx, "hand-3")
	if err != nil || !run.Adopted || run.PlanID != "" || run.ApprovedBy != "" || run.PlannedBy != "alice" || run.RunnerPID != 5150 || run.RunnerStart != "77" || !run.ControllerStart.Equal(handStart) {
		t.Fatalf("adopted run %+v %v", run, err)
	}
	if id, holder, _, held, _ := f.db.Lock(ctx, "ctl-test"); !held || id != run.ID || holder != "alice" {
		t.Fatalf("lock %s/%s held=%v", id, holder, held)
	}
	if rep := f.say(t, "bob", "watch hand-3"); !strings.Contains(rep.Ephemeral, "already watching") {
		t.Fatalf("second watch: %s", rep.Ephemeral)
	}
	// An approval now names the adopted run's holder.
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	if rep := f.say(t, "qa-lead", "approve"); !strings.Contains(rep.Ephemeral, "started by hand on the controller") || !strings.Contains(rep.Ephemeral, "@alice") {
		t.Fatalf("approve during the adopted run: %s", rep.Ephemeral)
	}
	for i := 0; i < 5; i++ {
		f.core.Tick(ctx)
	}
	final := f.posts(t, "final")
	if len(final) != 1 || final[0].State != storage.PostSent {
		t.Fatalf("final posts %+v, want one", final)
	}
	if roots := f.posts(t, "root"); len(roots) != 1 {
		t.Fatalf("root posts %d", len(roots))
	}
	if !strings.Contains(f.out.String(), "Started by hand on the controller") || !strings.Contains(f.out.String(), "@alice") {
		t.Errorf("posts should say who started it and notify the adopter:\n%s", f.out)
	}
	if _, _, _, held, _ := f.db.Lock(ctx, "ctl-test"); held {
		t.Fatal("the lock outlived the adopted run")
	}
}

func TestQueue_D15_HolderAndOpenPlans(t *testing.T) {
	f, dr := newAdoptCore(t)
	dr.set(controller.Discovery{Live: []controller.Discovered{handRun("hand-4")}}, nil)
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	rep := f.say(t, "alice", "queue")
	for _, want := range []string{"`hand-4`", "started by hand", "Open plans", "refused, not queued", "cmc-e2e", "@alice"} {
		if !strings.Contains(rep.Ephemeral, want) {
			t.Errorf("queue lacks %q:\n%s", want, rep.Ephemeral)
		}
	}
	dr.set(controller.Discovery{}, nil)
	if rep := f.say(t, "alice", "queue"); !strings.Contains(rep.Ephemeral, "free.") {
		t.Errorf("free controller:\n%s", rep.Ephemeral)
	}
}

func TestTick_D15_StaleLockClears(t *testing.T) {
	f, _ := newAdoptCore(t)
	ctx := context.Background()
	// A lock held by a run already in a final state (a file an older or
	// interrupted bot left): no active run holds the controller.
	if err := f.db.CreateRunLocked(ctx, storage.Run{ID: "r-old", Build: "b", Controller: "ctl-test", State: results.RunTerminated}, "qa-lead"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, held, _ := f.db.Lock(ctx, "ctl-test"); !held {
		t.Fatal("setup: no lock")
	}
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	f.core.Tick(ctx)
	if _, _, _, held, _ := f.db.Lock(ctx, "ctl-test"); held {
		t.Fatal("the stale lock survived a tick")
	}
	rep := f.say(t, "qa-lead", "approve")
	f.core.Wait()
	if !strings.Contains(rep.Ephemeral, "Approved plan") {
		t.Fatalf("approve after the stale lock cleared: %s", rep.Ephemeral)
	}
}

// S2 without waste: a run that ended long ago on the controller is read
// once; asked again it is answered from that reading until its log is
// written again. A recently ended run is read every time (its artifacts may
// still be settling).
func TestStatus_S2_SettledRunReadOnceUntilItsLogChanges(t *testing.T) {
	f, dr := newAdoptCore(t)
	dr.snapshot = results.Status{Build: "hand-old", State: results.RunFailed, Hosts: []results.Host{host("atvm5-ubuntu22.04", "", results.HostFail)}}
	old := controller.Discovered{Build: "hand-old", LogPath: "/tmp/hand-old.log", LastActivity: time.Now().Add(-time.Hour)}
	fresh := controller.Discovered{Build: "hand-new", LogPath: "/tmp/hand-new.log", LastActivity: time.Now().Add(-time.Minute)}
	cases := []struct {
		name      string
		recent    controller.Discovered
		snapshots int // total after this request
	}{
		{"first ask reads the run", old, 1},
		{"asked again: kept", old, 1},
		{"and again", old, 1},
		{"its log written again: read again", controller.Discovered{Build: "hand-old", LogPath: "/tmp/hand-old.log", LastActivity: old.LastActivity.Add(time.Second)}, 2},
		{"a run that just ended is read each time", fresh, 3},
		{"still settling", fresh, 4},
	}
	for _, tc := range cases {
		r := tc.recent
		dr.set(controller.Discovery{Recent: &r, Candidates: []controller.Discovered{r}}, nil)
		rep := f.say(t, "alice", "status")
		if !strings.Contains(rep.Ephemeral, "atvm5-ubuntu22.04 - FAIL") {
			t.Fatalf("%s: status:\n%s", tc.name, rep.Ephemeral)
		}
		dr.dmu.Lock()
		n := len(dr.snapshots)
		dr.dmu.Unlock()
		if n != tc.snapshots {
			t.Fatalf("%s: %d readings of the controller, want %d", tc.name, n, tc.snapshots)
		}
	}
}

// A run started by hand is tagged from the history like the bot's own
// (D28): the host that failed step 38 in an earlier run of the template is
// KNOWN in the status of the hand-started run failing it again.
func TestStatus_D28_RunStartedByHandIsTagged(t *testing.T) {
	f, dr := newAdoptCore(t)
	earlier := handStart.Add(-48 * time.Hour)
	if err := f.db.RecordHistory(context.Background(), "r-earlier", []storage.HistoryRow{{
		Build: "reboot-0509", Template: "cmc-reboot", Host: "atvm71-redhat9.1", Status: results.HostFail,
		StepNum: 38, StepTitle: step38, RunStarted: earlier,
	}}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	dr.snapshot = results.Status{Build: "hand-1", Template: "cmc-reboot", State: results.RunRunning,
		Hosts: []results.Host{failAt38("atvm71-redhat9.1", "fcDisk"), host("atvm88-redhat8.10", "", results.HostRunning)}}
	dr.set(controller.Discovery{Live: []controller.Discovered{handRun("hand-1")}}, nil)
	rep := f.say(t, "alice", "status")
	if !strings.Contains(rep.Ephemeral, "KNOWN since reboot-0509") {
		t.Errorf("the hand-started run's failure is not tagged from the history:\n%s", rep.Ephemeral)
	}
}
