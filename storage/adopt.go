package storage

import (
	"context"
	"database/sql"
)

// ReleaseStaleLocks frees every controller lock whose run no longer holds
// it: a run in a final state, or no run at all. The lock is derived from
// the runs (and, at approval, from the controller), never trusted alone
// (D15); a terminal transition releases it, so this only mends a
// file written by an older or interrupted bot. A draining lock (a runner
// being stopped) is not stale. It returns the runs freed.
func (db *DB) ReleaseStaleLocks(ctx context.Context) ([]string, error) {
	var freed []string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		freed, err = queryStrings(ctx, tx, `SELECT run_id FROM locks WHERE run_id NOT IN
			(SELECT id FROM runs WHERE state IN ('APPROVED','LAUNCHING','RUNNING')) AND draining = 0`)
		if err != nil {
			return err
		}
		for _, id := range freed {
			if _, err := tx.ExecContext(ctx, `DELETE FROM locks WHERE run_id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	return freed, err
}

// RunByRunner returns the newest run of a controller whose runner is pid
// (any start time when start is ""): it tells a live process the bot
// launched from one started by hand.
func (db *DB) RunByRunner(ctx context.Context, controller string, pid int, start string) (Run, error) {
	if pid <= 1 {
		return Run{}, ErrNotFound
	}
	runs, err := db.queryRuns(ctx, `WHERE controller = ? AND runner_pid = ? AND (? = '' OR runner_start = ?)
		ORDER BY created_at DESC, id DESC LIMIT 1`, controller, pid, start, start)
	if err != nil {
		return Run{}, err
	}
	if len(runs) == 0 {
		return Run{}, ErrNotFound
	}
	return runs[0], nil
}
