package commands

import (
	"fmt"
	"sort"
	"strings"

	"github.com/atvm/atvmbot/config"
)

// The plan form is `/atvm plan` with its options as fields, for chats that
// can show a form (Mattermost's interactive dialog). A submission is turned
// back into the words an operator would type, and those go through Parse and
// BuildPlan like any typed command: the form has no planner of its own (P14).

// Names of the plan form's fields.
const (
	FieldTemplate    = "template"
	FieldSelector    = "selector"
	FieldVMs         = "vms"
	FieldCount       = "count"
	FieldPlugin      = "plugin"
	FieldIntegration = "integration"
	FieldCategorize  = "categorize"
	FieldWatcher     = "watcher"
	FieldIgnoreFS    = "ignore_force_shutdown"
	FieldPartition   = "test_partition"
	FieldStaticIP    = "set_static_ip_dest"
)

// Kinds of form fields.
const (
	FormText   = "text"
	FormSelect = "select"
	FormRadio  = "radio"
	FormBool   = "bool"
)

// FormField is one field of a form, transport-free.
type FormField struct {
	Name, Label, Kind string
	Help, Placeholder string
	Default           string // "true"/"false" for a bool
	Optional          bool
	Numeric           bool // a text field that holds a whole number
	Options           []FormOption
}

// FormOption is one choice of a select or radio field.
type FormOption struct{ Label, Value string }

// formSwitch is a bool field and the word it adds when it differs from its
// default.
type formSwitch struct {
	field, label, help string
	on                 bool   // the default
	word               string // added when the box is not left at the default
}

var formSwitches = []formSwitch{
	{FieldCategorize, "Categorize", "Run as grouped sub-runs, one per distro group.", false, flagCategorize},
	{FieldWatcher, "Watcher", "Watch the run and post its results (the bot's own watch loop).", true, flagNoWatcher},
	{FieldIgnoreFS, "Ignore force shutdown", "Pass --ignore_force_shutdown (a default).", true, "--no-ignore-force-shutdown"},
	{FieldPartition, "Test partition", "Pass --test_partition (a default).", true, "--no-test-partition"},
	{FieldStaticIP, "Static IP at destination", "Pass --set_static_ip_dest where the template adds it (compute migration to VMware).", true, "--no-set-static-ip-dest"},
}

// selectorFlag is the option each selector choice stands for.
var selectorFlag = map[string]string{"containsVm": flagContainsVM, "specify_vms": flagSpecifyVMs, "randomize": flagRandomize}

// PlanForm is the plan form for cfg: the configured templates, the three
// selectors, plugin and integration (plugin-bearing templates only), and the
// switches at their defaults.
func PlanForm(cfg *config.Config) []FormField {
	var names []string
	for n := range cfg.Templates {
		names = append(names, n)
	}
	sort.Strings(names)
	tpl := FormField{Name: FieldTemplate, Label: "Template", Kind: FormSelect, Help: "The ATVM template to generate and run."}
	var plugged []string
	for _, n := range names {
		tpl.Options = append(tpl.Options, FormOption{Label: n, Value: n})
		if cfg.Templates[n].PluginBearing {
			plugged = append(plugged, n)
		}
	}
	pluginHelp := "Plugin-bearing templates only; empty: the template's default."
	if len(plugged) > 0 {
		pluginHelp = "Only for " + strings.Join(plugged, ", ") + "; empty: the template's default."
	}
	fields := []FormField{
		tpl,
		{Name: FieldSelector, Label: "Machines", Kind: FormRadio, Default: "containsVm", Options: []FormOption{
			{Label: "Names containing (blacklisted ones excluded)", Value: "containsVm"},
			{Label: "Exactly these machines", Value: "specify_vms"},
			{Label: "N machines at random (blacklisted ones excluded)", Value: "randomize"},
		}},
		{Name: FieldVMs, Label: "Name parts or machines", Kind: FormText, Optional: true, Placeholder: "redhat9.6,ubuntu24.04",
			Help: "Comma-separated; for \"containing\" or \"exactly these\"."},
		{Name: FieldCount, Label: "How many at random", Kind: FormText, Numeric: true, Optional: true, Placeholder: "3",
			Help: "For \"at random\"."},
		{Name: FieldPlugin, Label: "Plugin", Kind: FormSelect, Optional: true, Help: pluginHelp, Options: []FormOption{
			{Label: "iscsi", Value: "iscsi"}, {Label: "fc", Value: "fc"}, {Label: "both", Value: "both"}}},
		{Name: FieldIntegration, Label: "Integration type", Kind: FormText, Optional: true, Placeholder: "pure", Help: pluginHelp},
	}
	for _, s := range formSwitches {
		fields = append(fields, FormField{Name: s.field, Label: s.label, Kind: FormBool, Help: s.help, Optional: true,
			Default: fmt.Sprint(s.on)})
	}
	return fields
}

// PlanWords turns a submitted plan form into the words after `/atvm`
// ("plan cmc-e2e --containsVm a,b …"). What cannot become words (a missing
// template or selector value, a character no option takes) is returned per
// field instead; everything else is left to Parse and BuildPlan.
func PlanWords(values map[string]string) (string, map[string]string) {
	errs := map[string]string{}
	words := []string{CmdPlan}
	val := func(field string) string { return strings.TrimSpace(values[field]) }
	plain := func(field, v string) bool {
		for i := 0; i < len(v); i++ {
			if !safeByte(v[i]) {
				errs[field] = "only letters, digits and . _ - , are allowed here"
				return false
			}
		}
		return true
	}
	if t := val(FieldTemplate); t == "" {
		errs[FieldTemplate] = "choose a template"
	} else if plain(FieldTemplate, t) {
		words = append(words, t)
	}
	switch sel := val(FieldSelector); sel {
	case "containsVm", "specify_vms":
		// Commas or spaces between names: one comma-separated value.
		list := strings.Join(strings.FieldsFunc(val(FieldVMs), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }), ",")
		if list == "" {
			errs[FieldVMs] = "name at least one machine or name part"
		} else if plain(FieldVMs, list) {
			words = append(words, selectorFlag[sel], list)
		}
	case "randomize":
		if n := val(FieldCount); n == "" {
			errs[FieldCount] = "say how many machines"
		} else if plain(FieldCount, n) {
			words = append(words, flagRandomize, n)
		}
	case "":
		errs[FieldSelector] = "choose how the machines are selected"
	default:
		errs[FieldSelector] = "unknown choice " + echo(sel)
	}
	for _, f := range []struct{ field, flag string }{{FieldPlugin, flagPlugin}, {FieldIntegration, flagIntegration}} {
		if v := val(f.field); v != "" && plain(f.field, v) {
			words = append(words, f.flag, v)
		}
	}
	for _, s := range formSwitches {
		v := val(s.field)
		if v == "" {
			continue // an untouched optional box is sent as nothing: its default
		}
		if v != "true" && v != "false" {
			errs[s.field] = "want true or false"
			continue
		}
		if (v == "true") != s.on {
			words = append(words, s.word)
		}
	}
	if len(errs) > 0 {
		return "", errs
	}
	return strings.Join(words, " "), nil
}

// FormFieldOf names the plan form field a refusal is about (from the
// option an *Error names), or "" when no field fits, and the refusal as a
// form shows it: plain text, without the option name the field stands for.
func FormFieldOf(err error) (field, msg string) {
	e, ok := err.(*Error)
	if !ok {
		return "", ""
	}
	msg = strings.ReplaceAll(strings.TrimPrefix(e.Msg, "`"+e.Flag+"`: "), "`", "")
	return formField(e.Flag), msg
}

func formField(flag string) string {
	switch flag {
	case flagTemplateName, templateWord.name:
		return FieldTemplate
	case "selector":
		return FieldSelector
	case flagContainsVM, flagSpecifyVMs:
		return FieldVMs
	case flagRandomize:
		return FieldCount
	case flagPlugin:
		return FieldPlugin
	case flagIntegration:
		return FieldIntegration
	}
	for _, s := range formSwitches {
		if flag == s.word || "--no-"+strings.ReplaceAll(strings.TrimPrefix(flag, "--"), "_", "-") == s.word {
			return s.field
		}
	}
	return ""
}
