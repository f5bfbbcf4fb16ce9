package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures under testdata/real were written by the real packages
// (testdata/real/generate.sh; versions in each PROVENANCE): mocha with
// mocha-junit-reporter, mochawesome and marge through
// cypress-multi-reporters, and cypress-cloud's own log lines and table.
const realRoot = "testdata/real"

func realScenario(t *testing.T, name string) (Meta, Artifacts, string) {
	t.Helper()
	dir := filepath.Join(realRoot, name)
	meta, arts := loadScenario(t, dir)
	return meta, arts, dir
}

// D25, R9, R7: the real run's five hosts, not ten; each host's own result.
func TestReconstruct_Real_D25_ReporterBytes(t *testing.T) {
	meta, arts, dir := realScenario(t, "reboot-5vm")
	st := Reconstruct(meta, arts)
	checkTruth(t, dir, st)
	checkGolden(t, dir, st)
}

// D25, R8: the same artifacts without the runner log: the real hosts carry
// the JUnit and mochawesome results (the mochawesome file names end in the
// UTC offset of the controller's zone).
func TestReconstruct_Real_R8_NoLog(t *testing.T) {
	meta, arts, _ := realScenario(t, "reboot-5vm")
	arts.RunLog = nil
	st := Reconstruct(meta, arts)
	want := map[string]struct{ status, step, err string }{
		"atvm121-ubuntu24.04": {HostPass, "", ""},
		"atvm72-redhat9.6":    {HostFail, "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)", "No such file or directory"},
		"atvm5-ubuntu22.04":   {HostPass, "", ""},
		"atvm9-debian12.5":    {HostPass, "", ""},
		"atvm88-oracle8.10":   {HostFail, "1. Verifying set up", "Connection refused"},
	}
	if len(st.Hosts) != len(want) {
		t.Fatalf("hosts %v, want %d", hostNames(st), len(want))
	}
	for _, h := range st.Hosts {
		w, ok := want[h.Name]
		if !ok {
			t.Errorf("phantom host %s", h.Name)
			continue
		}
		if h.Status != w.status || h.FailedStep != w.step || !strings.Contains(h.Error, w.err) {
			t.Errorf("%s = %s %q %q, want %s %q %q", h.Name, h.Status, h.FailedStep, h.Error, w.status, w.step, w.err)
		}
	}
	if st.State != RunFailed {
		t.Errorf("state %s, want FAILED (notes %q)", st.State, st.Notes)
	}
}

// R9, D21: the real log — cypress-cloud's table with wrapped spec names and
// durations, batches of three, each spec's output printed twice.
func TestRunLog_Real_R9_TableBatchesDoubleOutput(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(realRoot, "reboot-5vm", "tmp", "reboot-real.log"))
	if err != nil {
		t.Fatal(err)
	}
	f := parseLog(t, string(raw))
	if len(f.Blocks) != 1 {
		t.Fatalf("%d blocks, want 1", len(f.Blocks))
	}
	b := f.Blocks[0]
	if !b.Finished || !b.TableComplete || b.RecordedURL != "https://app.currents.dev/run/5e1f07a9c2d4b318" {
		t.Errorf("finished %v table %v url %q", b.Finished, b.TableComplete, b.RecordedURL)
	}
	rows := []struct {
		spec     string
		secs     float64
		failed   bool
		failing  int
		batch    int
		errorHas string
	}{
		{"cmc-reboot-fc-atvm121-ubuntu24.04.ts", 2100, false, 0, 3, ""},
		{"cmc-reboot-fc-atvm72-redhat9.6.ts", 1900, true, 1, 3, "No such file or directory"},
		{"atvm5-ubuntu22.04.ts", 6320, false, 0, 3, ""},
		{"atvm9-debian12.5.ts", 1876, false, 0, 2, ""},
		{"cmc-reboot-fc-atvm88-oracle8.10.ts", 95, true, 1, 2, "Connection refused"},
	}
	if len(b.Rows) != len(rows) || len(b.Specs) != len(rows) {
		t.Fatalf("rows %+v specs %+v, want %d each", b.Rows, b.Specs, len(rows))
	}
	for i, w := range rows {
		r, s := b.Rows[i], b.Specs[i]
		if r.Spec != w.spec || r.DurationS != w.secs || r.Failed() != w.failed || r.Tests != 40 {
			t.Errorf("row %d = %+v, want %s %.0fs failed=%v", i, r, w.spec, w.secs, w.failed)
		}
		if filepath.Base(s.Spec) != w.spec || s.Failing != w.failing || s.Batch != w.batch || !strings.Contains(s.Error, w.errorHas) {
			t.Errorf("spec %d = %+v, want %s failing %d batch %d error %q", i, s, w.spec, w.failing, w.batch, w.errorHas)
		}
	}
	if b.Totals == nil || b.Totals.DurationS != 12291 || b.Totals.Spec != "2 of 5 failed" {
		t.Errorf("totals %+v, want 2 of 5 failed in 3h 24m 51s", b.Totals)
	}
}

// R1, R7: the real JUnit and mochawesome files: the machine from file=,
// raw newlines in message=, mochawesome 8 tests without speed or context.
func TestParsers_Real_R7_ReporterFiles(t *testing.T) {
	scope := []string{"atvm121-ubuntu24.04", "atvm72-redhat9.6", "atvm5-ubuntu22.04", "atvm9-debian12.5", "atvm88-oracle8.10"}
	type want struct{ status, step, err string }
	wants := map[string]want{
		"atvm121-ubuntu24.04": {HostPass, "", ""},
		"atvm72-redhat9.6":    {HostFail, "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)", "md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory"},
		"atvm5-ubuntu22.04":   {HostPass, "", ""},
		"atvm9-debian12.5":    {HostPass, "", ""},
		"atvm88-oracle8.10":   {HostFail, "1. Verifying set up", "ssh: connect to host 10.20.30.88 port 22: Connection refused"},
	}
	for _, sub := range []string{"cypress/results", "cypress/cmcReporter/mochawesome"} {
		dir := filepath.Join(realRoot, "reboot-5vm", "atvm", sub)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			pf := ParseFile(File{Path: sub + "/" + e.Name(), Data: data})
			if pf.Err != "" || len(pf.Evidence) != 1 {
				t.Fatalf("%s: err %q, %d evidence", e.Name(), pf.Err, len(pf.Evidence))
			}
			ev := pf.Evidence[0]
			m, ok := ScopeMachine(ev.Spec, scope)
			if !ok {
				t.Fatalf("%s: spec %q names no scope machine", e.Name(), ev.Spec)
			}
			seen[m] = true
			w := wants[m]
			if ev.Status != w.status || ev.FailedStep != w.step || ev.Error != w.err || ev.Tests != 40 || !ev.Complete {
				t.Errorf("%s (%s): %s step %q error %q tests %d complete %v; want %+v", e.Name(), m, ev.Status, ev.FailedStep, ev.Error, ev.Tests, ev.Complete, w)
			}
		}
		if len(seen) != len(wants) {
			t.Errorf("%s: machines %v, want all five", sub, seen)
		}
	}
}
