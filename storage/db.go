// Package storage keeps atvmbot's durable state in one SQLite file: plans,
// approvals, runs, sub-runs, host results, posts (each under a unique
// idempotency key), Currents URLs, fetch offsets, launch events, the host
// history of finished runs (D28), the maintained blacklist and the audit
// log. It is the only package that speaks SQL. Every multi-row change is
// one transaction, so a kill -9 at any point leaves either the old state
// or the new one.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver; pure Go, no cgo
)

// DB is an open state file.
type DB struct {
	sql  *sql.DB
	path string
	now  func() time.Time
	st   stmts
	// writes counts write statements and transactions: the watch loop's
	// tests and benchmarks check it writes only what changed.
	writes atomic.Int64
}

// Writes is how many write statements and transactions this handle ran.
func (db *DB) Writes() int64 { return db.writes.Load() }

// ErrNewerSchema is returned when the file was written by a newer atvmbot.
var ErrNewerSchema = errors.New("database schema is newer than this atvmbot")

// ErrNotFound is returned when a row does not exist.
var ErrNotFound = errors.New("not found")

// Open opens (creating if needed) the SQLite file at path, with WAL, a busy
// timeout and immediate write transactions, and applies pending migrations.
func Open(ctx context.Context, path string, busyTimeout time.Duration) (*DB, error) {
	if path == "" {
		return nil, errors.New("storage: empty path")
	}
	if busyTimeout <= 0 {
		busyTimeout = 5 * time.Second
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// BEGIN IMMEDIATE takes the write lock up front, so two processes never
	// deadlock upgrading read transactions; the busy timeout serialises them.
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	// A bounded pool whose connections stay open: each opening of a SQLite
	// connection, and each statement prepared on it, costs far more than
	// the bot's small queries.
	sdb.SetMaxOpenConns(8)
	sdb.SetMaxIdleConns(8)
	db := &DB{sql: sdb, path: path, now: func() time.Time { return time.Now().UTC() }}
	if err := db.migrate(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the file.
func (db *DB) Close() error {
	db.closeStmts()
	return db.sql.Close()
}

// Path is the file's path.
func (db *DB) Path() string { return db.path }

// Ping checks the file can be read (for /healthz).
func (db *DB) Ping(ctx context.Context) error {
	var n int
	return db.sql.QueryRowContext(ctx, `SELECT count(*) FROM schema_info`).Scan(&n)
}

// SchemaVersion is the file's migration level.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.sql.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v)
	return v, err
}

func (db *DB) migrate(ctx context.Context) error {
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("storage: read schema version of %s: %w", db.path, err)
	}
	if v > len(migrations) {
		return fmt.Errorf("%w: %s is at schema version %d, this atvmbot knows up to %d; run a newer atvmbot or point storage.path at another file",
			ErrNewerSchema, db.path, v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := db.sql.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("storage: migration %d: %w", i+1, err)
		}
		// Another process may have migrated between our read and our lock.
		var cur int
		if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&cur); err != nil {
			tx.Rollback()
			return err
		}
		if cur > i {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("storage: migration %d: %w", i+1, err)
		}
		if step := goMigrations[i+1]; step != nil {
			if err := step(ctx, tx); err != nil {
				tx.Rollback()
				return fmt.Errorf("storage: migration %d: %w", i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, i+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("storage: migration %d commit: %w", i+1, err)
		}
	}
	return nil
}

// tx runs fn in one write transaction.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	db.writes.Add(1)
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// queryStrings reads one text column of every row a query returns.
func queryStrings(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// tsLayout stores times in UTC with a fixed width (nanoseconds always
// written), so that text order is time order: RFC 3339 with trailing zeros
// dropped does not sort within a second.
const tsLayout = "2006-01-02T15:04:05.000000000Z"

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(tsLayout)
}

func parseTS(s sql.NullString) time.Time {
	if !s.Valid || s.String == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, s.String)
	return t
}
