package commands

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// A form submission becomes the words an operator would type; the plan is
// then the one those words make (P14: only what was asked for).
func TestPlanWords_P14_FromForm(t *testing.T) {
	base := func(kv ...string) map[string]string {
		m := map[string]string{FieldTemplate: "cmc-e2e", FieldSelector: "containsVm", FieldVMs: "redhat9.6"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name   string
		values map[string]string
		words  string
	}{
		{"defaults add no words", base(), "plan cmc-e2e --containsVm redhat9.6"},
		{"switches at their defaults add no words", base(FieldWatcher, "true", FieldCategorize, "false", FieldIgnoreFS, "true", FieldPartition, "true", FieldStaticIP, "true"),
			"plan cmc-e2e --containsVm redhat9.6"},
		{"spaces and commas make one list", base(FieldVMs, " redhat9.6, ubuntu24.04  w2k25,"), "plan cmc-e2e --containsVm redhat9.6,ubuntu24.04,w2k25"},
		{"exact machines", base(FieldSelector, "specify_vms", FieldVMs, "atvm71-redhat9.1"), "plan cmc-e2e --specify_vms atvm71-redhat9.1"},
		{"random count; the VMs box is ignored", base(FieldSelector, "randomize", FieldCount, "3", FieldVMs, "x"), "plan cmc-e2e --randomize 3"},
		{"plugin and integration", base(FieldPlugin, "fc", FieldIntegration, "pure"), "plan cmc-e2e --containsVm redhat9.6 --use_specified_plugin fc --integration_type pure"},
		{"P3 watcher off, categorize on", base(FieldWatcher, "false", FieldCategorize, "true"), "plan cmc-e2e --containsVm redhat9.6 --categorize --no-watcher"},
		{"P6 P8 opt-outs", base(FieldIgnoreFS, "false", FieldPartition, "false", FieldStaticIP, "false"),
			"plan cmc-e2e --containsVm redhat9.6 --no-ignore-force-shutdown --no-test-partition --no-set-static-ip-dest"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			words, errs := PlanWords(c.values)
			if errs != nil || words != c.words {
				t.Fatalf("PlanWords = %q, %v; want %q", words, errs, c.words)
			}
			// The words plan like typed ones.
			plan(t, words)
		})
	}
}

func TestPlanWords_PerFieldErrors(t *testing.T) {
	cases := []struct {
		name   string
		values map[string]string
		fields []string
	}{
		{"D13 nothing chosen", map[string]string{}, []string{FieldSelector, FieldTemplate}},
		{"containing with no names", map[string]string{FieldTemplate: "cmc-e2e", FieldSelector: "containsVm", FieldVMs: " , "}, []string{FieldVMs}},
		{"random with no count", map[string]string{FieldTemplate: "cmc-e2e", FieldSelector: "randomize"}, []string{FieldCount}},
		{"unknown selector", map[string]string{FieldTemplate: "cmc-e2e", FieldSelector: "all"}, []string{FieldSelector}},
		{"a quote in a name", map[string]string{FieldTemplate: "cmc-e2e", FieldSelector: "specify_vms", FieldVMs: `a"b`}, []string{FieldVMs}},
		{"an option smuggled into integration", map[string]string{FieldTemplate: "cmc-e2e", FieldSelector: "randomize", FieldCount: "2", FieldIntegration: "pure --categorize"}, []string{FieldIntegration}},
		{"a bool that is not one", map[string]string{FieldTemplate: "cmc-e2e", FieldSelector: "randomize", FieldCount: "2", FieldWatcher: "maybe"}, []string{FieldWatcher}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			words, errs := PlanWords(c.values)
			var got []string
			for f := range errs {
				got = append(got, f)
			}
			sort.Strings(got)
			if words != "" || !reflect.DeepEqual(got, c.fields) {
				t.Fatalf("PlanWords = %q, errors %v; want errors on %v", words, errs, c.fields)
			}
		})
	}
}

// Refusals of the parser and the planner land on the field they are about.
func TestFormFieldOf_PlannerRefusals(t *testing.T) {
	cases := []struct {
		name, words, field string
	}{
		{"P13 blacklisted machine named", "plan cmc-e2e --specify_vms atvm144-suse15.0", FieldVMs},
		{"P9 plugin on a template without one", "plan cmc-systemOS --containsVm debian --use_specified_plugin fc", FieldPlugin},
		{"P9 integration on a template without one", "plan cmc-systemOS --containsVm debian --integration_type pure", FieldIntegration},
		{"randomize out of range", "plan cmc-e2e --randomize 0", FieldCount},
		{"unknown template", "plan cmc-nope --randomize 2", FieldTemplate},
		{"bad name part", "plan cmc-e2e --containsVm a..b/../c", FieldVMs},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd, err := Parse(c.words)
			if err == nil {
				_, err = BuildPlan(*cmd.Plan, testConfig())
			}
			if err == nil {
				t.Fatal("accepted")
			}
			got, msg := FormFieldOf(err)
			if got != c.field || msg == "" || strings.Contains(msg, "`") {
				t.Fatalf("FormFieldOf(%v) = %q, %q; want field %q and a plain message", err, got, msg, c.field)
			}
		})
	}
}

func TestPlanForm_TemplatesAndDefaults(t *testing.T) {
	form := PlanForm(testConfig())
	byName := map[string]FormField{}
	for _, f := range form {
		byName[f.Name] = f
	}
	if len(byName) != len(form) {
		t.Fatal("duplicate field names")
	}
	if n := len(byName[FieldTemplate].Options); n != len(testConfig().Templates) {
		t.Errorf("template options %d, want one per configured template", n)
	}
	// Submitting the form untouched except for the required fields gives
	// the bare typed plan: every default is the planner's.
	values := map[string]string{}
	for _, f := range form {
		values[f.Name] = f.Default
	}
	values[FieldTemplate], values[FieldVMs] = "cmc-e2e", "redhat9.6"
	if words, errs := PlanWords(values); words != "plan cmc-e2e --containsVm redhat9.6" {
		t.Errorf("defaults give %q %v", words, errs)
	}
}
