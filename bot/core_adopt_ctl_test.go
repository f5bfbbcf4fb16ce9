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
)

// newDiscoveringCores is newCores whose runners can also look at their
// controllers.
func newDiscoveringCores(t *testing.T, names []string, statuses ...results.Status) (*coreFixture, map[string]*discoveringRunner) {
	t.Helper()
	f, rs := newCores(t, names, "", statuses...)
	drs := map[string]*discoveringRunner{}
	for n, r := range rs {
		drs[n] = &discoveringRunner{scriptedRunner: r}
		f.core.Runners[n] = drs[n]
	}
	return f, drs
}

func TestCore_C21_S2_WatchFindsTheBuildOnItsController(t *testing.T) {
	live := func(builds ...string) controller.Discovery {
		var d controller.Discovery
		for _, b := range builds {
			d.Live = append(d.Live, handRun(b))
		}
		return d
	}
	ended := controller.Discovery{Candidates: []controller.Discovered{{Build: "hand-9", LastActivity: handStart}}}
	for _, tc := range []struct {
		name    string
		text    string
		a, b    controller.Discovery
		bErr    error
		adopted string // the controller the run is adopted on; "" = none
		want    []string
	}{
		{name: "live on b only: adopted there", text: "watch hand-9", a: live("other"), b: live("hand-9"), adopted: "b",
			want: []string{"Watching `hand-9`, started by hand on controller `b`"}},
		{name: "live on none: both named", text: "watch hand-9", a: live("other"),
			want: []string{"No run of `hand-9` is live on any controller (asked: a, b); nothing was adopted."}},
		{name: "one did not answer", text: "watch hand-9", bErr: errors.New("ssh: timeout"),
			want: []string{"(asked: a, b)", "`b` did not answer"}},
		{name: "ended on a", text: "watch hand-9", a: ended,
			want: []string{"(asked: a, b)", "On `a` it is not running", "`/atvm status hand-9`"}},
		{name: "live on both: refused, name one", text: "watch hand-9", a: live("hand-9"), b: live("hand-9"),
			want: []string{"live on several controllers (a, b)", "--controller NAME"}},
		{name: "named controller asked alone", text: "watch hand-9 --controller a", b: live("hand-9"),
			want: []string{"No run of `hand-9` is live on the controller. Live now: nothing."}},
		{name: "named controller adopts", text: "watch hand-9 --controller b", a: live("hand-9"), b: live("hand-9"), adopted: "b",
			want: []string{"Watching `hand-9`, started by hand on the controller"}},
		{name: "unknown controller", text: "watch hand-9 --controller c",
			want: []string{"No controller is named `c`; configured: a, b."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, drs := newDiscoveringCores(t, []string{"a", "b"},
				results.Status{Build: "hand-9", State: results.RunRunning, Hosts: []results.Host{host("atvm71-redhat9.1", "", results.HostRunning)}})
			drs["a"].set(tc.a, nil)
			drs["b"].set(tc.b, tc.bErr)
			ctx := context.Background()
			rep := f.say(t, "alice", tc.text)
			for _, w := range tc.want {
				if !strings.Contains(rep.Ephemeral, w) {
					t.Errorf("reply lacks %q:\n%s", w, rep.Ephemeral)
				}
			}
			run, err := f.db.LatestRunByBuild(ctx, "hand-9")
			if tc.adopted == "" {
				if err == nil {
					t.Fatalf("adopted %+v", run)
				}
				return
			}
			if err != nil || run.Controller != tc.adopted || !run.Adopted {
				t.Fatalf("adopted run %+v %v, want on %s", run, err, tc.adopted)
			}
			for _, n := range []string{"a", "b"} {
				if _, _, _, held, _ := f.db.Lock(ctx, n); held != (n == tc.adopted) {
					t.Errorf("lock of %s held=%v", n, held)
				}
			}
			f.core.Tick(ctx)
			if drs[tc.adopted].polls == 0 || drs[other(tc.adopted)].polls != 0 {
				t.Errorf("polls a=%d b=%d: the adopted run is polled by its own controller's runner", drs["a"].polls, drs["b"].polls)
			}
		})
	}
}

func other(n string) string {
	if n == "a" {
		return "b"
	}
	return "a"
}

// barrierRunner's Discover returns only once every controller has been
// asked: asked one after another, the first would wait in vain.
type barrierRunner struct {
	*discoveringRunner
	arrived *sync.WaitGroup
	all     chan struct{}
}

func (r *barrierRunner) Discover(ctx context.Context, live bool) (controller.Discovery, error) {
	r.arrived.Done()
	select {
	case <-r.all:
		return r.discoveringRunner.Discover(ctx, live)
	case <-time.After(5 * time.Second):
		return controller.Discovery{}, errors.New("asked alone")
	}
}

func TestCore_C21_S2_WatchAsksEveryControllerAtOnce(t *testing.T) {
	f, drs := newDiscoveringCores(t, []string{"a", "b", "c"}, results.Status{Build: "hand-9", State: results.RunRunning})
	var arrived sync.WaitGroup
	arrived.Add(3)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	for n, d := range drs {
		f.core.Runners[n] = &barrierRunner{discoveringRunner: d, arrived: &arrived, all: all}
	}
	drs["c"].set(controller.Discovery{Live: []controller.Discovered{handRun("hand-9")}}, nil)
	rep := f.say(t, "alice", "watch hand-9")
	if !strings.Contains(rep.Ephemeral, "started by hand on controller `c`") {
		t.Fatalf("watch: %s", rep.Ephemeral)
	}
	if run, err := f.db.LatestRunByBuild(context.Background(), "hand-9"); err != nil || run.Controller != "c" || run.State != results.RunRunning {
		t.Fatalf("run %+v %v", run, err)
	}
}

// `status BUILD` of a run the bot never ran is asked of the controller
// that has it, not the main one.
func TestCore_C21_S2_StatusOfAHandRunAsksItsController(t *testing.T) {
	f, drs := newDiscoveringCores(t, []string{"a", "b"})
	drs["b"].snapshot = results.Status{Build: "hand-b", Template: "cmc-reboot", State: results.RunRunning,
		Hosts: []results.Host{host("atvm71-redhat9.1", "", results.HostRunning)}}
	drs["b"].set(controller.Discovery{Live: []controller.Discovered{handRun("hand-b")}}, nil)
	rep := f.say(t, "alice", "status hand-b")
	if !strings.Contains(rep.Ephemeral, "atvm71-redhat9.1") || len(drs["b"].snapshots) != 1 || len(drs["a"].snapshots) != 0 {
		t.Fatalf("status hand-b (snapshots a=%d b=%d):\n%s", len(drs["a"].snapshots), len(drs["b"].snapshots), rep.Ephemeral)
	}
	if rep := f.say(t, "alice", "status nosuch"); !strings.Contains(rep.Ephemeral, "No run of `nosuch` is known") {
		t.Fatalf("status nosuch: %s", rep.Ephemeral)
	}
}
