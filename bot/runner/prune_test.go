package runner

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/storage"
)

// A finished run's mirror is removed once it is older than the keep time,
// with its offsets (a later look fetches it again); a running run's mirror
// and a folder no run is known by stay.
func TestPrune_D5_FinishedMirrorsOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(ctx, filepath.Join(dir, "s.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mirrorDir := filepath.Join(dir, "mirror")
	for i, id := range []string{"r-done", "r-live"} {
		run := storage.Run{ID: id, Build: id, Controller: []string{"c1", "c2"}[i], State: storage.StateRunning, ControllerStart: time.Now()}
		if err := db.CreateRunLocked(ctx, run, "qa-lead"); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveOffsets(ctx, id, map[string]storage.Offset{"/tmp/" + id + ".log": {Size: 5}}); err != nil {
			t.Fatal(err)
		}
	}
	if won, _, err := db.TransitionRun(ctx, "r-done", storage.Transition{From: []string{storage.StateRunning}, To: storage.StateCompleted}); err != nil || !won {
		t.Fatalf("finishing the run: %v %v", won, err)
	}
	for _, id := range []string{"r-done", "r-live", "r-unknown"} {
		if err := os.MkdirAll(filepath.Join(mirrorDir, id), 0o700); err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(filepath.Join(mirrorDir, id, "f"), []byte("bytes"), 0o600)
	}
	cfg := config.Default()
	r := NewControllerRunner(controller.NewLocal(zerolog.Nop()), &cfg, db, mirrorDir, "c1", zerolog.Nop())
	keep := 7 * 24 * time.Hour
	cases := []struct {
		name    string
		at      time.Time
		removed int
		left    []string
	}{
		{"within the keep time", time.Now().Add(keep / 2), 0, []string{"r-done", "r-live", "r-unknown"}},
		{"past it", time.Now().Add(keep + time.Hour), 1, []string{"r-live", "r-unknown"}},
		{"again: nothing more", time.Now().Add(2 * keep), 0, []string{"r-live", "r-unknown"}},
	}
	for _, tc := range cases {
		n, err := r.Prune(ctx, keep, tc.at)
		if err != nil || n != tc.removed {
			t.Fatalf("%s: removed %d (%v), want %d", tc.name, n, err, tc.removed)
		}
		entries, _ := os.ReadDir(mirrorDir)
		var left []string
		for _, e := range entries {
			left = append(left, e.Name())
		}
		if len(left) != len(tc.left) {
			t.Fatalf("%s: left %v, want %v", tc.name, left, tc.left)
		}
		for i := range left {
			if left[i] != tc.left[i] {
				t.Fatalf("%s: left %v, want %v", tc.name, left, tc.left)
			}
		}
	}
	if offs, _ := db.Offsets(ctx, "r-done"); len(offs) != 0 {
		t.Fatalf("the pruned run's offsets stayed: %v", offs)
	}
	if offs, _ := db.Offsets(ctx, "r-live"); len(offs) == 0 {
		t.Fatal("the running run's offsets went")
	}
}
