package simulator

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The template step plays cmc-templates.py: select VMs from the scenario's
// inventory, write one generated spec per VM, rewrite the config's
// specPattern and env block.

// TemplateArgs are cmc-templates.py's options.
type TemplateArgs struct {
	Template, ConfigFile                    string
	ContainsVM, SpecifyVMs, Randomize       string
	Exclude, Plugin, Integration, Platforms string
	TestPartition, StaticIPDest             bool
	IgnoreForceShutdown, InstallOnly        bool
	NoCutover                               bool
	Unknown                                 []string // options the simulator does not know, ignored with a warning
}

// ParseTemplateArgs reads cmc-templates.py's command line, argparse style
// (--opt value or --opt=value). Unknown options are kept for a warning
// rather than refused, so the simulator never blocks a flag it lacks.
func ParseTemplateArgs(args []string) (TemplateArgs, error) {
	var a TemplateArgs
	values := map[string]*string{
		"--template_name": &a.Template, "--config_file": &a.ConfigFile, "--containsVm": &a.ContainsVM,
		"--specify_vms": &a.SpecifyVMs, "--randomize": &a.Randomize, "--exclude_partial_match": &a.Exclude,
		"--use_specified_plugin": &a.Plugin, "--integration_type": &a.Integration, "--vm_platforms": &a.Platforms,
	}
	bools := map[string]*bool{
		"--test_partition": &a.TestPartition, "--set_static_ip_dest": &a.StaticIPDest,
		"--ignore_force_shutdown": &a.IgnoreForceShutdown, "--test_install_only": &a.InstallOnly,
		"--no_cutover": &a.NoCutover,
	}
	for i := 0; i < len(args); i++ {
		name, val, hasVal := strings.Cut(args[i], "=")
		if p, ok := values[name]; ok {
			if !hasVal {
				if i+1 >= len(args) {
					return a, fmt.Errorf("argument %s: expected one argument", name)
				}
				i++
				val = args[i]
			}
			*p = val
			continue
		}
		if p, ok := bools[name]; ok && !hasVal {
			*p = true
			continue
		}
		a.Unknown = append(a.Unknown, args[i])
		if strings.HasPrefix(args[i], "--") && !hasVal && i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			i++
			a.Unknown[len(a.Unknown)-1] += " " + args[i]
		}
	}
	return a, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// selectVMs applies the selector, platform filter and excludes.
func selectVMs(sc *Scenario, a TemplateArgs) (selected, excluded []string, err error) {
	var pool []string
	switch {
	case a.SpecifyVMs != "":
		for _, vm := range splitList(a.SpecifyVMs) {
			if _, ok := sc.inventoryVM(vm); !ok {
				return nil, nil, fmt.Errorf("VM not found in inventory: %s", vm)
			}
			pool = append(pool, vm)
		}
	case a.ContainsVM != "":
		for _, vm := range sc.Inventory {
			if strings.Contains(vm.Name, a.ContainsVM) {
				pool = append(pool, vm.Name)
			}
		}
	case a.Randomize != "":
		if _, err := strconv.Atoi(a.Randomize); err != nil {
			return nil, nil, fmt.Errorf("argument --randomize: invalid int value: %q", a.Randomize)
		}
		for _, vm := range sc.Inventory {
			pool = append(pool, vm.Name)
		}
	default:
		return nil, nil, fmt.Errorf("one of --containsVm, --specify_vms or --randomize is required")
	}
	platforms := splitList(a.Platforms)
	for _, vm := range pool {
		inv, _ := sc.inventoryVM(vm)
		if len(platforms) > 0 && !contains(platforms, nz(inv.Platform, "vmware")) {
			continue
		}
		drop := false
		for _, ex := range splitList(a.Exclude) {
			if strings.Contains(vm, ex) {
				drop = true
			}
		}
		if drop {
			excluded = append(excluded, vm)
		} else {
			selected = append(selected, vm)
		}
	}
	if a.Randomize != "" {
		n, _ := strconv.Atoi(a.Randomize)
		r := rand.New(rand.NewSource(sc.Seed))
		r.Shuffle(len(selected), func(i, j int) { selected[i], selected[j] = selected[j], selected[i] })
		if n < len(selected) {
			selected = selected[:max(n, 0)]
		}
		sort.Strings(selected)
	}
	if len(selected) == 0 {
		return nil, excluded, fmt.Errorf("no VMs matched the selection")
	}
	return selected, excluded, nil
}

func pluginBearing(tpl string) bool { return tpl == TplE2E || tpl == TplReboot }

// runTemplate plays cmc-templates.py in root; it returns the exit code.
func runTemplate(ctx context.Context, root string, sc *Scenario, a TemplateArgs, c clock, start time.Time, out, errOut io.Writer) int {
	fail := func(format string, v ...any) int {
		fmt.Fprintf(out, "ERROR: "+format+"\n", v...)
		return 1
	}
	for _, u := range a.Unknown {
		fmt.Fprintf(errOut, "WARNING: unrecognized option ignored: %s\n", u)
	}
	if a.Template == "" {
		return fail("--template_name is required")
	}
	if a.ConfigFile == "" {
		return fail("--config_file is required")
	}
	cfgPath := filepath.Join(root, a.ConfigFile)
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		return fail("config file not found: %s (looked in %s)", a.ConfigFile, root) // P5
	}
	if _, ok := templateTree(a.Template); !ok {
		return fail("unknown template %q (known: %s, %s, %s, %s)", a.Template, TplE2E, TplReboot, TplSystemOS, TplMigration)
	}
	fmt.Fprintf(out, "cmc-templates.py: template %s, config %s\n", a.Template, a.ConfigFile)
	fmt.Fprintf(out, "Loading VM inventory... %d VMs\n", len(sc.Inventory))
	selected, excluded, err := selectVMs(sc, a)
	for _, vm := range excluded {
		fmt.Fprintf(out, "Excluded by --exclude_partial_match: %s\n", vm)
	}
	if err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(out, "Selected %d VM(s): %s\n", len(selected), strings.Join(selected, ", "))

	env := Env{Integration: a.Integration}
	if pluginBearing(a.Template) {
		env.Plugin = nz(a.Plugin, nz(sc.Template.DefaultPlugin, "fc"))
	}
	installOnly := a.InstallOnly
	env.InstallOnly = &installOnly
	if a.Template == TplMigration {
		cut := !a.NoCutover
		env.Cutover = &cut
	}
	opts := SpecOptions{Platform: a.Platforms, Integration: a.Integration, IgnoreForceShutdown: a.IgnoreForceShutdown,
		TestPartition: a.TestPartition, StaticIPDest: a.StaticIPDest}

	// Spread the step's duration over its specs.
	total := secs(sc.Template.DurationS, 30)
	stepDur := total / time.Duration(len(selected)+2)
	t := start.Add(stepDur)
	if err := c.wait(ctx, t); err != nil {
		return 143
	}
	genDir := filepath.Join(root, "cypress/e2e/generated")
	if err := os.MkdirAll(genDir, 0o755); err != nil {
		return fail("%v", err)
	}
	old, _ := filepath.Glob(filepath.Join(genDir, "*.ts"))
	for _, f := range old {
		os.Remove(f)
	}
	var specs []string
	for i, vm := range selected {
		fmt.Fprintf(out, "Generating %s ... ", SpecPath(vm))
		if sc.Template.Fail != "" && i == len(selected)/2 {
			fmt.Fprintf(out, "failed\nTraceback (most recent call last):\n  File \"%s/cmc-templates.py\", line 412, in <module>\n    main()\n"+
				"  File \"%s/cmc-templates.py\", line 398, in main\n    render_spec(vm, template, args)\nRuntimeError: %s\n", root, root, sc.Template.Fail)
			return 1
		}
		text, err := RenderSpec(vm, a.Template, opts)
		if err == nil {
			err = writeAtomic(filepath.Join(root, SpecPath(vm)), text)
		}
		if err != nil {
			fmt.Fprintln(out, "failed")
			return fail("%v", err)
		}
		fmt.Fprintln(out, "done")
		if !contains(sc.Template.OmitFromSpecPattern, vm) {
			specs = append(specs, SpecPath(vm))
		}
		t = t.Add(stepDur)
		if err := c.wait(ctx, t); err != nil {
			return 143
		}
	}
	if sc.Template.SkipConfigWrite {
		fmt.Fprintf(out, "Done: %d spec file(s) written\n", len(selected))
		return 0
	}
	next, err := ReplaceSpecPattern(cfg, specs)
	if err == nil {
		next, err = ReplaceEnv(next, env)
	}
	if err == nil {
		err = writeAtomic(cfgPath, next)
	}
	if err != nil {
		return fail("updating %s: %v", a.ConfigFile, err)
	}
	fmt.Fprintf(out, "Updated %s: specPattern %s\n", a.ConfigFile, PythonListRepr(specs))
	fmt.Fprintf(out, "Done: %d spec file(s) written\n", len(selected))
	return 0
}
