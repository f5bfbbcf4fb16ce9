package simulator

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the operators' zone even without a system tz database
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

var goldenStart = time.Date(2026, 5, 2, 13, 0, 0, 0, time.UTC)

// rendered is a whole run played at once into a temp root.
type rendered struct {
	root, log, launch string
	code              int
	files             []string // artifact paths, relative to the root
}

func renderScenario(t *testing.T, file, build string, categorize bool, templateArgs ...string) rendered {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := Install(root, data, "/bin/true"); err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	var log, launch bytes.Buffer
	code, err := Render(context.Background(), RenderOptions{Root: root, DisplayRoot: "/root/cdc-e2e-cyp-12.17.4",
		Start: goldenStart, Location: ny, TemplateArgs: append([]string{}, templateArgs...),
		Runner: RunnerArgs{ConfigFile: GoldConfig, BuildName: build, Categorize: categorize}, TemplateLog: &launch, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	r := rendered{root: root, log: log.String(), launch: launch.String(), code: code}
	filepath.WalkDir(filepath.Join(root, "cypress"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			r.files = append(r.files, rel)
		}
		return nil
	})
	sort.Strings(r.files)
	return r
}

func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\ngot:  %q\nwant: %q", name, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: %d lines, want %d", name, len(gl), len(wl))
	}
}

var migrateArgs = []string{"--template_name", TplMigration, "--config_file", GoldConfig, "--containsVm", "atvm",
	"--vm_platforms", "vmware", "--ignore_force_shutdown", "--test_partition", "--set_static_ip_dest"}

// A categorized three-group run: the whole log, and the artifact names
// (hash names are content hashes, so they pin the artifacts too).
func TestGolden_R9_CategorizedRunLog(t *testing.T) {
	r := renderScenario(t, "categorized-3groups-1fail.yaml", "migrate-mixed", true, migrateArgs...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.launch)
	}
	golden(t, "categorized-3groups-1fail.log", r.log)
	golden(t, "categorized-3groups-1fail.files", strings.Join(r.files, "\n")+"\n")

	// The scenario's truth, apart from the golden file (D18).
	log := r.log
	if n := strings.Count(log, "\n🏁 Recorded Run: https://app.currents.dev/run/"); n != 3 {
		t.Errorf("%d Recorded Run lines, want one per group (3)", n)
	}
	if n := strings.Count(log, "Extracted specPattern: ["); n != 1 {
		t.Errorf("%d Extracted specPattern lines, want 1", n)
	}
	for _, id := range []string{"--ci-build-id", "migrate-mixed-redhat", "migrate-mixed-ubuntu", "migrate-mixed-linux"} {
		if id != "--ci-build-id" && !strings.Contains(log, "ci-build-id "+id) {
			t.Errorf("log lacks batch %s", id)
		}
	}
	if strings.Contains(log, "migrate-mixed-windows") {
		t.Error("windows batch must run under the mislabelled id (R10)")
	}
	if !strings.Contains(log, "│ ✖   atvm121-ubuntu24.04.ts") || !strings.Contains(log, "│ ✔   atvm88-redhat8.10.ts") {
		t.Error("table rows do not state the hosts' outcomes")
	}
	if !strings.Contains(log, "1h 4m 12 ") || !strings.Contains(log, "     .3s ") {
		t.Error("hour-long windows total should wrap as 1h 4m 12 / .3s")
	}
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, "  │") && !strings.HasPrefix(l, "  │ Cypress") && utf8.RuneCountInString(l) != 100 {
			t.Errorf("table line of %d runes: %q", utf8.RuneCountInString(l), l)
		}
	}
	// R4: the failing ubuntu host wrote no JUnit; its group's XML is bookkeeping.
	junit := 0
	for _, f := range r.files {
		if strings.HasPrefix(f, "cypress/results/test-result-") && len(f) == len("cypress/results/test-result-.xml")+32 {
			junit++
		}
	}
	if junit != 3 {
		t.Errorf("%d hash-named JUnit files, want 3 (atvm121 has none)", junit)
	}
	// R2: the runner left the config at the last batch.
	specs, _, err := readRunInputs(r.root, GoldConfig)
	if err != nil || len(specs) != 2 || !strings.HasSuffix(specs[0], "atvm202-w2k25.ts") {
		t.Errorf("config specPattern after the run: %q %v", specs, err)
	}
}

// A non-categorized run whose Detected line lands inside the table.
func TestGolden_R9_LateRowInsideTable(t *testing.T) {
	r := renderScenario(t, "e2e-pass.yaml", "e2e-all-fc", false, "--template_name", TplE2E, "--config_file", GoldConfig,
		"--containsVm", "atvm", "--exclude_partial_match", "atvm41-redhat6.0", "--use_specified_plugin", "fc", "--ignore_force_shutdown", "--test_partition")
	golden(t, "e2e-pass.log", r.log)
	lines := strings.Split(r.log, "\n")
	var at int
	for i, l := range lines {
		if l == DetectedLine {
			at = i
		}
	}
	if strings.Count(r.log, DetectedLine) != 1 || !isRowStart(lines[at-2]+"\n") || lines[at-1] != "  │                                            s                                                   │" || !isRowStart(lines[at+1]+"\n") {
		t.Errorf("Detected line should follow the first (wrapped) row inside the table:\n%s", strings.Join(lines[at-3:at+3], "\n"))
	}
	if !strings.Contains(r.log, "│ ✔   All specs passed!") || strings.Contains(r.log, "atvm41-redhat6.0") {
		t.Error("run should pass and skip the excluded machine")
	}
	if !strings.Contains(r.launch, "Excluded by --exclude_partial_match: atvm41-redhat6.0") {
		t.Errorf("launch log:\n%s", r.launch)
	}
}

func TestRender_R8_NoConsolidatedLogStillWritesArtifacts(t *testing.T) {
	r := renderScenario(t, "nolog.yaml", "systemos-debian-oracle", false, "--template_name", TplSystemOS, "--config_file", GoldConfig,
		"--specify_vms", "atvm9-debian12.5,atvm33-oracle8.10")
	if r.log != "" {
		t.Errorf("log should stay empty, has %d bytes", len(r.log))
	}
	want := []string{"cypress/results/test-result-systemos-debian-oracle.xml", "cypress/cmcReporter/mochawesome/atvm9-debian12.html",
		"cypress/cmcReporter/mochawesome/atvm33-oracle8.html"}
	for _, w := range want {
		if !contains(r.files, w) {
			t.Errorf("missing artifact %s in %q", w, r.files)
		}
	}
	var reporters int
	for _, f := range r.files {
		if strings.HasPrefix(f, "cypress/cmcReporter/logs/") {
			reporters++
		}
	}
	if reporters != 4 {
		t.Errorf("%d reporter files, want a JSON and a TXT per host", reporters)
	}
}

func TestRender_P16_SpecPatternMissesAVM(t *testing.T) {
	r := renderScenario(t, "spec-mismatch.yaml", "e2e-redhat", false, "--template_name", TplE2E, "--config_file", GoldConfig, "--containsVm", "redhat")
	specs, _, _ := readRunInputs(r.root, GoldConfig)
	if len(specs) != 1 || specs[0] != SpecPath("atvm71-redhat9.1") {
		t.Errorf("specPattern %q, want only atvm71", specs)
	}
	if _, err := os.Stat(filepath.Join(r.root, SpecPath("atvm88-redhat8.10"))); err != nil {
		t.Error("the omitted VM's spec should still be written")
	}
}

func TestRender_P15_TemplateFailureStopsEverything(t *testing.T) {
	r := renderScenario(t, "template-fail.yaml", "e2e-redhat", false, "--template_name", TplE2E, "--config_file", GoldConfig, "--containsVm", "redhat")
	if r.code != 1 || r.log != "" || !strings.Contains(r.launch, "RuntimeError: template cmc-e2e: missing datastore mapping") {
		t.Errorf("exit %d, log %d bytes, launch:\n%s", r.code, len(r.log), r.launch)
	}
	if specs, _, _ := readRunInputs(r.root, GoldConfig); len(specs) != 0 {
		t.Errorf("config rewritten despite the failure: %q", specs)
	}
}
