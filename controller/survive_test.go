package controller

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/atvm/atvmbot/config"
	"github.com/rs/zerolog"
)

// helperEnv makes the test binary act as a bot that launches a run and
// then stays up until it is killed (TestRunner_SurvivesKilledBot).
const helperEnv = "ATVMBOT_CONTROLLER_TEST_HELPER"

type helperInput struct {
	Cfg  config.Controller
	Key  string
	Spec LaunchSpec
}

func helperMain() int {
	var in helperInput
	if err := json.Unmarshal([]byte(os.Getenv(helperEnv)), &in); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx := context.Background()
	t, err := DialSSH(ctx, in.Cfg, in.Key, zerolog.Nop())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	c := New(t, in.Cfg, config.Default().Watch, nil, nil, zerolog.Nop())
	res, err := c.Launch(ctx, in.Spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	b, _ := json.Marshal(res.Run)
	fmt.Println(string(b))
	// keep the connection open, as a bot watching the run would
	for {
		_, _ = c.Inspect(ctx, res.Run)
		time.Sleep(200 * time.Millisecond)
	}
}

func TestRunner_SurvivesDroppedConnection(t *testing.T) {
	for _, tg := range sshTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.scenario(t, "runner", map[string]any{"seconds": 3})
			res, err := e.c.Launch(ctxT(t), e.spec("e2e-drop", "atvm9-debian12.5"))
			if err != nil {
				t.Fatal(err)
			}
			e.stopAfter(t, res.Run)
			s := e.c.T.(*SSH)
			dials := s.Dials()
			s.DropConnection()
			// the next command reconnects, and the runner is still there
			in, err := e.c.Inspect(ctxT(t), res.Run)
			if err != nil {
				t.Fatal(err)
			}
			if s.Dials() != dials+1 {
				t.Errorf("dials %d → %d: want one reconnect", dials, s.Dials())
			}
			if !in.RunnerAlive {
				t.Fatalf("runner gone after the connection dropped: %+v", in)
			}
			e.waitFor(t, "the runner to finish on its own", 30*time.Second, func() bool {
				in, err := e.c.Inspect(ctxT(t), res.Run)
				return err == nil && !in.RunnerAlive && in.ExitCode != nil && *in.ExitCode == 0
			})
		})
	}
}

func TestRunner_SurvivesKilledBot(t *testing.T) {
	for _, tg := range sshTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.scenario(t, "runner", map[string]any{"seconds": 3})
			in, _ := json.Marshal(helperInput{Cfg: e.cfg, Key: tg.sshd.env["SSH_KEY"], Spec: e.spec("e2e-killed", "atvm9-debian12.5")})
			bot := exec.Command(os.Args[0], "-test.run=^$")
			bot.Env = append(os.Environ(), helperEnv+"="+string(in))
			bot.Stderr = os.Stderr
			out, err := bot.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := bot.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(out).ReadString('\n')
			if err != nil {
				bot.Process.Kill()
				bot.Wait()
				t.Fatalf("bot: %v", err)
			}
			var run RunRef
			if err := json.Unmarshal([]byte(line), &run); err != nil {
				t.Fatal(err)
			}
			e.stopAfter(t, run)
			// kill -9: no clean shutdown, the TCP connection just dies
			if err := bot.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = bot.Wait()
			insp, err := e.c.Inspect(ctxT(t), run)
			if err != nil {
				t.Fatal(err)
			}
			if !insp.RunnerAlive {
				t.Fatalf("runner died with the bot: %+v", insp)
			}
			e.waitFor(t, "the runner to finish", 30*time.Second, func() bool {
				in, err := e.c.Inspect(ctxT(t), run)
				return err == nil && !in.RunnerAlive && in.ExitCode != nil && *in.ExitCode == 0
			})
			log, _ := os.ReadFile(filepath.Join(e.tmp, "e2e-killed-"+tg.name+".log"))
			if !strings.Contains(string(log), "🏁 Recorded Run:") {
				t.Errorf("runner log incomplete: %q", log)
			}
		})
	}
}

func TestSSH_UnknownHostKeyRefused(t *testing.T) {
	for _, tg := range sshTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			cfg := tg.controllerConfig("/nonexistent", "/tmp")
			cfg.KnownHosts = filepath.Join(t.TempDir(), "known_hosts")
			if err := os.WriteFile(cfg.KnownHosts, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := DialSSH(ctxT(t), cfg, tg.sshd.env["SSH_KEY"], zerolog.Nop())
			if !errors.Is(err, ErrHostKeyUnknown) {
				t.Fatalf("err %v, want ErrHostKeyUnknown", err)
			}
			var he *HostKeyError
			if !errors.As(err, &he) || !strings.Contains(err.Error(), "SHA256:") || !strings.Contains(err.Error(), cfg.KnownHosts) {
				t.Errorf("error should name the fingerprint and the file: %v", err)
			}
		})
	}
}

func TestSSH_ChangedHostKeyRefused(t *testing.T) {
	for _, tg := range sshTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			dir := t.TempDir()
			other := filepath.Join(dir, "other")
			if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other).CombinedOutput(); err != nil {
				t.Fatalf("%v %s", err, out)
			}
			pub, _ := os.ReadFile(other + ".pub")
			f := strings.Fields(string(pub))
			cfg := tg.controllerConfig("/nonexistent", "/tmp")
			cfg.KnownHosts = filepath.Join(dir, "known_hosts")
			line := fmt.Sprintf("[%s]:%d %s %s\n", cfg.Host, cfg.Port, f[0], f[1])
			if err := os.WriteFile(cfg.KnownHosts, []byte(line), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := DialSSH(ctxT(t), cfg, tg.sshd.env["SSH_KEY"], zerolog.Nop())
			if !errors.Is(err, ErrHostKeyChanged) {
				t.Fatalf("err %v, want ErrHostKeyChanged", err)
			}
			if !strings.Contains(err.Error(), cfg.KnownHosts+":1") {
				t.Errorf("error should name the known_hosts line: %v", err)
			}
			// and the right file still works
			good := tg.controllerConfig("/nonexistent", "/tmp")
			s, err := DialSSH(ctxT(t), good, tg.sshd.env["SSH_KEY"], zerolog.Nop())
			if err != nil {
				t.Fatalf("the real known_hosts: %v", err)
			}
			s.Close()
		})
	}
}

func TestSSH_ManySessionsOneConnection(t *testing.T) {
	for _, tg := range sshTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			cfg := tg.controllerConfig("/", "/tmp")
			s := tg.transport(t, cfg).(*SSH)
			errs := make(chan error, 20)
			for i := 0; i < 20; i++ { // more than sshd's MaxSessions at once
				go func(i int) {
					res, err := s.Run(ctxT(t), []string{"sh", "-c", `sleep 0.2; printf '%s' "$1"`, "x", fmt.Sprint("n", i)}, RunOpts{})
					if err == nil && string(res.Stdout) != fmt.Sprint("n", i) {
						err = fmt.Errorf("session %d got %q", i, res.Stdout)
					}
					errs <- err
				}(i)
			}
			for i := 0; i < 20; i++ {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
			if s.Dials() != 1 {
				t.Errorf("%d connections, want 1 reused", s.Dials())
			}
			res, err := s.Run(ctxT(t), []string{"sh", "-c", "exit 7"}, RunOpts{})
			if err != nil || res.ExitCode != 7 {
				t.Errorf("exit code: %+v %v", res, err)
			}
		})
	}
}
