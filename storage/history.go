package storage

import (
	"context"
	"database/sql"
	"time"
)

// HistoryRow is one host's finished result in one run, kept for the
// failure tags and /atvm history (D28).
type HistoryRow struct {
	RunID, Build, Template, Plugin string
	Host, Subrun, Status           string
	StepNum                        int // the failed step's number, 0 when it has none
	StepTitle, Signature, Error    string
	DurationS                      float64
	Adopted                        bool
	RunStarted                     time.Time // orders runs: "before this run" is before this
	HostStarted, HostEnded         time.Time
	RecordedAt                     time.Time
}

const historyCols = `run_id, build, template, plugin, host, subrun, status, step_num, step_title, signature, error,
	duration_s, adopted, run_started, host_started, host_ended, recorded_at`

// RecordHistory stores a finished run's host results in one transaction,
// replacing whatever was recorded for the run before: recording a run again
// (a retried final post, a correction) never duplicates a row. Rows of runs
// started before prune (when set) go in the same transaction (retention).
func (db *DB) RecordHistory(ctx context.Context, runID string, rows []HistoryRow, prune time.Time) error {
	now := ts(db.now())
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM host_history WHERE run_id = ?`, runID); err != nil {
			return err
		}
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO host_history(`+historyCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
				runID, r.Build, r.Template, r.Plugin, r.Host, r.Subrun, r.Status, r.StepNum, r.StepTitle, r.Signature, r.Error,
				r.DurationS, r.Adopted, ts(r.RunStarted), ts(r.HostStarted), ts(r.HostEnded), now); err != nil {
				return err
			}
		}
		if !prune.IsZero() {
			if _, err := tx.ExecContext(ctx, `DELETE FROM host_history WHERE run_started < ?`, ts(prune)); err != nil {
				return err
			}
		}
		return nil
	})
}

// PruneHistory drops the rows of runs started before t; it returns how many.
func (db *DB) PruneHistory(ctx context.Context, t time.Time) (int64, error) {
	db.writes.Add(1)
	res, err := db.sql.ExecContext(ctx, `DELETE FROM host_history WHERE run_started < ?`, ts(t))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// TemplateHistory lists a template's rows of runs started before before,
// other than run exclude, newest first, at most limit rows.
func (db *DB) TemplateHistory(ctx context.Context, template string, before time.Time, exclude string, limit int) ([]HistoryRow, error) {
	return db.history(ctx, `WHERE template = ? AND run_started < ? AND run_id != ? ORDER BY run_started DESC, run_id DESC, host LIMIT ?`,
		template, ts(before), exclude, limit)
}

// HostHistory lists one host's rows, newest first, of one template or of
// all ("" ), at most limit rows.
func (db *DB) HostHistory(ctx context.Context, host, template string, limit int) ([]HistoryRow, error) {
	return db.history(ctx, `WHERE host = ? AND (? = '' OR template = ?) ORDER BY run_started DESC, run_id DESC LIMIT ?`,
		host, template, template, limit)
}

// HistorySince lists every row of runs started at or after t, newest first.
func (db *DB) HistorySince(ctx context.Context, t time.Time, limit int) ([]HistoryRow, error) {
	return db.history(ctx, `WHERE run_started >= ? ORDER BY run_started DESC, run_id DESC, host LIMIT ?`, ts(t), limit)
}

func (db *DB) history(ctx context.Context, where string, args ...any) ([]HistoryRow, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+historyCols+` FROM host_history `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HistoryRow
	for rows.Next() {
		var r HistoryRow
		var started, hs, he, rec sql.NullString
		if err := rows.Scan(&r.RunID, &r.Build, &r.Template, &r.Plugin, &r.Host, &r.Subrun, &r.Status, &r.StepNum, &r.StepTitle,
			&r.Signature, &r.Error, &r.DurationS, &r.Adopted, &started, &hs, &he, &rec); err != nil {
			return nil, err
		}
		r.RunStarted, r.HostStarted, r.HostEnded, r.RecordedAt = parseTS(started), parseTS(hs), parseTS(he), parseTS(rec)
		out = append(out, r)
	}
	return out, rows.Err()
}
