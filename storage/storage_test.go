package storage

import (
	"context"

	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary doubles as a second process: TestMain runs a child role
// when ATVMBOT_STORAGE_CHILD names one.
func TestMain(m *testing.M) {
	switch os.Getenv("ATVMBOT_STORAGE_CHILD") {
	case "":
		os.Exit(m.Run())
	case "writer":
		os.Exit(childWriter(os.Getenv("ATVMBOT_STORAGE_DB"), os.Getenv("ATVMBOT_STORAGE_TAG")))
	case "crash-mid-tx":
		childCrashMidTx(os.Getenv("ATVMBOT_STORAGE_DB"))
	}
	os.Exit(3)
}

func open(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, 5*time.Second)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpen_MigratesFromEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	db := open(t, path)
	v, err := db.SchemaVersion(context.Background())
	if err != nil || v != len(migrations) {
		t.Fatalf("schema version = %d, %v; want %d", v, err, len(migrations))
	}
	var mode string
	if err := db.sql.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	for _, table := range []string{"plans", "approvals", "runs", "subruns", "host_results", "posts", "currents_urls", "fetch_offsets", "run_events", "locks", "blacklist", "audit_log", "host_history"} {
		var n int
		if err := db.sql.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s missing", table)
		}
	}
}

func TestOpen_ReopenKeepsState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	db, err := Open(ctx, path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Audit(ctx, Actor{ID: "u-alice", Name: "alice"}, "test", "before reopen"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2 := open(t, path)
	log, err := db2.AuditLog(ctx, 10)
	if err != nil || len(log) != 1 || log[0].Detail != "before reopen" {
		t.Fatalf("after reopen: %+v, %v", log, err)
	}
}

func TestOpen_NewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	db := open(t, path)
	if _, err := db.sql.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, len(migrations)+5)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(context.Background(), path, time.Second)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("err = %v; want ErrNewerSchema", err)
	}
	want := fmt.Sprintf("schema version %d", len(migrations)+5)
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
		t.Fatalf("message %q should name the file and %q", err, want)
	}
}

func childWriter(path, tag string) int {
	ctx := context.Background()
	db, err := Open(ctx, path, 10*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	for i := 0; i < 100; i++ {
		key := fmt.Sprintf("%s-%d", tag, i)
		if _, _, err := db.ReservePost(ctx, Post{IdemKey: key, Kind: "test", ChannelID: "c"}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := db.MarkPostSent(ctx, key, "p"+key, ""); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// Two processes writing one file at once: every write lands, none fails
// with "database is locked", and the shared idempotency key stays unique.
func TestTwoProcessesOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	db := open(t, path) // migrate first, then let two children race
	var wg sync.WaitGroup
	errs := make([]error, 2)
	outs := make([][]byte, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "ATVMBOT_STORAGE_CHILD=writer", "ATVMBOT_STORAGE_DB="+path, "ATVMBOT_STORAGE_TAG=w"+strconv.Itoa(i))
			outs[i], errs[i] = cmd.CombinedOutput()
		}()
	}
	// This process writes to the same file meanwhile.
	for i := 0; i < 50; i++ {
		if _, _, err := db.ReservePost(context.Background(), Post{IdemKey: "shared", Kind: "test", ChannelID: "c"}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("child %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	var sent, shared int
	db.sql.QueryRow(`SELECT count(*) FROM posts WHERE state = 'sent'`).Scan(&sent)
	db.sql.QueryRow(`SELECT count(*) FROM posts WHERE idem_key = 'shared'`).Scan(&shared)
	if sent != 200 || shared != 1 {
		t.Fatalf("sent = %d (want 200), shared rows = %d (want 1)", sent, shared)
	}
}

func childCrashMidTx(path string) {
	ctx := context.Background()
	db, err := Open(ctx, path, time.Second)
	if err != nil {
		os.Exit(1)
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		os.Exit(1)
	}
	tx.Exec(`UPDATE runs SET state = 'COMPLETED' WHERE id = 'r1'`)
	tx.Exec(`DELETE FROM locks WHERE run_id = 'r1'`)
	// Die between the writes and the commit, like kill -9 would.
	p, _ := os.FindProcess(os.Getpid())
	p.Kill()
	select {}
}

// A crash between two writes of one transaction leaves the old state.
func TestCrashMidTransactionKeepsOldState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	db, err := Open(ctx, path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRunLocked(ctx, Run{ID: "r1", Build: "b", Controller: "ctl", State: "RUNNING"}, "alice"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ATVMBOT_STORAGE_CHILD=crash-mid-tx", "ATVMBOT_STORAGE_DB="+path)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != -1 {
		t.Fatalf("child should die by signal, got %v\n%s", err, out)
	}
	db2 := open(t, path)
	r, err := db2.GetRun(ctx, "r1")
	if err != nil || r.State != "RUNNING" {
		t.Fatalf("run after crash: %+v, %v; want state RUNNING", r, err)
	}
	if id, _, _, ok, _ := db2.Lock(ctx, "ctl"); !ok || id != "r1" {
		t.Fatalf("lock after crash: %q %v; want held by r1", id, ok)
	}
}

func TestPlans_P2_NewerPlanSupersedesAndUseOnce(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	now := time.Now()
	p1 := Plan{ID: "p-1", Hash: "h1", ChannelID: "c", Template: "cmc-e2e", Build: "b1", PlanJSON: "{}", CreatedBy: "u", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if _, err := db.InsertPlan(ctx, p1); err != nil {
		t.Fatal(err)
	}
	p2 := p1
	p2.ID, p2.Hash = "p-2", "h2"
	sup, err := db.InsertPlan(ctx, p2)
	if err != nil || len(sup) != 1 || sup[0] != "p-1" {
		t.Fatalf("superseded = %v, %v", sup, err)
	}
	got, _ := db.GetPlan(ctx, "p-1")
	if got.State != PlanSuperseded || got.SupersededBy != "p-2" {
		t.Fatalf("p-1 = %+v", got)
	}
	if ok, _ := db.UsePlan(ctx, "p-1", "alice", true); ok {
		t.Fatal("a superseded plan was used")
	}
	// Two approvals at once: exactly one wins.
	var wg sync.WaitGroup
	wins := make([]bool, 8)
	for i := range wins {
		wg.Add(1)
		go func() { defer wg.Done(); wins[i], _ = db.UsePlan(ctx, "p-2", "alice", true) }()
	}
	wg.Wait()
	n := 0
	for _, w := range wins {
		if w {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("plan used %d times; want 1", n)
	}
}

func TestPosts_W1_ReserveOnce(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	p := Post{IdemKey: "run1/sub/0/0", RunID: "run1", Kind: "subrun", ChannelID: "c"}
	if _, created, err := db.ReservePost(ctx, p); err != nil || !created {
		t.Fatalf("first reserve: created=%v err=%v", created, err)
	}
	stored, created, err := db.ReservePost(ctx, p)
	if err != nil || created || stored.State != PostPending {
		t.Fatalf("second reserve: %+v created=%v err=%v", stored, created, err)
	}
	if err := db.MarkPostSent(ctx, p.IdemKey, "post123", ""); err != nil {
		t.Fatal(err)
	}
	stored, _, _ = db.ReservePost(ctx, p)
	if stored.State != PostSent || stored.PostID != "post123" {
		t.Fatalf("after send: %+v", stored)
	}
}

func TestRuns_LockHeldUntilFinalState(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	if err := db.CreateRunLocked(ctx, Run{ID: "r1", Build: "b", Controller: "ctl", State: "APPROVED"}, "alice"); err != nil {
		t.Fatal(err)
	}
	err := db.CreateRunLocked(ctx, Run{ID: "r2", Build: "c", Controller: "ctl", State: "APPROVED"}, "bob")
	var locked *ErrLocked
	if !errors.As(err, &locked) || locked.RunID != "r1" || locked.Holder != "alice" {
		t.Fatalf("second run on a busy controller: %v", err)
	}
	if _, err := db.GetRun(ctx, "r2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("refused run was stored: %v", err)
	}
	if _, _, err := db.TransitionRun(ctx, "r1", Transition{From: []string{StateApproved}, To: StateCancelled}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRunLocked(ctx, Run{ID: "r2", Build: "c", Controller: "ctl", State: "APPROVED"}, "bob"); err != nil {
		t.Fatalf("after the first run ended: %v", err)
	}
}

// W6: a new run under a used build name starts clean.
func TestRuns_W6_NewRunUnderUsedBuildStartsClean(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	db.CreateRunLocked(ctx, Run{ID: "r1", Build: "b", Controller: "ctl", State: "RUNNING"}, "a")
	db.ReservePost(ctx, Post{IdemKey: "r1/final/0/0", RunID: "r1", Kind: "final", ChannelID: "c"})
	db.SaveOffsets(ctx, "r1", map[string]Offset{"/tmp/b.log": {Offset: 10, Size: 10}})
	db.TransitionRun(ctx, "r1", Transition{From: []string{StateRunning}, To: StateCancelled})
	if err := db.CreateRunLocked(ctx, Run{ID: "r2", Build: "b", Controller: "ctl", State: "APPROVED"}, "a"); err != nil {
		t.Fatal(err)
	}
	latest, _ := db.LatestRunByBuild(ctx, "b")
	posts, _ := db.RunPosts(ctx, latest.ID)
	offs, _ := db.Offsets(ctx, latest.ID)
	if latest.ID != "r2" || latest.State != "APPROVED" || len(posts) != 0 || len(offs) != 0 {
		t.Fatalf("new run carries old state: %+v posts=%d offsets=%d", latest, len(posts), len(offs))
	}
}

// The same build on two controllers: both runs are listed, newest first.
func TestRuns_C21_RunsByBuildNewestFirst(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	for _, r := range []Run{{ID: "r1", Build: "b", Controller: "a", State: "RUNNING"}, {ID: "r2", Build: "b", Controller: "b", State: "RUNNING"},
		{ID: "r3", Build: "other", Controller: "c", State: "RUNNING"}} {
		if err := db.CreateRunLocked(ctx, r, "q"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	runs, err := db.RunsByBuild(ctx, "b", 10)
	if err != nil || len(runs) != 2 || runs[0].ID != "r2" || runs[1].ID != "r1" {
		t.Fatalf("runs %+v %v", runs, err)
	}
	if runs, _ := db.RunsByBuild(ctx, "b", 1); len(runs) != 1 || runs[0].ID != "r2" {
		t.Fatalf("limit 1: %+v", runs)
	}
}

func TestBlacklist_SeedOnceAndAudit(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	seed := []BlacklistEntry{{Machine: "atvm6-centos6.0", Reason: "CMC INSTALL - CAN'T COMPILE"}}
	db.SeedBlacklist(ctx, seed)
	if changed, err := db.SetBlacklisted(ctx, "atvm6-centos6.0", "", Actor{ID: "u-alice", Name: "alice"}); err != nil || !changed {
		t.Fatalf("remove: %v %v", changed, err)
	}
	db.SeedBlacklist(ctx, seed) // a restart must not bring it back
	list, version, _ := db.Blacklist(ctx)
	if len(list) != 0 || version != 2 {
		t.Fatalf("list = %+v version = %d", list, version)
	}
	log, _ := db.AuditLog(ctx, 1)
	if len(log) != 1 || log[0].Actor != "alice" || log[0].Action != "blacklist.remove" {
		t.Fatalf("audit = %+v", log)
	}
}

// P1/D15: an approval either uses the plan, takes the lock and creates the
// run, or does none of it.
func TestApproveAndCreateRun_P1_AllOrNothing(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	now := time.Now()
	for _, id := range []string{"p-1", "p-2"} {
		db.InsertPlan(ctx, Plan{ID: id, Hash: "h", ChannelID: "c-" + id, Template: "t", Build: "b", PlanJSON: "{}", CreatedBy: "u", CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
	}
	used, err := db.ApproveAndCreateRun(ctx, Run{ID: "r1", PlanID: "p-1", Build: "b", Controller: "ctl", State: "APPROVED", ApprovedBy: "alice"}, "alice")
	if err != nil || !used {
		t.Fatalf("first approval: used=%v err=%v", used, err)
	}
	// The controller is busy: the second plan stays open and no run appears.
	used, err = db.ApproveAndCreateRun(ctx, Run{ID: "r2", PlanID: "p-2", Build: "b", Controller: "ctl", State: "APPROVED"}, "bob")
	var locked *ErrLocked
	if used || !errors.As(err, &locked) {
		t.Fatalf("second approval on a busy controller: used=%v err=%v", used, err)
	}
	if p, _ := db.GetPlan(ctx, "p-2"); p.State != PlanOpen {
		t.Fatalf("refused approval consumed the plan: %s", p.State)
	}
	if _, err := db.GetRun(ctx, "r2"); !errors.Is(err, ErrNotFound) {
		t.Fatal("refused approval created a run")
	}
	// A used plan cannot launch twice.
	if used, _ := db.ApproveAndCreateRun(ctx, Run{ID: "r3", PlanID: "p-1", Build: "b", Controller: "other", State: "APPROVED"}, "x"); used {
		t.Fatal("a used plan launched again")
	}
}

func TestPlans_SameIDPlannedAgainAfterUse(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	now := time.Now()
	p := Plan{ID: "p-abc123", Hash: "h", ChannelID: "c", Template: "t", Build: "b", PlanJSON: "{}", CreatedBy: "u", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	db.InsertPlan(ctx, p)
	db.UsePlan(ctx, p.ID, "alice", true)
	if _, err := db.InsertPlan(ctx, p); err != nil {
		t.Fatalf("planning the same request again: %v", err)
	}
	got, _ := db.GetPlan(ctx, p.ID)
	if got.State != PlanOpen {
		t.Fatalf("the new plan should be open, got %s", got.State)
	}
}

func TestOffsets_D5_RoundTripAndReset(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	db.CreateRunLocked(ctx, Run{ID: "r1", Build: "b", Controller: "c", State: "RUNNING"}, "a")
	want := map[string]Offset{"/tmp/b.log": {Offset: 7, Size: 100}, "/x/y.xml": {Offset: 0, Size: 5, ModTime: time.Unix(1700000000, 0).UTC()}}
	if err := db.SaveOffsets(ctx, "r1", want); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Offsets(ctx, "r1")
	if got["/tmp/b.log"] != want["/tmp/b.log"] || !got["/x/y.xml"].ModTime.Equal(want["/x/y.xml"].ModTime) {
		t.Fatalf("offsets = %+v", got)
	}
	db.ResetOffsets(ctx, "r1")
	if got, _ := db.Offsets(ctx, "r1"); len(got) != 0 {
		t.Fatalf("after reset: %+v", got)
	}
}

// W7: the digest kept is the one of the content actually sent.
func TestPosts_W7_DigestOfWhatWasSent(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	p := Post{IdemKey: "r/sub/x/r0/0", RunID: "r", Kind: "subrun", ChannelID: "c", Digest: `{"state":"COMPLETED"}`}
	db.ReservePost(ctx, p)
	if err := db.MarkPostSent(ctx, p.IdemKey, "id1", `{"state":"FAILED"}`); err != nil {
		t.Fatal(err)
	}
	got, _ := db.GetPost(ctx, p.IdemKey)
	if got.Digest != `{"state":"FAILED"}` {
		t.Fatalf("digest = %s, want the sent one", got.Digest)
	}
	q := Post{IdemKey: "r/sub/y/r0/0", RunID: "r", Kind: "subrun", ChannelID: "c", Digest: "reserved"}
	db.ReservePost(ctx, q)
	db.MarkPostSent(ctx, q.IdemKey, "id2", "")
	if got, _ := db.GetPost(ctx, q.IdemKey); got.Digest != "reserved" {
		t.Fatalf("empty digest must keep the reserved one, got %q", got.Digest)
	}
}
