package storage

import (
	"context"
	"database/sql"
	"time"
)

// goMigrations are steps a migration needs beyond SQL, run in the same
// transaction right after the migration's SQL (keyed by its number).
var goMigrations = map[int]func(context.Context, *sql.Tx) error{
	3: fixedWidthTimes,
}

// timeColumns are every stored time, by table.
var timeColumns = map[string][]string{
	"plans":         {"created_at", "expires_at"},
	"approvals":     {"at"},
	"runs":          {"controller_start", "created_at", "updated_at", "ended_at"},
	"subruns":       {"updated_at"},
	"host_results":  {"updated_at"},
	"posts":         {"created_at", "sent_at"},
	"currents_urls": {"seen_at"},
	"fetch_offsets": {"mtime"},
	"run_events":    {"at"},
	"locks":         {"acquired_at"},
	"blacklist":     {"added_at"},
	"audit_log":     {"at"},
}

// Tables made after migration 3 write fixed-width times from the start:
// schedules (created_at, updated_at, checked_until, standing_at) and
// schedule_fires (fire_at, at).

// fixedWidthTimes rewrites every stored time in tsLayout, so that ordering
// by a time column is ordering by time.
func fixedWidthTimes(ctx context.Context, tx *sql.Tx) error {
	for table, cols := range timeColumns {
		for _, col := range cols {
			rows, err := tx.QueryContext(ctx, `SELECT rowid, `+col+` FROM `+table+` WHERE `+col+` IS NOT NULL AND `+col+` != ''`)
			if err != nil {
				return err
			}
			type fix struct {
				id int64
				v  string
			}
			var fixes []fix
			for rows.Next() {
				var id int64
				var v string
				if err := rows.Scan(&id, &v); err != nil {
					rows.Close()
					return err
				}
				t, err := time.Parse(time.RFC3339Nano, v)
				if err != nil {
					continue // not a time this code wrote: left as it is
				}
				if w := t.UTC().Format(tsLayout); w != v {
					fixes = append(fixes, fix{id, w})
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, f := range fixes {
				if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET `+col+` = ? WHERE rowid = ?`, f.v, f.id); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
