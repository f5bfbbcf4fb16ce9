package controller

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
)

// simView is what a watcher has fetched of one run, absorbed the way the
// ControllerRunner absorbs it (bot/runner/runctl.go): the runner log through
// the streaming parser, the launch log as bytes, transcripts grown from
// their offset, every other artifact parsed whole.
type simView struct {
	tmp, build string

	log       *results.RunLogParser
	logMtime  time.Time
	logBytes  int64
	logDeltas int // deltas of the runner log that carried bytes
	launch    []byte
	files     map[string]results.ParsedFile
	txt       map[string][]byte
	fetches   int
}

func newSimView(tmp, build string) *simView {
	return &simView{tmp: strings.TrimSuffix(tmp, "/") + "/", build: build, files: map[string]results.ParsedFile{}, txt: map[string][]byte{}}
}

func (v *simView) apply(deltas []Delta) {
	v.fetches++
	for _, d := range deltas {
		whole := d.Whole || d.Truncated || d.Offset == 0
		mt := time.Unix(0, d.MtimeNS).UTC()
		switch p := d.Path; {
		case p == v.tmp+v.build+".log":
			if whole || v.log == nil {
				v.log, v.logBytes = results.NewRunLogParser(), 0
			}
			_, _ = v.log.Write(d.Data)
			v.logMtime = mt
			v.logBytes += int64(len(d.Data))
			if len(d.Data) > 0 {
				v.logDeltas++
			}
		case p == v.tmp+v.build+".launch.log":
			if whole {
				v.launch = nil
			}
			v.launch = append(v.launch, d.Data...)
		case results.ClassifyPath(p) == results.KindReporterTXT:
			if whole {
				v.txt[p] = nil
			}
			v.txt[p] = append(v.txt[p], d.Data...)
			v.files[p] = results.ParseFile(results.File{Path: p, ModTime: mt, Data: v.txt[p]})
		default:
			pf := results.ParseFile(results.File{Path: p, ModTime: mt, Data: d.Data})
			pf.Data = nil // specs come from the stored scope, as in the bot
			v.files[p] = pf
		}
	}
}

// artifacts is the view as Reconstruct takes it; specs are the stored
// scope's, stamped with the run start (D4).
func (v *simView) artifacts(specs map[string][]byte, start time.Time) results.Artifacts {
	arts := results.Artifacts{LaunchLog: v.launch, LogModTime: v.logMtime}
	if v.log != nil {
		f := v.log.Facts()
		arts.RunLog = &f
	}
	for _, pf := range v.files {
		arts.Parsed = append(arts.Parsed, pf)
	}
	for p, data := range specs {
		arts.Files = append(arts.Files, results.File{Path: p, ModTime: start, Data: data})
	}
	return arts
}

// treeMeta is a results scenario's meta.json: the replay flags.
type treeMeta map[string]any

func readTreeMeta(t *testing.T, dir string) treeMeta {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m treeMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("meta.json: %v", err)
	}
	return m
}

func (m treeMeta) str(k string) string { s, _ := m[k].(string); return s }

func (m treeMeta) list(k string) []string {
	if m.str(k) == "" {
		return nil
	}
	return strings.Split(m.str(k), ",")
}

// resultsMeta is the scenario's Meta as replay builds it, minus the times,
// which the caller takes from the live play.
func (m treeMeta) resultsMeta(t *testing.T, dir string) results.Meta {
	t.Helper()
	cat, _ := m["categorized"].(bool)
	io, _ := m["install-only"].(bool)
	meta := results.Meta{Build: m.str("build"), Template: m.str("template"), Plugin: m.str("plugin"), Categorized: cat, InstallOnly: io,
		RequestedVMs: m.list("vms"), TemplateCommand: m.str("template-command"), RunnerCommand: m.str("runner-command"),
		ConfigFile: "cypress.atvm-config-gold.ts", PostedURLs: m.list("posted-urls"), Processes: []results.Process{}}
	if sk, ok := m["skip"].([]any); ok {
		for _, s := range sk {
			name, reason, _ := strings.Cut(s.(string), "=")
			meta.Skipped = append(meta.Skipped, results.Skip{Name: name, Reason: reason})
		}
	}
	if p := m.str("ps"); p != "" {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		if ps := results.ParsePS(b); ps != nil {
			meta.Processes = ps
		}
	}
	if p := m.str("inventory"); p != "" {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		meta.Inventory = results.ParseInventory(b)
	}
	return meta
}

// scenarioTruth is a scenario's truth.json, written by hand (D18).
type scenarioTruth struct {
	State   string   `json:"state"`
	StateIn []string `json:"state_in"`
	Hung    *bool    `json:"hung"`
	Hosts   map[string]struct {
		Status     string  `json:"status"`
		StatusNot  string  `json:"status_not"`
		Group      *string `json:"group"`
		FailedStep *string `json:"failed_step"`
		Error      string  `json:"error"`
		Tests      *int    `json:"tests"`
		Kernel     *string `json:"kernel"`
	} `json:"hosts"`
	Subruns map[string]struct {
		State       string   `json:"state"`
		Hosts       []string `json:"hosts"`
		CurrentsURL *string  `json:"currents_url"`
		BuildID     *string  `json:"build_id"`
		Finished    *bool    `json:"finished"`
	} `json:"subruns"`
	CurrentsURLs []string `json:"currents_urls"`
	Remaining    []string `json:"remaining"`
	NotesContain []string `json:"notes_contain"`
	ETA          *bool    `json:"eta"`
}

// checkScenarioTruth compares a reconstruction with the scenario's truth,
// field by field. Fields that are times (a sub-run's started_at, a host's
// duration) are not compared: the play moves and compresses time.
func checkScenarioTruth(t *testing.T, dir string, st results.Status) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tr scenarioTruth
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&tr); err != nil {
		t.Fatalf("truth.json: %v", err)
	}
	if tr.State != "" && st.State != tr.State {
		t.Errorf("state %s, want %s (notes %q)", st.State, tr.State, st.Notes)
	}
	if len(tr.StateIn) > 0 && !containsStr(tr.StateIn, st.State) {
		t.Errorf("state %s, want one of %v (notes %q)", st.State, tr.StateIn, st.Notes)
	}
	if tr.Hung != nil && st.Hung != *tr.Hung {
		t.Errorf("hung %v, want %v", st.Hung, *tr.Hung)
	}
	hosts := map[string]results.Host{}
	for _, h := range st.Hosts {
		hosts[h.Name] = h
	}
	if len(st.Hosts) != len(tr.Hosts) {
		t.Errorf("%d hosts, want %d: %+v", len(st.Hosts), len(tr.Hosts), st.Hosts)
	}
	for name, want := range tr.Hosts {
		h, ok := hosts[name]
		switch {
		case !ok:
			t.Errorf("host %s missing", name)
			continue
		case want.Status != "" && h.Status != want.Status:
			t.Errorf("%s: status %s, want %s (notes %q)", name, h.Status, want.Status, h.Notes)
		case want.StatusNot != "" && h.Status == want.StatusNot:
			t.Errorf("%s: status %s must not be", name, h.Status)
		}
		if want.Group != nil && h.Group != *want.Group {
			t.Errorf("%s: group %q, want %q", name, h.Group, *want.Group)
		}
		if want.FailedStep != nil && h.FailedStep != *want.FailedStep {
			t.Errorf("%s: failed step %q, want %q", name, h.FailedStep, *want.FailedStep)
		}
		if want.Error != "" && !strings.Contains(h.Error, want.Error) {
			t.Errorf("%s: error %q lacks %q", name, h.Error, want.Error)
		}
		if want.Tests != nil && h.Tests != *want.Tests {
			t.Errorf("%s: %d tests, want %d", name, h.Tests, *want.Tests)
		}
		if want.Kernel != nil && h.Kernel != *want.Kernel {
			t.Errorf("%s: kernel %q, want %q", name, h.Kernel, *want.Kernel)
		}
	}
	if tr.Subruns != nil && len(st.Subruns) != len(tr.Subruns) {
		t.Errorf("%d sub-runs, want %d: %+v", len(st.Subruns), len(tr.Subruns), st.Subruns)
	}
	for name, want := range tr.Subruns {
		var s *results.Subrun
		for i := range st.Subruns {
			if st.Subruns[i].Name == name {
				s = &st.Subruns[i]
			}
		}
		if s == nil {
			t.Errorf("sub-run %s missing: %+v", name, st.Subruns)
			continue
		}
		if s.State != want.State {
			t.Errorf("sub-run %s: state %s, want %s", name, s.State, want.State)
		}
		if want.Hosts != nil && strings.Join(s.Hosts, ",") != strings.Join(want.Hosts, ",") {
			t.Errorf("sub-run %s: hosts %v, want %v", name, s.Hosts, want.Hosts)
		}
		if want.CurrentsURL != nil && s.CurrentsURL != *want.CurrentsURL {
			t.Errorf("sub-run %s: url %q, want %q", name, s.CurrentsURL, *want.CurrentsURL)
		}
		if want.BuildID != nil && s.BuildID != *want.BuildID {
			t.Errorf("sub-run %s: build id %q, want %q", name, s.BuildID, *want.BuildID)
		}
		if want.Finished != nil && s.Finished != *want.Finished {
			t.Errorf("sub-run %s: finished %v, want %v", name, s.Finished, *want.Finished)
		}
	}
	if tr.CurrentsURLs != nil && strings.Join(st.CurrentsURLs, " ") != strings.Join(tr.CurrentsURLs, " ") {
		t.Errorf("currents urls %v, want %v", st.CurrentsURLs, tr.CurrentsURLs)
	}
	if tr.Remaining != nil && strings.Join(st.Remaining, ",") != strings.Join(tr.Remaining, ",") {
		t.Errorf("remaining %v, want %v", st.Remaining, tr.Remaining)
	}
	for _, n := range tr.NotesContain {
		if !strings.Contains(strings.Join(st.Notes, "\n"), n) {
			t.Errorf("notes %q lack %q", st.Notes, n)
		}
	}
	if tr.ETA != nil && (st.Timing.ETA != nil) != *tr.ETA {
		t.Errorf("eta %v, want present=%v", st.Timing.ETA, *tr.ETA)
	}
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
