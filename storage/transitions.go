package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Run states, as stored. They are the same words as results' run states;
// storage keeps its own copy so it depends on nothing above it.
const (
	StateApproved     = "APPROVED"
	StateLaunching    = "LAUNCHING"
	StateRunning      = "RUNNING"
	StateCompleted    = "COMPLETED"
	StateFailed       = "FAILED"
	StateCancelled    = "CANCELLED"
	StateTerminated   = "TERMINATED"
	StateHung         = "HUNG"
	StateUnknown      = "UNKNOWN"
	StateLaunchFailed = "LAUNCH_FAILED"
)

// transitions is the run state machine: every state a run may move to from
// each state. Terminal states have no entry, so nothing leaves them. A run
// is created APPROVED (an approval) or RUNNING (an adopted run).
var transitions = map[string][]string{
	StateApproved:  {StateLaunching, StateCancelled, StateLaunchFailed},
	StateLaunching: {StateRunning, StateCancelled, StateLaunchFailed},
	StateRunning:   {StateCompleted, StateFailed, StateCancelled, StateTerminated, StateHung, StateUnknown},
}

// CanTransition reports whether the state machine allows from → to.
func CanTransition(from, to string) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Terminal reports whether a state is final.
func Terminal(state string) bool {
	_, ok := transitions[state]
	return !ok
}

// ErrBadTransition is returned for a transition the state machine forbids
// from every state the caller named: a bug in the caller, never a race.
var ErrBadTransition = errors.New("storage: transition not allowed by the run state machine")

// Transition is one guarded state change of a run.
type Transition struct {
	From []string // the states the caller saw; the change happens only from one of them
	To   string
	// Update is applied in the same statement when the change wins (the
	// state itself is To; Update.State is ignored).
	Update RunUpdate
	// KeepLock keeps the controller's lock through a terminal transition:
	// a runner that may still be alive holds its controller until it is
	// confirmed gone (then ReleaseLock). Without it a terminal transition
	// frees the lock in the same transaction.
	KeepLock bool
}

// TransitionRun applies t atomically: the state changes only if the run is
// still in one of t.From. won says whether this caller's change happened;
// cur is the run as stored afterwards (the winner's state when it lost), so
// the loser acts on what really happened.
func (db *DB) TransitionRun(ctx context.Context, id string, t Transition) (won bool, cur Run, err error) {
	allowed := false
	for _, f := range t.From {
		if !CanTransition(f, t.To) {
			return false, Run{}, fmt.Errorf("%w: %s → %s", ErrBadTransition, f, t.To)
		}
		allowed = true
	}
	if !allowed {
		return false, Run{}, fmt.Errorf("%w: no from-state given for → %s", ErrBadTransition, t.To)
	}
	now := db.now()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		sets, args := t.Update.sets(now)
		sets = append(sets, "state = ?")
		args = append(args, t.To)
		if Terminal(t.To) {
			sets = append(sets, "ended_at = ?")
			args = append(args, ts(now))
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", len(t.From)), ",")
		args = append(args, id)
		for _, f := range t.From {
			args = append(args, f)
		}
		res, err := tx.ExecContext(ctx, `UPDATE runs SET `+strings.Join(sets, ", ")+` WHERE id = ? AND state IN (`+ph+`)`, args...)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		won = n == 1
		if won && Terminal(t.To) {
			q := `DELETE FROM locks WHERE run_id = ?`
			if t.KeepLock {
				q = `UPDATE locks SET draining = 1 WHERE run_id = ?`
			}
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		cur, err = scanRun(tx.QueryRowContext(ctx, `SELECT `+runCols+` FROM runs WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return false, Run{}, err
	}
	return won, cur, nil
}

// HoldsLock reports whether the run still holds its controller's lock.
func (db *DB) HoldsLock(ctx context.Context, runID string) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM locks WHERE run_id = ?`, runID).Scan(&n)
	return n > 0, err
}

// ReleaseRunLock frees whatever lock the run holds, but only once the run is
// terminal: a live run never loses its controller this way.
func (db *DB) ReleaseRunLock(ctx context.Context, runID string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var state string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM runs WHERE id = ?`, runID).Scan(&state); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if !Terminal(state) {
			return fmt.Errorf("storage: run %s is %s; its lock is released by its terminal transition", runID, state)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM locks WHERE run_id = ?`, runID)
		return err
	})
}

// DrainingLocks lists the runs whose lock outlives their terminal state
// while their runner is being stopped (a restart finishes the stop).
func (db *DB) DrainingLocks(ctx context.Context) ([]string, error) {
	rows, err := db.query(ctx, `SELECT run_id FROM locks WHERE draining = 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
