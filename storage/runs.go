package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Run is one launched (or adopted) run of a build.
type Run struct {
	ID, PlanID, Build, Controller, Template string
	Categorized, Watcher, Adopted           bool
	State, Reason                           string
	PlannedBy, ApprovedBy                   string // display names
	PlannedByID, ApprovedByID               string // Mattermost user ids: who may act (D23)
	ChannelID, RootPostID                   string
	ControllerStart                         time.Time // the controller's clock at launch (D4)
	RunnerPID                               int
	RunnerStart                             string // process start time, with the pid the run's identity (D16)
	// The two large texts are written with the run but not read back with
	// it: a 500-host run's scope is megabytes, and every owner action reads
	// its run. RunScope and RunStatus read them.
	ScopeJSON                     string // stored scope at verification (D4)
	StatusJSON                    string // latest reconstructed Status
	CreatedAt, UpdatedAt, EndedAt time.Time
}

// activeStates hold the controller: the lock is theirs (D15).
var activeStates = []string{"APPROVED", "LAUNCHING", "RUNNING"}

// Active reports whether a run state still holds its controller.
func Active(state string) bool {
	for _, s := range activeStates {
		if s == state {
			return true
		}
	}
	return false
}

// ErrLocked is returned when a controller already runs something.
type ErrLocked struct {
	Controller, RunID, Holder string
	Since                     time.Time
}

func (e *ErrLocked) Error() string {
	return fmt.Sprintf("controller %s is busy with run %s (held by %s since %s)", e.Controller, e.RunID, e.Holder, e.Since.Format(time.RFC3339))
}

// ApproveAndCreateRun marks an open plan used, records the approval, takes
// the controller's lock and inserts the run, all in one transaction: an
// approval either launches exactly one run or changes nothing (P1, D15).
// used is false when the plan was no longer open.
func (db *DB) ApproveAndCreateRun(ctx context.Context, r Run, holder string) (used bool, err error) {
	now := db.now()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE plans SET state = 'used' WHERE id = ? AND state = 'open'`, r.PlanID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		if err := insertRunLocked(ctx, tx, r, holder, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO approvals(plan_id, user_name, user_id, watcher, at, outcome) VALUES (?,?,?,?,?, 'accepted')`,
			r.PlanID, r.ApprovedBy, r.ApprovedByID, r.Watcher, ts(now)); err != nil {
			return err
		}
		used = true
		return nil
	})
	if err != nil {
		used = false
	}
	return used, err
}

// CreateRunLocked inserts a run and takes its controller's lock in one
// transaction (D15): either both happen or neither does. A run under a
// build name used before starts clean (W6): its posts, offsets and sub-runs
// are keyed by the new run id.
func (db *DB) CreateRunLocked(ctx context.Context, r Run, holder string) error {
	now := db.now()
	return db.tx(ctx, func(tx *sql.Tx) error { return insertRunLocked(ctx, tx, r, holder, now) })
}

func insertRunLocked(ctx context.Context, tx *sql.Tx, r Run, holder string, now time.Time) error {
	{
		var runID, h string
		var since sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT run_id, holder, acquired_at FROM locks WHERE controller = ?`, r.Controller).Scan(&runID, &h, &since)
		if err == nil {
			return &ErrLocked{Controller: r.Controller, RunID: runID, Holder: h, Since: parseTS(since)}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO locks(controller, run_id, holder, acquired_at) VALUES (?,?,?,?)`,
			r.Controller, r.ID, holder, ts(now)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO runs(id, plan_id, build, controller, template, categorized, watcher, adopted, state, reason,
			planned_by, approved_by, channel_id, root_post_id, controller_start, runner_pid, runner_start, scope_json, status_json, created_at, updated_at,
			planned_by_id, approved_by_id)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			r.ID, r.PlanID, r.Build, r.Controller, r.Template, r.Categorized, r.Watcher, r.Adopted, r.State, r.Reason,
			r.PlannedBy, r.ApprovedBy, r.ChannelID, r.RootPostID, ts(r.ControllerStart), r.RunnerPID, r.RunnerStart,
			r.ScopeJSON, r.StatusJSON, ts(now), ts(now), r.PlannedByID, r.ApprovedByID)
		return err
	}
}

// Lock returns the controller's lock holder, if any.
func (db *DB) Lock(ctx context.Context, controller string) (runID, holder string, since time.Time, ok bool, err error) {
	var s sql.NullString
	err = db.queryRow(ctx, `SELECT run_id, holder, acquired_at FROM locks WHERE controller = ?`, controller).Scan(&runID, &holder, &s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", time.Time{}, false, nil
	}
	return runID, holder, parseTS(s), err == nil, err
}

// ReleaseLock frees the controller if runID holds it.
func (db *DB) ReleaseLock(ctx context.Context, controller, runID string) error {
	_, err := db.exec(ctx, `DELETE FROM locks WHERE controller = ? AND run_id = ?`, controller, runID)
	return err
}

// RunUpdate changes some of a run's fields; nil fields are left alone. A
// run's state changes only through TransitionRun (the state machine).
type RunUpdate struct {
	Reason, RootPostID, RunnerStart, ScopeJSON, StatusJSON *string
	RunnerPID                                              *int
	Watcher                                                *bool
	ControllerStart                                        *time.Time
}

func (u RunUpdate) sets(now time.Time) ([]string, []any) {
	sets, args := []string{"updated_at = ?"}, []any{ts(now)}
	add := func(col string, v any) { sets = append(sets, col+" = ?"); args = append(args, v) }
	if u.Reason != nil {
		add("reason", *u.Reason)
	}
	if u.RootPostID != nil {
		add("root_post_id", *u.RootPostID)
	}
	if u.RunnerStart != nil {
		add("runner_start", *u.RunnerStart)
	}
	if u.ScopeJSON != nil {
		add("scope_json", *u.ScopeJSON)
	}
	if u.StatusJSON != nil {
		add("status_json", *u.StatusJSON)
	}
	if u.Watcher != nil {
		add("watcher", *u.Watcher)
	}
	if u.RunnerPID != nil {
		add("runner_pid", *u.RunnerPID)
	}
	if u.ControllerStart != nil {
		add("controller_start", ts(*u.ControllerStart))
	}
	return sets, args
}

// UpdateRun applies u to a run whatever its state.
func (db *DB) UpdateRun(ctx context.Context, id string, u RunUpdate) error {
	sets, args := u.sets(db.now())
	db.writes.Add(1)
	res, err := db.sql.ExecContext(ctx, `UPDATE runs SET `+strings.Join(sets, ", ")+` WHERE id = ?`, append(args, id)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

const runCols = `id, plan_id, build, controller, template, categorized, watcher, adopted, state, reason, planned_by, approved_by,
	channel_id, root_post_id, controller_start, runner_pid, runner_start, created_at, updated_at, ended_at,
	planned_by_id, approved_by_id`

func scanRun(s interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var cs, c, u, e sql.NullString
	err := s.Scan(&r.ID, &r.PlanID, &r.Build, &r.Controller, &r.Template, &r.Categorized, &r.Watcher, &r.Adopted, &r.State, &r.Reason,
		&r.PlannedBy, &r.ApprovedBy, &r.ChannelID, &r.RootPostID, &cs, &r.RunnerPID, &r.RunnerStart, &c, &u, &e,
		&r.PlannedByID, &r.ApprovedByID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	r.ControllerStart, r.CreatedAt, r.UpdatedAt, r.EndedAt = parseTS(cs), parseTS(c), parseTS(u), parseTS(e)
	return r, err
}

func (db *DB) queryRuns(ctx context.Context, where string, args ...any) ([]Run, error) {
	rows, err := db.query(ctx, `SELECT `+runCols+` FROM runs `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RunScope is the run's stored scope (D4), "" before verification stored it.
func (db *DB) RunScope(ctx context.Context, id string) (string, error) {
	return db.runText(ctx, id, `SELECT scope_json FROM runs WHERE id = ?`)
}

// RunStatus is the run's latest stored status, "" before its first poll.
func (db *DB) RunStatus(ctx context.Context, id string) (string, error) {
	return db.runText(ctx, id, `SELECT status_json FROM runs WHERE id = ?`)
}

func (db *DB) runText(ctx context.Context, id, q string) (string, error) {
	var s string
	err := db.queryRow(ctx, q, id).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return s, err
}

// GetRun returns one run (without its scope and status texts).
func (db *DB) GetRun(ctx context.Context, id string) (Run, error) {
	return scanRun(db.queryRow(ctx, `SELECT `+runCols+` FROM runs WHERE id = ?`, id))
}

// ActiveRuns lists runs that still hold their controller, oldest first.
func (db *DB) ActiveRuns(ctx context.Context) ([]Run, error) {
	return db.queryRuns(ctx, `WHERE state IN ('APPROVED','LAUNCHING','RUNNING') ORDER BY created_at`)
}

// RecentRuns lists the newest runs first.
func (db *DB) RecentRuns(ctx context.Context, limit int) ([]Run, error) {
	return db.queryRuns(ctx, `ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
}

// RunsByBuild lists a build name's runs, newest first: with several
// controllers the same build may have run on each.
func (db *DB) RunsByBuild(ctx context.Context, build string, limit int) ([]Run, error) {
	return db.queryRuns(ctx, `WHERE build = ? ORDER BY created_at DESC, id DESC LIMIT ?`, build, limit)
}

// LatestRunByBuild returns the newest run of a build name.
func (db *DB) LatestRunByBuild(ctx context.Context, build string) (Run, error) {
	runs, err := db.queryRuns(ctx, `WHERE build = ? ORDER BY created_at DESC, id DESC LIMIT 1`, build)
	if err != nil {
		return Run{}, err
	}
	if len(runs) == 0 {
		return Run{}, ErrNotFound
	}
	return runs[0], nil
}
