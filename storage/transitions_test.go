package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// The state machine itself: what may follow what, and nothing leaves a
// terminal state.
func TestTransitions_D24_Table(t *testing.T) {
	cases := []struct {
		from, to string
		ok       bool
	}{
		{StateApproved, StateLaunching, true},
		{StateApproved, StateCancelled, true},
		{StateLaunching, StateRunning, true},
		{StateLaunching, StateCancelled, true},
		{StateLaunching, StateLaunchFailed, true},
		{StateRunning, StateCompleted, true},
		{StateRunning, StateHung, true},
		{StateRunning, StateCancelled, true},
		{StateApproved, StateRunning, false},
		{StateRunning, StateLaunching, false},
		{StateCancelled, StateRunning, false},
		{StateCompleted, StateFailed, false},
		{StateLaunchFailed, StateRunning, false},
		{StateHung, StateCompleted, false},
	}
	for _, c := range cases {
		if got := CanTransition(c.from, c.to); got != c.ok {
			t.Errorf("%s → %s: got %v, want %v", c.from, c.to, got, c.ok)
		}
	}
	for _, s := range []string{StateCompleted, StateFailed, StateCancelled, StateTerminated, StateHung, StateUnknown, StateLaunchFailed} {
		if !Terminal(s) {
			t.Errorf("%s should be terminal", s)
		}
	}
}

// D24: a cancel and a launch completion race for one LAUNCHING run; exactly
// one wins, the loser sees the winner's state, and a terminal state is final.
func TestTransitionRun_D24_ExactlyOneWinner(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	for round := 0; round < 20; round++ {
		id := fmt.Sprintf("r%d", round)
		if err := db.CreateRunLocked(ctx, Run{ID: id, Build: "b", Controller: fmt.Sprint("ctl", round), State: StateLaunching}, "a"); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wins := make([]bool, 2)
		curs := make([]Run, 2)
		for i, to := range []string{StateRunning, StateCancelled} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				won, cur, err := db.TransitionRun(ctx, id, Transition{From: []string{StateLaunching}, To: to, KeepLock: to == StateCancelled})
				if err != nil {
					t.Error(err)
				}
				wins[i], curs[i] = won, cur
			}()
		}
		wg.Wait()
		if wins[0] == wins[1] {
			t.Fatalf("round %d: wins %v, want exactly one", round, wins)
		}
		if curs[0].State != curs[1].State {
			t.Fatalf("round %d: the loser saw %s, the winner %s", round, curs[0].State, curs[1].State)
		}
		// Whatever won, a later transition from LAUNCHING loses.
		won, cur, err := db.TransitionRun(ctx, id, Transition{From: []string{StateLaunching}, To: StateLaunchFailed})
		if err != nil || won || cur.State == StateLaunchFailed {
			t.Fatalf("round %d: a third transition from LAUNCHING: won=%v state=%s err=%v", round, won, cur.State, err)
		}
	}
}

// A terminal transition frees the controller, unless the runner may still be
// alive: then the lock drains until ReleaseRunLock (D15, D24), and the stale
// lock mender leaves it alone.
func TestTransitionRun_D15_LockReleasedOnlyWhenRunnerGone(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	if err := db.CreateRunLocked(ctx, Run{ID: "r1", Build: "b", Controller: "ctl", State: StateRunning}, "a"); err != nil {
		t.Fatal(err)
	}
	if won, _, err := db.TransitionRun(ctx, "r1", Transition{From: []string{StateRunning}, To: StateCancelled, KeepLock: true}); err != nil || !won {
		t.Fatalf("cancel: won=%v err=%v", won, err)
	}
	if freed, _ := db.ReleaseStaleLocks(ctx); len(freed) != 0 {
		t.Fatalf("a draining lock was taken as stale: %v", freed)
	}
	err := db.CreateRunLocked(ctx, Run{ID: "r2", Build: "c", Controller: "ctl", State: StateApproved}, "b")
	var locked *ErrLocked
	if !errors.As(err, &locked) {
		t.Fatalf("a second run got the controller while the first runner was being stopped: %v", err)
	}
	if d, _ := db.DrainingLocks(ctx); len(d) != 1 || d[0] != "r1" {
		t.Fatalf("draining locks: %v", d)
	}
	if err := db.ReleaseRunLock(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRunLocked(ctx, Run{ID: "r2", Build: "c", Controller: "ctl", State: StateApproved}, "b"); err != nil {
		t.Fatalf("after the runner was confirmed gone: %v", err)
	}
	if err := db.ReleaseRunLock(ctx, "r2"); err == nil {
		t.Fatal("a live run's lock was released outside its terminal transition")
	}
}

func TestTransitionRun_BadTransitionRefused(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	_ = db.CreateRunLocked(ctx, Run{ID: "r1", Build: "b", Controller: "ctl", State: StateRunning}, "a")
	if _, _, err := db.TransitionRun(ctx, "r1", Transition{From: []string{StateCompleted}, To: StateRunning}); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("got %v", err)
	}
}
