package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// Subrun is a stored grouped sub-run.
type Subrun struct {
	RunID, Name, State string
	Hosts              []string
	CurrentsURL        string
	Finished           bool
}

// UpsertSubrun stores the latest view of a sub-run.
func (db *DB) UpsertSubrun(ctx context.Context, s Subrun) error {
	hosts, _ := json.Marshal(s.Hosts)
	_, err := db.exec(ctx, `INSERT INTO subruns(run_id, name, state, hosts_json, currents_url, finished, updated_at) VALUES (?,?,?,?,?,?,?)
		ON CONFLICT(run_id, name) DO UPDATE SET state = excluded.state, hosts_json = excluded.hosts_json,
		currents_url = CASE WHEN excluded.currents_url != '' THEN excluded.currents_url ELSE subruns.currents_url END,
		finished = excluded.finished, updated_at = excluded.updated_at`,
		s.RunID, s.Name, s.State, string(hosts), s.CurrentsURL, s.Finished, ts(db.now()))
	return err
}

// Subruns lists a run's sub-runs by name.
func (db *DB) Subruns(ctx context.Context, runID string) ([]Subrun, error) {
	rows, err := db.query(ctx, `SELECT name, state, hosts_json, currents_url, finished FROM subruns WHERE run_id = ? ORDER BY name`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Subrun
	for rows.Next() {
		s := Subrun{RunID: runID}
		var hosts string
		if err := rows.Scan(&s.Name, &s.State, &hosts, &s.CurrentsURL, &s.Finished); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(hosts), &s.Hosts)
		out = append(out, s)
	}
	return out, rows.Err()
}

// HostResult is one host's stored status.
type HostResult struct {
	Host, Subrun, Status, FailedStep, Error string
}

// ReplaceHostResults stores a run's host table in one transaction.
func (db *DB) ReplaceHostResults(ctx context.Context, runID string, hosts []HostResult) error {
	now := ts(db.now())
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM host_results WHERE run_id = ?`, runID); err != nil {
			return err
		}
		for _, h := range hosts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO host_results(run_id, host, subrun, status, failed_step, error, updated_at) VALUES (?,?,?,?,?,?,?)`,
				runID, h.Host, h.Subrun, h.Status, h.FailedStep, h.Error, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateHostResults changes a run's host table in one transaction: the
// given rows inserted or replaced, the named hosts removed. The watch loop
// writes only the rows a poll changed.
func (db *DB) UpdateHostResults(ctx context.Context, runID string, upsert []HostResult, remove []string) error {
	if len(upsert) == 0 && len(remove) == 0 {
		return nil
	}
	now := ts(db.now())
	return db.tx(ctx, func(tx *sql.Tx) error {
		for _, h := range remove {
			if _, err := tx.ExecContext(ctx, `DELETE FROM host_results WHERE run_id = ? AND host = ?`, runID, h); err != nil {
				return err
			}
		}
		for _, h := range upsert {
			if _, err := tx.ExecContext(ctx, `INSERT INTO host_results(run_id, host, subrun, status, failed_step, error, updated_at) VALUES (?,?,?,?,?,?,?)
				ON CONFLICT(run_id, host) DO UPDATE SET subrun = excluded.subrun, status = excluded.status,
				failed_step = excluded.failed_step, error = excluded.error, updated_at = excluded.updated_at`,
				runID, h.Host, h.Subrun, h.Status, h.FailedStep, h.Error, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// HostResults lists a run's stored host table.
func (db *DB) HostResults(ctx context.Context, runID string) ([]HostResult, error) {
	rows, err := db.query(ctx, `SELECT host, subrun, status, failed_step, error FROM host_results WHERE run_id = ? ORDER BY host`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HostResult
	for rows.Next() {
		var h HostResult
		if err := rows.Scan(&h.Host, &h.Subrun, &h.Status, &h.FailedStep, &h.Error); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// AddCurrentsURL persists a Currents run URL the moment it is seen (R11).
func (db *DB) AddCurrentsURL(ctx context.Context, runID, subrun, url string) error {
	_, err := db.exec(ctx, `INSERT OR IGNORE INTO currents_urls(run_id, subrun, url, seen_at) VALUES (?,?,?,?)`, runID, subrun, url, ts(db.now()))
	return err
}

// CurrentsURL is a stored URL and the sub-run it belongs to.
type CurrentsURL struct{ Subrun, URL string }

// CurrentsURLs lists a run's stored URLs in the order seen.
func (db *DB) CurrentsURLs(ctx context.Context, runID string) ([]CurrentsURL, error) {
	rows, err := db.query(ctx, `SELECT subrun, url FROM currents_urls WHERE run_id = ? ORDER BY seen_at, rowid`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CurrentsURL
	for rows.Next() {
		var c CurrentsURL
		if err := rows.Scan(&c.Subrun, &c.URL); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Offset is how far a file of a run has been fetched (D5).
type Offset struct {
	Offset, Size int64
	ModTime      time.Time
}

// Offsets returns a run's fetch offsets by path.
func (db *DB) Offsets(ctx context.Context, runID string) (map[string]Offset, error) {
	rows, err := db.query(ctx, `SELECT path, offset, size, mtime FROM fetch_offsets WHERE run_id = ?`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Offset{}
	for rows.Next() {
		var p string
		var o Offset
		var m sql.NullString
		if err := rows.Scan(&p, &o.Offset, &o.Size, &m); err != nil {
			return nil, err
		}
		o.ModTime = parseTS(m)
		out[p] = o
	}
	return out, rows.Err()
}

// SaveOffsets stores the given offsets of a run in one transaction.
func (db *DB) SaveOffsets(ctx context.Context, runID string, offs map[string]Offset) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		for p, o := range offs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO fetch_offsets(run_id, path, offset, size, mtime) VALUES (?,?,?,?,?)
				ON CONFLICT(run_id, path) DO UPDATE SET offset = excluded.offset, size = excluded.size, mtime = excluded.mtime`,
				runID, p, o.Offset, o.Size, mtimeText(o.ModTime)); err != nil {
				return err
			}
		}
		return nil
	})
}

// ResetOffsets forgets a run's offsets (a new launch, D5).
func (db *DB) ResetOffsets(ctx context.Context, runID string) error {
	_, err := db.exec(ctx, `DELETE FROM fetch_offsets WHERE run_id = ?`, runID)
	return err
}

// Event is one step of a run's launch or life.
type Event struct {
	At           time.Time
	Kind, Detail string
}

// AddEvent records a run event.
func (db *DB) AddEvent(ctx context.Context, runID, kind, detail string) error {
	_, err := db.exec(ctx, `INSERT INTO run_events(run_id, at, kind, detail) VALUES (?,?,?,?)`, runID, ts(db.now()), kind, detail)
	return err
}

// Events lists a run's events in order.
func (db *DB) Events(ctx context.Context, runID string) ([]Event, error) {
	rows, err := db.query(ctx, `SELECT at, kind, detail FROM run_events WHERE run_id = ? ORDER BY id`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at sql.NullString
		if err := rows.Scan(&at, &e.Kind, &e.Detail); err != nil {
			return nil, err
		}
		e.At = parseTS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Actor is who did something: the Mattermost user id decides (D23), the
// name is kept for people reading the record.
type Actor struct{ ID, Name string }

// Audit records who did what.
func (db *DB) Audit(ctx context.Context, who Actor, action, detail string) error {
	_, err := db.exec(ctx, `INSERT INTO audit_log(at, actor, actor_id, action, detail) VALUES (?,?,?,?,?)`,
		ts(db.now()), who.Name, who.ID, action, detail)
	return err
}

// AuditEntry is one audit record.
type AuditEntry struct {
	At                             time.Time
	Actor, ActorID, Action, Detail string
}

// AuditLog lists the newest audit records first.
func (db *DB) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := db.query(ctx, `SELECT at, actor, actor_id, action, detail FROM audit_log ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var a AuditEntry
		var at sql.NullString
		if err := rows.Scan(&at, &a.Actor, &a.ActorID, &a.Action, &a.Detail); err != nil {
			return nil, err
		}
		a.At = parseTS(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// mtimeText is the stored form of an optional mtime ("" when unknown).
func mtimeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(tsLayout)
}
