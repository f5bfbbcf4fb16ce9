package commands

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/atvm/atvmbot/config"
)

// twoControllers is the embedded defaults with two controllers; lab2 has
// its own default config file and one blacklist addition.
func twoControllers() *config.Config {
	c := testConfig()
	lab2 := config.ControllerEntry{Controller: c.Controller,
		Blacklist: []config.BlacklistEntry{cfgEntry("atvm9-lab2only", "DISK FULL")}}
	lab2.ConfigFile = "cypress.lab2-gold.ts"
	c.Controllers = map[string]config.ControllerEntry{
		"lab1": {Controller: c.Controller},
		"lab2": lab2,
		"lab3": {Controller: c.Controller},
	}
	return c
}

// The controller's name is held beside the plan: the same plan with and
// without --controller has the same hash, ID and commands.
func TestPlan_C21_ControllerChangesNoHashNorArgv(t *testing.T) {
	for _, g := range goldenPlans {
		for _, tc := range []struct {
			name string
			cfg  *config.Config
		}{{"default", testConfig()}, {"lab1", twoControllers()}, {"lab3", twoControllers()}} {
			t.Run(g.file+"/"+tc.name, func(t *testing.T) {
				without := planWith(t, "plan "+g.words, tc.cfg)
				with := planWith(t, "plan "+g.words+" --controller "+tc.name, tc.cfg)
				if with.Controller != tc.name || with.Request.Controller != tc.name || without.Controller != "" {
					t.Fatalf("controller = %q / %q / %q", with.Controller, with.Request.Controller, without.Controller)
				}
				if with.Hash != without.Hash || with.ID != without.ID {
					t.Errorf("hash changed: %s vs %s", with.Hash, without.Hash)
				}
				if !reflect.DeepEqual(with.TemplateArgv, without.TemplateArgv) || !reflect.DeepEqual(with.RunnerArgv, without.RunnerArgv) {
					t.Errorf("argv changed:\n%q\n%q\n%q\n%q", with.TemplateArgv, without.TemplateArgv, with.RunnerArgv, without.RunnerArgv)
				}
				if !with.Verify() {
					t.Error("plan with a controller does not verify")
				}
			})
		}
	}
}

// A plan on a controller takes that controller's defaults and blacklist.
func TestPlan_C21_ControllerDefaultsAndBlacklist(t *testing.T) {
	cfg := twoControllers()
	p := planWith(t, "plan cmc-e2e --containsVm redhat --controller lab2", cfg)
	if v, _ := argValue(p.RunnerArgv, "--config_file"); v != "cypress.lab2-gold.ts" {
		t.Errorf("runner config file = %q, want lab2's default", v)
	}
	if v, _ := argValue(p.TemplateArgv, "--exclude_partial_match"); v != blacklistCSV+",atvm9-lab2only" {
		t.Errorf("excludes = %q, want the shared list then lab2's addition", v)
	}
	if p.BlacklistVersion == planWith(t, "plan cmc-e2e --containsVm redhat", cfg).BlacklistVersion {
		t.Error("lab2's addition must change the blacklist version")
	}
	// A machine blacklisted on lab2 only is refused there, by name (P13).
	e := refusal(t, "plan cmc-e2e --specify_vms atvm9-lab2only --controller lab2", cfg)
	if e.Flag != flagSpecifyVMs || !strings.Contains(e.Msg, "DISK FULL") {
		t.Errorf("refusal = %+v", e)
	}
	planWith(t, "plan cmc-e2e --specify_vms atvm9-lab2only --controller lab1", cfg)
}

// The controller is in the plan post and survives storage; the stored plan
// still verifies.
func TestPlan_C21_ControllerShownAndStored(t *testing.T) {
	p := planWith(t, "plan cmc-e2e --containsVm redhat --controller lab2", twoControllers())
	if !strings.Contains(p.Markdown(), "**Controller:** `lab2`\n") || !strings.Contains(p.Text(), "controller: lab2\n") {
		t.Fatalf("controller not shown:\n%s\n%s", p.Markdown(), p.Text())
	}
	plain := plan(t, "plan cmc-e2e --containsVm redhat")
	if strings.Contains(plain.Markdown(), "Controller") || strings.Contains(plain.Text(), "controller:") {
		t.Fatal("a plan without a controller shows a controller line")
	}
	body, _ := json.Marshal(p)
	var back Plan
	if err := json.Unmarshal(body, &back); err != nil || back.Controller != "lab2" || back.Request.Controller != "lab2" || !back.Verify() {
		t.Fatalf("stored plan: %+v %v", back, err)
	}
	if b, _ := json.Marshal(plain); strings.Contains(string(b), `"controller"`) {
		t.Fatal("a plan without a controller stores a controller field")
	}
}

func TestParse_C21_ControllerRefusals(t *testing.T) {
	cfg := twoControllers()
	for _, tc := range []struct{ id, text, flag, contains string }{
		{"C21-upper-case", "plan cmc-e2e --containsVm x --controller Lab2", "--controller", "Allowed: a controller name"},
		{"C21-shell", "plan cmc-e2e --containsVm x --controller lab2;id", "--controller", "`;`, which is not allowed"},
		{"C21-too-long", "plan cmc-e2e --containsVm x --controller " + strings.Repeat("a", 33), "--controller", "Allowed: a controller name"},
		{"C21-no-value", "plan cmc-e2e --containsVm x --controller", "--controller", "needs a value"},
		{"C21-twice", "plan cmc-e2e --containsVm x --controller lab1 --controller lab2", "--controller", "given twice"},
		{"C21-misspelt-option", "plan cmc-e2e --containsVm x --controler lab1", "--controler", "did you mean `--controller`"},
		{"C21-case-of-option", "plan cmc-e2e --containsVm x --Controller lab1", "--Controller", "did you mean `--controller`"},
		{"C21-unknown", "plan cmc-e2e --containsVm x --controller lab4", "--controller", "unknown controller lab4; controllers: lab1, lab2, lab3 (did you mean lab1?)"},
		{"C21-unknown-single", "plan cmc-e2e --containsVm x --controller lab1", "--controller", "unknown controller lab1; controllers: default"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			c := cfg
			if tc.id == "C21-unknown-single" {
				c = testConfig()
			}
			e := refusal(t, tc.text, c)
			if e.Flag != tc.flag || !strings.Contains(e.Msg, tc.contains) {
				t.Fatalf("refusal = %+v; want %s: %q", e, tc.flag, tc.contains)
			}
		})
	}
	// Both spellings of the value form are the same request.
	a, _ := Parse("plan cmc-e2e --containsVm x --controller=lab2")
	b, _ := Parse("plan cmc-e2e --containsVm x --controller lab2")
	if a.Plan == nil || !reflect.DeepEqual(a.Plan, b.Plan) || a.Plan.Controller != "lab2" {
		t.Fatalf("%+v vs %+v", a.Plan, b.Plan)
	}
}

// A request read back from storage is checked again: a controller name
// that never came through Parse is refused.
func TestPlan_C21_StoredControllerRechecked(t *testing.T) {
	req := PlanRequest{Template: "cmc-e2e", ContainsVM: []string{"x"}, Controller: "lab`2`"}
	if _, err := BuildPlan(req, twoControllers()); err == nil || !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("err = %v", err)
	}
}
