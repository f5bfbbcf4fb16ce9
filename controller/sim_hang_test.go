package controller

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
)

func TestSim_W4_HangDetectedAndStopped(t *testing.T) {
	for _, tg := range sshTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			// The 03-08 hang: the host passes, the run is recorded, the
			// cypress-cloud child exits unreaped and the runner lingers.
			e := newSimEnv(t, tg, simScenario(t, "hang.yaml", 2000))
			spec := e.spec("sim-w4", "atvm97-redhat9.7")
			res, err := e.c.Launch(ctxT(t), spec)
			if err != nil {
				t.Fatal(err)
			}
			e.stopAfter(t, res.Run)
			logPath := filepath.Join(e.tmp, spec.Build+".log")
			var in Inspection
			e.waitFor(t, "the upload and a defunct cypress-cloud child", 60*time.Second, func() bool {
				log, _ := os.ReadFile(logPath)
				in, err = e.c.Inspect(ctxT(t), res.Run)
				return err == nil && bytes.Contains(log, []byte("🏁 Recorded Run:")) && len(in.Defunct) > 0
			})
			if !in.RunnerAlive || len(in.CypressCloud) != 0 {
				t.Fatalf("inspection %+v: want the runner alive with no live cypress-cloud child", in)
			}
			if hung, _ := in.Hung(true, time.Hour); hung {
				t.Error("HUNG within the grace period")
			}
			// Past a grace of one second without log growth: HUNG (D3).
			const grace = time.Second
			e.waitFor(t, "a quiet log", 10*time.Second, func() bool {
				in, err = e.c.Inspect(ctxT(t), res.Run)
				return err == nil && in.Now.Sub(in.LogMtime) > grace
			})
			if hung, why := in.Hung(true, grace); !hung {
				t.Fatalf("not HUNG (%s): %+v", why, in)
			}
			// Capture first (D3): the results, fetched over SSH before the
			// stop, say HUNG with the host's real verdict and the URL.
			st := e.reconstruct(t, res.Run, res.Scope, grace)
			if st.State != results.RunHung || !st.Hung || len(st.Hosts) != 1 || st.Hosts[0].Status != results.HostPass || len(st.CurrentsURLs) != 1 {
				t.Fatalf("captured %s hung=%v hosts %+v urls %v (notes %q): want HUNG, atvm97-redhat9.7 PASS, one URL",
					st.State, st.Hung, st.Hosts, st.CurrentsURLs, st.Notes)
			}
			r, err := e.c.Stop(ctxT(t), res.Run)
			if err != nil || r != StopTerm {
				t.Fatalf("stop: %s %v: want the lingering runner ended by TERM", r, err)
			}
			after, err := e.c.Inspect(ctxT(t), res.Run)
			if err != nil {
				t.Fatal(err)
			}
			if after.RunnerAlive || len(after.Children) > 0 {
				t.Fatalf("still running after the stop: %+v", after)
			}
			for _, p := range after.PS {
				if (argHasValue(p.Args, "--build_name", spec.Build) || argHasValue(p.Args, "--ci-build-id", spec.Build)) && !p.Defunct() {
					t.Errorf("process of the run left behind: %+v", p)
				}
			}
			if last := e.events.last(); last.Step != StepStop || !last.OK {
				t.Errorf("last event %+v: want the stop recorded", last)
			}
		})
	}
}

// simSlowScenario keeps its runner busy for minutes: something to cancel.
const simSlowScenario = `name: ctl-slow
description: one host, long enough to be cancelled
speed: 20
inventory: [atvm71-redhat9.1, atvm9-debian12.5]
template: {duration_s: 2}
hosts:
  atvm71-redhat9.1: {duration_s: 3000}
expect:
  plan: cmc-e2e --specify_vms atvm71-redhat9.1
  build: sim-w5
  state: CANCELLED
`

func TestSim_W5_Cancel(t *testing.T) {
	for _, tg := range sshTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Run("runner", func(t *testing.T) {
				e := newSimEnv(t, tg, []byte(simSlowScenario))
				spec := e.spec("sim-w5", "atvm71-redhat9.1")
				res, err := e.c.Launch(ctxT(t), spec)
				if err != nil {
					t.Fatal(err)
				}
				e.stopAfter(t, res.Run)
				e.waitFor(t, "the cypress-cloud child", 30*time.Second, func() bool {
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
				if in.RunnerAlive || len(in.CypressCloud) > 0 || len(in.Children) > 0 {
					t.Fatalf("still running after cancel: %+v", in)
				}
				for _, p := range in.PS {
					if (argHasValue(p.Args, "--build_name", spec.Build) || argHasValue(p.Args, "--ci-build-id", spec.Build)) && !p.Defunct() {
						t.Errorf("cypress-cloud child left behind: %+v", p)
					}
				}
				last := e.events.last()
				if last.Step != StepCancel || !strings.Contains(last.Detail, "CANCELLED") || !strings.Contains(last.Detail, fmt.Sprintf("runner pid %d", res.Run.RunnerPID)) {
					t.Errorf("last event %+v: want the cancel of the runner recorded", last)
				}
				// Stopped means stopped: the log no longer grows.
				fi, err := os.Stat(filepath.Join(e.tmp, spec.Build+".log"))
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(500 * time.Millisecond)
				if fi2, err := os.Stat(filepath.Join(e.tmp, spec.Build+".log")); err != nil || fi2.Size() != fi.Size() {
					t.Errorf("the runner log still grows after cancel: %d → %v (%v)", fi.Size(), fi2, err)
				}
			})
			t.Run("template step", func(t *testing.T) {
				sc := strings.Replace(simSlowScenario, "duration_s: 2}", "duration_s: 3000}", 1)
				e := newSimEnv(t, tg, []byte(sc))
				spec := e.spec("sim-w5-tpl", "atvm71-redhat9.1")
				errc := make(chan error, 1)
				go func() {
					_, err := e.c.Launch(ctxT(t), spec)
					errc <- err
				}()
				pidFile := filepath.Join(e.tmp, spec.Build+".launch.pid")
				var pid string
				e.waitFor(t, "the template step", 30*time.Second, func() bool {
					b, err := os.ReadFile(pidFile)
					if f := strings.Fields(string(b)); err == nil && len(f) == 2 {
						pid = f[0]
					}
					return pid != "" && len(e.simAudit(t)) > 0
				})
				if err := e.c.Cancel(ctxT(t), RunRef{ID: spec.RunID, Build: spec.Build}); err != nil {
					t.Fatal(err)
				}
				select {
				case err := <-errc:
					var le *LaunchError
					if !errors.As(err, &le) || !le.Cancelled || le.Step != StepTemplate {
						t.Fatalf("launch returned %v, want a LaunchError cancelled at the template step", err)
					}
				case <-time.After(60 * time.Second):
					t.Fatal("launch still waiting for the template step after cancel")
				}
				e.noRunner(t, spec.Build)
				// The template's process group is gone (a zombie not yet reaped
				// by init counts as gone).
				if st, err := os.ReadFile("/proc/" + pid + "/stat"); err == nil {
					if state, _, ok := parseProcStat(string(st)); ok && !strings.HasPrefix(state, "Z") {
						t.Errorf("template step pid %s still running after cancel: %s", pid, st)
					}
				}
			})
		})
	}
}
