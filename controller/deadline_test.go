package controller

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stubs writes executables into a folder put first in PATH for the
// controller's scripts: a fault or a stand-in on the test controller.
func (e *env) stubs(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(e.base, "stubs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e.chown(t)
	e.c.env = map[string]string{"PATH": dir + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"}
	return dir
}

// gone waits until no process's command line holds marker.
func gone(t *testing.T, marker string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		out, _ := exec.Command("pgrep", "-f", marker).Output()
		if len(strings.TrimSpace(string(out))) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stuck remote command (%s) still runs after %s: pids %s", marker, within, strings.Fields(string(out)))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A remote command that never returns (a `ps` that sleeps forever) ends at
// the inspect deadline with a reason naming it; the command is killed on
// the controller, and the same connection serves the next calls.
func TestDeadline_I14_StuckCommandEndsWithinItsDeadline(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			marker := "atvm-stuck-ps-" + tg.name
			e.stubs(t, map[string]string{"ps": "#!/bin/sh\nexec sh -c 'sleep 3600; : " + marker + "'\n"})
			e.c.Cfg.InspectTimeout = time.Second
			run := RunRef{ID: "run-stuck", Build: "stuck-" + tg.name, RunnerPID: 999999}

			ctx := ctxT(t)
			t0 := time.Now()
			_, err := e.c.Inspect(ctx, run)
			took := time.Since(t0)
			var te *TimeoutError
			if !errors.As(err, &te) || te.Op != "inspect" || te.After != time.Second {
				t.Fatalf("err %v: want a TimeoutError naming inspect and 1s", err)
			}
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer within 1s") {
				t.Errorf("err %q: want a clear deadline reason", err)
			}
			if took > 4*time.Second {
				t.Errorf("stuck inspect returned after %s; its deadline was 1s", took)
			}
			gone(t, marker, 5*time.Second)

			// Other calls still work, on the same connection.
			e.c.env = nil
			if _, err := e.c.Clock(ctx); err != nil {
				t.Fatalf("clock after the stuck command: %v", err)
			}
			in, err := e.c.Inspect(ctx, run)
			if err != nil || in.Now.IsZero() || len(in.PS) == 0 {
				t.Fatalf("inspect after the stuck command: %+v, %v", in, err)
			}
			if s, ok := e.c.T.(*SSH); ok && s.Dials() != 1 {
				t.Errorf("%d dials: the stuck command cost the connection", s.Dials())
			}
		})
	}
}

// A stuck template step ends at its own deadline with a reason and the
// launch log's tail, is recorded as a failed step, and its process group is
// stopped; the runner never starts. Meanwhile the launch log is tailed.
func TestDeadline_I14_StuckTemplateStepReported(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.scenario(t, "template", map[string]any{"mode": "slow", "seconds": 3600})
			e.c.Cfg.TemplateTimeout = 2 * time.Second
			e.c.TailEvery = 300 * time.Millisecond
			spec := e.spec("e2e-stuck", "atvm9-debian12.5")
			tails := make(chan string, 100)
			spec.TemplateTail = func(s string) { tails <- s }

			t0 := time.Now()
			_, err := e.c.Launch(ctxT(t), spec)
			if took := time.Since(t0); took > 8*time.Second {
				t.Errorf("launch returned after %s; the template deadline was 2s", took)
			}
			var le *LaunchError
			if !errors.As(err, &le) || le.Step != StepTemplate {
				t.Fatalf("err %v: want a LaunchError at the template step", err)
			}
			if !strings.Contains(le.Reason, "template step: no answer within 2s") || !strings.Contains(le.LogTail, "cmc-templates: template cmc-e2e") {
				t.Errorf("reason %q, tail %q", le.Reason, le.LogTail)
			}
			if ev := e.events.last(); ev.Step != StepTemplate || ev.OK || !strings.Contains(ev.Detail, "no answer within 2s") {
				t.Errorf("last event %+v: want the template step's failure with its reason", ev)
			}
			select {
			case s := <-tails:
				if !strings.Contains(s, "cmc-templates: template cmc-e2e") {
					t.Errorf("tail %q", s)
				}
			default:
				t.Error("the launch log was not tailed during the template step")
			}
			for _, a := range e.audit(t) {
				if a.Prog == "runner" {
					t.Fatal("the runner started after a stuck template step")
				}
			}
			gone(t, "cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --specify_vms atvm9-debian12.5 --ignore_force_shutdown --test_partition", 5*time.Second)
		})
	}
}
