package storage

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func TestLocks_D15_StaleLockReleased(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	if err := db.CreateRunLocked(ctx, Run{ID: "live", Build: "a", Controller: "c1", State: "RUNNING"}, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRunLocked(ctx, Run{ID: "dead", Build: "b", Controller: "c2", State: "RUNNING"}, "bob"); err != nil {
		t.Fatal(err)
	}
	// A lock left by a bot that recorded the final state without it (an
	// older file, a hand-edited one): the run no longer holds the controller.
	if _, err := db.sql.Exec(`UPDATE runs SET state = 'TERMINATED' WHERE id = 'dead'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.Exec(`INSERT INTO locks(controller, run_id, holder, acquired_at) VALUES ('c3', 'gone', 'carol', '2026-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	freed, err := db.ReleaseStaleLocks(ctx)
	if err != nil || len(freed) != 2 {
		t.Fatalf("freed %v, %v: want dead and gone", freed, err)
	}
	for c, want := range map[string]bool{"c1": true, "c2": false, "c3": false} {
		if _, _, _, held, _ := db.Lock(ctx, c); held != want {
			t.Errorf("%s held = %v, want %v", c, held, want)
		}
	}
	if again, _ := db.ReleaseStaleLocks(ctx); len(again) != 0 {
		t.Errorf("second sweep freed %v", again)
	}
}

func TestRunByRunner_D16_PidAndStart(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	db.CreateRunLocked(ctx, Run{ID: "r1", Build: "a", Controller: "c", State: "COMPLETED", RunnerPID: 4242, RunnerStart: "99"}, "x")
	db.ReleaseStaleLocks(ctx)
	for _, tc := range []struct {
		pid   int
		start string
		want  string
	}{{4242, "99", "r1"}, {4242, "", "r1"}, {4242, "100", ""}, {4243, "99", ""}, {0, "", ""}} {
		r, err := db.RunByRunner(ctx, "c", tc.pid, tc.start)
		if tc.want == "" {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%d/%s: %+v %v, want not found", tc.pid, tc.start, r.ID, err)
			}
		} else if err != nil || r.ID != tc.want {
			t.Errorf("%d/%s: %s %v", tc.pid, tc.start, r.ID, err)
		}
	}
}
