package bot

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/results"
)

var nyc, _ = time.LoadLocation("America/New_York")

// schedFixture is a core whose clock the test moves.
type schedFixture struct {
	*coreFixture
	clock time.Time
}

func newSchedCore(t *testing.T, start time.Time) *schedFixture {
	t.Helper()
	f := &schedFixture{coreFixture: newCore(t, results.Status{State: results.RunRunning}), clock: start}
	f.core.Now = func() time.Time { return f.clock }
	return f
}

var schedIDRE = regexp.MustCompile("`(s-[0-9a-f]{6})`")

func (f *schedFixture) add(t *testing.T, spec, words string) string {
	t.Helper()
	rep := f.say(t, "alice", `schedule add "`+spec+`" `+words)
	m := schedIDRE.FindStringSubmatch(rep.Ephemeral)
	if m == nil {
		t.Fatalf("schedule add: %s", rep.Ephemeral)
	}
	return m[1]
}

func (f *schedFixture) at(t *testing.T, when time.Time) {
	t.Helper()
	f.clock = when
	f.core.FireSchedules(context.Background())
	f.core.Wait()
}

const schedWords = "cmc-e2e --containsVm redhat9.6"

// P1: a fire with no standing approval posts the plan, pinging the owner
// and the approvers, and launches nothing; the same fire handled again
// (a second tick, a restart) posts nothing more.
func TestSchedule_P1_FirePostsPlanLaunchesNothing(t *testing.T) {
	f := newSchedCore(t, time.Date(2026, 3, 2, 1, 0, 0, 0, nyc))
	id := f.add(t, "0 2 * * *", schedWords)
	f.at(t, time.Date(2026, 3, 2, 1, 59, 0, 0, nyc))
	if strings.Contains(f.out.String(), "fired at") {
		t.Fatal("fired before its time")
	}
	f.at(t, time.Date(2026, 3, 2, 2, 0, 30, 0, nyc))
	f.at(t, time.Date(2026, 3, 2, 2, 1, 30, 0, nyc))
	out := f.out.String()
	if n := strings.Count(out, "Schedule `"+id+"`"); n != 1 || !strings.Contains(out, "@qa-lead: nothing runs until one of you approves it") || !strings.Contains(out, "#### Plan `p-") {
		t.Fatalf("%d fire posts, want one plan post with the approvers pinged:\n%s", n, out)
	}
	if len(f.runner.launched) != 0 {
		t.Fatal("a fire without a standing approval launched")
	}
	if rep := f.say(t, "alice", "schedule list"); !strings.Contains(rep.Ephemeral, id) || !strings.Contains(rep.Ephemeral, "planned") {
		t.Fatalf("list: %s", rep.Ephemeral)
	}
}

// P1, P2: a standing approval launches exactly the plan it names; when the
// blacklist changes the plan, the fire posts it for a fresh approval and
// launches nothing.
func TestSchedule_P2_StandingApprovalBoundToTheHash(t *testing.T) {
	f := newSchedCore(t, time.Date(2026, 3, 2, 1, 0, 0, 0, nyc))
	id := f.add(t, "0 2 * * *", schedWords)
	if rep := f.say(t, "alice", "schedule approve "+id); !strings.Contains(rep.Ephemeral, "Only approvers") {
		t.Fatalf("a non-approver's standing approval: %s", rep.Ephemeral)
	}
	rep := f.say(t, "qa-lead", "schedule approve "+id)
	m := regexp.MustCompile("plan hash `([0-9a-f]{12})`").FindStringSubmatch(rep.Ephemeral)
	if m == nil {
		t.Fatalf("approve: %s", rep.Ephemeral)
	}
	f.at(t, time.Date(2026, 3, 2, 2, 0, 10, 0, nyc))
	if len(f.runner.launched) != 1 || !strings.HasPrefix(f.runner.launched[0].Hash, m[1]) {
		t.Fatalf("launched %d plan(s), want the approved one (%s)", len(f.runner.launched), m[1])
	}
	if !strings.Contains(f.out.String(), "launched by schedule `"+id+"`, approved by @qa-lead") {
		t.Fatalf("no launch post:\n%s", f.out.String())
	}
	// The run ends; the blacklist changes; the next fire needs a person.
	f.clock = time.Date(2026, 3, 2, 3, 0, 0, 0, nyc)
	for i := 0; i < 3; i++ {
		f.core.Tick(context.Background())
	}
	f.runner.mu.Lock()
	f.runner.statuses = []results.Status{{State: results.RunCompleted}}
	f.runner.polls = 0
	f.runner.mu.Unlock()
	for i := 0; i < 3; i++ {
		f.core.Tick(context.Background())
	}
	f.say(t, "qa-lead", "blacklist add atvm9-debian12.5 FLAKY DISK")
	f.at(t, time.Date(2026, 3, 3, 2, 0, 10, 0, nyc))
	if len(f.runner.launched) != 1 {
		t.Fatalf("launched %d plans after the blacklist changed the plan, want still 1", len(f.runner.launched))
	}
	if !strings.Contains(f.out.String(), "needs a fresh approval") {
		t.Fatalf("the changed plan was not posted for approval:\n%s", f.out.String())
	}
}

// D15: a fire while the controller is busy is skipped with one post.
func TestSchedule_D15_BusyControllerSkipsOnce(t *testing.T) {
	f := newSchedCore(t, time.Date(2026, 3, 2, 1, 0, 0, 0, nyc))
	id := f.add(t, "0 2 * * *", schedWords)
	f.say(t, "alice", "plan cmc-reboot --specify_vms atvm71-redhat9.1")
	f.say(t, "qa-lead", "approve")
	f.core.Wait()
	f.at(t, time.Date(2026, 3, 2, 2, 0, 5, 0, nyc))
	f.at(t, time.Date(2026, 3, 2, 2, 1, 5, 0, nyc))
	out := f.out.String()
	if n := strings.Count(out, "Schedule `"+id+"` skipped its fire"); n != 1 || strings.Contains(out, "fired at") {
		t.Fatalf("%d skip posts:\n%s", n, out)
	}
	if len(f.runner.launched) != 1 {
		t.Fatalf("%d launches, want only the hand-approved one", len(f.runner.launched))
	}
}

// W1: fires missed while the bot was down get one post, and never a late
// launch or plan.
func TestSchedule_W1_MissedFiresOnePostNoLaunch(t *testing.T) {
	f := newSchedCore(t, time.Date(2026, 3, 2, 1, 0, 0, 0, nyc))
	id := f.add(t, "0 2 * * *", schedWords)
	f.say(t, "qa-lead", "schedule approve "+id)
	f.at(t, time.Date(2026, 3, 4, 5, 0, 0, 0, nyc)) // down across three 02:00 fires
	f.at(t, time.Date(2026, 3, 4, 5, 1, 0, 0, nyc))
	out := f.out.String()
	if n := strings.Count(out, "missed 3 fires"); n != 1 || strings.Contains(out, "#### Plan") || len(f.runner.launched) != 0 {
		t.Fatalf("%d missed posts, %d launches:\n%s", n, len(f.runner.launched), out)
	}
	// The next fire is on time again.
	f.at(t, time.Date(2026, 3, 5, 2, 0, 20, 0, nyc))
	if len(f.runner.launched) != 1 {
		t.Fatalf("the next fire after the outage: %d launches", len(f.runner.launched))
	}
}

// DST in the operators' zone: a 02:30 schedule does not fire on the
// spring-forward day (that time does not exist; it is reported missed, see
// TestSchedule_D11_SpringForwardReportedMissed), and a 01:30 schedule fires
// once on the fall-back day, though 01:30 happens twice.
func TestSchedule_D11_DaylightSavingTime(t *testing.T) {
	cases := []struct {
		spec     string
		from, to time.Time
		want     []string
	}{
		{"30 2 * * *", time.Date(2026, 3, 7, 3, 0, 0, 0, nyc), time.Date(2026, 3, 9, 3, 0, 0, 0, nyc),
			[]string{"2026-03-09 02:30 EDT"}},
		{"30 1 * * *", time.Date(2026, 10, 31, 3, 0, 0, 0, nyc), time.Date(2026, 11, 2, 3, 0, 0, 0, nyc),
			[]string{"2026-11-01 01:30 EDT", "2026-11-02 01:30 EST"}},
		{"0 * * * *", time.Date(2026, 11, 1, 0, 30, 0, 0, nyc), time.Date(2026, 11, 1, 2, 30, 0, 0, nyc),
			[]string{"2026-11-01 01:00 EDT", "2026-11-01 02:00 EST"}},
	}
	for _, tc := range cases {
		sched, err := commands.CronParser.Parse(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, at := range dueFires(sched, tc.from, tc.to) {
			got = append(got, at.Format("2006-01-02 15:04 MST"))
		}
		if strings.Join(got, ", ") != strings.Join(tc.want, ", ") {
			t.Errorf("%s from %s: %q, want %q", tc.spec, tc.from, got, tc.want)
		}
	}
}

// The spring-forward day: 02:30 does not exist in New York on 2026-03-08.
// The schedule posts once that it did not fire then, plans nothing that
// day, and fires the next day as usual.
func TestSchedule_D11_SpringForwardReportedMissed(t *testing.T) {
	f := newSchedCore(t, time.Date(2026, 3, 7, 12, 0, 0, 0, nyc))
	id := f.add(t, "30 2 * * *", schedWords)
	f.at(t, time.Date(2026, 3, 8, 1, 59, 0, 0, nyc))
	f.at(t, time.Date(2026, 3, 8, 3, 31, 0, 0, nyc)) // 02:30 would have been now
	f.at(t, time.Date(2026, 3, 8, 3, 32, 0, 0, nyc))
	out := f.out.String()
	if n := strings.Count(out, "Schedule `"+id+"` (`30 2 * * *`) did not fire at 02:30 on Sun 8 Mar 2026"); n != 1 || strings.Contains(out, "#### Plan") {
		t.Fatalf("%d reports of the missing 02:30:\n%s", n, out)
	}
	f.at(t, time.Date(2026, 3, 9, 2, 30, 30, 0, nyc))
	if !strings.Contains(f.out.String(), "#### Plan") {
		t.Fatalf("no fire the next day:\n%s", f.out.String())
	}
}
