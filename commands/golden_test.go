package commands

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenPlans are one plan per template. The fields beside the words are
// the truth stated by hand; they are asserted apart from the golden file,
// which -update rewrites.
var goldenPlans = []struct {
	file, words             string
	build, template, runner string
	needsConfirmation       bool
	skipped                 int
}{
	{
		file:     "cmc-e2e",
		words:    "cmc-e2e --containsVm redhat9.6,ubuntu24.04,w2k25 --use_specified_plugin fc --categorize",
		build:    "e2e-redhat9.6-ubuntu24.04-w2k25-fc",
		template: "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --containsVm redhat9.6,ubuntu24.04,w2k25 --use_specified_plugin fc --ignore_force_shutdown --test_partition --exclude_partial_match " + blacklistCSV,
		runner:   "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-redhat9.6-ubuntu24.04-w2k25-fc --categorize",
	},
	{
		file:              "cmc-reboot",
		words:             "cmc-reboot --containsVm redhat8.10 --use_specified_plugin both --categorize",
		build:             "reboot-redhat8.10-both",
		template:          "python3 ./cmc-templates.py --template_name cmc-reboot --config_file cypress.atvm-config-gold.ts --containsVm redhat8.10 --use_specified_plugin both --ignore_force_shutdown --test_partition --exclude_partial_match " + blacklistCSV,
		runner:            "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name reboot-redhat8.10-both --categorize",
		needsConfirmation: true,
	},
	{
		file:     "cmc-systemOS",
		words:    "cmc-systemOS --containsVm debian",
		build:    "systemos-debian",
		template: "python3 ./cmc-templates.py --template_name cmc-systemOS --config_file cypress.atvm-config-gold.ts --containsVm debian --ignore_force_shutdown --test_partition --exclude_partial_match " + blacklistCSV,
		runner:   "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name systemos-debian",
		skipped:  4,
	},
	{
		file:     "cmc-migrateops-compute-migration",
		words:    "cmc-migrateops-compute-migration --specify_vms atvm121-ubuntu24.04",
		build:    "migrate-ubuntu24.04",
		template: "python3 ./cmc-templates.py --template_name cmc-migrateops-compute-migration --config_file cypress.atvm-config-gold.ts --specify_vms atvm121-ubuntu24.04 --vm_platforms vmware --ignore_force_shutdown --test_partition --set_static_ip_dest",
		runner:   "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name migrate-ubuntu24.04",
	},
}

func TestPlan_Golden_PerTemplate(t *testing.T) {
	for _, g := range goldenPlans {
		t.Run(g.file, func(t *testing.T) {
			p := plan(t, "plan "+g.words)
			if p.Build != g.build || p.TemplateCommand != g.template || p.RunnerCommand != g.runner ||
				p.NeedsConfirmation != g.needsConfirmation || len(p.Skipped) != g.skipped {
				t.Errorf("plan differs from the stated truth:\nbuild %s\ntemplate %s\nrunner %s\nconfirm %v skipped %d",
					p.Build, p.TemplateCommand, p.RunnerCommand, p.NeedsConfirmation, len(p.Skipped))
			}
			js, err := json.MarshalIndent(p.Summary(), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got := "$ atvmbot plan " + g.words + "\n" + p.Text() + "\n$ atvmbot plan --format json " + g.words + "\n" + string(js) + "\n"
			path := filepath.Join("testdata", "golden", g.file+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the plan; -update rewrites it after review.\n got:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

func TestPlan_Markdown_ShowsExactCommands(t *testing.T) {
	p := plan(t, "plan cmc-reboot --containsVm redhat8.10 --plugin both")
	md := p.Markdown()
	for _, s := range []string{"```\n" + p.TemplateCommand + "\n```", "```\n" + p.RunnerCommand + "\n```", "**Watcher:** on", ":warning:", "approve " + p.ID + " --confirm-both"} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
}

func TestPlan_Summary_JSONShape(t *testing.T) {
	js, _ := json.Marshal(plan(t, "plan cmc-e2e --specify_vms atvm5-ubuntu22.04").Summary())
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"build", "template", "template_command", "runner_command", "watcher", "needs_confirmation", "warnings", "skipped", "hash"} {
		if _, ok := m[k]; !ok {
			t.Errorf("summary lacks %q: %s", k, js)
		}
	}
	if len(m) != 9 {
		t.Errorf("summary has %d keys, want 9: %s", len(m), js)
	}
	if !strings.Contains(string(js), `"warnings":[]`) || !strings.Contains(string(js), `"skipped":[]`) {
		t.Errorf("empty lists must be [] not null: %s", js)
	}
}
