package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/internal/itlog"
	"github.com/atvm/atvmbot/simulator"
	"github.com/atvm/atvmbot/storage"
)

// controllerB is a world's second controller: its own loopback sshd and
// simulated ATVM tree.
type controllerB struct {
	root, tmp string
	ssh       *sshd
}

// addController gives the world a second controller playing scenario and
// rewrites the config with both under controllers: ("a" the first, "b"
// this one, each with its own key).
func (w *world) addController(scenario []byte) *controllerB {
	t := w.t
	t.Helper()
	dir := filepath.Join(w.dir, "controller-b")
	b := &controllerB{root: filepath.Join(dir, "atvm"), tmp: filepath.Join(dir, "tmp")}
	for _, d := range []string{b.root, b.tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := simulator.Install(b.root, scenario, suite.bin); err != nil {
		t.Fatalf("installing the second simulator: %v", err)
	}
	b.ssh = startSSHD(t, filepath.Join(w.dir, "sshd-b"), "0", w.user)
	t.Cleanup(func() { _ = exec.Command(sshdUp(), "stop", b.ssh.state).Run() })
	w.second = b
	w.writeConfig(w.watch)
	return b
}

// twoControllers turns cfg's controller: block into controllers: a and b.
func (w *world) twoControllers(cfg string) string {
	start := strings.Index(cfg, "controller:\n")
	end := strings.Index(cfg, "storage:\n")
	var a strings.Builder
	for _, l := range strings.Split(strings.TrimSuffix(cfg[start+len("controller:\n"):end], "\n"), "\n") {
		a.WriteString("  " + l + "\n")
	}
	b := w.second
	block := "controllers:\n  a:\n" + a.String() + fmt.Sprintf(`  b:
    transport: ssh
    host: %s
    port: %s
    user: %s
    known_hosts: %s
    ssh_key: %s
    connect_timeout: 5s
    keepalive: 2s
    atvm_root: %s
    tmp_dir: %s
`, b.ssh.env["SSH_HOST"], b.ssh.env["SSH_PORT"], w.user, b.ssh.env["SSH_KNOWN_HOSTS"], b.ssh.env["SSH_KEY"], b.root, b.tmp)
	return cfg[:start] + block + cfg[end:]
}

// Two controllers through the real server: plans for A and B
// approved at once run at the same time, each on its own controller with
// its own lock; each run posts once per group and once at the end; a kill
// -9 while both run resumes both, every post still exactly once; each
// simulator ran exactly its plan's commands.
func TestE2E_Controllers_C21_TwoRunsAtOnceEachOnItsOwn(t *testing.T) {
	record(t)
	scen, truth := readScenario(t, "happy.yaml")
	w := newWorld(t, "twoctl", worldOpts{scenario: scen, speed: 150})
	w.addController(withSpeed(scen, 150))
	itlog.Ran(t, "e2e")
	w.dumpOnFailure()
	ctx := ctxT(t, 8*time.Minute)
	w.start()

	builds := map[string]string{"a": w.buildOf(truth) + "-a", "b": w.buildOf(truth) + "-b"}
	plans := map[string]*model.Post{}
	for _, ctl := range []string{"a", "b"} {
		if _, err := w.exec(ctx, w.alice, "plan "+truth.Plan+" --build "+builds[ctl]+" --controller "+ctl); err != nil {
			t.Fatal(err)
		}
		plans[ctl] = w.waitPost(ctx, "with the plan for "+ctl, 30*time.Second, func(p *model.Post) bool {
			return strings.Contains(p.Message, "#### Plan ") && strings.Contains(p.Message, "`"+builds[ctl]+"`")
		})
	}
	for _, ctl := range []string{"a", "b"} {
		if err := press(ctx, w.admin, plans[ctl].Id, "approve"); err != nil {
			t.Fatal(err)
		}
	}
	// Both run at once: each controller's lock held by its own run.
	db := w.openDB(ctx)
	defer db.Close()
	deadline := time.Now().Add(time.Minute)
	for {
		ra, _, _, la, _ := db.Lock(ctx, "a")
		rb, _, _, lb, _ := db.Lock(ctx, "b")
		if la && lb && ra != rb {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the two runs never held their controllers' locks at once (a: %v %s, b: %v %s)", la, ra, lb, rb)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A crash while both run (their runners started; a launch cut short
	// is cancelled, never resumed): the restarted bot resumes both.
	deadline = time.Now().Add(time.Minute)
	for {
		ra, _ := db.LatestRunByBuild(ctx, builds["a"])
		rb, _ := db.LatestRunByBuild(ctx, builds["b"])
		if ra.State == storage.StateRunning && rb.State == storage.StateRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the two runs were never running at once (a %s, b %s)", ra.State, rb.State)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// status shows both, one line per controller (S1).
	aliceEph := listenEphemerals(t, suite.mm["MM_USER_TOKEN"])
	msg, err := w.answer(ctx, w.alice, aliceEph, "status")
	if err != nil || !strings.Contains(msg, "**Controllers:**") ||
		!strings.Contains(msg, "- `a` — `"+builds["a"]+"` RUNNING") || !strings.Contains(msg, "- `b` — `"+builds["b"]+"` RUNNING") {
		t.Errorf("status does not show both controllers' runs (%v):\n%s", err, msg)
	}
	w.kill9()
	w.start()
	finals := map[string]*model.Post{}
	for _, ctl := range []string{"a", "b"} {
		run, err := db.LatestRunByBuild(ctx, builds[ctl])
		if err != nil {
			t.Fatalf("no run of %s: %v", builds[ctl], err)
		}
		if run.Controller != ctl {
			t.Errorf("run %s on controller %q, want %q", run.ID, run.Controller, ctl)
		}
		finals[ctl] = w.waitPost(ctx, "with the final summary of "+ctl, 4*time.Minute, func(p *model.Post) bool {
			return idemKey(p) == run.ID+"/final/r0/0"
		})
		checkTruth(t, strings.ReplaceAll(finals[ctl].Message, builds[ctl], truth.Build), truth)
	}
	acc := w.accountPosts(ctx, []string{"/root", "/final/r0/0"})
	if len(acc.problems) > 0 {
		t.Errorf("exactly-once broken:\n%s", strings.Join(acc.problems, "\n"))
	}
	for _, ctl := range []string{"a", "b"} {
		run, _ := db.LatestRunByBuild(ctx, builds[ctl])
		for _, s := range truth.Subruns {
			key := run.ID + "/sub/" + builds[ctl] + strings.TrimPrefix(s, truth.Build) + "/r0/0"
			if acc.byKey[key] == nil {
				t.Errorf("controller %s: no post for sub-run %s (%s)", ctl, s, key)
			}
		}
		if holder, _, _, locked, err := db.Lock(ctx, ctl); err != nil || locked {
			t.Errorf("controller %s still locked by %s after its run (%v)", ctl, holder, err)
		}
	}
	// Each simulator ran exactly its own plan's commands (D18).
	for ctl, root := range map[string]string{"a": w.root, "b": w.second.root} {
		tmpl, runner := planCommands(t, plans[ctl].Message[strings.Index(plans[ctl].Message, "#### Plan "):])
		got, err := simulator.ReadAudit(root)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Command() != tmpl || got[1].Command() != runner {
			t.Errorf("controller %s ran %+v, want its plan's two commands", ctl, got)
		}
	}
	if active, err := db.ActiveRuns(ctx); err != nil || len(active) != 0 {
		t.Errorf("runs still active: %+v %v", active, err)
	}
}
