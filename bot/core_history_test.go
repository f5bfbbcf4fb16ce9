package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
)

const step38 = "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)"

func failAt38(name, disk string) results.Host {
	h := host(name, "", results.HostFail)
	h.FailedStep, h.Error = step38, "md5sum: /root/tmp/"+disk+"/diskname2Reboot.md5: No such file or directory"
	return h
}

// playRun plans, approves and watches one run of cmc-reboot to its end.
func (f *coreFixture) playRun(t *testing.T, at time.Time, st results.Status) {
	t.Helper()
	f.runner.mu.Lock()
	f.runner.statuses, f.runner.polls, f.runner.launchAt = []results.Status{st}, 0, at
	f.runner.mu.Unlock()
	f.say(t, "qa-lead", "plan cmc-reboot --containsVm redhat --build_name "+st.Build)
	f.say(t, "qa-lead", "approve")
	f.core.Wait()
	for i := 0; i < 3; i++ {
		f.core.Tick(context.Background())
	}
	if p := f.posts(t, "final"); len(p) == 0 {
		t.Fatalf("run %s: no final summary:\n%s", st.Build, f.out)
	}
}

// Runs of one template: the first has no history, so no tags; in the
// second a host fixed says FIXED, the host failing again KNOWN since the
// first run, a host that passed REGRESSION, a host never seen NEW, and the
// one cause the failing hosts share is named once with its hosts; the third
// shows FLAKY; /atvm history, flaky and failures read what was recorded.
func TestCore_D28_TagsAndSharedCauseAcrossRuns(t *testing.T) {
	f := newCore(t)
	day1 := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	f.playRun(t, day1, results.Status{Build: "reboot-1128", Template: "cmc-reboot", State: results.RunFailed, Hosts: []results.Host{
		failAt38("atvm70-redhat9.1", "fcDisk"), failAt38("atvm71-redhat9.1", "fcDisk"),
		host("atvm88-redhat8.10", "", results.HostPass),
	}})
	first := f.out.String()
	for _, tag := range []string{"NEW", "KNOWN", "FLAKY", "REGRESSION", "FIXED"} {
		if strings.Contains(first, " — "+tag) {
			t.Errorf("a template's first run shows the tag %s:\n%s", tag, first)
		}
	}
	if !strings.Contains(first, "2 hosts failed at 38. Verify") {
		t.Errorf("first run: the shared cause is not named once:\n%s", first)
	}

	f.out.Reset()
	st2 := results.Status{Build: "reboot-1130", Template: "cmc-reboot", State: results.RunFailed, Hosts: []results.Host{
		host("atvm70-redhat9.1", "", results.HostPass),
		failAt38("atvm71-redhat9.1", "fcDisk"), failAt38("atvm88-redhat8.10", "iscsiDisk"), failAt38("atvm90-redhat9.4", "fcDisk"),
	}}
	f.playRun(t, day1.AddDate(0, 0, 2), st2)
	second := f.out.String()
	// Recorded, and recorded again (a correction), the run's own rows
	// never count for its tags: they stay what its posts showed.
	run2, _ := f.db.RecentRuns(context.Background(), 1)
	for i := 0; i < 2; i++ {
		tags := f.core.tagsFor(context.Background(), run2[0], st2)
		if tags["atvm71-redhat9.1"].Kind != results.TagKnown || tags["atvm88-redhat8.10"].Kind != results.TagRegression ||
			tags["atvm90-redhat9.4"].Kind != results.TagNew || tags["atvm70-redhat9.1"].Kind != results.TagFixed {
			t.Fatalf("tags after recording %d time(s): %+v", i+1, tags)
		}
		if err := f.core.recordHistory(context.Background(), run2[0], st2); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{
		"atvm70-redhat9.1 - PASS — FIXED",
		"— KNOWN since reboot-1128, 2026-11-28 (1 of 1)",
		"No such file or directory — REGRESSION",
		"No such file or directory — NEW",
		"3 hosts failed at 38. Verify diskname2Reboot file is the same as… — md5sum: …: No such file or directory: atvm71-redhat9.1, atvm88-redhat8.10, atvm90-redhat9.4",
	} {
		if !strings.Contains(second, want) {
			t.Errorf("second run's summary lacks %q:\n%s", want, second)
		}
	}
	for _, line := range strings.Split(second, "\n") {
		switch {
		case strings.Contains(line, "atvm71-redhat9.1 - FAIL") && !strings.HasSuffix(line, "(1 of 1)"),
			strings.Contains(line, "atvm88-redhat8.10 - FAIL") && !strings.HasSuffix(line, "REGRESSION"),
			strings.Contains(line, "atvm90-redhat9.4 - FAIL") && !strings.HasSuffix(line, "NEW"):
			t.Errorf("tag not at the end of its line: %q", line)
		}
	}

	// Recorded once per host and run, the second run's own rows never
	// counting for its own tags.
	rows, err := f.db.HostHistory(context.Background(), "atvm71-redhat9.1", "cmc-reboot", 10)
	if err != nil || len(rows) != 2 || rows[0].Build != "reboot-1130" || rows[0].StepNum != 38 ||
		rows[0].Signature != "38: md5sum: <path>: No such file or directory" {
		t.Fatalf("history of atvm71: %+v, %v", rows, err)
	}

	// /atvm history shows each run with the tag it had then.
	rep := f.say(t, "alice", "history atvm71-redhat9.1 --template cmc-reboot")
	lines := strings.Split(rep.Ephemeral, "\n")
	if len(lines) != 6 || !strings.Contains(lines[0], "last 2 runs") ||
		!strings.HasPrefix(lines[4], "| `reboot-1130` | 2026-11-30 10:00 EST | `cmc-reboot` | FAIL | 38. Verify diskname2Reboot") ||
		!strings.HasSuffix(lines[4], "| KNOWN since reboot-1128, 2026-11-28 (1 of 1) |") ||
		!strings.HasSuffix(lines[5], "| FAIL | 38. Verify diskname2Reboot file is the same as diskname2Reb… | — |") {
		t.Errorf("history reply:\n%s", rep.Ephemeral)
	}
	if rep := f.say(t, "alice", "history atvm70-redhat9.1 --last 1"); !strings.Contains(rep.Ephemeral, "| PASS | — | FIXED |") {
		t.Errorf("history reply:\n%s", rep.Ephemeral)
	}
	if rep := f.say(t, "alice", "history atvm5-ubuntu22.04"); !strings.Contains(rep.Ephemeral, "No finished runs") {
		t.Errorf("history of an unknown host:\n%s", rep.Ephemeral)
	}

	// A third run: atvm70 fails again after its fix (FLAKY), and the
	// reports over the recent runs.
	f.out.Reset()
	f.playRun(t, day1.AddDate(0, 0, 4), results.Status{Build: "reboot-1202", Template: "cmc-reboot", State: results.RunFailed, Hosts: []results.Host{
		failAt38("atvm70-redhat9.1", "fcDisk"), host("atvm71-redhat9.1", "", results.HostPass),
	}})
	third := f.out.String()
	for _, want := range []string{"No such file or directory — FLAKY (1 of 2)", "atvm71-redhat9.1 - PASS — FIXED"} {
		if !strings.Contains(third, want) {
			t.Errorf("third run's summary lacks %q:\n%s", want, third)
		}
	}
	f.core.Now = func() time.Time { return day1.AddDate(0, 0, 5) }
	if rep := f.say(t, "alice", "flaky"); !strings.Contains(rep.Ephemeral, "| `atvm70-redhat9.1` | `cmc-reboot` | 38. Verify diskname2Reboot") ||
		!strings.Contains(rep.Ephemeral, "| 2 of 3 runs | `reboot-1202` 2026-12-02 10:00 EST |") || strings.Contains(rep.Ephemeral, "atvm71") {
		t.Errorf("flaky reply:\n%s", rep.Ephemeral)
	}
	want := "1. **4 failures** on 4 hosts · `cmc-reboot` · 38. Verify diskname2Reboot file is the same as diskname2Reb… — md5sum: …: No such file or directory · last `reboot-1202` 2026-12-02 10:00 EST: atvm70-redhat9.1, atvm71-redhat9.1, atvm88-redhat8.10, atvm90-redhat9.4"
	if rep := f.say(t, "alice", "failures --days 3"); !strings.Contains(rep.Ephemeral, want) {
		t.Errorf("failures reply:\n%s\nwant %q", rep.Ephemeral, want)
	}
	if rep := f.say(t, "alice", "failures --days 5"); !strings.Contains(rep.Ephemeral, "1. **6 failures** on 4 hosts") {
		t.Errorf("failures of the last 5 days:\n%s", rep.Ephemeral)
	}
	f.core.Now = func() time.Time { return day1.AddDate(0, 0, 30) }
	if rep := f.say(t, "alice", "failures"); !strings.Contains(rep.Ephemeral, "No failures recorded in the last 14 days.") {
		t.Errorf("failures of the last 14 days:\n%s", rep.Ephemeral)
	}
}

// /atvm rerun and the final summary's [Re-run failed] plan the build's
// failed hosts only, by name, under the same template and options; nothing
// runs before approval.
func TestCore_D28_P1_RerunPlansTheFailedHosts(t *testing.T) {
	f := newCore(t)
	f.playRun(t, time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC), results.Status{Build: "reboot-1128", Template: "cmc-reboot", State: results.RunFailed, Hosts: []results.Host{
		failAt38("atvm88-redhat8.10", "fcDisk"), failAt38("atvm71-redhat9.1", "fcDisk"), host("atvm72-redhat9.4", "", results.HostPass),
	}})
	if !strings.Contains(f.out.String(), "[Re-run failed]") {
		t.Errorf("the final summary of a run with failures lacks [Re-run failed]:\n%s", f.out)
	}
	launched := len(f.runner.launched)
	f.out.Reset()
	rep := f.say(t, "alice", "rerun reboot-1128")
	if !strings.Contains(rep.Ephemeral, "posted") {
		t.Fatalf("rerun reply: %q\n%s", rep.Ephemeral, f.out)
	}
	out := f.out.String()
	if !strings.Contains(out, "--template_name cmc-reboot") || !strings.Contains(out, "--specify_vms atvm71-redhat9.1,atvm88-redhat8.10") ||
		strings.Contains(out, "--containsVm") || strings.Contains(out, "atvm72") || !strings.Contains(out, "reboot-1128-rerun") {
		t.Errorf("rerun plan:\n%s", out)
	}
	if len(f.runner.launched) != launched {
		t.Error("a rerun launched before approval")
	}
	// The button does the same for its run.
	runs, _ := f.db.RecentRuns(context.Background(), 1)
	f.out.Reset()
	rep = f.core.Handle(context.Background(), Incoming{Source: SourceButton, UserID: "bob", UserName: "bob", ChannelID: f.console.Channel(),
		Action: &ActionCall{Plan: runs[0].ID, Action: actRerun, Channel: f.console.Channel()}})
	if !strings.Contains(f.out.String(), "--specify_vms atvm71-redhat9.1,atvm88-redhat8.10") && !strings.Contains(rep.Ephemeral, "already open") {
		t.Errorf("[Re-run failed]: %q\n%s", rep.Ephemeral, f.out)
	}
	for in, want := range map[string]string{
		"rerun nightly-0000": "No run of `nightly-0000` is recorded.",
	} {
		if rep := f.say(t, "alice", in); rep.Ephemeral != want {
			t.Errorf("%s: %q, want %q", in, rep.Ephemeral, want)
		}
	}
}

// A rerun's plan names the run it re-runs and marks the failed hosts that
// were KNOWN before, so the approver can leave them out; --skip-known does,
// --all names every host with a result; still nothing runs before approval.
func TestCore_D28_P1_RerunMarksKnownHostsAndModes(t *testing.T) {
	f := newCore(t)
	f.playRun(t, time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC), results.Status{Build: "reboot-1128", Template: "cmc-reboot", State: results.RunFailed, Hosts: []results.Host{
		failAt38("atvm71-redhat9.1", "fcDisk"), host("atvm72-redhat9.4", "", results.HostPass), host("atvm88-redhat8.10", "", results.HostPass),
	}})
	f.playRun(t, time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC), results.Status{Build: "reboot-1130", Template: "cmc-reboot", State: results.RunFailed, Hosts: []results.Host{
		failAt38("atvm71-redhat9.1", "fcDisk"), failAt38("atvm72-redhat9.4", "fcDisk"), host("atvm88-redhat8.10", "", results.HostPass),
	}})
	launched := len(f.runner.launched)
	cases := []struct {
		in, vms string
		want    []string
		not     []string
	}{
		{in: "rerun reboot-1130", vms: "atvm71-redhat9.1,atvm72-redhat9.4",
			want: []string{"🔁 **Re-run** of `reboot-1130` (run `", "FAILED): its failed hosts — 2 hosts.", "`/atvm rerun reboot-1130 --skip-known` plans without them",
				"- atvm71-redhat9.1 — KNOWN since reboot-1128, 2026-11-28 (1 of 1)"},
			not: []string{"- atvm72-redhat9.4 —"}},
		{in: "rerun reboot-1130 --skip-known", vms: "atvm72-redhat9.4",
			want: []string{"failed hosts not KNOWN or FLAKY before — 1 host.", "Left out as KNOWN or FLAKY: atvm71-redhat9.1."}},
		{in: "rerun reboot-1130 --all", vms: "atvm71-redhat9.1,atvm72-redhat9.4,atvm88-redhat8.10",
			want: []string{"every host with a result — 3 hosts."}},
	}
	for _, c := range cases {
		f.out.Reset()
		rep := f.say(t, "alice", c.in)
		out := f.out.String()
		if !strings.Contains(rep.Ephemeral, "posted") || !strings.Contains(out, "--specify_vms "+c.vms+" ") {
			t.Errorf("%s: reply %q, want a plan for %s:\n%s", c.in, rep.Ephemeral, c.vms, out)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: plan post lacks %q:\n%s", c.in, w, out)
			}
		}
		for _, w := range c.not {
			if strings.Contains(out, w) {
				t.Errorf("%s: plan post has %q:\n%s", c.in, w, out)
			}
		}
	}
	if len(f.runner.launched) != launched {
		t.Error("a rerun launched before approval")
	}
}

// A run that ends TERMINATED (or UNKNOWN) still records the hosts that
// finished with their own evidence; the hosts without a result are not
// history, and the run gets no final summary.
func TestCore_D28_TerminatedRunRecordsFinishedHosts(t *testing.T) {
	for _, state := range []string{results.RunTerminated, results.RunUnknown} {
		t.Run(state, func(t *testing.T) {
			f := newCore(t)
			f.runner.mu.Lock()
			f.runner.statuses, f.runner.polls = []results.Status{{Build: "reboot-1201", Template: "cmc-reboot", State: state, Hosts: []results.Host{
				failAt38("atvm71-redhat9.1", "fcDisk"), host("atvm88-redhat8.10", "", results.HostPass), host("atvm72-redhat9.4", "", results.HostNotStarted),
			}}}, 0
			f.runner.launchAt = time.Now().Add(-time.Hour) // within history.keep_days
			f.runner.mu.Unlock()
			f.say(t, "qa-lead", "plan cmc-reboot --containsVm redhat --build_name reboot-1201")
			f.say(t, "qa-lead", "approve")
			f.core.Wait()
			for i := 0; i < 3; i++ {
				f.core.Tick(context.Background())
			}
			if p := f.posts(t, "final"); len(p) != 0 {
				t.Errorf("a %s run got a final summary", state)
			}
			if !strings.Contains(f.out.String(), "ended **"+state+"** before every host finished: no run result to post. 2 of 3 hosts have their own result (1 failed)") {
				t.Errorf("the %s state post does not say which hosts finished:\n%s", state, f.out)
			}
			got := map[string]string{}
			for _, h := range []string{"atvm71-redhat9.1", "atvm88-redhat8.10", "atvm72-redhat9.4"} {
				rows, err := f.db.HostHistory(context.Background(), h, "cmc-reboot", 10)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rows {
					got[r.Host] = r.Status
				}
			}
			want := map[string]string{"atvm71-redhat9.1": results.HostFail, "atvm88-redhat8.10": results.HostPass}
			if len(got) != len(want) || got["atvm71-redhat9.1"] != want["atvm71-redhat9.1"] || got["atvm88-redhat8.10"] != want["atvm88-redhat8.10"] {
				t.Errorf("history %v, want %v", got, want)
			}
		})
	}
}
