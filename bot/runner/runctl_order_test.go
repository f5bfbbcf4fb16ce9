package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/storage"
)

// scriptLog is a local transport that names each controller script it runs.
type scriptLog struct {
	controller.Transport
	mu    sync.Mutex
	names []string
}

func (s *scriptLog) Run(ctx context.Context, argv []string, opt controller.RunOpts) (controller.Result, error) {
	name := "other"
	if len(argv) > 2 && argv[0] == "sh" {
		switch script := argv[2]; {
		case strings.HasPrefix(script, "echo @@clock"):
			name = "inspect"
		case strings.HasPrefix(script, "since=$1"):
			name = "fetch-list"
		}
	}
	s.mu.Lock()
	s.names = append(s.names, name)
	s.mu.Unlock()
	return s.Transport.Run(ctx, argv, opt)
}

// A runner that exits between the two reads of a poll must not be judged on
// the log read before it finished (a false TERMINATED, found end to end):
// the process table is read first, the bytes after it.
func TestPoll_W1_InspectBeforeFetch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Controller.Transport = "local"
	cfg.Controller.ATVMRoot, cfg.Controller.TmpDir = filepath.Join(dir, "atvm"), filepath.Join(dir, "tmp")
	for _, d := range []string{cfg.Controller.ATVMRoot, cfg.Controller.TmpDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	db, err := storage.Open(ctx, filepath.Join(dir, "s.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tr := &scriptLog{Transport: controller.NewLocal(zerolog.Nop())}
	r := NewControllerRunner(tr, &cfg, db, filepath.Join(dir, "mirror"), "local", zerolog.Nop())
	run := storage.Run{ID: "r-order", Build: "order", Controller: "local", State: "RUNNING", RunnerPID: 1 << 22, RunnerStart: "1",
		ControllerStart: time.Now().Add(-time.Minute)}
	if err := db.CreateRunLocked(ctx, run, "qa-lead"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Poll(ctx, run); err != nil {
		t.Fatal(err)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	inspect, list := -1, -1
	for i, n := range tr.names {
		if n == "inspect" && inspect < 0 {
			inspect = i
		}
		if n == "fetch-list" && list < 0 {
			list = i
		}
	}
	if inspect < 0 || list < 0 || inspect > list {
		t.Fatalf("scripts run by one poll: %v; want inspect before the fetch listing", tr.names)
	}
}
