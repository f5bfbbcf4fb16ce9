package storage

import (
	"context"
	"database/sql"
)

// BlacklistEntry is one maintained exclusion (P12).
type BlacklistEntry struct {
	Machine, Reason, AddedBy string
}

// SeedBlacklist fills the maintained list from configuration once: after
// that, chat changes (`/atvm blacklist add|remove`) are the truth.
func (db *DB) SeedBlacklist(ctx context.Context, entries []BlacklistEntry) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var seeded bool
		if err := tx.QueryRowContext(ctx, `SELECT seeded FROM blacklist_meta WHERE id = 1`).Scan(&seeded); err != nil {
			return err
		}
		if seeded {
			return nil
		}
		for _, e := range entries {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO blacklist(machine, reason, added_by, added_at) VALUES (?,?,?,?)`,
				e.Machine, e.Reason, "config", ts(db.now())); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE blacklist_meta SET seeded = 1, version = version + 1 WHERE id = 1`)
		return err
	})
}

// Blacklist returns the maintained list by machine name and its version
// (plans hash the version, so a changed list voids older plans).
func (db *DB) Blacklist(ctx context.Context) ([]BlacklistEntry, int, error) {
	var version int
	if err := db.queryRow(ctx, `SELECT version FROM blacklist_meta WHERE id = 1`).Scan(&version); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT machine, reason, added_by FROM blacklist ORDER BY machine`)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []BlacklistEntry
	for rows.Next() {
		var e BlacklistEntry
		if err := rows.Scan(&e.Machine, &e.Reason, &e.AddedBy); err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, version, rows.Err()
}

// SetBlacklisted adds (reason != "") or removes (reason == "") a machine and
// audits the change, in one transaction.
func (db *DB) SetBlacklisted(ctx context.Context, machine, reason string, who Actor) (changed bool, err error) {
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var res sql.Result
		var action string
		if reason == "" {
			action = "blacklist.remove"
			res, err = tx.ExecContext(ctx, `DELETE FROM blacklist WHERE machine = ?`, machine)
		} else {
			action = "blacklist.add"
			res, err = tx.ExecContext(ctx, `INSERT INTO blacklist(machine, reason, added_by, added_at) VALUES (?,?,?,?)
				ON CONFLICT(machine) DO UPDATE SET reason = excluded.reason, added_by = excluded.added_by, added_at = excluded.added_at
				WHERE blacklist.reason != excluded.reason`, machine, reason, who.Name, ts(db.now()))
		}
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		changed = n > 0
		if !changed {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE blacklist_meta SET version = version + 1 WHERE id = 1`); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_log(at, actor, actor_id, action, detail) VALUES (?,?,?,?,?)`, ts(db.now()), who.Name, who.ID, action, machine+" "+reason)
		return err
	})
	return changed, err
}
