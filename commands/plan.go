package commands

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/atvm/atvmbot/config"
)

// Skipped is a blacklisted machine the plan's selector would have matched (D13).
type Skipped struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Plan is a request with every default applied and the exact commands the
// controller will run. Its Hash covers all of it plus the blacklist version,
// so an approval can prove it approved exactly this (P1, P2).
type Plan struct {
	ID           string      `json:"id"`
	Template     string      `json:"template"`
	Request      PlanRequest `json:"request"`
	Build        string      `json:"build"`
	BuildDerived bool        `json:"build_derived"`
	ConfigFile   string      `json:"config_file"`
	Plugin       string      `json:"plugin,omitempty"`
	Integration  string      `json:"integration_type,omitempty"`
	Platforms    []string    `json:"vm_platforms,omitempty"`
	// RequestedVMs are the machines named by --specify_vms; for broad
	// selectors the template chooses them.
	RequestedVMs []string `json:"requested_vms,omitempty"`
	InstallOnly  bool     `json:"install_only"`
	Categorized  bool     `json:"categorized"`
	// Defaults says what the planner added and why (rule IDs), for the post.
	Defaults        []string `json:"defaults"`
	TemplateArgv    []string `json:"template_argv"`
	RunnerArgv      []string `json:"runner_argv"`
	TemplateCommand string   `json:"template_command"` // P17: exact, no remote wrapper
	RunnerCommand   string   `json:"runner_command"`
	Watcher         bool     `json:"watcher"`
	// NeedsConfirmation is the P11 gate: approval needs --confirm-both.
	NeedsConfirmation bool      `json:"needs_confirmation"`
	Warnings          []string  `json:"warnings"`
	Skipped           []Skipped `json:"skipped"`
	BlacklistVersion  string    `json:"blacklist_version"`
	Hash              string    `json:"hash"`
	// Controller is the controller named by the request. Like the ID it is
	// left out of the hash: the approval proves the commands, and the
	// controller is held beside the plan.
	Controller string `json:"controller,omitempty"`
}

// WarningRebootBoth is the P11 warning.
const WarningRebootBoth = "cmc-reboot with plugin `both` (FC + iSCSI) risks a start-up race: the iSCSI disks may attach after the mTDI/CMC services start. Prefer `fc` or `iscsi`; to run it anyway approve with `--confirm-both`."

// defaultWhy says, in words, why a default switch is on; the operators'
// rules behind them are P6, P8 and P10 (docs/rules.md). Chat shows no rule
// IDs.
var defaultWhy = map[string]string{flagIgnoreFS: "default", flagPartition: "default", flagStaticIP: "default for compute migration to VMware"}

// BuildPlan applies the defaults (P4, P6–P10), the blacklist (P12, P13) and
// the gates (D13, P9, P11) to a request and builds the exact commands (P17).
// A refusal is an *Error naming the option at fault.
func BuildPlan(req PlanRequest, cfg *config.Config) (Plan, error) {
	if err := req.validate(); err != nil {
		return Plan{}, err
	}
	name, t, err := resolveTemplate(req.Template, cfg)
	if err != nil {
		return Plan{}, err
	}
	req.Template = name
	cfg, err = forController(cfg, req.Controller)
	if err != nil {
		return Plan{}, err
	}
	p := Plan{Template: name, Request: req, Watcher: !req.NoWatcher, Categorized: req.Categorize,
		RequestedVMs: req.SpecifyVMs, Warnings: []string{}, Skipped: []Skipped{}, Defaults: []string{},
		Controller: req.Controller}

	// D13: a plan names its machines.
	broad := len(req.ContainsVM) > 0 || req.Randomize > 0
	if !broad && len(req.SpecifyVMs) == 0 {
		return Plan{}, errorf("selector", "a plan needs a selector: `--containsVm PART[,PART…]`, `--specify_vms MACHINE[,MACHINE…]` or `--randomize N`")
	}
	// P13: an explicitly named machine that is blacklisted stops the plan.
	var bad []string
	for _, vm := range req.SpecifyVMs {
		if reason, ok := cfg.IsBlacklisted(vm); ok {
			bad = append(bad, fmt.Sprintf("%s (%s)", vm, reason))
		}
	}
	if len(bad) > 0 {
		them := "it"
		if len(bad) > 1 {
			them = "them"
		}
		return Plan{}, errorf(flagSpecifyVMs, "blacklisted, so not run: %s. Remove %s from `--specify_vms` or take %s off the blacklist first", strings.Join(bad, "; "), them, them)
	}
	// P9: templates without a plugin take neither plugin nor integration.
	if !t.PluginBearing {
		for _, c := range []struct{ flag, v string }{{flagPlugin, req.Plugin}, {flagIntegration, req.Integration}} {
			if c.v != "" {
				return Plan{}, errorf(c.flag, "%s takes no `%s` (it has no plugin); remove it", name, c.flag)
			}
		}
	}

	// P4: the gold config unless another is named.
	p.ConfigFile = req.ConfigFile
	if p.ConfigFile == "" {
		p.ConfigFile = cfg.Controller.ConfigFile
		if p.ConfigFile == "" {
			p.ConfigFile = config.DefaultConfigFile
		}
		if path.Base(p.ConfigFile) == "cypress.atvm-config.ts" {
			return Plan{}, errorf(flagConfigFile, "the configured default controller.config_file is cypress.atvm-config.ts, which is never used by default; name the config with `--config_file`")
		}
		p.Defaults = append(p.Defaults, flagConfigFile+" "+p.ConfigFile+" (default)")
	}
	// P7: plugin-bearing templates default to iscsi.
	if t.PluginBearing {
		p.Plugin, p.Integration = req.Plugin, req.Integration
		if p.Plugin == "" {
			p.Plugin = t.DefaultPlugin
			p.Defaults = append(p.Defaults, flagPlugin+" "+p.Plugin+" (default for plugin-bearing templates)")
		}
	}
	// P10 / D12: the template's default platform and its platform defaults.
	p.Platforms = req.Platforms
	if len(p.Platforms) == 0 && t.DefaultPlatform != "" {
		p.Platforms = []string{t.DefaultPlatform}
		p.Defaults = append(p.Defaults, flagPlatforms+" "+t.DefaultPlatform+" (default for this template)")
	}
	onDefaultPlatform := t.DefaultPlatform != "" && len(p.Platforms) == 1 && p.Platforms[0] == t.DefaultPlatform
	switches := append([]string{}, req.Switches...)
	addDefault := func(flag string) {
		if contains(req.OptOuts, flag) || contains(switches, flag) {
			return
		}
		switches = append(switches, flag)
		why := defaultWhy[flag]
		if why == "" {
			why = "template default"
		}
		p.Defaults = append(p.Defaults, flag+" ("+why+")")
	}
	for _, f := range t.DefaultFlags { // P6, P8
		addDefault(f)
	}
	if onDefaultPlatform {
		for _, f := range t.PlatformDefaults { // P10
			addDefault(f)
		}
	}
	p.InstallOnly = contains(switches, flagInstallOnly)

	// P12 / D13: broad selectors exclude every blacklisted machine.
	exclude := append([]string{}, req.Exclude...)
	if broad {
		added := 0
		for _, b := range cfg.Blacklist {
			if !contains(exclude, b.Machine) {
				exclude = append(exclude, b.Machine)
				added++
			}
			if matchesSelector(b.Machine, req.ContainsVM) {
				p.Skipped = append(p.Skipped, Skipped{Name: b.Machine, Reason: b.Reason})
			}
		}
		if added > 0 {
			p.Defaults = append(p.Defaults, fmt.Sprintf("%s + %d blacklisted machines (broad selector)", flagExclude, added))
		}
	}

	p.Build = req.Build
	if p.Build == "" {
		p.Build, p.BuildDerived = deriveBuild(t.Short, req, p.Plugin), true
	}
	if err := p.assemble(cfg, switches, exclude); err != nil {
		return Plan{}, err
	}
	// P11: reboot with both plugins needs a second, explicit confirmation.
	if t.WarnBothPlugins && p.Plugin == "both" {
		p.NeedsConfirmation = true
		p.Warnings = append(p.Warnings, WarningRebootBoth)
	}
	p.BlacklistVersion = BlacklistVersion(cfg.Blacklist)
	p.Hash = p.computeHash()
	p.ID = "p-" + p.Hash[:6]
	return p, nil
}

// forController is cfg as a plan on the named controller sees it: that
// controller's paths and defaults, the shared blacklist plus its additions.
// No name keeps cfg as it is.
func forController(cfg *config.Config, name string) (*config.Config, *Error) {
	if name == "" {
		return cfg, nil
	}
	e, ok := cfg.ControllerNamed(name)
	if !ok {
		_, err := cfg.ResolveController(name)
		return nil, errorf(flagController, "%v", err)
	}
	c := *cfg
	c.Controller = e.Controller
	c.Blacklist = cfg.BlacklistFor(name)
	return &c, nil
}

// matchesSelector: with --containsVm, the machines whose name contains a
// part (the template's own substring match); with only --randomize, all.
func matchesSelector(machine string, parts []string) bool {
	if len(parts) == 0 {
		return true
	}
	for _, s := range parts {
		if strings.Contains(machine, s) {
			return true
		}
	}
	return false
}

// resolveTemplate finds a template by name, ignoring case, or by its short
// name (`e2e` for cmc-e2e).
func resolveTemplate(name string, cfg *config.Config) (string, config.Template, *Error) {
	if t, ok := cfg.Templates[name]; ok {
		return name, t, nil
	}
	names := make([]string, 0, len(cfg.Templates))
	for n := range cfg.Templates {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.EqualFold(n, name) || strings.EqualFold(cfg.Templates[n].Short, name) {
			return n, cfg.Templates[n], nil
		}
	}
	return "", config.Template{}, errorf(templateWord.name, "unknown template %s; templates: %s%s", echo(name), strings.Join(names, ", "), didYouMean(name, names))
}

// BlacklistVersion is a short hash of the blacklist entries in order, so a
// plan made before the blacklist changed no longer matches (P2).
func BlacklistVersion(entries []config.BlacklistEntry) string {
	h := sha256.New()
	for _, b := range entries {
		fmt.Fprintf(h, "%s\x00%s\x00", b.Machine, b.Reason)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// computeHash is sha256 over the canonical JSON of the plan without its ID,
// Hash and controller (empty fields are omitted, so plans made before
// controllers had names keep their hash). encoding/json writes struct fields in declaration order, so the
// encoding is stable.
func (p Plan) computeHash() string {
	p.ID, p.Hash, p.Controller, p.Request.Controller = "", "", "", ""
	b, err := json.Marshal(p)
	if err != nil {
		panic("plan is always encodable: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Verify reports whether the plan's hash matches its content.
func (p Plan) Verify() bool { return p.Hash != "" && p.computeHash() == p.Hash }
