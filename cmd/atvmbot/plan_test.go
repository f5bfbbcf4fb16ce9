package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runPlanCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"plan"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestPlanCmd_P17_TextShowsExactCommands(t *testing.T) {
	code, out, errs := runPlanCmd(t, "cmc-e2e", "--containsVm", "redhat9.6", "--use_specified_plugin", "fc")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, s := range []string{
		"PLAN p-", ": e2e-redhat9.6-fc\n",
		"\n  python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --containsVm redhat9.6 --use_specified_plugin fc --ignore_force_shutdown --test_partition --exclude_partial_match atvm113-debian9.0.0,atvm115-debian9.1.0,atvm116-debian9.2.0,atvm144-suse15.0,atvm156-debian9.3.0,atvm41-redhat6.0,atvm6-centos6.0,atvm73-oracle6.0\n",
		"\n  python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-redhat9.6-fc\n",
		"watcher: on\n", "warnings: none\n", "skipped (blacklisted): none\n", "hash: ",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestPlanCmd_JSONShape(t *testing.T) {
	code, out, errs := runPlanCmd(t, "--format", "json", "cmc-reboot", "--containsVm", "redhat8.10", "--plugin", "both")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Build             string   `json:"build"`
		Template          string   `json:"template"`
		TemplateCommand   string   `json:"template_command"`
		RunnerCommand     string   `json:"runner_command"`
		Watcher           bool     `json:"watcher"`
		NeedsConfirmation bool     `json:"needs_confirmation"`
		Warnings          []string `json:"warnings"`
		Skipped           []struct {
			Name, Reason string
		} `json:"skipped"`
		Hash string `json:"hash"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("%v in:\n%s", err, out)
	}
	if got.Build != "reboot-redhat8.10-both" || got.Template != "cmc-reboot" || !got.NeedsConfirmation ||
		len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "iSCSI") || len(got.Hash) != 64 || !got.Watcher ||
		!strings.HasPrefix(got.RunnerCommand, "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name reboot-redhat8.10-both") {
		t.Errorf("json plan: %+v", got)
	}
	code, out, _ = runPlanCmd(t, "--format", "json", "cmc-systemOS", "--randomize", "2", "--no-watcher")
	if code != 0 || !strings.Contains(out, `"warnings": []`) || strings.Count(out, `"name":`) != 8 || !strings.Contains(out, `"watcher": false`) {
		t.Errorf("exit %d, json:\n%s", code, out)
	}
}

func TestPlanCmd_RefusedExits2(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"cmc-e2e", "--specify_vms", "atvm144-suse15.0"}, "CRASHES WHEN CREATING MIGRATION SESSION - BUG"},
		{[]string{"cmc-e2e"}, "needs a selector"},
		{[]string{"cmc-systemOS", "--containsVm", "x", "--use_specified_plugin", "iscsi"}, "has no plugin"},
		{[]string{"cmc-e2e", "--containsVm", "redhat; reboot"}, "`--containsVm`"},
		{[]string{"cmc-e2e", "--containsVm", "$(id)"}, "`$`"},
		{[]string{"cmc-e2e", "\u2014containsVm", "redhat"}, "type `--containsVm`"},
	}
	for _, c := range cases {
		code, out, errs := runPlanCmd(t, c.args...)
		if code != 2 || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("%q: exit %d stdout %q stderr %q, want exit 2 and %q on stderr", c.args, code, out, errs, c.want)
		}
	}
}

func TestPlanCmd_UsageAndConfig(t *testing.T) {
	if code, _, errs := runPlanCmd(t); code != 2 || !strings.Contains(errs, "Usage:\n  atvmbot plan") {
		t.Errorf("no words: exit %d %s", code, errs)
	}
	if code, _, errs := runPlanCmd(t, "--format", "yaml", "cmc-e2e", "--containsVm", "x"); code != 2 || !strings.Contains(errs, "--format") {
		t.Errorf("bad format: exit %d %s", code, errs)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "atvmbot.yaml")
	yaml := "controller:\n  config_file: cypress.atvm-config-silver.ts\nblacklist:\n  - machine: atvm9-rocky9.0\n    reason: TESTING\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runPlanCmd(t, "--config", cfg, "cmc-e2e", "--containsVm", "rocky")
	if code != 0 || !strings.Contains(out, "--config_file cypress.atvm-config-silver.ts") ||
		!strings.Contains(out, "--exclude_partial_match atvm9-rocky9.0\n") || !strings.Contains(out, "atvm9-rocky9.0 - TESTING") {
		t.Errorf("config file not used: exit %d\n%s%s", code, out, errs)
	}
}
