package storage

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func histRow(run, host, status string, step int, started time.Time) HistoryRow {
	r := HistoryRow{RunID: run, Build: "b-" + run, Template: "cmc-reboot", Plugin: "fc", Host: host, Status: status, RunStarted: started}
	if status == "FAIL" {
		r.StepNum, r.StepTitle, r.Signature = step, fmt.Sprintf("%d. Verify", step), fmt.Sprintf("%d: md5sum: <path>: No such file or directory", step)
	}
	return r
}

// Recording a run again replaces its rows: never a duplicate, never a
// stale host left behind.
func TestHistory_D28_RecordReplaces(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	first := []HistoryRow{histRow("r1", "atvm70", "FAIL", 38, at), histRow("r1", "atvm71", "PASS", 0, at)}
	if err := db.RecordHistory(ctx, "r1", first, time.Time{}); err != nil {
		t.Fatal(err)
	}
	again := []HistoryRow{histRow("r1", "atvm70", "PASS", 0, at)}
	for i := 0; i < 2; i++ {
		if err := db.RecordHistory(ctx, "r1", again, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.TemplateHistory(ctx, "cmc-reboot", at.Add(time.Hour), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Host != "atvm70" || rows[0].Status != "PASS" || !rows[0].RunStarted.Equal(at) {
		t.Fatalf("rows after re-recording: %+v", rows)
	}
}

// The history before a run holds only runs started before it, never the
// run itself: re-recording or replaying a run cannot shift its own tags.
func TestHistory_D28_BeforeExcludesThisRunAndLater(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	day := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for i, run := range []string{"r1", "r2", "r3"} {
		at := day.AddDate(0, 0, i)
		if err := db.RecordHistory(ctx, run, []HistoryRow{histRow(run, "atvm70", "FAIL", 38, at)}, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.TemplateHistory(ctx, "cmc-reboot", day.AddDate(0, 0, 1), "r2", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].RunID != "r1" {
		t.Fatalf("history before r2: %+v", rows)
	}
	host, err := db.HostHistory(ctx, "atvm70", "", 2)
	if err != nil || len(host) != 2 || host[0].RunID != "r3" || host[1].RunID != "r2" {
		t.Fatalf("host history newest first, limited: %+v, %v", host, err)
	}
}

// Retention: rows of runs older than the cut go on the next write.
func TestHistory_D28_Retention(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	old := now.AddDate(0, 0, -200)
	if err := db.RecordHistory(ctx, "old", []HistoryRow{histRow("old", "atvm70", "PASS", 0, old)}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordHistory(ctx, "new", []HistoryRow{histRow("new", "atvm70", "PASS", 0, now)}, now.AddDate(0, 0, -180)); err != nil {
		t.Fatal(err)
	}
	rows, _ := db.HostHistory(ctx, "atvm70", "", 10)
	if len(rows) != 1 || rows[0].RunID != "new" {
		t.Fatalf("after retention: %+v", rows)
	}
	if n, err := db.PruneHistory(ctx, now.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("prune: %d, %v", n, err)
	}
}

// A file at schema 3 (before schedules and history) migrates: its runs,
// host results and posts are kept, and its finished runs' host results
// become history.
func TestMigration5_OldFileKeepsDataAndFillsHistory(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations[:3] {
		if _, err := raw.ExecContext(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC).Format(tsLayout)
	for _, q := range []string{
		`PRAGMA user_version = 3`,
		`INSERT INTO runs(id, build, controller, template, adopted, state, created_at, updated_at, ended_at) VALUES
			('r-done','b1','ctl','cmc-reboot',1,'FAILED','` + at + `','` + at + `','` + at + `'),
			('r-live','b2','ctl','cmc-reboot',0,'RUNNING','` + at + `','` + at + `',NULL)`,
		`INSERT INTO host_results(run_id, host, status, failed_step, error, updated_at) VALUES
			('r-done','atvm70','FAIL','38. Verify diskname2Reboot','md5sum: missing','` + at + `'),
			('r-done','atvm71','PASS','','','` + at + `'),
			('r-done','atvm72','NOT_STARTED','','','` + at + `'),
			('r-live','atvm70','RUNNING','','','` + at + `')`,
		`INSERT INTO posts(idem_key, run_id, kind, channel_id, state, created_at) VALUES ('r-done/final/r0/0','r-done','final','ch','sent','` + at + `')`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(q, err)
		}
	}
	raw.Close()

	db := open(t, path)
	if v, _ := db.SchemaVersion(ctx); v != len(migrations) {
		t.Fatalf("schema version %d, want %d", v, len(migrations))
	}
	if r, err := db.GetRun(ctx, "r-done"); err != nil || r.State != "FAILED" || !r.Adopted {
		t.Fatalf("run kept: %+v, %v", r, err)
	}
	if hs, _ := db.HostResults(ctx, "r-done"); len(hs) != 3 {
		t.Fatalf("host results kept: %+v", hs)
	}
	if p, err := db.GetPost(ctx, "r-done/final/r0/0"); err != nil || p.State != PostSent {
		t.Fatalf("post kept: %+v, %v", p, err)
	}
	rows, err := db.HostHistory(ctx, "atvm70", "cmc-reboot", 10)
	if err != nil || len(rows) != 1 {
		t.Fatalf("history of atvm70: %+v, %v (the running run must not count)", rows, err)
	}
	if r := rows[0]; r.RunID != "r-done" || r.StepNum != 38 || r.StepTitle != "38. Verify diskname2Reboot" || !r.Adopted || r.RunStarted.Format(tsLayout) != at {
		t.Errorf("backfilled row: %+v", r)
	}
	if rows, _ := db.HostHistory(ctx, "atvm72", "", 10); len(rows) != 0 {
		t.Errorf("a host that never ran is no history: %+v", rows)
	}
}
