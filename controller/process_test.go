package controller

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestInspect_W4_HungStopped(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.scenario(t, "runner", map[string]any{"hang": true})
			res, err := e.c.Launch(ctxT(t), e.spec("e2e-hung", "atvm9-debian12.5"))
			if err != nil {
				t.Fatal(err)
			}
			e.stopAfter(t, res.Run)
			logPath := filepath.Join(e.tmp, "e2e-hung-"+tg.name+".log")
			var in Inspection
			e.waitFor(t, "the upload and a defunct cypress-cloud child", 30*time.Second, func() bool {
				log, _ := os.ReadFile(logPath)
				in, err = e.c.Inspect(ctxT(t), res.Run)
				return err == nil && strings.Contains(string(log), "🏁 Recorded Run:") && len(in.Defunct) > 0
			})
			// the scope finished: the log's last group uploaded (the caller's reading)
			log, _ := os.ReadFile(logPath)
			scopeFinished := strings.Contains(string(log), "🏁 Recorded Run:")
			hung, why := in.Hung(scopeFinished, 0)
			if !hung {
				t.Fatalf("not HUNG (%s): %+v", why, in)
			}
			if hung, _ := in.Hung(scopeFinished, time.Hour); hung {
				t.Error("HUNG within the grace period")
			}
			if hung, _ := in.Hung(false, 0); hung {
				t.Error("HUNG before the scope finished")
			}
			// capture first (D3): the results and URL are fetched before the stop
			fr, err := e.c.Fetch(ctxT(t), res.Run)
			if err != nil {
				t.Fatal(err)
			}
			captured := false
			for _, d := range fr.Deltas {
				if d.Path == logPath && strings.Contains(string(d.Data), "🏁 Recorded Run: https://app.currents.dev/run/3c9e0b7d51a2f846") {
					captured = true
				}
			}
			if !captured {
				t.Fatalf("the log with the Recorded Run URL was not captured: %d deltas", len(fr.Deltas))
			}
			r, err := e.c.Stop(ctxT(t), res.Run)
			if err != nil || (r != StopTerm && r != StopKill) {
				t.Fatalf("stop: %s %v", r, err)
			}
			after, err := e.c.Inspect(ctxT(t), res.Run)
			if err != nil {
				t.Fatal(err)
			}
			if after.RunnerAlive {
				t.Fatalf("runner still alive after stop: %+v", after)
			}
			for _, p := range after.PS {
				if strings.Contains(p.Args, "--ci-build-id e2e-hung-"+tg.name) && !p.Defunct() {
					t.Errorf("process of the run left behind: %+v", p)
				}
			}
		})
	}
}

func TestCancel_W5_StopsRunner(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.scenario(t, "runner", map[string]any{"seconds": 120})
			res, err := e.c.Launch(ctxT(t), e.spec("e2e-cancel", "atvm9-debian12.5"))
			if err != nil {
				t.Fatal(err)
			}
			e.stopAfter(t, res.Run)
			e.waitFor(t, "the cypress-cloud child", 20*time.Second, func() bool {
				in, err := e.c.Inspect(ctxT(t), res.Run)
				return err == nil && len(in.CypressCloud) > 0
			})
			if err := e.c.Cancel(ctxT(t), res.Run); err != nil {
				t.Fatal(err)
			}
			in, err := e.c.Inspect(ctxT(t), res.Run)
			if err != nil {
				t.Fatal(err)
			}
			if in.RunnerAlive || len(in.CypressCloud) > 0 {
				t.Fatalf("still running after cancel: %+v", in)
			}
			last := e.events.last()
			if last.Step != StepCancel || !strings.Contains(last.Detail, "CANCELLED") {
				t.Errorf("last event %+v: want the cancel recorded", last)
			}
		})
	}
}

func TestCancel_W5_StopsTemplateStep(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.scenario(t, "template", map[string]any{"mode": "slow", "seconds": 120})
			spec := e.spec("e2e-cancel-tpl", "atvm9-debian12.5")
			errc := make(chan error, 1)
			go func() {
				_, err := e.c.Launch(ctxT(t), spec)
				errc <- err
			}()
			e.waitFor(t, "the template step", 30*time.Second, func() bool {
				_, err := os.Stat(filepath.Join(e.tmp, "e2e-cancel-tpl-"+tg.name+".launch.pid"))
				return err == nil && len(e.audit(t)) > 0
			})
			if err := e.c.Cancel(ctxT(t), RunRef{ID: spec.RunID, Build: spec.Build}); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-errc:
				var le *LaunchError
				if !errors.As(err, &le) || !le.Cancelled {
					t.Fatalf("launch returned %v, want a cancelled LaunchError", err)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("launch still waiting for the template step after cancel")
			}
			for _, a := range e.audit(t) {
				if a.Prog == "runner" {
					t.Fatal("the runner started after cancel")
				}
			}
		})
	}
}

func TestStop_NotOursLeftAlone(t *testing.T) {
	e := newEnv(t, target{name: "local"})
	ctx := context.Background()
	// this test process: a live pid whose start time is not the one asked for
	r, err := e.c.Stop(ctx, RunRef{Build: "x", RunnerPID: os.Getpid(), RunnerStart: 1})
	if err != nil || r != StopNotOurs {
		t.Fatalf("stop of a reused pid: %s %v", r, err)
	}
}
