package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/results"
)

// A rerun is planned on the controller its run ran on — a planned run's or
// one adopted with watch — not on the channel's default.
func TestCore_C21_P1_RerunPlansOnTheRunsController(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start []string // what starts the run on b
		build string
	}{
		{"planned on b", []string{"plan cmc-reboot --containsVm redhat --build_name reb-b --controller b", "approve"}, "reb-b"},
		{"adopted on b", []string{"watch hand-b"}, "hand-b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, drs := newDiscoveringCores(t, []string{"a", "b"}, results.Status{Build: tc.build, Template: "cmc-reboot", State: results.RunFailed,
				Hosts: []results.Host{failAt38("atvm71-redhat9.1", "fcDisk"), host("atvm72-redhat9.4", "", results.HostPass)}})
			a := f.core.Cfg.Controllers["a"]
			a.Channels = []string{f.console.Channel()}
			f.core.Cfg.Controllers["a"] = a
			if tc.build == "hand-b" {
				drs["b"].set(controller.Discovery{Live: []controller.Discovered{handRun("hand-b")}}, nil)
			}
			for _, text := range tc.start {
				f.say(t, "qa-lead", text)
			}
			f.core.Wait()
			ctx := context.Background()
			for i := 0; i < 3; i++ {
				f.core.Tick(ctx)
			}
			run, err := f.db.LatestRunByBuild(ctx, tc.build)
			if err != nil || run.Controller != "b" || run.State != results.RunFailed {
				t.Fatalf("setup: run %+v %v", run, err)
			}
			f.out.Reset()
			rep := f.say(t, "alice", "rerun "+tc.build)
			open := openPlans(t, f)
			if !strings.Contains(rep.Ephemeral, "posted") || len(open) != 1 || open[0].Controller != "b" {
				t.Fatalf("rerun: %q, open plans %+v; want one on b", rep.Ephemeral, open)
			}
			if out := f.out.String(); !strings.Contains(out, "**Controller:** `b`") || !strings.Contains(out, "--specify_vms atvm71-redhat9.1 ") {
				t.Fatalf("rerun plan post:\n%s", out)
			}
		})
	}
}

// The same build ran on two controllers: `rerun BUILD --controller NAME`
// plans that controller's run again, on it; without it, the newest run.
func TestCore_C21_P1_RerunOfABuildOnTwoNamesTheController(t *testing.T) {
	f, _ := newCores(t, []string{"a", "b"}, "", results.Status{Build: "rb", Template: "cmc-reboot", State: results.RunFailed,
		Hosts: []results.Host{failAt38("atvm71-redhat9.1", "fcDisk")}})
	ctx := context.Background()
	for _, ctl := range []string{"a", "b"} {
		f.say(t, "qa-lead", "plan cmc-reboot --containsVm redhat --build_name rb --controller "+ctl)
		if rep := f.say(t, "qa-lead", "approve"); !strings.Contains(rep.Ephemeral, "Approved plan") {
			t.Fatalf("approve on %s: %s", ctl, rep.Ephemeral)
		}
		f.core.Wait()
		for i := 0; i < 3; i++ {
			f.core.Tick(ctx)
		}
	}
	for _, tc := range []struct{ text, want string }{
		{"rerun rb --controller a", "a"},
		{"rerun rb", "b"},
		{"rerun rb --controller c", ""},
	} {
		rep := f.say(t, "alice", tc.text)
		if tc.want == "" {
			if !strings.Contains(rep.Ephemeral, "No controller is named `c`") {
				t.Fatalf("%s: %s", tc.text, rep.Ephemeral)
			}
			continue
		}
		found := false
		for _, p := range openPlans(t, f) {
			found = found || (p.Controller == tc.want && p.Build == "rb-rerun")
		}
		if !strings.Contains(rep.Ephemeral, "posted") || !found {
			t.Fatalf("%s: %q, open %+v; want a rerun plan on %s", tc.text, rep.Ephemeral, openPlans(t, f), tc.want)
		}
	}
}
