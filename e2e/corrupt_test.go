package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/internal/itlog"
	"github.com/atvm/atvmbot/simulator"
)

// hugeLineMB is the size of the one-line transcript written mid-run
// (ATVMBOT_E2E_HUGE_MB overrides it, e.g. to measure).
func hugeLineMB() int {
	if v, err := strconv.Atoi(os.Getenv("ATVMBOT_E2E_HUGE_MB")); err == nil && v > 0 {
		return v
	}
	return 500
}

// writeFile writes data under the simulated root.
func (w *world) writeFile(t *testing.T, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(w.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeHugeLine writes a reporter transcript whose one line after the
// header is mb megabytes long, with no newline and no end marker.
func (w *world) writeHugeLine(t *testing.T, rel string, mb int) {
	t.Helper()
	p := filepath.Join(w.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintf(bw, "=== cmcReporter console transcript ===\nhost: atvm121-ubuntu24.04\ntemplate: cmc-migrateops-compute-migration\nbuild: migrate-mixed-ubuntu\nstarted: %s\nspec: cypress/e2e/generated/atvm121-ubuntu24.04.ts\n\n[%s] ",
		time.Now().UTC().Format(time.RFC3339Nano), time.Now().UTC().Format(time.RFC3339Nano))
	chunk := []byte(strings.Repeat("TEST PASS 0123456789 passed ok ", 1<<16)[:1<<20])
	for i := 0; i < mb; i++ {
		if _, err := bw.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// Corrupt artifacts appear mid-run (R3, D1): a truncated JUnit XML claiming
// the failing host passed, garbage and truncated reporter JSON, a truncated
// mochawesome report, and a transcript with one 500 MB line. The bot does
// not crash, and nothing is PASS on that evidence: the failing host stays
// FAIL, the run ends FAILED with its posts once each.
func TestE2E_Corrupt_D1_NoCrashNoFalsePass(t *testing.T) {
	corruptRun(t, "corrupt", false)
}

// Truncated artifacts of a machine the run never selected (outside the
// stored scope, D4) must neither be reported nor keep the run from its
// verdict.
func TestE2E_Corrupt_D4_OutOfScopeArtifactsIgnored(t *testing.T) {
	corruptRun(t, "outsider", true)
}

func corruptRun(t *testing.T, name string, outsiderOnly bool) {
	record(t)
	scen, truth := readScenario(t, "happy.yaml")
	w := newWorld(t, name, worldOpts{scenario: scen, speed: 150})
	itlog.Ran(t, "e2e")
	w.dumpOnFailure()
	ctx := ctxT(t, 6*time.Minute)
	w.start()
	pid := w.proc.Process.Pid
	w.planAndApprove(ctx, truth)
	w.waitPost(ctx, "with the run's root", time.Minute, func(p *model.Post) bool { return strings.HasSuffix(idemKey(p), "/root") })

	stamp := time.Now().UTC().Add(time.Second)
	st := strings.NewReplacer(":", "-", ".", "-").Replace(stamp.Format("2006-01-02T15:04:05.000Z"))
	failing, outsider := "atvm121-ubuntu24.04", "atvm300-ubuntu22.04"
	junit := func(host string) string {
		return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="Mocha Tests" time="1710.000" tests="17" failures="0">
  <testsuite name="Root Suite" timestamp="` + stamp.Format("2006-01-02T15:04:05") + `" tests="0" file="cypress/e2e/generated/` + host + `.ts" time="0.000" failures="0">
  </testsuite>
  <testsuite name="` + host + ` cmc-migrateops-compute-migration" timestamp="` + stamp.Format("2006-01-02T15:04:05") + `" tests="17" time="1710.000" failures="0">
    <testcase name="` + host + ` cmc-migrateops-compute-migration 1. Verifying set up" time="4.121" classname="1. Verifying set up">
    </testcase>
    <testcase name="` + host + ` cmc-migrateops-compute-migration 2. Power on source VM and obtain ip addr`
	}
	if outsiderOnly {
		w.writeFile(t, "cypress/results/test-result-fedcba9876543210fedcba9876543210.xml", []byte(junit(outsider)))
		w.writeFile(t, "cypress/cmcReporter/logs/"+outsider+"/"+outsider+"-"+st+".json",
			[]byte(`{"reporter":"cmcReporter","host":"`+outsider+`","stats":{"tests":17,"passes":17,"failures":0},"tests":[{"title":"1. Verifying set up","state":"passed"`))
		_ = w.finishCorrupt(ctx, t, pid, truth, failing, outsider)
		return
	}
	w.writeFile(t, "cypress/results/test-result-0123456789abcdef0123456789abcdef.xml", []byte(junit(failing)))
	w.writeFile(t, "cypress/cmcReporter/logs/"+failing+"/"+failing+"-"+st+".json",
		[]byte(`{"metadata":{"host":"`+failing+`","start":"`+stamp.Format(time.RFC3339)+`","template":"cmc-migrateops-compute-migration","build":"migrate-mixed-ubuntu"},"events":[{"time":"x","type":"run:end","message":"spec finished","severity":"success"`+"\x00\xff{{{{"))
	w.writeFile(t, "cypress/cmcReporter/logs/"+failing+"/"+failing+"-"+st+"-garbage.json", []byte("\x89PNG\r\n\x1a\n garbage ]]]} {"))
	w.writeFile(t, "cypress/cmcReporter/mochawesome/atvm121-ubuntu24.html",
		[]byte(`<!doctype html><html lang="en"><head><meta charSet="utf-8"/><title>Mochawesome Report</title></head><body data-raw="{&quot;stats&quot;:{&quot;suites&quot;:1,&quot;tests&quot;:17,&quot;passes&quot;:17,&quot;failures&quot;:0},&quot;results&quot;:[{&quot;file&quot;:&quot;cypress/e2e/generated/atvm121-ubuntu24.04.ts&quot;,&quot;suites&quot;:[{&quot;tests&quot;:[{&quot;title&quot;:&quot;1. Verifying`))

	mb := hugeLineMB()
	huge := "cypress/cmcReporter/logs/" + failing + "/" + failing + "-" + st + "-huge.txt"
	t0 := time.Now()
	w.writeHugeLine(t, huge, mb)
	written := time.Since(t0)
	// Measure how long the bot takes to fetch it: its mirror holds every
	// byte it fetched.
	var fetched time.Duration
	mirror := filepath.Join(w.dir, "state", "mirror")
	// A transcript is fetched up to the per-file cap (64 MiB by default),
	// the rest is left on the controller and named in NOTES.
	want := min(int64(mb)<<20, 64<<20)
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var size int64
		_ = filepath.Walk(mirror, func(p string, fi os.FileInfo, err error) error {
			if err == nil && strings.HasSuffix(p, "-huge.txt") {
				size = fi.Size()
			}
			return nil
		})
		if size >= want {
			fetched = time.Since(t0) - written
			break
		}
	}
	t.Logf("a %d MB line: written in %s, its first %d MiB fetched by the bot %s later", mb, written.Round(10*time.Millisecond), want>>20, fetched.Round(10*time.Millisecond))
	if fetched == 0 {
		t.Errorf("the bot did not fetch the first %d MiB of the %d MB transcript within 3 minutes", want>>20, mb)
	}
	addFigures(func() { figures.hugeMB, figures.hugeFetch = mb, fetched })

	final := w.finishCorrupt(ctx, t, pid, truth, failing, outsider)
	if int64(mb)<<20 > want && !strings.Contains(final, "fetch cap") {
		t.Errorf("the final summary does not say the transcript was cut at the fetch cap:\n%s", clipStr(final, 3000))
	}
}

// finishCorrupt checks the end of a run that met corrupt artifacts.
func (w *world) finishCorrupt(ctx context.Context, t *testing.T, pid int, truth simulator.Expect, failing, outsider string) string {
	t.Helper()
	run := w.waitRunState(ctx, 4*time.Minute)
	if !w.alive() || w.proc.Process.Pid != pid || w.restarts != 0 {
		t.Fatalf("serve did not survive the corrupt artifacts")
	}
	if run.State != truth.State {
		t.Fatalf("final state %s, want %s (%s)", run.State, truth.State, run.StatusJSON)
	}
	final := w.waitPost(ctx, "with the final summary", 30*time.Second, func(p *model.Post) bool {
		return strings.HasSuffix(idemKey(p), "/final/r0/0")
	})
	if strings.Contains(final.Message, "✅ PASSED") {
		t.Error("false PASS: the final summary says PASSED")
	}
	if l := hostLine(final.Message, failing); !strings.HasPrefix(l, "- "+failing+" - FAIL") {
		t.Errorf("false result for the failing host after corrupt artifacts: %q", l)
	}
	posts, _ := w.botPosts(ctx)
	for _, p := range posts {
		if l := hostLine(p.Message, outsider); strings.Contains(l, "PASS") {
			t.Errorf("a machine outside the run is reported from corrupt artifacts: %q in %s", l, idemKey(p))
		}
	}
	for name, h := range truth.Hosts {
		if l := hostLine(final.Message, name); !strings.HasPrefix(l, "- "+name+" - "+h.Status) {
			t.Logf("note: %s is %q after corrupt artifacts (truth %s)", name, l, h.Status)
		}
	}
	acc := w.accountPosts(ctx, w.keys(truth))
	if len(acc.problems) > 0 {
		t.Errorf("posts: %s", strings.Join(acc.problems, "; "))
	}
	return final.Message
}
