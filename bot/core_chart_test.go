package bot

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/results"
)

// chartPosts are the test chat's posts carrying a picture.
func (f *coreFixture) chartPosts() []testPost {
	f.console.mu.Lock()
	defer f.console.mu.Unlock()
	var out []testPost
	for i := 1; i <= f.console.n; i++ {
		if p := f.console.posts["#"+strconv.Itoa(i)]; p != nil && len(p.files) > 0 {
			out = append(out, *p)
		}
	}
	return out
}

func timedHost(name, status string, from, to int) results.Host {
	at := func(m int) *time.Time { v := time.Date(2026, 3, 30, 17, 20+m, 0, 0, time.UTC); return &v }
	h := host(name, "", status)
	h.StartedAt = at(from)
	if to >= 0 {
		h.EndedAt = at(to)
	}
	return h
}

// status --chart: the run's timeline with the status text, posted in the
// run's thread, once per request however often the request is replayed;
// another request posts again; without --chart nothing is posted; with no
// host times there is nothing to draw and the status still answers.
func TestCore_D30_W1_StatusChartOncePerRequest(t *testing.T) {
	start := time.Date(2026, 3, 30, 17, 20, 0, 0, time.UTC)
	running := results.Status{Build: "e2e-chart", Template: "cmc-e2e", State: results.RunRunning, StartedAt: &start,
		Hosts: []results.Host{timedHost("atvm71-redhat9.1", results.HostPass, 1, 9), timedHost("atvm5-ubuntu22.04", results.HostRunning, 2, -1)}}
	finished := running
	end := start.Add(30 * time.Minute)
	finished.State, finished.EndedAt = results.RunFailed, &end
	failed := timedHost("atvm5-ubuntu22.04", results.HostFail, 2, 20)
	failed.FailedStep = "6. Reboot"
	finished.Hosts = []results.Host{finished.Hosts[0], failed}
	untimed := results.Status{Build: "e2e-chart", Template: "cmc-e2e", State: results.RunRunning,
		Hosts: []results.Host{host("atvm71-redhat9.1", "", results.HostNotStarted)}}

	cases := []struct {
		name     string
		statuses []results.Status
		ticks    int
		words    string
		text     string // in the status the chart post carries
		pictures int
	}{
		{"live run, the current one", []results.Status{running}, 1, "status --chart", "RUNNING", 1},
		{"finished run, named", []results.Status{running, finished}, 4, "status e2e-chart --chart", "FAILED", 1},
		{"nothing to draw", []results.Status{untimed}, 1, "status e2e-chart --chart", "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newCore(t, tc.statuses...)
			f.say(t, "alice", "plan cmc-e2e --containsVm redhat,ubuntu --build_name e2e-chart")
			f.say(t, "qa-lead", "approve")
			f.core.Wait()
			for i := 0; i < tc.ticks; i++ {
				f.core.Tick(context.Background())
			}
			runs, _ := f.db.RecentRuns(context.Background(), 1)
			if len(runs) != 1 || runs[0].RootPostID == "" {
				t.Fatalf("no run with a thread: %+v", runs)
			}
			before := len(f.chartPosts())
			plain := f.as(t, Incoming{Source: SourceSlash, UserID: "u-bob", UserName: "bob", Text: "status e2e-chart", RequestID: "trig-0"})
			if len(f.chartPosts()) != before {
				t.Fatalf("status without --chart posted a picture")
			}
			ask := Incoming{Source: SourceSlash, UserID: "u-bob", UserName: "bob", ChannelID: "elsewhere", Text: tc.words, RequestID: "trig-1"}
			var rep Reply
			for i := 0; i < 3; i++ { // the same request, replayed
				rep = f.as(t, ask)
			}
			got := f.chartPosts()[before:]
			if len(got) != tc.pictures {
				t.Fatalf("%d chart posts, want %d; reply %q", len(got), tc.pictures, rep.Ephemeral)
			}
			if tc.pictures == 0 {
				if !strings.Contains(rep.Ephemeral, "No timeline yet") || !strings.Contains(rep.Ephemeral, plain.Ephemeral) {
					t.Errorf("reply %q; want the status and why there is no picture", rep.Ephemeral)
				}
				return
			}
			p := got[0]
			if p.root != runs[0].RootPostID || p.channel != runs[0].ChannelID {
				t.Errorf("chart posted in %s/%s, want the run's thread %s/%s", p.channel, p.root, runs[0].ChannelID, runs[0].RootPostID)
			}
			if len(p.files) != 1 || p.files[0] != "timeline-e2e-chart.png" || !strings.Contains(p.message, tc.text) || !strings.Contains(p.message, "@bob") {
				t.Errorf("chart post files %v message %q", p.files, clipStr(p.message, 200))
			}
			if !strings.Contains(rep.Ephemeral, "in the run's thread: "+p.id) {
				t.Errorf("reply %q; want a link to %s", rep.Ephemeral, p.id)
			}
			ask.RequestID = "trig-2" // a new request: a new post
			f.as(t, ask)
			if n := len(f.chartPosts()[before:]); n != 2 {
				t.Errorf("%d chart posts after a second request, want 2", n)
			}
		})
	}
}

// A chart is a post on someone's behalf: without a user id it is refused
// (reads without one still answer); a status with no run posts nothing.
func TestCore_D23_ChartNeedsIdentity(t *testing.T) {
	f := newCore(t)
	for _, text := range []string{"status --chart", "history atvm71-redhat9.1 --chart"} {
		if rep := f.as(t, Incoming{Source: SourceSlash, Text: text}); !strings.Contains(rep.Ephemeral, "cannot tell who") {
			t.Errorf("%s without a user id: %q", text, rep.Ephemeral)
		}
	}
	if rep := f.as(t, Incoming{Source: SourceSlash, Text: "status"}); strings.Contains(rep.Ephemeral, "cannot tell who") {
		t.Errorf("status without a user id refused: %q", rep.Ephemeral)
	}
	rep := f.as(t, Incoming{Source: SourceSlash, UserID: "u-bob", UserName: "bob", Text: "status --chart"})
	if !strings.Contains(rep.Ephemeral, "No run yet") || len(f.chartPosts()) != 0 {
		t.Errorf("status --chart with no run: %q, %d pictures", rep.Ephemeral, len(f.chartPosts()))
	}
}

// history HOST --chart: the table as before, and the strip posted where
// the command was typed, once per request (a command post replayed after a
// reconnect posts nothing more).
func TestCore_D28_W1_HistoryChartOncePerRequest(t *testing.T) {
	f := newCore(t)
	day := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	for i, st := range []string{results.HostPass, results.HostFail, results.HostPass} {
		h := host("atvm71-redhat9.1", "", st)
		if st == results.HostFail {
			h = failAt38("atvm71-redhat9.1", "fcDisk")
		}
		f.playRun(t, day.AddDate(0, 0, i), results.Status{Build: "reboot-" + strconv.Itoa(i), Template: "cmc-reboot", State: results.RunFailed, Hosts: []results.Host{h}})
	}
	plain := f.say(t, "bob", "history atvm71-redhat9.1")
	before := len(f.chartPosts())
	ask := Incoming{Source: SourceMention, UserID: "u-bob", UserName: "bob", PostID: "cmd-post-1", RootID: "thread-1",
		Text: "history atvm71-redhat9.1 --chart"}
	var rep Reply
	for i := 0; i < 2; i++ {
		rep = f.as(t, ask)
	}
	got := f.chartPosts()[before:]
	if len(got) != 1 {
		t.Fatalf("%d chart posts, want 1", len(got))
	}
	p := got[0]
	if p.channel != f.console.Channel() || p.root != "thread-1" || p.files[0] != "history-atvm71-redhat9.1.png" ||
		!strings.Contains(p.message, "last 3 runs, oldest to newest") {
		t.Errorf("chart post %s/%s files %v message %q", p.channel, p.root, p.files, p.message)
	}
	if !strings.HasPrefix(rep.Ephemeral, plain.Ephemeral) || !strings.HasSuffix(rep.Ephemeral, "Posted the chart here: "+p.id) {
		t.Errorf("reply %q; want the table and a link", rep.Ephemeral)
	}
	if rep := f.say(t, "bob", "history atvm99-none --chart"); !strings.Contains(rep.Ephemeral, "No finished runs") {
		t.Errorf("unknown host: %q", rep.Ephemeral)
	}
	if n := len(f.chartPosts()[before:]); n != 1 {
		t.Errorf("%d chart posts in all, want 1", n)
	}
}

// A run started by hand on the controller has no thread of the bot's: its
// chart goes where the command was typed (here a thread), still once per
// request.
func TestStatus_S1_D30_HandRunChartWhereAsked(t *testing.T) {
	f, dr := newAdoptCore(t)
	start := handStart
	dr.snapshot = results.Status{Build: "hand-1", Template: "cmc-reboot", State: results.RunRunning, StartedAt: &start,
		Hosts: []results.Host{timedHost("atvm71-redhat9.1", results.HostRunning, 1, -1)}}
	dr.set(controller.Discovery{Live: []controller.Discovered{handRun("hand-1")}}, nil)
	ask := Incoming{Source: SourceThread, UserID: "u-bob", UserName: "bob", PostID: "cmd-7", RootID: "thread-9", Text: "status --chart"}
	var rep Reply
	for i := 0; i < 2; i++ {
		rep = f.as(t, ask)
	}
	got := f.chartPosts()
	if len(got) != 1 || got[0].channel != f.console.Channel() || got[0].root != "thread-9" || got[0].files[0] != "timeline-hand-1.png" {
		t.Fatalf("chart posts %+v; reply %q", got, rep.Ephemeral)
	}
	if !strings.Contains(got[0].message, "hand-1") || !strings.Contains(rep.Ephemeral, "timeline here: "+got[0].id) {
		t.Errorf("post %q, reply %q", clipStr(got[0].message, 120), rep.Ephemeral)
	}
	if runs, _ := f.db.RecentRuns(context.Background(), 5); len(runs) != 0 {
		t.Errorf("a chart stored %d run(s)", len(runs))
	}
}
