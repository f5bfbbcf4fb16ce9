package runner

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// pollTree polls a copy of a results scenario over the local transport.
type pollTree struct {
	cfg config.Config
	run storage.Run
	dir string
}

func newPollTree(t *testing.T, scenario string) *pollTree {
	t.Helper()
	src := filepath.Join("..", "..", "results", "testdata", "scenarios", scenario)
	dir := t.TempDir()
	for _, d := range []string{"atvm", "tmp"} {
		if out, err := exec.Command("cp", "-r", filepath.Join(src, d), filepath.Join(dir, d)).CombinedOutput(); err != nil {
			t.Fatalf("copy %s: %v %s", d, err, out)
		}
	}
	raw, err := os.ReadFile(filepath.Join(src, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]string
	_ = json.Unmarshal(raw, &meta)
	cfg := config.Default()
	cfg.Controller.Transport = "local"
	cfg.Controller.ATVMRoot, cfg.Controller.TmpDir = filepath.Join(dir, "atvm"), filepath.Join(dir, "tmp")
	scope, _ := json.Marshal(runScope{Scope: controller.Scope{VMs: strings.Split(meta["vms"], ",")}})
	run := storage.Run{ID: "r-" + scenario, Build: meta["build"], Controller: "local", State: "RUNNING", RunnerPID: 1 << 22, RunnerStart: "1",
		ControllerStart: time.Now().Add(-time.Hour), ScopeJSON: string(scope)}
	return &pollTree{cfg: cfg, run: run, dir: dir}
}

func (p *pollTree) runner(t *testing.T, db *storage.DB, mirror string) *ControllerRunner {
	t.Helper()
	return NewControllerRunner(controller.NewLocal(zerolog.Nop()), &p.cfg, db, mirror, "local", zerolog.Nop())
}

func (p *pollTree) db(t *testing.T, name string) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), filepath.Join(p.dir, name), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CreateRunLocked(context.Background(), p.run, "qa-lead"); err != nil {
		t.Fatal(err)
	}
	return db
}

func verdict(st results.Status) map[string]string {
	out := map[string]string{"state": st.State}
	for _, h := range st.Hosts {
		out[h.Name] = h.Status + " " + h.FailedStep
	}
	return out
}

func sameVerdict(t *testing.T, what string, got, want results.Status) {
	t.Helper()
	g, w := verdict(got), verdict(want)
	if len(g) != len(w) {
		t.Fatalf("%s: %v, want %v", what, g, w)
	}
	for k, v := range w {
		if g[k] != v {
			t.Fatalf("%s: %v, want %v", what, g, w)
		}
	}
}

// D5: offsets advance only once the fetched bytes are in the mirror and
// applied. A poll whose bytes cannot be written records no offset; once the
// mirror can be written again the next poll gets every byte, and the run is
// judged as by a bot that never failed.
func TestPoll_D5_FailedApplyLosesNothing(t *testing.T) {
	ctx := context.Background()
	p := newPollTree(t, "r9-late-row-0415")
	clean, err := p.runner(t, p.db(t, "clean.db"), filepath.Join(p.dir, "mirror-clean")).Poll(ctx, p.run)
	if err != nil {
		t.Fatal(err)
	}
	if len(clean.Status.Hosts) == 0 {
		t.Fatal("the clean poll found no hosts")
	}
	// The mirror's folder cannot be made: its parent is a file (as a full
	// or read-only disk refuses the bytes).
	blocked := filepath.Join(p.dir, "blocked")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	db := p.db(t, "faulty.db")
	r := p.runner(t, db, filepath.Join(blocked, "mirror"))
	if _, err := r.Poll(ctx, p.run); err == nil {
		t.Fatal("a poll whose bytes could not be written succeeded")
	}
	offs, _ := db.Offsets(ctx, p.run.ID)
	for path, o := range offs {
		if path != controller.WatermarkKey && o.Size > 0 {
			t.Fatalf("offset of %s advanced to %d with nothing written", path, o.Size)
		}
	}
	if err := os.Remove(blocked); err != nil {
		t.Fatal(err)
	}
	got, err := r.Poll(ctx, p.run)
	if err != nil {
		t.Fatal(err)
	}
	sameVerdict(t, "after the disk came back", got.Status, clean.Status)
}

// After a crash between writing a poll's bytes and committing its offsets,
// the mirror holds bytes past them: the rebuilt view cuts them (they are
// fetched again), so nothing is read twice.
func TestPoll_D5_MirrorAheadOfOffsetsCut(t *testing.T) {
	ctx := context.Background()
	p := newPollTree(t, "r9-late-row-0415")
	db := p.db(t, "s.db")
	mirror := filepath.Join(p.dir, "mirror")
	first, err := p.runner(t, db, mirror).Poll(ctx, p.run)
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(p.cfg.Controller.TmpDir, p.run.Build+".log")
	mirrored := (&controller.Mirror{Dir: filepath.Join(mirror, p.run.ID)}).File(logPath)
	f, err := os.OpenFile(mirrored, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("the mirrored runner log: %v", err)
	}
	_, _ = f.WriteString("bytes of a fetch whose offsets were never committed\n")
	f.Close()
	again, err := p.runner(t, db, mirror).Poll(ctx, p.run) // a new process: the view is rebuilt
	if err != nil {
		t.Fatal(err)
	}
	src, _ := os.Stat(logPath)
	mir, _ := os.Stat(mirrored)
	if src == nil || mir == nil || mir.Size() != src.Size() {
		t.Fatalf("mirrored runner log %v bytes, the controller's %v", mir, src)
	}
	sameVerdict(t, "after the restart", again.Status, first.Status)
}
