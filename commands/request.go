package commands

import (
	"sort"
	"strconv"
	"strings"
)

// PlanRequest is what the operator asked for, normalized: canonical option
// spellings, lists split and de-duplicated, enums lower-cased. It holds only
// what was typed; BuildPlan adds the defaults.
type PlanRequest struct {
	Template    string   `json:"template"`
	ContainsVM  []string `json:"contains_vm,omitempty"`
	SpecifyVMs  []string `json:"specify_vms,omitempty"`
	Randomize   int      `json:"randomize,omitempty"`
	Exclude     []string `json:"exclude_partial_match,omitempty"`
	ConfigFile  string   `json:"config_file,omitempty"`
	Plugin      string   `json:"plugin,omitempty"`
	Integration string   `json:"integration_type,omitempty"`
	Platforms   []string `json:"vm_platforms,omitempty"`
	// Switches are template switches asked for by name (--test_install_only…),
	// in table order.
	Switches []string `json:"switches,omitempty"`
	// OptOuts are default switches the operator turned off (--no-test-partition
	// → "--test_partition"), in table order.
	OptOuts    []string `json:"opt_outs,omitempty"`
	Categorize bool     `json:"categorize,omitempty"`
	Build      string   `json:"build,omitempty"`
	NoWatcher  bool     `json:"no_watcher,omitempty"`
	// Controller is the controller named with --controller; empty = the
	// channel's or the only one. It is left out of the plan's hash.
	Controller string `json:"controller,omitempty"`
}

// set stores the checked values of one option. A scalar given twice with
// different values is refused rather than silently overwritten.
func (r *PlanRequest) set(f *flagSpec, vals []string) *Error {
	scalar := func(dst *string) *Error {
		if *dst != "" && *dst != vals[0] {
			return errorf(f.name, "given twice (%s and %s); keep one", echo(*dst), echo(vals[0]))
		}
		*dst = vals[0]
		return nil
	}
	appendAll := func(dst *[]string) {
		for _, v := range vals {
			if !contains(*dst, v) {
				*dst = append(*dst, v)
			}
		}
	}
	switch f.name {
	case flagTemplateName:
		return scalar(&r.Template)
	case flagConfigFile:
		return scalar(&r.ConfigFile)
	case flagContainsVM:
		appendAll(&r.ContainsVM)
	case flagSpecifyVMs:
		appendAll(&r.SpecifyVMs)
	case flagRandomize:
		s := ""
		if r.Randomize > 0 {
			s = strconv.Itoa(r.Randomize)
		}
		if err := scalar(&s); err != nil {
			return err
		}
		r.Randomize, _ = strconv.Atoi(s)
	case flagPlugin:
		return scalar(&r.Plugin)
	case flagIntegration:
		return scalar(&r.Integration)
	case flagPlatforms:
		appendAll(&r.Platforms)
	case flagExclude:
		appendAll(&r.Exclude)
	case flagBuild:
		return scalar(&r.Build)
	case flagController:
		return scalar(&r.Controller)
	case flagCategorize:
		r.Categorize = true
	case flagNoWatcher:
		r.NoWatcher = true
	default:
		switch {
		case f.optOut != "":
			r.OptOuts = addOrdered(r.OptOuts, f.optOut)
		case f.kind == kindSwitch && f.dest == destTemplate:
			r.Switches = addOrdered(r.Switches, f.name)
		default:
			return errorf(f.name, "is not a plan option")
		}
	}
	return nil
}

// addOrdered adds a canonical option name, keeping table order.
func addOrdered(list []string, name string) []string {
	if contains(list, name) {
		return list
	}
	list = append(list, name)
	sort.SliceStable(list, func(i, j int) bool { return tableIndex(list[i]) < tableIndex(list[j]) })
	return list
}

func tableIndex(name string) int {
	for i := range planFlags {
		if planFlags[i].name == name {
			return i
		}
	}
	return len(planFlags)
}

// checkConflicts refuses requests that contradict themselves.
func (r *PlanRequest) checkConflicts() *Error {
	for _, o := range r.OptOuts {
		if contains(r.Switches, o) {
			return errorf(o, "asked for and turned off (`--no-%s`) in the same plan; keep one", strings.ReplaceAll(strings.TrimLeft(o, "-"), "_", "-"))
		}
	}
	if len(r.SpecifyVMs) > 0 && (len(r.ContainsVM) > 0 || r.Randomize > 0) {
		return errorf(flagSpecifyVMs, "names the machines exactly; it cannot be combined with `--containsVm` or `--randomize`")
	}
	return nil
}

// validate re-checks every value of a request that did not come from Parse
// (e.g. read back from storage), so BuildPlan never trusts its input.
func (r *PlanRequest) validate() *Error {
	one := func(name, v string) *Error {
		if v == "" {
			return nil
		}
		out, err := specFor(name).checkValue(v)
		if err != nil {
			return err
		}
		if len(out) != 1 || out[0] != v {
			return errorf(name, "%s is not in its normal form", echo(v))
		}
		return nil
	}
	list := func(name string, vs []string) *Error {
		for _, v := range vs {
			if strings.Contains(v, ",") {
				return errorf(name, "%s holds a comma inside one item", echo(v))
			}
			if err := one(name, v); err != nil {
				return err
			}
		}
		return nil
	}
	if _, err := templateWord.checkValue(r.Template); err != nil {
		return err
	}
	for _, c := range []struct{ name, v string }{
		{flagConfigFile, r.ConfigFile}, {flagPlugin, r.Plugin}, {flagIntegration, r.Integration}, {flagBuild, r.Build},
		{flagController, r.Controller},
	} {
		if err := one(c.name, c.v); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		name string
		vs   []string
	}{
		{flagContainsVM, r.ContainsVM}, {flagSpecifyVMs, r.SpecifyVMs}, {flagExclude, r.Exclude}, {flagPlatforms, r.Platforms},
	} {
		if err := list(c.name, c.vs); err != nil {
			return err
		}
	}
	if f := specFor(flagRandomize); r.Randomize != 0 && (r.Randomize < f.min || r.Randomize > f.max) {
		return errorf(flagRandomize, "%d is out of range. %s", r.Randomize, f.allowed())
	}
	for _, s := range r.Switches {
		if f := specFor(s); f == nil || f.name != s || f.kind != kindSwitch || f.dest != destTemplate {
			return errorf(s, "is not a template switch")
		}
	}
	for _, s := range r.OptOuts {
		if !isOptOutTarget(s) {
			return errorf(s, "has no --no-… form")
		}
	}
	return r.checkConflicts()
}

func isOptOutTarget(name string) bool {
	for _, f := range planFlags {
		if f.optOut == name {
			return true
		}
	}
	return false
}
