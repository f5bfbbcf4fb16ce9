package bot

import (
	"strings"
	"testing"

	"github.com/atvm/atvmbot/controller"
)

// With several controllers `queue` shows, per controller, what holds it —
// the bot's run, a run started there by hand — and the channel's open plans
// for it; `runs` names each run's controller. --controller keeps one.
func TestCore_C21_D15_QueueAndRunsPerController(t *testing.T) {
	f, drs := newDiscoveringCores(t, []string{"a", "b", "c"}, w3Statuses()...)
	ch := f.console.Channel()
	if rep := planAndApprove(t, f, ch, "a"); !strings.Contains(rep.Ephemeral, "Approved plan") {
		t.Fatalf("approve on a: %s", rep.Ephemeral)
	}
	run, err := f.db.LatestRunByBuild(t.Context(), f.core.Runners["a"].(*discoveringRunner).launched[0].Build)
	if err != nil {
		t.Fatal(err)
	}
	drs["b"].set(controller.Discovery{Live: []controller.Discovered{handRun("hand-b")}}, nil)
	planB := planOn(t, f, ch, "b")
	for _, tc := range []struct {
		text      string
		want, not []string
	}{
		{text: "queue", want: []string{
			"**Controller `a`**: busy with `" + run.Build + "` (RUNNING), approved by @qa-lead",
			"- no open plans in this channel\n\n**Controller `b`**: `hand-b` started by hand",
			"**Controller `b`**", "- `" + planB + "` — ",
			"**Controller `c`**: free.\n- no open plans in this channel",
			"refused, not queued"}},
		{text: "queue --controller b", want: []string{"**Controller `b`**: `hand-b` started by hand", "- `" + planB + "` — "},
			not: []string{"Controller `a`", "Controller `c`"}},
		{text: "queue --controller d", want: []string{"No controller is named `d`; configured: a, b, c."}},
		{text: "runs", want: []string{"**Recent runs**\n- `" + run.Build + "` — on `a` · RUNNING · "}},
		{text: "runs --controller a", want: []string{"- `" + run.Build + "` — on `a` · RUNNING"}},
		{text: "runs --controller b", want: []string{"No runs on controller `b` yet."}, not: []string{run.Build}},
	} {
		t.Run(tc.text, func(t *testing.T) {
			rep := f.say(t, "alice", tc.text)
			for _, w := range tc.want {
				if !strings.Contains(rep.Ephemeral, w) {
					t.Errorf("lacks %q:\n%s", w, rep.Ephemeral)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(rep.Ephemeral, w) {
					t.Errorf("has %q:\n%s", w, rep.Ephemeral)
				}
			}
		})
	}
}

// One controller: `runs` and `queue` name none, as before; naming the only
// one is the same answer.
func TestCore_C21_QueueAndRunsOneControllerUnchanged(t *testing.T) {
	f, dr := newAdoptCore(t)
	dr.set(controller.Discovery{}, nil)
	f.say(t, "alice", "plan cmc-e2e --containsVm redhat9.6")
	q := f.say(t, "alice", "queue")
	if !strings.HasPrefix(q.Ephemeral, "**Controller `ctl-test`**: free.\n\n**Open plans in this channel**") {
		t.Fatalf("queue:\n%s", q.Ephemeral)
	}
	if again := f.say(t, "alice", "queue --controller default"); again.Ephemeral != q.Ephemeral {
		t.Fatalf("queue --controller default:\n%s\nwant\n%s", again.Ephemeral, q.Ephemeral)
	}
	if rep := f.say(t, "alice", "runs"); strings.Contains(rep.Ephemeral, " on `") {
		t.Fatalf("runs names a controller: %s", rep.Ephemeral)
	}
	if rep := f.say(t, "alice", "queue --controller lab"); !strings.Contains(rep.Ephemeral, "No controller is named `lab`; configured: default.") {
		t.Fatalf("unknown controller: %s", rep.Ephemeral)
	}
}
