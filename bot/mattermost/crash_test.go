package mattermost

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"

	"github.com/atvm/atvmbot/bot"
)

// Three groups, one failing, and a group whose posted PASS turns into FAIL
// later (a correction, W7): root, three sub-run posts, one correction, the
// final summary.
var crashGroups = []crashGroup{
	{Name: "redhat", Hosts: []string{"atvm71-redhat9.1", "atvm72-redhat9.6"}, Verdict: results.HostPass},
	{Name: "ubuntu", Hosts: []string{"atvm5-ubuntu22.04"}, Verdict: results.HostFail},
	{Name: "windows", Hosts: []string{"atvm90-win2022"}, Verdict: results.HostPass},
}

// TestCrash_W1_FixedFaultPoints kills the bot at every occurrence of each
// fault point of D18 (before CreatePost; after a post's files are uploaded
// and before it is created; after the server returned and before storage
// recorded it; between a commit and the PatchPost; between a
// correction and the mark on the post it corrects), restarts
// it until the run is final, and checks nothing was posted twice or lost.
func TestCrash_W1_FixedFaultPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("starts about 60 bot processes")
	}
	points := []struct {
		name     string
		min, max int // the point is reached at least min times in a clean run; try up to max
	}{
		// root, redhat, ubuntu, windows, the correction, the final summary
		{bot.FaultBeforeCreatePost, 6, 8},
		{bot.FaultAfterCreatePost, 6, 8},
		// the final summary's picture uploaded, the post not created
		{bot.FaultAfterUpload, 1, 2},
		// each change of the progress post, the last one the verdict
		{bot.FaultAfterCommitBeforePatch, 5, 12},
		// the correction's mark on the post it corrects (W7)
		{bot.FaultBeforeSupersede, 1, 3},
	}
	total := crashFigures{}
	for _, pt := range points {
		for n := 1; n <= pt.max; n++ {
			killed, ran := false, false
			t.Run(fmt.Sprintf("%s@%d", pt.name, n), func(t *testing.T) {
				ran = true
				rig := newCrashRig(t, crashGroups, 4, "redhat")
				var log string
				killed, log = rig.run(crashLaunchEnv+"=1", bot.FaultEnv+"="+pt.name+"@"+strconv.Itoa(n))
				if killed && !strings.Contains(log, bot.FaultMarker+pt.name+"@"+strconv.Itoa(n)) {
					t.Fatalf("killed, but not by the fault point:\n%s", log)
				}
				if !killed && n <= pt.min {
					t.Fatalf("%s was reached fewer than %d times in a whole run: the point is not where the posts are", pt.name, n)
				}
				rig.runToEnd(crashLaunchEnv + "=1")
				fig := rig.verify(results.RunFailed)
				t.Logf("%s@%d killed=%v: %s", pt.name, n, killed, fig)
				total.Expected += fig.Expected
				total.Seen += fig.Seen
				total.Duplicates += fig.Duplicates
				total.Lost += fig.Lost
				total.Extra += fig.Extra
				total.Processes += fig.Processes
				total.Kills += fig.Kills
			})
			if ran && !killed {
				break // the point has fewer than n occurrences
			}
		}
	}
	t.Logf("all fault points: %s", total)
}

// TestCrash_W1_RandomKills SIGKILLs the bot at 30 seeded random moments of
// one run (ATVMBOT_CRASH_SEED picks another seed), restarting it each time,
// then lets it finish.
func TestCrash_W1_RandomKills(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 30 bot processes")
	}
	seed := uint64(20260330)
	if s := os.Getenv("ATVMBOT_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("ATVMBOT_CRASH_SEED: %v", err)
		}
		seed = v
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	// Fifteen groups, one finishing every second step: most lives of the
	// bot have a post to make, so many kills land around one.
	var groups []crashGroup
	for i := range 15 {
		g := crashGroup{Name: fmt.Sprintf("g%02d", i), Hosts: []string{fmt.Sprintf("atvm%d-redhat9.%d", 100+i, i%7)}, Verdict: results.HostPass}
		if i%4 == 1 {
			g.Verdict = results.HostFail
		}
		groups = append(groups, g)
	}
	const kills, phase = 30, 2
	rig := newCrashRig(t, groups, phase, "")
	// A slow server widens the window where a post is created but its
	// answer dies with the bot.
	rig.mm.set(func() { rig.mm.createDelay, rig.mm.createJitter = 40*time.Millisecond, true })
	if killed, log := rig.run(crashLaunchEnv + "=only"); killed {
		t.Fatalf("setup killed:\n%s", log)
	}
	// Each life may move the run one step on (the verdict is at step 30),
	// so the 30 kills spread over the whole run, however fast this
	// machine is, and all land before its end.
	landed, pendingSent, pendingUnsent := 0, 0, 0
	toPost := 100 * time.Millisecond
	for i := 0; i < kills; i++ {
		rig.setCap((i+1)*len(groups)*phase/kills - 1)
		// A random moment of the bot's life, which is mostly its start
		// (exec, SQLite, GetMe) and its first tick, where the post is:
		// up to twice the time its first post took lately.
		delay := time.Duration(rng.Float64() * 2 * float64(toPost))
		started := time.Now()
		c := rig.start()
		select {
		case <-c.done:
		case <-time.After(delay):
			_ = c.cmd.Process.Kill() // SIGKILL
		}
		if at, ok := rig.mm.firstCreateAfter(started); ok {
			toPost = (3*toPost + at.Sub(started)) / 4
		} else if delay > toPost && toPost < 5*time.Second {
			toPost += toPost / 4 // no post although it lived longer than that: a slower machine
		}
		if rig.wait(c) {
			landed++
			sent, unsent := rig.pendingKeys()
			pendingSent += sent
			pendingUnsent += unsent
		}
	}
	if landed < kills {
		t.Errorf("only %d of the %d kills landed before the run ended", landed, kills)
	}
	posAtLastKill := readCounter(filepath.Join(rig.dir, "pos"))
	rig.setCap(-1)
	rig.runToEnd()
	fig := rig.verify(results.RunFailed)
	t.Logf("seed %d: %d kills landed (a bot's first post came ~%s after its start), the run at step %d of %d at the last one, %d polls in all; kills that left a key pending: %d with the post on the server (answer lost), %d without; %s",
		seed, landed, toPost.Round(time.Millisecond), posAtLastKill, len(groups)*phase, readCounter(filepath.Join(rig.dir, "polls")), pendingSent, pendingUnsent, fig)
}

// TestCrash_P1_KillDuringLaunchingNeverRelaunches: a bot killed while a run
// is LAUNCHING (before the runner was asked, or after it started but before
// the bot recorded it) marks the run LAUNCH_FAILED on restart, frees the
// controller, says so on the plan post, and never launches it again, not
// even when asked to approve again.
func TestCrash_P1_KillDuringLaunchingNeverRelaunches(t *testing.T) {
	for _, tc := range []struct {
		point    string
		launches int
	}{
		{bot.FaultLaunching, 0},
		{faultInLaunch, 1},
	} {
		t.Run(tc.point, func(t *testing.T) {
			rig := newCrashRig(t, crashGroups, 2, "")
			killed, log := rig.run(crashLaunchEnv+"=1", bot.FaultEnv+"="+tc.point)
			if !killed || !strings.Contains(log, bot.FaultMarker+tc.point) {
				t.Fatalf("not killed at %s:\n%s", tc.point, log)
			}
			if killed, log := rig.run(crashLaunchEnv + "=1"); killed {
				t.Fatalf("restart killed:\n%s", log)
			}
			_, log = rig.run(crashReapproveEnv + "=1")
			if !strings.Contains(log, "Not approved") {
				t.Errorf("approving the used plan again was not refused:\n%s", log)
			}
			ctx := context.Background()
			db := rig.openDB()
			runs, _ := db.RecentRuns(ctx, 10)
			if len(runs) != 1 {
				t.Fatalf("%d runs, want 1", len(runs))
			}
			if runs[0].State != results.RunLaunchFailed || !strings.Contains(runs[0].Reason, "restarted during the launch") {
				t.Errorf("run %s %q, want LAUNCH_FAILED with the reason", runs[0].State, runs[0].Reason)
			}
			if _, _, _, held, _ := db.Lock(ctx, crashController); held {
				t.Error("the controller stayed locked")
			}
			if n := readCounter(filepath.Join(rig.dir, "launches")); n != tc.launches {
				t.Errorf("runner launched %d times, want %d", n, tc.launches)
			}
			if n := readCounter(filepath.Join(rig.dir, "polls")); n != 0 {
				t.Errorf("a LAUNCH_FAILED run was polled %d times", n)
			}
			posts := rig.mm.posts()
			if len(posts) != 1 || !strings.Contains(posts[0].Message, "Launch interrupted") {
				for _, p := range posts {
					t.Logf("post %v: %.200s", p.GetProp(bot.PropIdemKey), p.Message)
				}
				t.Errorf("want only the plan post, marked launch interrupted; got %d posts", len(posts))
			}
			t.Logf("%s: bot processes %d, killed %d, launches %d", tc.point, rig.children, rig.kills, tc.launches)
		})
	}
}
