package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// Times are stored fixed-width, so ordering by a time column is ordering by
// time; a file written with variable-width times is rewritten by the
// migration, order and values kept.
func TestMigration3_FixedWidthTimesSort(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	db := open(t, path)
	base := time.Date(2026, 3, 30, 17, 20, 5, 0, time.UTC)
	// Variable-width times as an older atvmbot wrote them: within one
	// second, ".1Z" sorts after ".123456789Z" as text though it is earlier.
	old := []time.Time{base.Add(100 * time.Millisecond), base.Add(123456789), base.Add(5 * time.Millisecond)}
	for i, at := range old {
		if _, err := db.sql.ExecContext(ctx, `INSERT INTO runs(id, plan_id, build, controller, template, state, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)`,
			"r"+string(rune('a'+i)), "p", "b", "ctl", "t", "COMPLETED", at.Format(time.RFC3339Nano), at.Format(time.RFC3339Nano)); err != nil {
			t.Fatal(err)
		}
	}
	// As a file of schema 2 was: without what later migrations add.
	if _, err := db.sql.ExecContext(ctx, `DROP TABLE schedule_fires; DROP TABLE schedules; ALTER TABLE plans DROP COLUMN controller; PRAGMA user_version = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = open(t, path)
	if v, _ := db.SchemaVersion(ctx); v < 3 {
		t.Fatalf("schema version %d", v)
	}
	runs, err := db.RecentRuns(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	// Newest first: +123ms, +100ms, +5ms.
	want := []string{"rb", "ra", "rc"}
	for i, r := range runs {
		if r.ID != want[i] {
			t.Fatalf("order after migration: %s at %d, want %v", r.ID, i, want)
		}
		if !r.CreatedAt.Equal(old[int(want[i][1]-'a')]) {
			t.Errorf("%s created_at %s changed", r.ID, r.CreatedAt)
		}
	}
	var raw string
	_ = db.sql.QueryRowContext(ctx, `SELECT created_at FROM runs WHERE id = 'ra'`).Scan(&raw)
	if len(raw) != len(tsLayout) {
		t.Errorf("stored %q, want the fixed width of %q", raw, tsLayout)
	}
}
