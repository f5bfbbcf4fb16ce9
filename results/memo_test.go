package results

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// The remembered reconstruction is the fresh one (S2): on every scenario,
// at clock readings on both sides of the settle and hung thresholds, with
// the runner alive and gone, the Memo's answer equals Reconstruct's field
// for field; it reconstructs again exactly when an input or a judgment
// changed, and a caller editing an answer never changes the next one.
func TestMemo_S2_SameAnswerAsReconstruct(t *testing.T) {
	dirs, err := os.ReadDir(scenarioRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			meta, arts := loadScenario(t, filepath.Join(scenarioRoot, d.Name()))
			base := arts.LogModTime
			if base.IsZero() {
				base = meta.Now
			}
			alive := []Process{{PID: 4242, PPID: 1, Stat: "S", ElapsedS: 10, Args: "python3 ./run-sorry-cypress.py --build_name " + meta.Build},
				{PID: 4250, PPID: 4242, Stat: "Sl", ElapsedS: 9, Args: "node cypress-cloud run"}}
			var m Memo
			misses := 0
			for _, procs := range [][]Process{meta.Processes, alive, {}} {
				for _, off := range []time.Duration{0, 30 * time.Second, 59 * time.Second, 61 * time.Second, 5 * time.Minute,
					20*time.Minute - time.Second, 20 * time.Minute, 21*time.Minute + 30*time.Second, 2 * time.Hour} {
					mt := meta
					mt.Now, mt.Processes = base.Add(off), procs
					want := Reconstruct(mt, arts)
					got := m.Reconstruct(1, mt, arts)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%d processes, now log+%s: memo differs from Reconstruct:\n got %s\nwant %s", len(procs), off, statusJSON(t, got), statusJSON(t, want))
					}
					misses = m.misses
					// A caller's edits stay its own.
					if len(got.Hosts) > 0 {
						got.Hosts[0].Status = "EDITED"
					}
					got.Notes = append(got.Notes, "edited")
					again := m.Reconstruct(1, mt, arts)
					if m.misses != misses {
						t.Fatal("the same poll reconstructed again")
					}
					if !reflect.DeepEqual(again, want) {
						t.Fatalf("an edit of an answer reached the next one:\n%s", statusJSON(t, again))
					}
				}
			}
			// Settled, idle and gone, clock moving within one judgment: no
			// reconstruction; a new generation of artifacts: one.
			mt := meta
			mt.Now, mt.Processes = base.Add(3*time.Hour), []Process{}
			m.Reconstruct(1, mt, arts)
			n := m.misses
			mt.Now = mt.Now.Add(10 * time.Second)
			m.Reconstruct(1, mt, arts)
			if m.misses != n {
				t.Error("a clock move within the same minute reconstructed again")
			}
			// ps lists every process of the controller, itself among them:
			// processes that are not the run's change nothing.
			mt.Processes = []Process{{PID: 9001, PPID: 1, Stat: "R", Args: "ps -eo pid,ppid,stat,etimes,args"}}
			m.Reconstruct(1, mt, arts)
			if m.misses != n {
				t.Error("a process that is not the run's reconstructed again")
			}
			m.Reconstruct(2, mt, arts)
			if m.misses != n+1 {
				t.Error("new artifacts were answered from memory")
			}
		})
	}
}
