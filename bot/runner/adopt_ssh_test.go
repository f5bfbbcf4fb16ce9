package runner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
	"github.com/atvm/atvmbot/bot/console"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/internal/itlog"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/simulator"
	"github.com/atvm/atvmbot/storage"
)

// The test binary doubles as the controller simulator: the simulator's
// python3 shims exec it with "simulate …".
func init() {
	if len(os.Args) > 1 && os.Args[1] == "simulate" {
		os.Exit(simulator.Main(os.Args[2:], os.Stdout, os.Stderr))
	}
}

// handScenario: two hosts, one failing, about 13 s at this speed.
const handScenario = `name: hand
description: non-categorized cmc-e2e started by hand, one host fails
speed: 80
seed: 5
inventory: [atvm71-redhat9.1, atvm5-ubuntu22.04]
template: {duration_s: 20}
hosts:
  atvm71-redhat9.1: {duration_s: 500}
  atvm5-ubuntu22.04: {duration_s: 500, outcome: fail, fail_step: 4}
expect:
  build: hand
  state: FAILED
`

const handTemplate = "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --specify_vms atvm71-redhat9.1,atvm5-ubuntu22.04 --ignore_force_shutdown --test_partition"

// sshController is a simulated controller reached over a private loopback
// sshd as root, as the real one is (D16).
type sshController struct {
	root, tmp, history string
	cfg                config.Config
	t                  controller.Transport
}

func startSSHController(t testing.TB) *sshController {
	t.Helper()
	if os.Geteuid() != 0 {
		itlog.Require(t, "ATVMBOT_REQUIRE_SSHD", "not root: scripts/sshd-up.sh needs root to log in as root")
	}
	_, file, _, _ := runtime.Caller(0)
	up := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "sshd-up.sh")
	state := t.TempDir()
	cmd := exec.Command(up, "start", state)
	cmd.Env = append(os.Environ(), "SSHD_PORT=0", "SSHD_USER=root")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if os.Getenv("ATVMBOT_REQUIRE_SSHD") == "1" {
			t.Fatalf("sshd-up.sh: %v\n%s", err, stderr.String())
		}
		t.Skipf("no sshd: %v\n%s", err, stderr.String())
	}
	t.Cleanup(func() { _ = exec.Command(up, "stop", state).Run() })
	env := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			env[k] = v
		}
	}
	base := t.TempDir()
	sc := &sshController{root: filepath.Join(base, "atvm"), tmp: filepath.Join(base, "tmp"), history: filepath.Join(base, "bash_history")}
	for _, d := range []string{sc.root, sc.tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	exe, _ := os.Executable()
	if err := simulator.Install(sc.root, []byte(handScenario), exe); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sc.history, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	c := &cfg.Controller
	c.Host, c.User, c.KnownHosts = env["SSH_HOST"], env["SSH_USER"], env["SSH_KNOWN_HOSTS"]
	c.Port, _ = strconv.Atoi(env["SSH_PORT"])
	c.ATVMRoot, c.TmpDir, c.ShellHistory = sc.root, sc.tmp, sc.history
	c.ConnectTimeout, c.Keepalive = 10*time.Second, 2*time.Second
	cfg.Approvals.Approvers = []string{"qa-lead"}
	cfg.Watch.SettleDelay, cfg.Watch.StopWait = time.Second, 2*time.Second
	sc.cfg = cfg
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tr, err := controller.DialSSH(ctx, cfg.Controller, env["SSH_KEY"], zerolog.Nop())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { tr.Close() })
	sc.t = tr
	itlog.Ran(t, "sshd")
	return sc
}

// byHand starts a run the way an operator does in a shell on the
// controller: template step, then the runner under nohup in the
// background, and the shell exits (its history written).
// byHand starts a run as an operator would by hand; speed overrides the
// scenario's (0 keeps it).
func (sc *sshController) byHand(t *testing.T, build string, speed int) {
	t.Helper()
	runner := "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name " + build
	env := ""
	if speed > 0 {
		env = "ATVMSIM_SPEED=" + strconv.Itoa(speed) + " "
	}
	script := `cd "$1" && ` + handTemplate + ` > "$2/$3.launch.log" 2>&1 || exit 8
` + env + `nohup ` + runner + ` > "$2/$3.log" 2>&1 < /dev/null &
exit 0`
	res, err := sc.t.Run(context.Background(), []string{"sh", "-c", script, "byhand", sc.root, sc.tmp, build}, controller.RunOpts{})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("by hand: %v %d %s", err, res.ExitCode, res.Stderr)
	}
	f, _ := os.OpenFile(sc.history, os.O_APPEND|os.O_WRONLY, 0o600)
	fmt.Fprintf(f, "cd %s\n%s\n%s > %s/%s.log 2>&1 &\nexit\n", sc.root, handTemplate, runner, sc.tmp, build)
	f.Close()
}

func (sc *sshController) kill(t *testing.T, pid int) {
	t.Helper()
	_, _ = sc.t.Run(context.Background(), []string{"sh", "-c", `kill -KILL "-$1" 2>/dev/null; kill -KILL "$1" 2>/dev/null; exit 0`, "kill", strconv.Itoa(pid)}, controller.RunOpts{})
}

func waitLive(t *testing.T, r *ControllerRunner, build string) controller.Discovered {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		d, err := r.Discover(context.Background(), false)
		if err == nil {
			for _, l := range d.Live {
				if l.Build == build && len(l.SpecPattern) > 0 && l.CIBuildID != "" {
					return l
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s never showed live on the controller", build)
	return controller.Discovered{}
}

// TestAdopt_S2_RealController: over a real sshd, a run started by hand is
// reported by status, holds the controller against an approval, is
// adopted and posted once; a runner killed outside the bot frees the lock
// at the next poll, and an approval then goes through.
func TestAdopt_S2_RealController(t *testing.T) {
	sc := startSSHController(t)
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "s.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	out := &bytes.Buffer{}
	chat := console.NewConsole(console.ConsoleOptions{Out: out, User: "qa-lead"})
	runner := NewControllerRunner(sc.t, &sc.cfg, db, filepath.Join(t.TempDir(), "mirror"), "ctl-it", zerolog.Nop())
	core := &bot.Core{Cfg: &sc.cfg, DB: db, Chat: chat, Runner: runner, Log: zerolog.Nop(), Version: "vtest", Channel: chat.Channel()}
	say := func(user, text string) string {
		return core.Handle(ctx, bot.Incoming{Source: bot.SourceConsole, UserName: user, ChannelID: chat.Channel(), Text: text}).Ephemeral
	}

	// 1. Killed outside the bot: found, adopted, freed at the next poll.
	// Slow enough that it is still running when it is killed, however
	// long the steps before the kill take on a busy machine.
	sc.byHand(t, "hand-a", 1)
	a := waitLive(t, runner, "hand-a")
	t.Cleanup(func() { sc.kill(t, a.RunnerPID) })
	// Markdown escapes aside (the renderer escapes notes).
	rep := strings.NewReplacer(`\_`, "_", "\\`", "`").Replace(say("alice", "status"))
	for _, want := range []string{"hand-a", "HOSTS:", "atvm71-redhat9.1", "Not launched by the bot: started by hand on the controller",
		"Template command from the shell history " + sc.history, "Template command: `" + handTemplate + "`"} {
		if !strings.Contains(rep, want) {
			t.Errorf("status lacks %q:\n%s", want, rep)
		}
	}
	say("alice", "plan cmc-e2e --specify_vms atvm71-redhat9.1,atvm5-ubuntu22.04")
	if rep := say("qa-lead", "approve"); !strings.Contains(rep, "Not approved") || !strings.Contains(rep, "`hand-a` started by hand on the controller") || !strings.Contains(rep, "/atvm status hand-a") {
		t.Fatalf("approve during a hand-started run: %s", rep)
	}
	if rep := say("alice", "watch hand-a"); !strings.Contains(rep, "Watching `hand-a`") {
		t.Fatalf("watch: %s", rep)
	}
	core.Tick(ctx)
	adopted, _ := db.LatestRunByBuild(ctx, "hand-a")
	if adopted.State != results.RunRunning || !adopted.Adopted || adopted.RunnerPID != a.RunnerPID {
		t.Fatalf("adopted run %+v", adopted)
	}
	sc.kill(t, a.RunnerPID)
	time.Sleep(300 * time.Millisecond)
	core.Tick(ctx)
	adopted, _ = db.LatestRunByBuild(ctx, "hand-a")
	if adopted.State != results.RunTerminated {
		stored, _ := db.RunStatus(ctx, adopted.ID)
		t.Fatalf("after the kill: %s (%s)", adopted.State, stored)
	}
	if _, _, _, held, _ := db.Lock(ctx, "ctl-it"); held {
		t.Fatal("the lock outlived the killed runner")
	}

	// 2. Adopted and followed to its end: one final summary, once.
	sc.byHand(t, "hand-b", 0)
	b := waitLive(t, runner, "hand-b")
	t.Cleanup(func() { sc.kill(t, b.RunnerPID) })
	if rep := say("alice", "watch hand-b"); !strings.Contains(rep, "Watching `hand-b`") {
		t.Fatalf("watch: %s", rep)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		core.Tick(ctx)
		r, _ := db.LatestRunByBuild(ctx, "hand-b")
		if !storage.Active(r.State) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("hand-b still %s after a minute", r.State)
		}
		time.Sleep(500 * time.Millisecond)
	}
	core.Tick(ctx)
	rb, _ := db.LatestRunByBuild(ctx, "hand-b")
	posts, _ := db.RunPosts(ctx, rb.ID)
	finals := 0
	for _, p := range posts {
		if p.Kind == "final" && p.Part == 0 {
			finals++
		}
	}
	if rb.State != results.RunFailed || finals != 1 {
		t.Fatalf("hand-b: %s with %d final post(s); want FAILED, one", rb.State, finals)
	}
	text := out.String()
	for _, want := range []string{"Final summary", "atvm5-ubuntu22.04 - FAIL", "atvm71-redhat9.1 - PASS", "@alice", "watched since @alice asked"} {
		if !strings.Contains(text, want) {
			t.Errorf("posts lack %q:\n%s", want, text)
		}
	}

	// 3. Free again: the plan refused earlier is approved and launches.
	rep = say("qa-lead", "approve")
	core.Wait()
	if !strings.Contains(rep, "Approved plan") {
		t.Fatalf("approve on a free controller: %s", rep)
	}
	launched, _ := db.RecentRuns(ctx, 1)
	t.Cleanup(func() { _ = runner.Cancel(context.Background(), launched[0]) })
	if launched[0].Adopted || launched[0].State != results.RunRunning {
		t.Fatalf("launched run %+v", launched[0])
	}
}
