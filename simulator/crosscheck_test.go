package simulator

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
)

// The simulator and the results parsers must agree on the real formats:
// what the simulator writes for a scenario, the parsers read back as the
// scenario's hand-written truth.

// collect reads a simulated root the way the controller fetches it.
func collect(t *testing.T, root string) results.Artifacts {
	t.Helper()
	var arts results.Artifacts
	add := func(p string) {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		arts.Files = append(arts.Files, results.File{Path: filepath.ToSlash(rel), ModTime: info.ModTime(), Data: data})
	}
	add(filepath.Join(root, GoldConfig))
	filepath.WalkDir(filepath.Join(root, "cypress"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			add(p)
		}
		return nil
	})
	return arts
}

func logFacts(log string) *results.RunLogFacts {
	p := results.NewRunLogParser()
	p.Write([]byte(log))
	f := p.Facts()
	return &f
}

type crossCase struct {
	scenario, build, template, plugin string
	categorized                       bool
	args                              []string
}

var crossCases = []crossCase{
	{"demo.yaml", "e2e-demo", TplE2E, "iscsi", true, demoTemplateArgs},
	{"e2e-pass.yaml", "e2e-all-fc", TplE2E, "fc", false, []string{"--template_name", TplE2E, "--config_file", GoldConfig,
		"--containsVm", "atvm", "--exclude_partial_match", "atvm41-redhat6.0", "--use_specified_plugin", "fc", "--ignore_force_shutdown", "--test_partition"}},
	{"reboot-fail.yaml", "reboot-redhat8.10-both", TplReboot, "both", true, []string{"--template_name", TplReboot, "--config_file", GoldConfig,
		"--specify_vms", "atvm71-redhat9.1,atvm88-redhat8.10,atvm5-ubuntu22.04", "--use_specified_plugin", "both", "--ignore_force_shutdown", "--test_partition"}},
	{"nolog.yaml", "systemos-debian-oracle", TplSystemOS, "", false, []string{"--template_name", TplSystemOS, "--config_file", GoldConfig,
		"--specify_vms", "atvm9-debian12.5,atvm33-oracle8.10", "--ignore_force_shutdown", "--test_partition"}},
	{"categorized-3groups-1fail.yaml", "migrate-mixed", TplMigration, "", true, migrateArgs},
	{"categorized-nolog.yaml", "reboot-redhat-iscsi", TplReboot, "iscsi", true, []string{"--template_name", TplReboot, "--config_file", GoldConfig,
		"--containsVm", "redhat9", "--use_specified_plugin", "iscsi", "--ignore_force_shutdown", "--test_partition"}},
}

func expectOf(t *testing.T, file string) Expect {
	data, _ := os.ReadFile(filepath.Join("testdata", file))
	sc, err := ParseScenario(data)
	if err != nil {
		t.Fatal(err)
	}
	return sc.Expect
}

func expectedHosts(e Expect) []string {
	var vms []string
	for vm := range e.Hosts {
		vms = append(vms, vm)
	}
	sort.Strings(vms)
	return vms
}

// Every artifact parses, and each parser finds the scenario's outcome.
func TestCrossCheck_R5_ParsersReadEveryArtifact(t *testing.T) {
	for _, cc := range crossCases {
		t.Run(cc.scenario, func(t *testing.T) {
			exp := expectOf(t, cc.scenario)
			data, _ := os.ReadFile(filepath.Join("testdata", cc.scenario))
			sc, _ := ParseScenario(data)
			r := renderScenario(t, cc.scenario, cc.build, cc.categorized, cc.args...)
			arts := collect(t, r.root)
			seen := map[string]map[string]string{} // machine → source → status
			for _, f := range arts.Files {
				pf := results.ParseFile(f)
				if pf.Err != "" {
					t.Errorf("%s: %s", f.Path, pf.Err)
				}
				for _, ev := range pf.Evidence {
					if ev.Bookkeeping {
						continue
					}
					if seen[ev.Machine] == nil {
						seen[ev.Machine] = map[string]string{}
					}
					seen[ev.Machine][ev.Source] = ev.Status
					want, ok := exp.Hosts[ev.Machine]
					if !ok {
						t.Errorf("%s: evidence for unexpected machine %q", f.Path, ev.Machine)
						continue
					}
					if !ev.Complete {
						t.Errorf("%s: %s evidence not complete", f.Path, ev.Source)
					}
					// One artifact tells the host's own outcome; the run's truth can be
					// weaker (a categorized group without its log is UNKNOWN, R3).
					outcome := results.HostPass
					if sc.Host(ev.Machine).Outcome == "fail" {
						outcome = results.HostFail
					}
					if ev.Status != outcome {
						t.Errorf("%s: %s says %s, the host %s", f.Path, ev.Source, ev.Status, outcome)
					}
					// Event-shaped reporters list no pending tests: their count is partial.
					shape := sc.Host(ev.Machine).Reporter
					partial := ev.Source == results.SourceReporterTXT || (ev.Source == results.SourceReporterJSON && (shape == ShapeDict || shape == ShapeList))
					if want.Tests > 0 && ev.Tests != 0 && ev.Tests != want.Tests && !partial {
						t.Errorf("%s: %s counts %d tests, truth %d", f.Path, ev.Source, ev.Tests, want.Tests)
					}
					if want.Status == results.HostFail && ev.Source != results.SourceMochawesome && ev.FailedStep != "" && ev.FailedStep != want.FailedStep {
						t.Errorf("%s: %s failed step %q, truth %q", f.Path, ev.Source, ev.FailedStep, want.FailedStep)
					}
				}
			}
			for vm := range exp.Hosts {
				if len(seen[vm]) == 0 {
					t.Errorf("no evidence at all for %s", vm)
				}
			}
		})
	}
}

// The run log parser finds one block per invocation, every row, every URL.
func TestCrossCheck_R9_RunLogParserReadsTheLog(t *testing.T) {
	for _, cc := range crossCases {
		t.Run(cc.scenario, func(t *testing.T) {
			exp := expectOf(t, cc.scenario)
			r := renderScenario(t, cc.scenario, cc.build, cc.categorized, cc.args...)
			facts := logFacts(r.log)
			if r.log == "" {
				if len(facts.Blocks) != 0 {
					t.Error("blocks in an empty log")
				}
				return
			}
			var blocks []results.CloudBlock
			for _, b := range facts.Blocks {
				if !b.Bookkeeping {
					blocks = append(blocks, b)
				}
			}
			wantBlocks := 1
			if cc.categorized {
				wantBlocks = len(exp.Subruns)
			}
			if len(blocks) != wantBlocks {
				t.Fatalf("%d cloud blocks, want %d", len(blocks), wantBlocks)
			}
			rows := map[string]results.SummaryRow{}
			for _, b := range blocks {
				if !b.Finished || !b.TableComplete || b.RecordedURL == "" || b.RecordedURL != b.RunURL {
					t.Errorf("block %s: finished %v table %v urls %q %q", b.BuildID, b.Finished, b.TableComplete, b.RunURL, b.RecordedURL)
				}
				for _, row := range b.Rows {
					rows[row.Machine] = row
				}
			}
			if len(facts.SpecPatterns) != 1 || len(facts.SpecPatterns[0].Specs) != len(exp.Hosts) {
				t.Errorf("Extracted specPattern lines %+v", facts.SpecPatterns)
			}
			if len(facts.Detected) != wantBlocks {
				t.Errorf("%d Detected lines, want %d", len(facts.Detected), wantBlocks)
			}
			for vm, want := range exp.Hosts {
				row, ok := rows[vm]
				if !ok {
					t.Errorf("no table row for %s (rows %v)", vm, rows)
					continue
				}
				if row.Failed() != (want.Status == results.HostFail) || (want.Tests > 0 && row.Tests != want.Tests) {
					t.Errorf("%s row %+v, truth %+v", vm, row, want)
				}
			}
		})
	}
}

// Reconstruct, fed everything, states the scenario's truth: the run's
// state, each host's status, failing step and error.
func TestCrossCheck_D18_ReconstructMatchesTruth(t *testing.T) {
	for _, cc := range crossCases {
		for _, live := range []bool{false, true} {
			name := cc.scenario
			if live {
				// As in a live run: simulated times run ahead of the controller clock.
				name += "/sim-ahead-of-clock"
			}
			t.Run(name, func(t *testing.T) {
				exp := expectOf(t, cc.scenario)
				r := renderScenario(t, cc.scenario, cc.build, cc.categorized, cc.args...)
				arts := collect(t, r.root)
				if r.log != "" {
					arts.RunLog = logFacts(r.log)
				}
				meta := results.Meta{Build: cc.build, RunStart: goldenStart, Now: time.Now().Add(2 * time.Hour), Template: cc.template,
					Plugin: cc.plugin, Categorized: cc.categorized, RequestedVMs: expectedHosts(exp), ConfigFile: GoldConfig,
					Processes: []results.Process{}}
				if live {
					meta.RunStart = goldenStart.Add(-time.Minute)
					meta.Now = goldenStart.Add(2 * time.Minute)
				}
				st := results.Reconstruct(meta, arts)
				if st.State != exp.State {
					t.Errorf("state %s, truth %s; notes %q", st.State, exp.State, st.Notes)
				}
				got := map[string]results.Host{}
				for _, h := range st.Hosts {
					got[h.Name] = h
				}
				for vm, want := range exp.Hosts {
					h := got[vm]
					if h.Status != want.Status {
						t.Errorf("%s: %s, truth %s (notes %q)", vm, h.Status, want.Status, h.Notes)
					}
					if want.FailedStep != "" && h.FailedStep != want.FailedStep {
						t.Errorf("%s: failed step %q, truth %q", vm, h.FailedStep, want.FailedStep)
					}
					if want.Error != "" && !strings.Contains(h.Error+" "+h.FailureExcerpt, want.Error) {
						t.Errorf("%s: error %q / %q lacks %q", vm, h.Error, h.FailureExcerpt, want.Error)
					}
					if want.Group != "" && h.Group != want.Group {
						t.Errorf("%s: group %q, truth %q", vm, h.Group, want.Group)
					}
				}
				if len(st.Hosts) != len(exp.Hosts) {
					t.Errorf("%d hosts, truth %d", len(st.Hosts), len(exp.Hosts))
				}
				if cc.categorized {
					var names []string
					for _, s := range st.Subruns {
						names = append(names, s.Name)
					}
					if strings.Join(names, ",") != strings.Join(exp.Subruns, ",") {
						t.Errorf("subruns %q, truth %q", names, exp.Subruns)
					}
				}
			})
		}
	}
}

// The generated specs' TEST FLOW, as the results package evaluates it,
// has the step counts of docs/formats.md (e): the two gate evaluators agree.
func TestCrossCheck_S8_TestFlowOfGeneratedSpecs(t *testing.T) {
	for _, tc := range []struct {
		tpl   string
		gates results.FlowGates
		env   Env
	}{
		{TplE2E, results.FlowGates{Plugin: "fc"}, Env{Plugin: "fc", InstallOnly: bp(false)}},
		{TplE2E, results.FlowGates{Plugin: "iscsi"}, Env{Plugin: "iscsi", InstallOnly: bp(false)}},
		{TplE2E, results.FlowGates{Plugin: "both"}, Env{Plugin: "both", InstallOnly: bp(false)}},
		{TplE2E, results.FlowGates{Plugin: "fc", InstallOnly: true}, Env{Plugin: "fc", InstallOnly: bp(true)}},
		{TplReboot, results.FlowGates{Plugin: "fc"}, Env{Plugin: "fc"}},
		{TplReboot, results.FlowGates{Plugin: "iscsi"}, Env{Plugin: "iscsi"}},
		{TplReboot, results.FlowGates{Plugin: "both"}, Env{Plugin: "both"}},
		{TplSystemOS, results.FlowGates{}, Env{}},
		{TplMigration, results.FlowGates{}, Env{}},
		{TplMigration, results.FlowGates{Cutover: bp(false)}, Env{Cutover: bp(false)}},
	} {
		spec, _ := RenderSpec("atvm71-redhat9.1", tc.tpl, SpecOptions{})
		got, notes, err := results.TestFlow(spec, tc.gates)
		if err != nil {
			t.Errorf("%s: %v", tc.tpl, err)
			continue
		}
		if want := Flow(tc.tpl, tc.env); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s %+v: results.TestFlow gives %d steps, the simulator runs %d (notes %q)", tc.tpl, tc.gates, len(got), len(want), notes)
		}
	}
}

// A live hang, seen through a real ps snapshot: the bot's reconstruction
// calls it HUNG once the log has been quiet for the grace period (D3, W4).
func TestCrossCheck_W4_LiveHangIsHung(t *testing.T) {
	root := installLive(t, "hang.yaml")
	if out, err := shimCmd(root, 20000, TemplateScript, "--template_name", "cmc-e2e", "--config_file", GoldConfig,
		"--containsVm", "redhat9.7", "--use_specified_plugin", "fc").CombinedOutput(); err != nil {
		t.Fatalf("template: %v\n%s", err, out)
	}
	start := time.Now().Add(-time.Second)
	cmd, logPath, _ := startRunner(t, root, 20000, "--config_file", GoldConfig, "--build_name", "e2e-redhat9.7-fc")
	waitFor(t, "a defunct child", 30*time.Second, func() bool {
		for _, c := range childrenOf(cmd.Process.Pid) {
			if c.state == "Z" {
				return true
			}
		}
		return false
	})
	all, err := exec.Command("ps", "-eo", "pid,ppid,stat,etimes,args").Output()
	if err != nil {
		t.Fatalf("ps: %v", err)
	}
	// Only this runner's process tree: other tests on the machine may run
	// simulated runners of their own at the same time.
	ps := processTree(all, cmd.Process.Pid)
	defer syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	log, _ := os.ReadFile(logPath)
	info, _ := os.Stat(logPath)
	arts := collect(t, root)
	arts.RunLog, arts.LogModTime = logFacts(string(log)), info.ModTime()
	meta := results.Meta{Build: "e2e-redhat9.7-fc", RunStart: start, Template: TplE2E, Plugin: "fc",
		RequestedVMs: []string{"atvm97-redhat9.7"}, ConfigFile: GoldConfig, Processes: results.ParsePS(ps),
		RunnerCommand: "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-redhat9.7-fc"}
	meta.Now = info.ModTime().Add(time.Minute)
	if st := results.Reconstruct(meta, arts); st.State != results.RunRunning {
		t.Errorf("a minute after the last output: %s, want RUNNING (notes %q)", st.State, st.Notes)
	}
	meta.Now = info.ModTime().Add(results.DefaultHungGrace + time.Minute)
	st := results.Reconstruct(meta, arts)
	if st.State != results.RunHung || len(st.Hosts) != 1 || st.Hosts[0].Status != results.HostPass || len(st.CurrentsURLs) != 1 {
		t.Errorf("after the grace: %s hosts %+v urls %q notes %q\nps:\n%s", st.State, st.Hosts, st.CurrentsURLs, st.Notes, grepLines(ps, "simulate"))
	}
}

func grepLines(b []byte, s string) string {
	var out []string
	for _, l := range bytes.Split(b, []byte("\n")) {
		if bytes.Contains(l, []byte(s)) || bytes.Contains(l, []byte("defunct")) {
			out = append(out, string(l))
		}
	}
	return strings.Join(out, "\n")
}

// processTree keeps the header of a `ps -eo pid,ppid,…` listing and the
// lines of root and its descendants.
func processTree(ps []byte, root int) []byte {
	lines := bytes.Split(ps, []byte("\n"))
	parent := map[int]int{}
	for _, l := range lines[1:] {
		f := strings.Fields(string(l))
		if len(f) < 2 {
			continue
		}
		pid, err1 := strconv.Atoi(f[0])
		ppid, err2 := strconv.Atoi(f[1])
		if err1 == nil && err2 == nil {
			parent[pid] = ppid
		}
	}
	in := func(pid int) bool {
		for i := 0; i < 64 && pid > 1; i++ {
			if pid == root {
				return true
			}
			pid = parent[pid]
		}
		return false
	}
	out := [][]byte{lines[0]}
	for _, l := range lines[1:] {
		f := strings.Fields(string(l))
		if len(f) < 2 {
			continue
		}
		if pid, err := strconv.Atoi(f[0]); err == nil && in(pid) {
			out = append(out, l)
		}
	}
	return append(bytes.Join(out, []byte("\n")), '\n')
}
