package commands

import (
	"strings"
	"testing"
)

func TestPlan_P3_NoWatcherOption(t *testing.T) {
	if p := plan(t, "plan cmc-e2e --containsVm x"); !p.Watcher {
		t.Errorf("a plan watches by default")
	}
	if p := plan(t, "plan cmc-e2e --containsVm x --no-watcher"); p.Watcher {
		t.Errorf("--no-watcher ignored")
	}
}

func TestPlan_P2_HashCoversEverything(t *testing.T) {
	base := plan(t, "plan cmc-e2e --containsVm redhat9.6")
	if again := plan(t, "plan  cmc-e2e  --containsVm=redhat9.6"); again.Hash != base.Hash || again.ID != base.ID {
		t.Errorf("the same request gave another hash")
	}
	if !base.Verify() || len(base.Hash) != 64 || base.ID != "p-"+base.Hash[:6] || !IsPlanID(base.ID) {
		t.Errorf("hash %q id %q", base.Hash, base.ID)
	}
	seen := map[string]string{base.Hash: "base"}
	for _, extra := range []string{"--no-watcher", "--categorize", "--use_specified_plugin fc", "--no-test-partition",
		"--config_file cypress.atvm-config-x.ts", "--build other", "--exclude_partial_match foo", "--test_install_only", "--integration_type pure"} {
		p := plan(t, "plan cmc-e2e --containsVm redhat9.6 "+extra)
		if prev, dup := seen[p.Hash]; dup {
			t.Errorf("%q has the same hash as %q", extra, prev)
		}
		seen[p.Hash] = extra
	}
	cfg := testConfig()
	cfg.Blacklist = cfg.Blacklist[1:]
	if p := planWith(t, "plan cmc-e2e --containsVm redhat9.6", cfg); p.Hash == base.Hash || p.BlacklistVersion == base.BlacklistVersion {
		t.Errorf("a blacklist change did not change the hash")
	}
	cfg = testConfig()
	cfg.Blacklist[0].Reason = "OTHER"
	if p := planWith(t, "plan cmc-e2e --specify_vms atvm5-ubuntu22.04", cfg); p.Hash == plan(t, "plan cmc-e2e --specify_vms atvm5-ubuntu22.04").Hash {
		t.Errorf("a blacklist reason change did not change the hash")
	}
	tampered := base
	tampered.TemplateArgv = append([]string{}, base.TemplateArgv...)
	tampered.TemplateArgv[2] = "--containsVm"
	if tampered.Verify() {
		t.Errorf("Verify accepted a changed argv")
	}
}

func TestPlan_TemplateNames(t *testing.T) {
	for text, want := range map[string]string{
		"plan CMC-E2E --containsVm x":                    "cmc-e2e",
		"plan e2e --containsVm x":                        "cmc-e2e",
		"plan cmc-systemos --containsVm x":               "cmc-systemOS",
		"plan migrate --containsVm x":                    "cmc-migrateops-compute-migration",
		"plan --template_name cmc-reboot --containsVm x": "cmc-reboot",
	} {
		if p := plan(t, text); p.Template != want || p.Request.Template != want {
			t.Errorf("%q: template %q, want %q", text, p.Template, want)
		}
	}
	e := refusal(t, "plan cmc-e2ee --containsVm x", testConfig())
	if e.Flag != "template" || !strings.Contains(e.Msg, "did you mean `cmc-e2e`") {
		t.Errorf("unknown template: %+v", e)
	}
}

func TestPlan_RequestFromStorageRevalidated(t *testing.T) {
	bad := []PlanRequest{
		{Template: "cmc-e2e", ContainsVM: []string{"x;reboot"}},
		{Template: "cmc-e2e", ContainsVM: []string{"a,b"}},
		{Template: "cmc-e2e", ContainsVM: []string{"x"}, ConfigFile: "../x.ts"},
		{Template: "cmc-e2e", ContainsVM: []string{"x"}, Switches: []string{"--rm"}},
		{Template: "cmc-e2e", ContainsVM: []string{"x"}, Randomize: 1000},
		{Template: "cmc e2e", ContainsVM: []string{"x"}},
	}
	for _, r := range bad {
		if _, err := BuildPlan(r, testConfig()); err == nil {
			t.Errorf("BuildPlan accepted %+v", r)
		}
	}
}
