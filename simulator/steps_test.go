package simulator

import (
	"regexp"
	"strings"
	"testing"
)

// The step counts of docs/formats.md (e), after gate evaluation.
func TestFlow_S8_StepCountsPerTemplate(t *testing.T) {
	for _, tc := range []struct {
		tpl   string
		env   Env
		steps int
		first string
		last  string
	}{
		{TplE2E, Env{Plugin: "fc", InstallOnly: bp(false)}, 22, "1. Verifying set up", "22. Power off"},
		{TplE2E, Env{Plugin: "iscsi", InstallOnly: bp(false)}, 20, "1. Verifying set up", "20. Clean up iSCSI targets"},
		{TplE2E, Env{Plugin: "both", InstallOnly: bp(false)}, 39, "1. Verifying set up", "20. Clean up iSCSI targets"},
		{TplE2E, Env{Plugin: "fc", InstallOnly: bp(true)}, 8, "1. Verifying set up", "8. Power off"},
		{TplE2E, Env{Plugin: "fc"}, 3, "1. Verifying set up", "3. Uninstall CMC if still exists"}, // env unset: neither branch
		{TplReboot, Env{Plugin: "fc"}, 43, "1. Verifying set up", "57. Power off"},
		{TplReboot, Env{Plugin: "iscsi"}, 37, "1. Verifying set up", "57. Power off"},
		{TplReboot, Env{Plugin: "both"}, 57, "1. Verifying set up", "57. Power off"},
		{TplSystemOS, Env{}, 21, "1. Verifying set up", "21. Power off"},
		{TplMigration, Env{Cutover: bp(true)}, 17, "1. Verifying set up", "19. Uninstall CMC"},
		{TplMigration, Env{}, 17, "1. Verifying set up", "19. Uninstall CMC"}, // != false: unset runs the cutover
		{TplMigration, Env{Cutover: bp(false)}, 14, "1. Verifying set up", "19. Uninstall CMC"},
	} {
		flow := Flow(tc.tpl, tc.env)
		if len(flow) != tc.steps || flow[0] != tc.first || flow[len(flow)-1] != tc.last {
			t.Errorf("%s %+v: %d steps %q…%q, want %d %q…%q", tc.tpl, tc.env, len(flow), flow[0], flow[len(flow)-1],
				tc.steps, tc.first, tc.last)
		}
	}
	// The cmc-e2e FC flow is the operators' 22-step flow of the 03-27 entry.
	fc := Flow(TplE2E, Env{Plugin: "fc", InstallOnly: bp(false)})
	if fc[17] != "18. Remove enabled FC integration" || fc[20] != "21. Clean up iSCSI targets" {
		t.Errorf("cmc-e2e fc flow drifted from the operators' list: %q", fc)
	}
	// cmc-reboot numbers in file order: fc has the gap 11–24 (docs/formats.md e).
	rb := Flow(TplReboot, Env{Plugin: "fc"})
	if rb[9] != "10. Verify data for cmotion" || !strings.HasPrefix(rb[10], "25. ") {
		t.Errorf("reboot fc flow gap: %q %q", rb[9], rb[10])
	}
	if Flow("cmc-unknown", Env{}) != nil {
		t.Error("unknown template has a flow")
	}
}

var itRE = regexp.MustCompile(`(?m)^\s*it\("(\d+)\. `)

func TestRenderSpec_S8_GatesInText(t *testing.T) {
	for _, tc := range []struct {
		tpl      string
		rawIts   int
		contains []string
		absent   []string
	}{
		{TplE2E, 44, []string{`describe("atvm9-debian12.5 cmc-e2e"`, "const useFCPlugin = pluginType === \"fc\" || pluginType === \"both\";",
			"if (useIscsiPlugin) {", `if (Cypress.env("test-install-only") == true) {`, `if (Cypress.env("test-install-only") == false) {`}, []string{"usePure"}},
		{TplReboot, 57, []string{"if (usePureFCPlugin) {", "if (usePureIscsiPlugin) {", `Cypress.env("pure_plugin_type")`, "md5sum -c /root/tmp/fcDisk/diskname2Reboot.md5"},
			[]string{"test-install-only", "useFCPlugin "}},
		{TplSystemOS, 21, []string{`describe("atvm9-debian12.5 cmc-systemOS"`}, []string{"pure_plugin_type", "Plugin"}},
		{TplMigration, 19, []string{`const performCutover = Cypress.env("cutover") != false;`, "if (performCutover) {", "} else {"}, []string{"pure_plugin_type"}},
	} {
		spec, err := RenderSpec("atvm9-debian12.5", tc.tpl, SpecOptions{TestPartition: true, IgnoreForceShutdown: true})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(itRE.FindAll(spec, -1)); n != tc.rawIts {
			t.Errorf("%s: %d it( in the file, want %d", tc.tpl, n, tc.rawIts)
		}
		for _, c := range tc.contains {
			if !strings.Contains(string(spec), c) {
				t.Errorf("%s: spec lacks %q", tc.tpl, c)
			}
		}
		for _, c := range tc.absent {
			if strings.Contains(string(spec), c) {
				t.Errorf("%s: spec has %q", tc.tpl, c)
			}
		}
		if strings.Count(string(spec), "{") != strings.Count(string(spec), "}") {
			t.Errorf("%s: unbalanced braces", tc.tpl)
		}
		vm, tpl, err := specIdentity(spec)
		if err != nil || vm != "atvm9-debian12.5" || tpl != tc.tpl {
			t.Errorf("specIdentity = %q %q %v", vm, tpl, err)
		}
	}
	if _, err := RenderSpec("a", "cmc-nope", SpecOptions{}); err == nil {
		t.Error("unknown template rendered")
	}
}

func TestSpecLine_R7_StackFramePointsAtStep(t *testing.T) {
	spec, _ := RenderSpec("atvm71-redhat9.1", TplReboot, SpecOptions{})
	title := "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)"
	n := specLine(spec, title)
	lines := strings.Split(string(spec), "\n")
	if !strings.Contains(lines[n-2], `it("`+title) {
		t.Errorf("line %d is %q, the line before should open the step", n, lines[n-1])
	}
	if specLine(spec, "99. nope") != 1 {
		t.Error("missing step should give line 1")
	}
}
