package runner

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// Configured artifact folders are honoured end to end: fetched from the
// moved folders, classified there and parsed, so the host's result comes
// from them (each of junit_glob, mochawesome_dir and reporter_dir moved).
func TestPoll_ConfiguredArtifactPathsHonoured(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Controller.Transport = "local"
	cfg.Controller.ATVMRoot, cfg.Controller.TmpDir = filepath.Join(dir, "atvm"), filepath.Join(dir, "tmp")
	cfg.Controller.JUnitGlob = "out/junit/report-*.xml"
	cfg.Controller.MochawesomeDir = "out/html"
	cfg.Controller.ReporterDir = "out/hosts"
	root := cfg.Controller.ATVMRoot
	write := func(rel, body string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(cfg.Controller.TmpDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// One host with a failing JUnit in the moved JUnit folder, one with a
	// complete reporter event log in the moved reporter folder.
	write("out/junit/report-1.xml", `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="Mocha Tests" time="12.5" tests="1" failures="1">
<testsuite name="Root Suite" timestamp="2026-03-30T17:21:00" tests="0" file="cypress/e2e/generated/atvm5-ubuntu22.04.ts" time="0.0000" failures="0"></testsuite>
<testsuite name="atvm5-ubuntu22.04" timestamp="2026-03-30T17:21:00" tests="1" time="12.5" failures="1">
<testcase name="atvm5-ubuntu22.04 1. Verifying set up" time="12.5" classname="1. Verifying set up"><failure message="boom" type="AssertionError">AssertionError: boom</failure></testcase>
</testsuite>
</testsuites>
`)
	write("out/hosts/atvm71-redhat9.1/run.json", `{"metadata":{"machine":"atvm71-redhat9.1","startedAt":"2026-03-30T17:21:00Z"},"stats":{"tests":1,"passes":0,"failures":1,"end":"2026-03-30T17:31:00Z"},"tests":[{"title":"1. Verifying set up","state":"failed","err":{"message":"boom"}}]}`)
	// The same files in the default folders must not be read.
	write("cypress/results/test-result-9.xml", `not read`)

	db, err := storage.Open(ctx, filepath.Join(dir, "s.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := NewControllerRunner(controller.NewLocal(zerolog.Nop()), &cfg, db, filepath.Join(dir, "mirror"), "local", zerolog.Nop())
	scope, _ := json.Marshal(runScope{Scope: controller.Scope{VMs: []string{"atvm5-ubuntu22.04", "atvm71-redhat9.1"}}})
	run := storage.Run{ID: "r-layout", Build: "layout", Controller: "local", State: "RUNNING", RunnerPID: 1 << 22, RunnerStart: "1",
		ControllerStart: time.Date(2026, 3, 30, 17, 0, 0, 0, time.UTC), ScopeJSON: string(scope)}
	if err := db.CreateRunLocked(ctx, run, "qa-lead"); err != nil {
		t.Fatal(err)
	}
	obs, err := r.Poll(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, h := range obs.Status.Hosts {
		got[h.Name] = h.Status
	}
	if got["atvm5-ubuntu22.04"] != results.HostFail {
		t.Errorf("JUnit in the configured folder: atvm5 is %q, want FAIL (hosts %v, notes %q)", got["atvm5-ubuntu22.04"], got, obs.Status.Notes)
	}
	if got["atvm71-redhat9.1"] != results.HostFail {
		t.Errorf("reporter JSON in the configured folder: atvm71 is %q, want FAIL (hosts %v, notes %q)", got["atvm71-redhat9.1"], got, obs.Status.Notes)
	}
}
