package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/internal/itlog"
)

// One owner per run, through the real server (D23, D24): cancel during the
// template step, cancel around a group's finish, an incoming webhook posing
// as an approver, and three users asking for status all at once.

// procsIn lists the processes whose working directory is dir (the
// simulated controller's template step and runner work in the ATVM root).
func procsIn(dir string) []string {
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil || cwd != dir {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		out = append(out, e.Name()+" "+strings.ReplaceAll(strings.TrimRight(string(cmd), "\x00"), "\x00", " "))
	}
	return out
}

func hasRunner(w *world) bool {
	for _, e := range w.audit() {
		if strings.Contains(e.Command(), "run-sorry-cypress.py") {
			return true
		}
	}
	return false
}

// Cancel while the template step runs: the step is stopped, the runner never
// starts, the run ends CANCELLED, and only then may the next plan launch.
func TestE2E_Cancel_D24_DuringTemplateStepRunnerNeverStarts(t *testing.T) {
	record(t)
	scen, truth := readScenario(t, "happy.yaml")
	// A template step of 100 s at the scenario's speed: long enough to cancel in.
	scen = bytes.Replace(scen, []byte("template:\n  duration_s: 60"), []byte("template:\n  duration_s: 40000"), 1)
	w := newWorld(t, "cancel-template", worldOpts{scenario: scen})
	itlog.Ran(t, "e2e")
	w.dumpOnFailure()
	ctx := ctxT(t, 4*time.Minute)
	w.start()
	eph := listenEphemerals(t, suite.mm["MM_ADMIN_TOKEN"])

	plan := w.planAndApprove(ctx, truth)
	w.waitPost(ctx, "launching the template step", time.Minute, func(p *model.Post) bool {
		return p.Id == plan.Id && strings.Contains(p.Message, "template")
	})
	time.Sleep(time.Second) // the step is running on the controller
	if len(procsIn(w.root)) == 0 {
		t.Fatal("no template step is running on the controller")
	}
	msg, err := w.answer(ctx, w.admin, eph, "cancel "+w.buildOf(truth)+" --yes")
	if err != nil || !strings.Contains(msg, "Cancelled") || !strings.Contains(msg, "during the launch") {
		t.Fatalf("cancel reply %q (%v)", msg, err)
	}
	if strings.Contains(msg, "launch failed") {
		t.Errorf("the cancel reply also says the launch failed: %q", msg)
	}
	run := w.waitRunState(ctx, time.Minute)
	if run.State != "CANCELLED" {
		t.Fatalf("run state %s, want CANCELLED", run.State)
	}
	time.Sleep(2 * time.Second)
	if hasRunner(w) {
		t.Error("the runner was started after the cancel")
	}
	if left := procsIn(w.root); len(left) > 0 {
		t.Errorf("processes still working in the ATVM root after the cancel: %v", left)
	}
	planNow, _, err := w.admin.GetPost(ctx, plan.Id, "")
	if err != nil || !strings.Contains(planNow.Message, "Cancelled") {
		t.Errorf("plan post after the cancel: %q (%v)", planNow.Message, err)
	}
	// The controller is free: the same request plans afresh and launches.
	if _, err := w.exec(ctx, w.alice, "plan "+truth.Plan+" --build "+w.buildOf(truth)); err != nil {
		t.Fatal(err)
	}
	second := w.waitPost(ctx, "with the second plan", 30*time.Second, func(p *model.Post) bool {
		return p.Id != plan.Id && strings.HasPrefix(p.Message, "#### Plan ") && len(p.Attachments()) == 1
	})
	if err := press(ctx, w.admin, second.Id, "approve"); err != nil {
		t.Fatal(err)
	}
	w.waitPost(ctx, "launching the second plan", time.Minute, func(p *model.Post) bool {
		return p.Id == second.Id && strings.Contains(p.Message, "template")
	})
}

// Cancel around the moment the first group finishes, five times: after the
// cancel reply no result post appears, the root post says CANCELLED, and
// status lists no host as RUNNING.
func TestE2E_Cancel_D24_AroundGroupFinishNoResultAfterReply(t *testing.T) {
	record(t)
	scen, truth := readScenario(t, "happy.yaml")
	offsets := []time.Duration{2600, 3000, 3300, 3600, 4000}
	var lateResults, rootsCancelled int
	for i, off := range offsets {
		t.Run(fmt.Sprintf("at-%dms", off), func(t *testing.T) {
			w := newWorld(t, fmt.Sprintf("cancel-group-%d", i), worldOpts{scenario: scen})
			itlog.Ran(t, "e2e")
			w.dumpOnFailure()
			ctx := ctxT(t, 3*time.Minute)
			w.start()
			eph := listenEphemerals(t, suite.mm["MM_ADMIN_TOKEN"])
			w.planAndApprove(ctx, truth)
			root := w.waitPost(ctx, "with the root", time.Minute, func(p *model.Post) bool { return strings.HasSuffix(idemKey(p), "/root") })
			time.Sleep(off * time.Millisecond)
			msg, err := w.answer(ctx, w.admin, eph, "cancel "+w.buildOf(truth)+" --yes")
			replied := time.Now().UnixMilli()
			if err != nil || !strings.Contains(msg, "Cancelled") {
				t.Fatalf("cancel reply %q (%v)", msg, err)
			}
			run := w.waitRunState(ctx, time.Minute)
			if run.State != "CANCELLED" {
				t.Fatalf("run state %s, want CANCELLED", run.State)
			}
			time.Sleep(4 * time.Second) // ticks after the cancel, had they posted
			posts, err := w.botPosts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range posts {
				k := idemKey(p)
				if (strings.Contains(k, "/sub/") || strings.Contains(k, "/final/")) && p.CreateAt > replied {
					lateResults++
					t.Errorf("result post %s after the cancel reply", k)
				}
			}
			rootNow, _, err := w.admin.GetPost(ctx, root.Id, "")
			if err != nil || !strings.Contains(rootNow.Message, "CANCELLED") {
				t.Errorf("root post after the cancel: %q (%v)", rootNow.Message, err)
			} else {
				rootsCancelled++
			}
			st, err := w.answer(ctx, w.admin, eph, "status "+w.buildOf(truth))
			if err != nil || strings.Contains(st, " - RUNNING") {
				t.Errorf("status after the cancel lists a host as RUNNING:\n%s", st)
			}
		})
	}
	addFigures(func() { figures.cancels += len(offsets); figures.lateResults += lateResults })
	t.Logf("%d cancels around a group's finish: %d result posts after the reply, %d root posts say CANCELLED", len(offsets), lateResults, rootsCancelled)
}

// An incoming webhook posting "@bot approve" under an approver's username
// is never a command (D23): the plan stays open and nothing launches.
func TestE2E_Webhook_D23_OverrideUsernameIsNoApproval(t *testing.T) {
	record(t)
	scen, truth := readScenario(t, "happy.yaml")
	w := newWorld(t, "webhook", worldOpts{scenario: scen})
	itlog.Ran(t, "e2e")
	w.dumpOnFailure()
	ctx := ctxT(t, 2*time.Minute)
	w.start()
	plan := w.planOnly(ctx, truth)
	m := planIDRE.FindStringSubmatch(plan.Message)
	if m == nil {
		t.Fatalf("no plan id in the plan post: %s", clipStr(plan.Message, 120))
	}
	id := m[1]
	// The hook belongs to alice (no approver) when the server lets her make
	// one, else to the admin: either way a webhook post is not a command.
	owner := w.alice
	hook, _, err := owner.CreateIncomingWebhook(ctx, &model.IncomingWebhook{ChannelId: w.channel.Id, DisplayName: "probe"})
	if err != nil {
		owner = w.admin
		hook, _, err = owner.CreateIncomingWebhook(ctx, &model.IncomingWebhook{ChannelId: w.channel.Id, DisplayName: "probe"})
		if err != nil {
			t.Fatalf("creating an incoming webhook: %v", err)
		}
	}
	t.Cleanup(func() { _, _ = w.admin.DeleteIncomingWebhook(context.Background(), hook.Id) })
	body := fmt.Sprintf(`{"text": "@%s approve %s", "username": %q}`, suite.mm["MM_BOT_USERNAME"], id, suite.mm["MM_ADMIN_USERNAME"])
	code, out, err := httpPost(ctx, suite.mm["MM_URL"]+"/hooks/"+hook.Id, "application/json", body)
	if err != nil || code != 200 {
		t.Fatalf("webhook post: %d %s %v", code, out, err)
	}
	time.Sleep(5 * time.Second)
	db := w.openDB(ctx)
	defer db.Close()
	if runs, _ := db.RecentRuns(ctx, 5); len(runs) != 0 {
		t.Fatalf("a webhook post approved the plan: %d run(s), %s", len(runs), runs[0].State)
	}
	if p, err := db.GetPlan(ctx, id); err != nil || p.State != "open" {
		t.Errorf("plan %s after the webhook: %+v %v", id, p.State, err)
	}
	if len(w.audit()) != 0 {
		t.Errorf("the controller ran something: %+v", w.audit())
	}
	posts, _ := w.botPosts(ctx)
	for _, p := range posts {
		if strings.Contains(p.Message, "Approved") {
			t.Errorf("bot post after the webhook: %s", clipStr(p.Message, 120))
		}
	}
}

// newUser makes one more team and channel member and returns its client.
func (w *world) newUser(ctx context.Context, name string) *model.Client4 {
	w.t.Helper()
	pass := "Pw-" + randHex(8) + "!x"
	u, _, err := w.admin.CreateUser(ctx, &model.User{Username: name, Email: name + "@example.com", Password: pass})
	if err != nil {
		w.t.Fatalf("creating user %s: %v", name, err)
	}
	if _, _, err := w.admin.AddTeamMember(ctx, suite.mm["MM_TEAM_ID"], u.Id); err != nil {
		w.t.Fatalf("adding %s to the team: %v", name, err)
	}
	if _, _, err := w.admin.AddChannelMember(ctx, w.channel.Id, u.Id); err != nil {
		w.t.Fatalf("adding %s to the channel: %v", name, err)
	}
	c := model.NewAPIv4Client(suite.mm["MM_URL"])
	if _, _, err := c.Login(ctx, name, pass); err != nil {
		w.t.Fatalf("login as %s: %v", name, err)
	}
	return c
}

// Three users send /atvm status thirty times each during a watched run:
// every request gets a real answer (none "busy"), the answer's p99 stays
// under 500 ms, and the run still posts once per group and once at the end.
func TestE2E_Status_D24_NinetyAnswersDuringARun(t *testing.T) {
	record(t)
	scen, truth := readScenario(t, "happy.yaml")
	w := newWorld(t, "status-load", worldOpts{scenario: scen, speed: 100})
	itlog.Ran(t, "e2e")
	w.dumpOnFailure()
	ctx := ctxT(t, 5*time.Minute)
	w.start()
	carol := w.newUser(ctx, "carol-"+randHex(3))
	users := []*model.Client4{w.admin, w.alice, carol}
	ephs := []*ephemerals{listenEphemerals(t, suite.mm["MM_ADMIN_TOKEN"]), listenEphemerals(t, suite.mm["MM_USER_TOKEN"]), listenEphemerals(t, carol.AuthToken)}
	w.planAndApprove(ctx, truth)
	// Measured while the run is watched: after the watch loop's first poll
	// (the root post then counts hosts), not in the instant after launch.
	w.waitPost(ctx, "with the root after a poll", time.Minute, func(p *model.Post) bool {
		return strings.HasSuffix(idemKey(p), "/root") && strings.Contains(p.Message, "hosts done")
	})

	var mu sync.Mutex
	var lat []time.Duration
	var busy, empty int
	var wg sync.WaitGroup
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 30; k++ {
				start := time.Now()
				msg, err := w.answer(ctx, users[i], ephs[i], "status")
				d := time.Since(start)
				mu.Lock()
				switch {
				case err != nil || msg == "":
					empty++
				case strings.Contains(msg, "busy"):
					busy++
				default:
					lat = append(lat, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if busy > 0 || empty > 0 || len(lat) != 90 {
		t.Errorf("status answers: %d real, %d busy, %d missing; want 90 real", len(lat), busy, empty)
	}
	var p50, p99 time.Duration
	if n := len(lat); n >= 5 {
		t.Logf("slowest status answers: %v", lat[n-5:])
	}
	if len(lat) > 0 {
		p50, p99 = lat[len(lat)/2], lat[(len(lat)*99+99)/100-1]
		if p99 > 500*time.Millisecond {
			t.Errorf("status p99 %s, want under 500 ms (p50 %s)", p99, p50)
		}
	}
	w.waitPost(ctx, "with the final summary", 3*time.Minute, func(p *model.Post) bool { return strings.HasSuffix(idemKey(p), "/final/r0/0") })
	w.waitRunState(ctx, time.Minute)
	acc := w.accountPosts(ctx, w.keys(truth))
	if len(acc.problems) > 0 || acc.expected != 2+len(truth.Subruns) {
		t.Errorf("posts: %d expected, %d seen; %s", acc.expected, acc.seen, strings.Join(acc.problems, "; "))
	}
	addFigures(func() {
		figures.statusAnswers += len(lat)
		figures.statusBusy += busy
		figures.statusP50, figures.statusP99 = p50, p99
	})
	t.Logf("90 status requests from 3 users during a run: %d answered, %d busy, p50 %s, p99 %s", len(lat), busy, p50, p99)
}
