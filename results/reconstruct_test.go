package results

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

const scenarioRoot = "testdata/scenarios"

// applyMtimes restores the mtimes a checkout loses (mtimes.json).
func applyMtimes(t testing.TB, dir string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "mtimes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for rel, ts := range m {
		at, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(rel)), at, at); err != nil {
			t.Fatal(err)
		}
	}
}

// loadScenario reads a scenario folder the way replay does: meta.json
// holds the replay flags; the runner log is streamed, never read whole.
func loadScenario(t testing.TB, dir string) (Meta, Artifacts) {
	t.Helper()
	applyMtimes(t, dir)
	raw, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fl map[string]any
	if err := json.Unmarshal(raw, &fl); err != nil {
		t.Fatal(err)
	}
	str := func(k string) string { s, _ := fl[k].(string); return s }
	tm := func(k string) time.Time {
		if str(k) == "" {
			return time.Time{}
		}
		v, err := time.Parse(time.RFC3339, str(k))
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		return v
	}
	list := func(k string) []string {
		if str(k) == "" {
			return nil
		}
		return strings.Split(str(k), ",")
	}
	cat, _ := fl["categorized"].(bool)
	io_, _ := fl["install-only"].(bool)
	meta := Meta{Build: str("build"), RunStart: tm("since"), Now: tm("now"), Template: str("template"), Plugin: str("plugin"),
		Categorized: cat, InstallOnly: io_, RequestedVMs: list("vms"), TemplateCommand: str("template-command"),
		RunnerCommand: str("runner-command"), ConfigFile: "cypress.atvm-config-gold.ts", PostedURLs: list("posted-urls")}
	if sk, ok := fl["skip"].([]any); ok {
		for _, s := range sk {
			name, reason, _ := strings.Cut(s.(string), "=")
			meta.Skipped = append(meta.Skipped, Skip{Name: name, Reason: reason})
		}
	}
	if p := str("ps"); p != "" {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		meta.Processes = ParsePS(b)
		if meta.Processes == nil {
			meta.Processes = []Process{}
		}
	}
	if p := str("inventory"); p != "" {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		meta.Inventory = ParseInventory(b)
	}
	var arts Artifacts
	root := filepath.Join(dir, str("atvm-root"))
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if ClassifyPath(rel) == KindUnknown {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		arts.Files = append(arts.Files, File{Path: rel, ModTime: info.ModTime().UTC(), Data: data})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, str("tmp-dir"), meta.Build+".log")
	if f, err := os.Open(logPath); err == nil {
		defer f.Close()
		p := NewRunLogParser()
		if _, err := io.Copy(p, f); err != nil {
			t.Fatal(err)
		}
		facts := p.Facts()
		arts.RunLog = &facts
		info, _ := f.Stat()
		arts.LogModTime = info.ModTime().UTC()
	}
	return meta, arts
}

type truthHost struct {
	Status       string   `json:"status"`
	StatusNot    string   `json:"status_not"`
	Group        *string  `json:"group"`
	FailedStep   *string  `json:"failed_step"`
	Error        string   `json:"error"`
	DetailSource *string  `json:"detail_source"`
	Tests        *int     `json:"tests"`
	Kernel       *string  `json:"kernel"`
	DurationS    *float64 `json:"duration_s"`
}

type truthSubrun struct {
	State       string   `json:"state"`
	Hosts       []string `json:"hosts"`
	CurrentsURL *string  `json:"currents_url"`
	BuildID     *string  `json:"build_id"`
	StartedAt   *string  `json:"started_at"`
	Finished    *bool    `json:"finished"`
}

// truth is a scenario's hand-written expectation (D18): never rewritten.
type truth struct {
	State        string                 `json:"state"`
	StateIn      []string               `json:"state_in"`
	Hung         *bool                  `json:"hung"`
	Hosts        map[string]truthHost   `json:"hosts"`
	Subruns      map[string]truthSubrun `json:"subruns"`
	CurrentsURLs []string               `json:"currents_urls"`
	Remaining    []string               `json:"remaining"`
	Skipped      []string               `json:"skipped"`
	NotesContain []string               `json:"notes_contain"`
	ETA          *bool                  `json:"eta"`
}

func checkTruth(t *testing.T, dir string, st Status) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tr truth
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&tr); err != nil {
		t.Fatalf("truth.json: %v", err)
	}
	if tr.State != "" && st.State != tr.State {
		t.Errorf("state = %s, want %s (notes %q)", st.State, tr.State, st.Notes)
	}
	if len(tr.StateIn) > 0 && !inList(tr.StateIn, st.State) {
		t.Errorf("state = %s, want one of %v", st.State, tr.StateIn)
	}
	if tr.Hung != nil && st.Hung != *tr.Hung {
		t.Errorf("hung = %v, want %v", st.Hung, *tr.Hung)
	}
	if len(st.Hosts) != len(tr.Hosts) {
		t.Errorf("%d hosts, want %d: %v", len(st.Hosts), len(tr.Hosts), hostNames(st))
	}
	for name, want := range tr.Hosts {
		h, ok := findHost(st, name)
		if !ok {
			t.Errorf("host %s missing", name)
			continue
		}
		if want.Status != "" && h.Status != want.Status {
			t.Errorf("%s: status %s, want %s (notes %q)", name, h.Status, want.Status, h.Notes)
		}
		if want.StatusNot != "" && h.Status == want.StatusNot {
			t.Errorf("%s: status %s must not be", name, h.Status)
		}
		if want.Group != nil && h.Group != *want.Group {
			t.Errorf("%s: group %q, want %q", name, h.Group, *want.Group)
		}
		if want.FailedStep != nil && h.FailedStep != *want.FailedStep {
			t.Errorf("%s: failed step %q, want %q", name, h.FailedStep, *want.FailedStep)
		}
		if want.Error != "" && !strings.Contains(h.Error, want.Error) {
			t.Errorf("%s: error %q, want it to hold %q", name, h.Error, want.Error)
		}
		if want.DetailSource != nil && h.DetailSource != *want.DetailSource {
			t.Errorf("%s: detail source %q, want %q", name, h.DetailSource, *want.DetailSource)
		}
		if want.Tests != nil && h.Tests != *want.Tests {
			t.Errorf("%s: tests %d, want %d", name, h.Tests, *want.Tests)
		}
		if want.Kernel != nil && h.Kernel != *want.Kernel {
			t.Errorf("%s: kernel %q, want %q", name, h.Kernel, *want.Kernel)
		}
		if want.DurationS != nil && math.Abs(h.DurationS-*want.DurationS) > 0.05 {
			t.Errorf("%s: duration %.1fs, want %.1fs", name, h.DurationS, *want.DurationS)
		}
	}
	if tr.Subruns != nil && len(st.Subruns) != len(tr.Subruns) {
		t.Errorf("%d subruns, want %d: %+v", len(st.Subruns), len(tr.Subruns), st.Subruns)
	}
	for name, want := range tr.Subruns {
		var s *Subrun
		for i := range st.Subruns {
			if st.Subruns[i].Name == name {
				s = &st.Subruns[i]
			}
		}
		if s == nil {
			t.Errorf("subrun %s missing: %+v", name, st.Subruns)
			continue
		}
		if s.State != want.State {
			t.Errorf("subrun %s: state %s, want %s", name, s.State, want.State)
		}
		if want.Hosts != nil && strings.Join(s.Hosts, ",") != strings.Join(want.Hosts, ",") {
			t.Errorf("subrun %s: hosts %v, want %v", name, s.Hosts, want.Hosts)
		}
		if want.CurrentsURL != nil && s.CurrentsURL != *want.CurrentsURL {
			t.Errorf("subrun %s: url %q, want %q", name, s.CurrentsURL, *want.CurrentsURL)
		}
		if want.BuildID != nil && s.BuildID != *want.BuildID {
			t.Errorf("subrun %s: build id %q, want %q", name, s.BuildID, *want.BuildID)
		}
		if want.Finished != nil && s.Finished != *want.Finished {
			t.Errorf("subrun %s: finished %v, want %v", name, s.Finished, *want.Finished)
		}
		if want.StartedAt != nil && (s.StartedAt == nil || s.StartedAt.UTC().Format(time.RFC3339) != *want.StartedAt) {
			t.Errorf("subrun %s: started %v, want %s", name, s.StartedAt, *want.StartedAt)
		}
	}
	if tr.CurrentsURLs != nil && strings.Join(st.CurrentsURLs, " ") != strings.Join(tr.CurrentsURLs, " ") {
		t.Errorf("currents urls %v, want %v", st.CurrentsURLs, tr.CurrentsURLs)
	}
	if tr.Remaining != nil && strings.Join(st.Remaining, ",") != strings.Join(tr.Remaining, ",") {
		t.Errorf("remaining %v, want %v", st.Remaining, tr.Remaining)
	}
	if tr.Skipped != nil {
		var got []string
		for _, s := range st.Skipped {
			got = append(got, s.Name)
		}
		if strings.Join(got, ",") != strings.Join(tr.Skipped, ",") {
			t.Errorf("skipped %v, want %v", got, tr.Skipped)
		}
	}
	for _, n := range tr.NotesContain {
		if !strings.Contains(strings.Join(st.Notes, "\n"), n) {
			t.Errorf("notes %q lack %q", st.Notes, n)
		}
	}
	if tr.ETA != nil && (st.Timing.ETA != nil) != *tr.ETA {
		t.Errorf("eta = %v, want present=%v", st.Timing.ETA, *tr.ETA)
	}
	for _, h := range st.Hosts {
		if h.Status == HostPass && h.Failures > 0 {
			t.Errorf("%s: PASS with %d failures", h.Name, h.Failures)
		}
	}
}

func inList(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hostNames(st Status) []string {
	var out []string
	for _, h := range st.Hosts {
		out = append(out, h.Name+"="+h.Status)
	}
	return out
}

func findHost(st Status, name string) (Host, bool) {
	for _, h := range st.Hosts {
		if h.Name == name {
			return h, true
		}
	}
	return Host{}, false
}

// StatusJSON is the replay output; the golden files hold it.
func statusJSON(t testing.TB, st Status) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(st); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func checkGolden(t *testing.T, dir string, st Status) {
	t.Helper()
	got := statusJSON(t, st)
	path := filepath.Join(dir, "golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("status differs from %s (run with -update after checking):\n%s", path, got)
	}
}

func runScenario(t *testing.T, name string) Status {
	t.Helper()
	dir := filepath.Join(scenarioRoot, name)
	meta, arts := loadScenario(t, dir)
	st := Reconstruct(meta, arts)
	checkTruth(t, dir, st)
	checkGolden(t, dir, st)
	return st
}

func TestReconstruct_R1_StaleArtifactIgnoredNewestWins(t *testing.T) {
	runScenario(t, "r1-stale-newest")
}

func TestReconstruct_R2_WholeCategorizedRunFromStoredScope(t *testing.T) {
	runScenario(t, "r2-live-categorized")
}

func TestReconstruct_R3_CategorizedFalsePass(t *testing.T) {
	runScenario(t, "r3-categorized-false-pass-0424")
}

func TestReconstruct_R4_GroupedXMLOnlyCheckXMLFiles(t *testing.T) {
	runScenario(t, "r4-grouped-checkxml-0327")
}

func TestReconstruct_R4_CategorizedGroupWithoutLog(t *testing.T) {
	runScenario(t, "r8-categorized-no-log")
}

func TestReconstruct_R5_DictShapedEvents(t *testing.T) {
	runScenario(t, "r5-dict-events-0429")
}

func TestReconstruct_R6_AuthErrorNoiseOnPassingRun(t *testing.T) {
	runScenario(t, "r6-auth-error-pass-0330")
}

func TestReconstruct_R7_MochawesomeOneTestObject(t *testing.T) {
	runScenario(t, "r7-mochawesome-pairing-0331")
}

func TestReconstruct_R8_MissingLogPassIsPass(t *testing.T) {
	runScenario(t, "r8-missing-log-pass")
}

func TestReconstruct_R9_LateHostRow(t *testing.T) {
	runScenario(t, "r9-late-row-0415")
}

func TestReconstruct_R9_WindowsBatchDrift(t *testing.T) {
	runScenario(t, "r9-windows-drift-0416")
}

func TestReconstruct_R9_WrappedDuration(t *testing.T) {
	runScenario(t, "r9-wrapped-s-0422")
}

func TestReconstruct_R10_BuildIDMismatch(t *testing.T) {
	runScenario(t, "r10-build-id-mismatch")
}

func TestReconstruct_R11_PostedURLWhenLogMissing(t *testing.T) {
	runScenario(t, "r8-missing-log-pass")
}

func TestReconstruct_R12_KernelFromInventory(t *testing.T) {
	runScenario(t, "r9-late-row-0415")
}

func TestReconstruct_W4_Hung(t *testing.T) {
	runScenario(t, "w4-hung")
}

func TestReconstruct_BadInput_NeverFalsePass(t *testing.T) {
	runScenario(t, "bad-input")
}

// Every scenario has a hand-written truth and a test that runs it.
func TestReconstruct_ScenariosAllCovered(t *testing.T) {
	entries, err := os.ReadDir(scenarioRoot)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("reconstruct_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		names = append(names, e.Name())
		if _, err := os.Stat(filepath.Join(scenarioRoot, e.Name(), "truth.json")); err != nil {
			t.Errorf("%s has no truth.json", e.Name())
		}
		if !bytes.Contains(src, []byte(`runScenario(t, "`+e.Name()+`")`)) {
			t.Errorf("no test runs scenario %s", e.Name())
		}
	}
	sort.Strings(names)
	if len(names) < 15 {
		t.Errorf("only %d scenarios", len(names))
	}
}

// W3: one sub-run per group. While a batch has started only some hosts of
// its group, the rest belong to that running sub-run: a second sub-run of
// the same name would be posted as its own result, then "corrected".
func TestReconstruct_W3_PartialBatchOneSubrunPerGroup(t *testing.T) {
	st := runScenario(t, "categorized-partial-batch")
	seen := map[string]bool{}
	for _, sr := range st.Subruns {
		if seen[sr.Name] {
			t.Fatalf("two sub-runs named %s: %+v", sr.Name, st.Subruns)
		}
		seen[sr.Name] = true
	}
	if len(st.Subruns) != 3 {
		t.Fatalf("%d sub-runs, want 3 (redhat, ubuntu, windows): %+v", len(st.Subruns), st.Subruns)
	}
}

// D25: specs named cmc-reboot-fc-<vm>.ts make no phantom hosts; an
// out-of-scope machine's finished result is a named anomaly, not a host.
func TestReconstruct_D25_PhantomHostFromSpecName(t *testing.T) {
	runScenario(t, "d25-phantom-hosts")
}

// D25, R8: without the runner log the real hosts carry the results.
func TestReconstruct_D25_PhantomHostNoLog(t *testing.T) {
	runScenario(t, "d25-phantom-hosts-no-log")
}

// D21, R3: a host whose own spec finished is PASS/FAIL inside a running
// group; a batch's failure goes to its own host.
func TestReconstruct_D21_FinishedHostInRunningGroup(t *testing.T) {
	runScenario(t, "d21-finished-host-running-group")
}
