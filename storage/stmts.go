package storage

import (
	"context"
	"database/sql"
	"sync"
)

// stmts caches prepared statements by their text: the SQLite driver parses
// a statement anew on every call otherwise, which costs more than running
// the small queries the bot makes all the time (status, ticks). A Stmt is
// safe for concurrent use.
type stmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (db *DB) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	db.st.mu.Lock()
	defer db.st.mu.Unlock()
	if s := db.st.m[q]; s != nil {
		return s, nil
	}
	s, err := db.sql.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if db.st.m == nil {
		db.st.m = map[string]*sql.Stmt{}
	}
	db.st.m[q] = s
	return s, nil
}

func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s, err := db.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// rowErr is a Row-like answer for a statement that could not be prepared.
type rowScanner interface{ Scan(...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (db *DB) queryRow(ctx context.Context, q string, args ...any) rowScanner {
	s, err := db.prepared(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return s.QueryRowContext(ctx, args...)
}

func (db *DB) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	db.writes.Add(1)
	s, err := db.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (db *DB) closeStmts() {
	db.st.mu.Lock()
	defer db.st.mu.Unlock()
	for _, s := range db.st.m {
		s.Close()
	}
	db.st.m = nil
}
