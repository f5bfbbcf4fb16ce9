package simulator

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestScenarios_D18_AllParseAndStateTheirTruth(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) < 6 {
		t.Fatalf("only %d scenarios", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := ParseScenario(data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if sc.Expect.State == "" || sc.Expect.Plan == "" || sc.Expect.Build == "" {
			t.Errorf("%s: expect must state plan, build and state", f)
		}
		for name, h := range sc.Expect.Hosts {
			if _, ok := sc.inventoryVM(name); !ok {
				t.Errorf("%s: expected host %s not in inventory", f, name)
			}
			if h.Status == "FAIL" && (h.FailedStep == "" || h.Error == "") {
				t.Errorf("%s: failing host %s needs failed_step and error", f, name)
			}
		}
	}
}

// The demo shows a categorized run whose failures share one cause (D28):
// two hosts in two groups failing the same step.
func TestDemoScenario_D20_CategorizedTwoGroupsOneCause(t *testing.T) {
	sc, err := ParseScenario(DemoScenario())
	if err != nil {
		t.Fatal(err)
	}
	groups, fails, steps := map[string]bool{}, 0, map[string]bool{}
	for name, h := range sc.Expect.Hosts {
		groups[h.Group] = true
		if h.Status == "FAIL" {
			fails++
			steps[h.FailedStep] = true
		}
		if sc.GroupOf(name) != h.Group {
			t.Errorf("%s: group %s, expect says %s", name, sc.GroupOf(name), h.Group)
		}
	}
	if !sc.Expect.Categorized || len(groups) < 2 || fails != 2 || len(steps) != 1 {
		t.Errorf("demo: categorized %v, %d groups, %d failing at %d steps", sc.Expect.Categorized, len(groups), fails, len(steps))
	}
	// About 10–20 s at the demo speed: sum the simulated time of the run.
	var simS float64
	for name := range sc.Expect.Hosts {
		simS += sc.Host(name).DurationS + 23
	}
	simS += float64(len(groups)) * (15 + 5 + 12)
	if real := simS / sc.speed(); real < 8 || real > 25 {
		t.Errorf("demo lasts about %.1f s, want 10–20", real)
	}
}

func TestParseScenario_D18_RejectsBadInput(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown field", "inventory: [a]\nspeeed: 3\n", "speeed"},
		{"empty inventory", "name: x\n", "inventory is empty"},
		{"host not in inventory", "inventory: [a]\nhosts: {b: {}}\n", "b is not in the inventory"},
		{"fail without step", "inventory: [a]\nhosts: {a: {outcome: fail}}\n", "needs fail_step"},
		{"bad outcome", "inventory: [a]\nhosts: {a: {outcome: flaky}}\n", "want pass or fail"},
		{"bad reporter", "inventory: [a]\ndefaults: {reporter: xml}\n", "reporter"},
		{"bad name", "inventory: ['a b']\n", "bad VM name"},
		{"duplicate", "inventory: [a, a]\n", "listed twice"},
		{"negative speed", "inventory: [a]\nspeed: -1\n", "speed"},
	} {
		_, err := ParseScenario([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	// JSON is YAML too.
	sc, err := ParseScenario([]byte(`{"inventory":["atvm1-redhat9.1",{"name":"atvm2-w2k22","group":"win"}],"speed":5}`))
	if err != nil || sc.GroupOf("atvm2-w2k22") != "win" || sc.speed() != 5 {
		t.Errorf("JSON scenario: %v %+v", err, sc)
	}
}

func TestScenarioHost_R5_DefaultsAndOverrides(t *testing.T) {
	sc, err := ParseScenario([]byte("inventory: [a, b]\ndefaults: {reporter: stats, duration_s: 100, auth_warning: true}\nhosts:\n  b: {outcome: fail, fail_step: 3, reporter: list, error: boom}\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := sc.Host("a"), sc.Host("b")
	if a.Outcome != "pass" || a.Reporter != ShapeStats || a.DurationS != 100 || !a.AuthWarning || a.ErrorType != "CypressError" {
		t.Errorf("a = %+v", a)
	}
	if b.Outcome != "fail" || b.FailStep != 3 || b.Reporter != ShapeList || b.DurationS != 100 || b.Error != "boom" {
		t.Errorf("b = %+v", b)
	}
	if d := (&Scenario{}).Host("x"); d.Reporter != ShapeDict || d.DurationS != 600 || d.Outcome != "pass" {
		t.Errorf("zero defaults = %+v", d)
	}
}

func TestDistroGroup_R10_FromMachineName(t *testing.T) {
	for in, want := range map[string]string{
		"atvm71-redhat9.1": "redhat", "atvm5-ubuntu22.04": "ubuntu", "atvm201-w2k22": "windows",
		"atvm7-windows2019": "windows", "atvm3-rhel8.6": "redhat", "atvm9-debian12.5": "debian",
		"atvm144-suse15.0": "suse", "plainhost": "plainhost", "atvm1-9": "other",
	} {
		if got := DistroGroup(in); got != want {
			t.Errorf("DistroGroup(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSelectVMs_P12_SelectorsAndExcludes(t *testing.T) {
	sc, _ := ParseScenario([]byte("seed: 1\ninventory:\n  - atvm71-redhat9.1\n  - atvm41-redhat6.0\n  - atvm5-ubuntu22.04\n  - {name: atvm9-ubuntu20.04, platform: aws}\n"))
	for _, tc := range []struct {
		name     string
		args     TemplateArgs
		want     []string
		excluded []string
		err      string
	}{
		{"containsVm substring", TemplateArgs{ContainsVM: "redhat"}, []string{"atvm71-redhat9.1", "atvm41-redhat6.0"}, nil, ""},
		{"excludes", TemplateArgs{ContainsVM: "atvm", Exclude: "atvm41-redhat6.0,ubuntu20"}, []string{"atvm71-redhat9.1", "atvm5-ubuntu22.04"},
			[]string{"atvm41-redhat6.0", "atvm9-ubuntu20.04"}, ""},
		{"specify", TemplateArgs{SpecifyVMs: "atvm5-ubuntu22.04, atvm71-redhat9.1"}, []string{"atvm5-ubuntu22.04", "atvm71-redhat9.1"}, nil, ""},
		{"specify unknown", TemplateArgs{SpecifyVMs: "atvm99-nope"}, nil, nil, "not found in inventory"},
		{"platform", TemplateArgs{ContainsVM: "ubuntu", Platforms: "vmware"}, []string{"atvm5-ubuntu22.04"}, nil, ""},
		{"randomize", TemplateArgs{Randomize: "2", Exclude: "redhat6"}, nil, nil, ""},
		{"randomize bad", TemplateArgs{Randomize: "two"}, nil, nil, "invalid int"},
		{"no selector", TemplateArgs{}, nil, nil, "required"},
		{"nothing left", TemplateArgs{ContainsVM: "suse"}, nil, nil, "no VMs matched"},
	} {
		got, ex, err := selectVMs(sc, tc.args)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if tc.name == "randomize" {
			if len(got) != 2 || contains(got, "atvm41-redhat6.0") {
				t.Errorf("randomize: %q", got)
			}
			again, _, _ := selectVMs(sc, tc.args)
			if !reflect.DeepEqual(got, again) {
				t.Error("randomize is not reproducible for a seed")
			}
			continue
		}
		if !reflect.DeepEqual(got, tc.want) || !reflect.DeepEqual(ex, tc.excluded) {
			t.Errorf("%s: got %q excluded %q, want %q excluded %q", tc.name, got, ex, tc.want, tc.excluded)
		}
	}
}

func TestParseTemplateArgs_P6_FlagsAsTyped(t *testing.T) {
	a, err := ParseTemplateArgs([]string{"--template_name", "cmc-reboot", "--config_file=cypress.atvm-config-gold.ts",
		"--containsVm", "redhat", "--use_specified_plugin", "both", "--ignore_force_shutdown", "--test_partition",
		"--mystery", "value", "--lonely"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Template != TplReboot || a.ConfigFile != GoldConfig || a.ContainsVM != "redhat" || a.Plugin != "both" ||
		!a.IgnoreForceShutdown || !a.TestPartition || a.InstallOnly || !reflect.DeepEqual(a.Unknown, []string{"--mystery value", "--lonely"}) {
		t.Errorf("parsed %+v", a)
	}
	if _, err := ParseTemplateArgs([]string{"--config_file"}); err == nil {
		t.Error("missing value accepted")
	}
}

func TestParseRunnerArgs_P17_Options(t *testing.T) {
	a, err := ParseRunnerArgs([]string{"--config_file", GoldConfig, "--build_name=b1", "--categorize"})
	if err != nil || a != (RunnerArgs{ConfigFile: GoldConfig, BuildName: "b1", Categorize: true}) {
		t.Errorf("%+v %v", a, err)
	}
	for _, bad := range [][]string{{"--build_name", "b"}, {"--config_file", "f", "--build_name", "b", "--extra"}, {"--config_file"}} {
		if _, err := ParseRunnerArgs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseScenario(f *testing.F) {
	for _, name := range []string{"demo.yaml", "reboot-fail.yaml", "categorized-3groups-1fail.yaml"} {
		data, _ := os.ReadFile(filepath.Join("testdata", name))
		f.Add(data)
	}
	f.Add([]byte(`{"inventory":[{"name":"a"}],"hosts":{"a":{"outcome":"fail","fail_step":1}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := ParseScenario(data)
		if err != nil {
			return
		}
		for _, vm := range sc.Inventory {
			h := sc.Host(vm.Name)
			if h.Outcome == "" || h.Reporter == "" || h.DurationS <= 0 {
				t.Fatalf("host %s has no defaults: %+v", vm.Name, h)
			}
			_ = sc.GroupOf(vm.Name)
		}
	})
}

func FuzzParseTemplateArgs(f *testing.F) {
	f.Add("--template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --containsVm redhat --test_partition")
	f.Add("--randomize=3 --exclude_partial_match a,b --x")
	f.Fuzz(func(t *testing.T, line string) {
		a, err := ParseTemplateArgs(strings.Fields(line))
		if err != nil {
			return
		}
		sc := &Scenario{Inventory: []InventoryVM{{Name: "atvm1-redhat9.1"}, {Name: "atvm2-ubuntu22.04"}}}
		got, _, err := selectVMs(sc, a)
		if err == nil && len(got) == 0 {
			t.Fatal("selection without error but empty")
		}
	})
}
