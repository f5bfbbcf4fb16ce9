package commands

import (
	"strings"
	"testing"
)

var allTemplates = []string{"cmc-e2e", "cmc-reboot", "cmc-systemOS", "cmc-migrateops-compute-migration"}

func TestPlan_P4_DefaultGoldConfig(t *testing.T) {
	for _, tmpl := range allTemplates {
		p := plan(t, "plan "+tmpl+" --containsVm redhat9.6")
		for name, argv := range map[string][]string{"template": p.TemplateArgv, "runner": p.RunnerArgv} {
			if v, _ := argValue(argv, "--config_file"); v != "cypress.atvm-config-gold.ts" {
				t.Errorf("%s %s: --config_file %q, want cypress.atvm-config-gold.ts", tmpl, name, v)
			}
		}
		if strings.Contains(p.TemplateCommand+p.RunnerCommand, "cypress.atvm-config.ts") {
			t.Errorf("%s: defaulted to cypress.atvm-config.ts", tmpl)
		}
		if p.ConfigFile != "cypress.atvm-config-gold.ts" {
			t.Errorf("%s: ConfigFile %q", tmpl, p.ConfigFile)
		}
	}
}

func TestPlan_P4_ExplicitConfigKept(t *testing.T) {
	p := plan(t, "plan cmc-e2e --containsVm redhat9.6 --config_file cypress.atvm-config-silver.ts")
	for _, argv := range [][]string{p.TemplateArgv, p.RunnerArgv} {
		if v, _ := argValue(argv, "--config_file"); v != "cypress.atvm-config-silver.ts" || countArg(argv, "--config_file") != 1 {
			t.Errorf("argv %v: want exactly one --config_file cypress.atvm-config-silver.ts", argv)
		}
	}
	for _, d := range p.Defaults {
		if strings.Contains(d, "config_file") {
			t.Errorf("explicit config reported as a default: %q", d)
		}
	}
}

func TestPlan_P4_NeverDefaultToPlainConfig(t *testing.T) {
	cfg := testConfig()
	cfg.Controller.ConfigFile = "cypress.atvm-config.ts"
	e := refusal(t, "plan cmc-e2e --containsVm redhat9.6", cfg)
	if e.Flag != "--config_file" || !strings.Contains(e.Msg, "never used by default") {
		t.Errorf("refusal %+v, want one naming --config_file and P4", e)
	}
	// Named explicitly, the operator gets what they asked for.
	p := planWith(t, "plan cmc-e2e --containsVm redhat9.6 --config_file cypress.atvm-config.ts", cfg)
	if v, _ := argValue(p.TemplateArgv, "--config_file"); v != "cypress.atvm-config.ts" {
		t.Errorf("explicit config: got %q", v)
	}
}

func TestPlan_P6_IgnoreForceShutdownDefault(t *testing.T) {
	for _, tmpl := range allTemplates {
		p := plan(t, "plan "+tmpl+" --randomize 2")
		if countArg(p.TemplateArgv, "--ignore_force_shutdown") != 1 {
			t.Errorf("%s: %s lacks one --ignore_force_shutdown", tmpl, p.TemplateCommand)
		}
		if countArg(p.RunnerArgv, "--ignore_force_shutdown") != 0 {
			t.Errorf("%s: runner got --ignore_force_shutdown", tmpl)
		}
	}
	// Asked for explicitly, it is still there once.
	p := plan(t, "plan cmc-e2e --randomize 2 --ignore_force_shutdown")
	if countArg(p.TemplateArgv, "--ignore_force_shutdown") != 1 {
		t.Errorf("explicit: %s", p.TemplateCommand)
	}
}

func TestPlan_P6_IgnoreForceShutdown_OptOut(t *testing.T) {
	for _, text := range []string{
		"plan cmc-e2e --randomize 2 --no-ignore-force-shutdown",
		"plan cmc-e2e --no-ignore-force-shutdown --randomize 2",
	} {
		p := plan(t, text)
		if countArg(p.TemplateArgv, "--ignore_force_shutdown") != 0 {
			t.Errorf("%q: %s still has --ignore_force_shutdown", text, p.TemplateCommand)
		}
		if countArg(p.TemplateArgv, "--test_partition") != 1 {
			t.Errorf("%q: opting out of one default dropped another: %s", text, p.TemplateCommand)
		}
	}
	e := refusal(t, "plan cmc-e2e --randomize 2 --no-ignore-force-shutdown --ignore_force_shutdown", testConfig())
	if e.Flag != "--ignore_force_shutdown" {
		t.Errorf("conflict refusal names %q: %s", e.Flag, e.Msg)
	}
}

func TestPlan_P7_PluginDefaultIscsi(t *testing.T) {
	for _, tmpl := range []string{"cmc-e2e", "cmc-reboot"} {
		p := plan(t, "plan "+tmpl+" --containsVm redhat9.6")
		if v, _ := argValue(p.TemplateArgv, "--use_specified_plugin"); v != "iscsi" || p.Plugin != "iscsi" {
			t.Errorf("%s: plugin %q/%q, want iscsi", tmpl, v, p.Plugin)
		}
		if !strings.HasSuffix(p.Build, "-iscsi") {
			t.Errorf("%s: build %q does not carry the plugin", tmpl, p.Build)
		}
	}
}

func TestPlan_P7_PluginOnRequest(t *testing.T) {
	for text, want := range map[string]string{
		"plan cmc-e2e --containsVm x --use_specified_plugin fc":    "fc",
		"plan cmc-e2e --containsVm x --use_specified_plugin FC":    "fc",
		"plan cmc-e2e --containsVm x --plugin both":                "both",
		"plan cmc-reboot --containsVm x --use_specified_plugin=fc": "fc",
	} {
		p := plan(t, text)
		if v, _ := argValue(p.TemplateArgv, "--use_specified_plugin"); v != want || countArg(p.TemplateArgv, "--use_specified_plugin") != 1 {
			t.Errorf("%q: %s, want exactly one --use_specified_plugin %s", text, p.TemplateCommand, want)
		}
	}
	e := refusal(t, "plan cmc-e2e --containsVm x --use_specified_plugin nvme", testConfig())
	if e.Flag != "--use_specified_plugin" || !strings.Contains(e.Msg, "iscsi, fc, both") {
		t.Errorf("bad plugin refusal: %+v", e)
	}
}

func TestPlan_P8_TestPartitionDefault(t *testing.T) {
	for _, tmpl := range allTemplates {
		p := plan(t, "plan "+tmpl+" --specify_vms atvm5-ubuntu22.04")
		if countArg(p.TemplateArgv, "--test_partition") != 1 {
			t.Errorf("%s: %s lacks one --test_partition", tmpl, p.TemplateCommand)
		}
	}
}

func TestPlan_P8_TestPartition_OptOut(t *testing.T) {
	p := plan(t, "plan cmc-e2e --specify_vms atvm5-ubuntu22.04 --no-test-partition")
	if countArg(p.TemplateArgv, "--test_partition") != 0 {
		t.Errorf("opt-out ignored: %s", p.TemplateCommand)
	}
	if countArg(p.TemplateArgv, "--ignore_force_shutdown") != 1 {
		t.Errorf("opt-out of --test_partition dropped --ignore_force_shutdown: %s", p.TemplateCommand)
	}
}

func TestPlan_P9_SystemOSNoPlugin(t *testing.T) {
	p := plan(t, "plan cmc-systemOS --containsVm w2k25")
	for _, bad := range []string{"--use_specified_plugin", "--integration_type", "iscsi"} {
		if strings.Contains(p.TemplateCommand+" "+p.RunnerCommand, bad) {
			t.Errorf("systemOS plan carries %q: %s", bad, p.TemplateCommand)
		}
	}
	if p.Plugin != "" || p.Integration != "" {
		t.Errorf("systemOS plan has plugin metadata %q/%q", p.Plugin, p.Integration)
	}
	if p.Build != "systemos-w2k25" {
		t.Errorf("build %q, want systemos-w2k25 (no plugin part)", p.Build)
	}
	for _, opt := range []string{"--use_specified_plugin iscsi", "--integration_type pure", "--plugin fc"} {
		e := refusal(t, "plan cmc-systemOS --containsVm w2k25 "+opt, testConfig())
		flag := strings.Fields(opt)[0]
		if flag == "--plugin" {
			flag = "--use_specified_plugin"
		}
		if e.Flag != flag || !strings.Contains(e.Msg, "has no plugin") {
			t.Errorf("%s: refusal %+v, want one naming %s and P9", opt, e, flag)
		}
	}
}

func TestPlan_P10_VMwareComputeMigration(t *testing.T) {
	const tmpl = "plan cmc-migrateops-compute-migration --containsVm ubuntu24.04"
	want := []string{"--vm_platforms", "vmware", "--ignore_force_shutdown", "--test_partition", "--set_static_ip_dest"}
	for _, text := range []string{tmpl, tmpl + " --vm_platforms vmware", tmpl + " --vm_platforms VMware"} {
		p := plan(t, text)
		got := strings.Join(p.TemplateArgv, " ")
		if !strings.Contains(got, strings.Join(want, " ")) {
			t.Errorf("%q: %s\nwant the VMware set %v", text, got, want)
		}
		if countArg(p.TemplateArgv, "--vm_platforms") != 1 || countArg(p.TemplateArgv, "--set_static_ip_dest") != 1 {
			t.Errorf("%q: duplicated platform options: %s", text, got)
		}
	}
}

func TestPlan_P10_OtherPlatformNoVMwareDefaults(t *testing.T) {
	// D12: another platform named explicitly gets none of the VMware-only defaults.
	p := plan(t, "plan cmc-migrateops-compute-migration --containsVm ubuntu24.04 --vm_platforms aws")
	if v, _ := argValue(p.TemplateArgv, "--vm_platforms"); v != "aws" {
		t.Errorf("--vm_platforms %q, want aws", v)
	}
	if strings.Contains(p.TemplateCommand, "--set_static_ip_dest") || strings.Contains(p.TemplateCommand, "vmware") {
		t.Errorf("VMware defaults on an aws plan: %s", p.TemplateCommand)
	}
	// The template-wide defaults still apply.
	if countArg(p.TemplateArgv, "--ignore_force_shutdown") != 1 || countArg(p.TemplateArgv, "--test_partition") != 1 {
		t.Errorf("aws plan lost P6/P8 defaults: %s", p.TemplateCommand)
	}
	// Asked for by name, --set_static_ip_dest is kept on any platform.
	p = plan(t, "plan cmc-migrateops-compute-migration --containsVm ubuntu24.04 --vm_platforms aws --set_static_ip_dest")
	if countArg(p.TemplateArgv, "--set_static_ip_dest") != 1 {
		t.Errorf("explicit --set_static_ip_dest dropped: %s", p.TemplateCommand)
	}
}

func TestPlan_P10_StaticIP_OptOut(t *testing.T) {
	p := plan(t, "plan cmc-migrateops-compute-migration --containsVm ubuntu24.04 --no-set-static-ip-dest")
	if strings.Contains(p.TemplateCommand, "--set_static_ip_dest") {
		t.Errorf("opt-out ignored: %s", p.TemplateCommand)
	}
	if v, _ := argValue(p.TemplateArgv, "--vm_platforms"); v != "vmware" {
		t.Errorf("--vm_platforms %q, want vmware", v)
	}
}

func TestPlan_P10_OtherTemplatesNoPlatformDefault(t *testing.T) {
	for _, tmpl := range []string{"cmc-e2e", "cmc-reboot", "cmc-systemOS"} {
		p := plan(t, "plan "+tmpl+" --containsVm x")
		if strings.Contains(p.TemplateCommand, "--vm_platforms") || strings.Contains(p.TemplateCommand, "--set_static_ip_dest") {
			t.Errorf("%s got compute-migration defaults: %s", tmpl, p.TemplateCommand)
		}
	}
}

func TestPlan_P11_RebootBothNeedsConfirm(t *testing.T) {
	p := plan(t, "plan cmc-reboot --containsVm redhat8.10 --use_specified_plugin both")
	if !p.NeedsConfirmation || len(p.Warnings) != 1 {
		t.Fatalf("NeedsConfirmation=%v warnings=%q, want the P11 gate", p.NeedsConfirmation, p.Warnings)
	}
	for _, w := range []string{"FC", "iSCSI", "mTDI", "--confirm-both"} {
		if !strings.Contains(p.Warnings[0], w) {
			t.Errorf("warning lacks %q: %s", w, p.Warnings[0])
		}
	}
	if !strings.Contains(p.Text(), "--confirm-both") {
		t.Errorf("plan text does not say how to confirm:\n%s", p.Text())
	}
	for _, text := range []string{
		"plan cmc-reboot --containsVm redhat8.10 --use_specified_plugin fc",
		"plan cmc-reboot --containsVm redhat8.10",
		"plan cmc-e2e --containsVm redhat8.10 --use_specified_plugin both",
	} {
		if p := plan(t, text); p.NeedsConfirmation || len(p.Warnings) != 0 {
			t.Errorf("%q: unexpected gate %v %q", text, p.NeedsConfirmation, p.Warnings)
		}
	}
}

func TestPlan_P12_BroadSelectorExcludesBlacklist(t *testing.T) {
	for _, text := range []string{
		"plan cmc-e2e --containsVm redhat9.6",
		"plan cmc-e2e --randomize 3",
		"plan cmc-systemOS --containsVm w2k25 --randomize 1",
	} {
		p := plan(t, text)
		if v, _ := argValue(p.TemplateArgv, "--exclude_partial_match"); v != blacklistCSV {
			t.Errorf("%q: --exclude_partial_match %q\nwant %q", text, v, blacklistCSV)
		}
		if last := p.TemplateArgv[len(p.TemplateArgv)-2]; last != "--exclude_partial_match" {
			t.Errorf("%q: excludes are not last: %s", text, p.TemplateCommand)
		}
	}
	// The operator's own excludes come first; blacklist names are not repeated.
	p := plan(t, "plan cmc-e2e --containsVm debian --exclude_partial_match debian8,atvm144-suse15.0")
	want := "debian8,atvm144-suse15.0,atvm6-centos6.0,atvm41-redhat6.0,atvm73-oracle6.0,atvm113-debian9.0.0,atvm115-debian9.1.0,atvm116-debian9.2.0,atvm156-debian9.3.0"
	if v, _ := argValue(p.TemplateArgv, "--exclude_partial_match"); v != want {
		t.Errorf("merged excludes %q\nwant %q", v, want)
	}
}

func TestPlan_P12_BlacklistIsData(t *testing.T) {
	cfg := testConfig()
	cfg.Blacklist = append(cfg.Blacklist, cfgEntry("atvm200-rocky9.0", "NEW REASON"))
	p := planWith(t, "plan cmc-e2e --containsVm rocky", cfg)
	if v, _ := argValue(p.TemplateArgv, "--exclude_partial_match"); !strings.HasSuffix(v, ",atvm200-rocky9.0") {
		t.Errorf("added blacklist entry not excluded: %q", v)
	}
	if len(p.Skipped) != 1 || p.Skipped[0].Name != "atvm200-rocky9.0" || p.Skipped[0].Reason != "NEW REASON" {
		t.Errorf("skipped %+v", p.Skipped)
	}
}

func TestPlan_D13_SkippedListsMatchedBlacklist(t *testing.T) {
	p := plan(t, "plan cmc-e2e --containsVm debian9")
	var names []string
	for _, s := range p.Skipped {
		names = append(names, s.Name+"="+s.Reason)
	}
	want := "atvm113-debian9.0.0=SUPPORT REQUEST - WAITING atvm115-debian9.1.0=SUPPORT REQUEST - WAITING atvm116-debian9.2.0=SUPPORT REQUEST - WAITING atvm156-debian9.3.0=RE-CREATE MIGHT BE NEEDED"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("skipped:\n got %s\nwant %s", got, want)
	}
	if p := plan(t, "plan cmc-e2e --randomize 4"); len(p.Skipped) != 8 {
		t.Errorf("--randomize: %d skipped, want all 8 blacklisted", len(p.Skipped))
	}
	if p := plan(t, "plan cmc-e2e --containsVm ubuntu24.04"); len(p.Skipped) != 0 {
		t.Errorf("ubuntu24.04 matched blacklisted machines: %+v", p.Skipped)
	}
	if p := plan(t, "plan cmc-e2e --specify_vms atvm5-ubuntu22.04"); len(p.Skipped) != 0 {
		t.Errorf("--specify_vms reported skipped machines: %+v", p.Skipped)
	}
}

func TestPlan_D13_NoSelectorRefused(t *testing.T) {
	for _, text := range []string{
		"plan cmc-e2e",
		"plan cmc-e2e --use_specified_plugin fc",
		"plan cmc-e2e --exclude_partial_match redhat",
	} {
		e := refusal(t, text, testConfig())
		for _, s := range []string{"--containsVm", "--specify_vms", "--randomize"} {
			if !strings.Contains(e.Msg, s) {
				t.Errorf("%q: refusal does not name %s: %s", text, s, e.Msg)
			}
		}
	}
}

func TestPlan_P13_SpecifiedBlacklistedVMRefused(t *testing.T) {
	e := refusal(t, "plan cmc-e2e --specify_vms atvm5-ubuntu22.04,atvm144-suse15.0", testConfig())
	if e.Flag != "--specify_vms" {
		t.Errorf("refusal names %q, want --specify_vms", e.Flag)
	}
	for _, s := range []string{"atvm144-suse15.0", "CRASHES WHEN CREATING MIGRATION SESSION - BUG"} {
		if !strings.Contains(e.Msg, s) {
			t.Errorf("refusal lacks %q: %s", s, e.Msg)
		}
	}
	if strings.Contains(e.Msg, "atvm5-ubuntu22.04") {
		t.Errorf("refusal blames a machine that is not blacklisted: %s", e.Msg)
	}
	e = refusal(t, "plan cmc-e2e --specify_vms atvm6-centos6.0,atvm41-redhat6.0", testConfig())
	if !strings.Contains(e.Msg, "atvm6-centos6.0") || !strings.Contains(e.Msg, "atvm41-redhat6.0") || !strings.Contains(e.Msg, "CAN'T COMPILE") {
		t.Errorf("refusal does not list every blacklisted machine: %s", e.Msg)
	}
}

func TestPlan_P13_SpecifiedVMsGetNoBlacklist(t *testing.T) {
	p := plan(t, "plan cmc-e2e --specify_vms atvm71-redhat9.1,atvm5-ubuntu22.04")
	if strings.Contains(p.TemplateCommand, "--exclude_partial_match") {
		t.Errorf("blacklist added to --specify_vms: %s", p.TemplateCommand)
	}
	if v, _ := argValue(p.TemplateArgv, "--specify_vms"); v != "atvm71-redhat9.1,atvm5-ubuntu22.04" {
		t.Errorf("--specify_vms %q", v)
	}
	if strings.Join(p.RequestedVMs, ",") != "atvm71-redhat9.1,atvm5-ubuntu22.04" {
		t.Errorf("RequestedVMs %v", p.RequestedVMs)
	}
	// Excludes the operator asks for are kept as typed.
	p = plan(t, "plan cmc-e2e --specify_vms atvm71-redhat9.1 --exclude_partial_match foo")
	if v, _ := argValue(p.TemplateArgv, "--exclude_partial_match"); v != "foo" {
		t.Errorf("--exclude_partial_match %q, want foo", v)
	}
	e := refusal(t, "plan cmc-e2e --specify_vms atvm71-redhat9.1 --containsVm redhat", testConfig())
	if e.Flag != "--specify_vms" {
		t.Errorf("mixing --specify_vms and --containsVm: %+v", e)
	}
}

func TestPlan_P14_NoExtraOptions(t *testing.T) {
	// Exactly what was asked plus the defaults, nothing from the examples.
	cases := map[string]string{
		"plan cmc-e2e --specify_vms atvm5-ubuntu22.04":                                                     "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --specify_vms atvm5-ubuntu22.04 --use_specified_plugin iscsi --ignore_force_shutdown --test_partition",
		"plan cmc-systemOS --specify_vms atvm5-ubuntu22.04 --no-test-partition --no-ignore-force-shutdown": "python3 ./cmc-templates.py --template_name cmc-systemOS --config_file cypress.atvm-config-gold.ts --specify_vms atvm5-ubuntu22.04",
		"plan cmc-e2e --containsVm redhat9.7 --integration_type pure --use_specified_plugin fc":            "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --containsVm redhat9.7 --use_specified_plugin fc --integration_type pure --ignore_force_shutdown --test_partition --exclude_partial_match " + blacklistCSV,
	}
	for text, want := range cases {
		p := plan(t, text)
		if p.TemplateCommand != want {
			t.Errorf("%q:\n got %s\nwant %s", text, p.TemplateCommand, want)
		}
		if p.RunnerCommand != "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name "+p.Build {
			t.Errorf("%q: runner %s", text, p.RunnerCommand)
		}
	}
	// No example option leaks into a plain plan.
	p := plan(t, "plan cmc-e2e --containsVm redhat9.6")
	for _, never := range []string{"--integration_type", "--categorize", "--test_install_only", "--randomize", "--vm_platforms", "--set_static_ip_dest", "--specify_vms", "pure", "ubuntu"} {
		if strings.Contains(p.TemplateCommand+" "+p.RunnerCommand, never) {
			t.Errorf("plain plan carries %q: %s | %s", never, p.TemplateCommand, p.RunnerCommand)
		}
	}
}

func TestPlan_P17_ExactTemplateCommand(t *testing.T) {
	p := plan(t, "plan cmc-e2e --containsVm redhat9.6")
	want := "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --containsVm redhat9.6 --use_specified_plugin iscsi --ignore_force_shutdown --test_partition --exclude_partial_match " + blacklistCSV
	if p.TemplateCommand != want {
		t.Errorf("template command\n got %s\nwant %s", p.TemplateCommand, want)
	}
	if JoinArgs(p.TemplateArgv) != p.TemplateCommand || JoinArgs(p.RunnerArgv) != p.RunnerCommand {
		t.Errorf("display strings differ from the argv")
	}
	if strings.Join(p.TemplateArgv, " ") != p.TemplateCommand {
		t.Errorf("a planned argument needed quoting: %q", p.TemplateArgv)
	}
	for _, wrapper := range []string{"ssh", "sshpass", "cd ", "&&", "bash -c"} {
		if strings.Contains(p.TemplateCommand, wrapper) {
			t.Errorf("template command has a remote wrapper %q", wrapper)
		}
	}
}

func TestPlan_P17_CommandsFollowConfig(t *testing.T) {
	cfg := testConfig()
	cfg.Controller.Python = "/usr/bin/python3.11"
	cfg.Controller.TemplateScript = "bin/cmc-templates.py"
	p := planWith(t, "plan cmc-e2e --containsVm redhat9.6", cfg)
	if !strings.HasPrefix(p.TemplateCommand, "/usr/bin/python3.11 bin/cmc-templates.py --template_name cmc-e2e ") {
		t.Errorf("template command ignores the config: %s", p.TemplateCommand)
	}
	cfg.Controller.Python = "python3 -c"
	e := refusal(t, "plan cmc-e2e --containsVm redhat9.6", cfg)
	if e.Flag != "config" || !strings.Contains(e.Msg, "controller.python") {
		t.Errorf("unsafe config value: %+v", e)
	}
}

func TestPlan_Runner_CategorizeAndBuild(t *testing.T) {
	p := plan(t, "plan cmc-reboot --containsVm redhat8.10 --categorize --build reboot-rh810")
	want := "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name reboot-rh810 --categorize"
	if p.RunnerCommand != want {
		t.Errorf("runner\n got %s\nwant %s", p.RunnerCommand, want)
	}
	if strings.Contains(p.TemplateCommand, "--categorize") || strings.Contains(p.TemplateCommand, "--build") {
		t.Errorf("runner options in the template command: %s", p.TemplateCommand)
	}
	if !p.Categorized || p.BuildDerived {
		t.Errorf("Categorized=%v BuildDerived=%v", p.Categorized, p.BuildDerived)
	}
}

func TestPlan_BuildNameDerived(t *testing.T) {
	cases := map[string]string{
		"plan cmc-e2e --containsVm redhat9.6,ubuntu24.04,w2k25 --use_specified_plugin fc": "e2e-redhat9.6-ubuntu24.04-w2k25-fc",
		"plan cmc-reboot --containsVm redhat8.10 --plugin both":                           "reboot-redhat8.10-both",
		"plan cmc-reboot --specify_vms atvm71-redhat9.1":                                  "reboot-redhat9.1-iscsi",
		"plan cmc-systemOS --randomize 3":                                                 "systemos-random3",
		"plan cmc-migrateops-compute-migration --containsVm ubuntu24.04":                  "migrate-ubuntu24.04",
	}
	for text, want := range cases {
		if p := plan(t, text); p.Build != want || !p.BuildDerived {
			t.Errorf("%q: build %q (derived %v), want %q", text, p.Build, p.BuildDerived, want)
		}
	}
	long := "plan cmc-e2e --containsVm " + strings.Repeat("abcdefghij,", 5) + "klmnopqrstu,vwxyz01234,redhat9.6,ubuntu24.04"
	p := plan(t, long)
	if len(p.Build) > 80 || !reBuild.MatchString(p.Build) || !strings.HasPrefix(p.Build, "e2e-abcdefghij-") {
		t.Errorf("long derived build %q (%d bytes)", p.Build, len(p.Build))
	}
}
