package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Schedule is a plan made on a cron schedule. Its words are planned afresh
// at each fire; a standing approval holds only for the plan hash it names.
type Schedule struct {
	ID, ChannelID, OwnerID, OwnerName string
	Spec, Words                       string
	Paused, Removed                   bool
	CreatedAt, UpdatedAt              time.Time
	// CheckedUntil: every fire up to this time has been handled (fired,
	// skipped or reported missed).
	CheckedUntil                           time.Time
	StandingHash, StandingByID, StandingBy string
	StandingAt                             time.Time
}

// Fire outcomes.
const (
	FirePlanned  = "planned"  // a plan was posted for approval
	FireLaunched = "launched" // launched under the standing approval
	FireSkipped  = "skipped"  // the controller was busy
	FireMissed   = "missed"   // the bot was down at the fire time
	FireFailed   = "failed"   // the plan could not be made
)

// ScheduleFire is one handled fire of a schedule.
type ScheduleFire struct {
	ScheduleID      string
	FireAt          time.Time
	Outcome, Detail string
	At              time.Time
}

const scheduleCols = `id, channel_id, owner_id, owner_name, spec, words, paused, removed, created_at, updated_at, checked_until,
	standing_hash, standing_by_id, standing_by, standing_at`

func scanSchedule(s interface{ Scan(...any) error }) (Schedule, error) {
	var sc Schedule
	var c, u, ck, sa sql.NullString
	err := s.Scan(&sc.ID, &sc.ChannelID, &sc.OwnerID, &sc.OwnerName, &sc.Spec, &sc.Words, &sc.Paused, &sc.Removed, &c, &u, &ck,
		&sc.StandingHash, &sc.StandingByID, &sc.StandingBy, &sa)
	if errors.Is(err, sql.ErrNoRows) {
		return sc, ErrNotFound
	}
	sc.CreatedAt, sc.UpdatedAt, sc.CheckedUntil, sc.StandingAt = parseTS(c), parseTS(u), parseTS(ck), parseTS(sa)
	return sc, err
}

// AddSchedule stores a new schedule; its first fire is the first after
// s.CheckedUntil (the caller's now; zero: the state file's clock).
func (db *DB) AddSchedule(ctx context.Context, s Schedule) error {
	now := db.now()
	if s.CheckedUntil.IsZero() {
		s.CheckedUntil = now
	}
	_, err := db.exec(ctx, `INSERT INTO schedules(id, channel_id, owner_id, owner_name, spec, words, created_at, updated_at, checked_until)
		VALUES (?,?,?,?,?,?,?,?,?)`, s.ID, s.ChannelID, s.OwnerID, s.OwnerName, s.Spec, s.Words, ts(now), ts(now), ts(s.CheckedUntil))
	return err
}

// GetSchedule returns a schedule, removed ones included.
func (db *DB) GetSchedule(ctx context.Context, id string) (Schedule, error) {
	return scanSchedule(db.queryRow(ctx, `SELECT `+scheduleCols+` FROM schedules WHERE id = ?`, id))
}

// Schedules lists the schedules not removed, oldest first.
func (db *DB) Schedules(ctx context.Context) ([]Schedule, error) {
	rows, err := db.query(ctx, `SELECT `+scheduleCols+` FROM schedules WHERE removed = 0 ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Schedule
	for rows.Next() {
		s, err := scanSchedule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetSchedulePaused pauses or resumes a schedule. Resuming does not fire
// what came due while paused: it is checked from at (the caller's now).
func (db *DB) SetSchedulePaused(ctx context.Context, id string, paused bool, at time.Time) error {
	now := ts(db.now())
	q := `UPDATE schedules SET paused = ?, updated_at = ? WHERE id = ? AND removed = 0`
	args := []any{paused, now, id}
	if !paused {
		q = `UPDATE schedules SET paused = 0, updated_at = ?, checked_until = ? WHERE id = ? AND removed = 0`
		args = []any{now, ts(at), id}
	}
	return db.one(ctx, q, args...)
}

// RemoveSchedule removes a schedule (kept for its fires' history).
func (db *DB) RemoveSchedule(ctx context.Context, id string) error {
	return db.one(ctx, `UPDATE schedules SET removed = 1, updated_at = ? WHERE id = ? AND removed = 0`, ts(db.now()), id)
}

// SetStandingApproval binds a schedule's standing approval to a plan hash.
func (db *DB) SetStandingApproval(ctx context.Context, id, hash, byID, by string) error {
	now := ts(db.now())
	return db.one(ctx, `UPDATE schedules SET standing_hash = ?, standing_by_id = ?, standing_by = ?, standing_at = ?, updated_at = ?
		WHERE id = ? AND removed = 0`, hash, byID, by, now, now, id)
}

// ClaimFire takes one fire of a schedule, once across restarts and across
// processes on one state file: the fire's key is inserted and the schedule
// marked checked until the fire in one transaction. A fire taken before
// returns false. The outcome is recorded later with SetFireOutcome.
func (db *DB) ClaimFire(ctx context.Context, id string, fireAt time.Time, outcome, detail string) (bool, error) {
	var claimed bool
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO schedule_fires(schedule_id, fire_at, outcome, detail, at) VALUES (?,?,?,?,?)`,
			id, ts(fireAt), outcome, detail, ts(db.now()))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		claimed = n == 1
		_, err = tx.ExecContext(ctx, `UPDATE schedules SET checked_until = ? WHERE id = ? AND checked_until < ?`, ts(fireAt), id, ts(fireAt))
		return err
	})
	return claimed, err
}

// SetFireOutcome records what a claimed fire did.
func (db *DB) SetFireOutcome(ctx context.Context, id string, fireAt time.Time, outcome, detail string) error {
	return db.one(ctx, `UPDATE schedule_fires SET outcome = ?, detail = ? WHERE schedule_id = ? AND fire_at = ?`, outcome, detail, id, ts(fireAt))
}

// LastFire is a schedule's latest handled fire (ErrNotFound: none yet).
func (db *DB) LastFire(ctx context.Context, id string) (ScheduleFire, error) {
	var f ScheduleFire
	var at, fa sql.NullString
	err := db.queryRow(ctx, `SELECT schedule_id, fire_at, outcome, detail, at FROM schedule_fires WHERE schedule_id = ? ORDER BY fire_at DESC LIMIT 1`, id).
		Scan(&f.ScheduleID, &fa, &f.Outcome, &f.Detail, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	f.FireAt, f.At = parseTS(fa), parseTS(at)
	return f, err
}

// one runs an update that must change exactly one row.
func (db *DB) one(ctx context.Context, q string, args ...any) error {
	res, err := db.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}
