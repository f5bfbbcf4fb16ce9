package commands

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/atvm/atvmbot/config"
)

// dest says where an option goes. It is a bit set: the config file goes to
// both scripts.
type dest uint8

const (
	destTemplate dest = 1 << iota // cmc-templates.py
	destRunner                    // run-sorry-cypress.py
	destBot                       // the bot itself; never on a command line
)

// valueKind is the allowlist a value is checked against.
type valueKind int

const (
	kindSwitch     valueKind = iota // takes no value
	kindSelectors                   // machine-name parts, comma list (substring match)
	kindMachines                    // full machine names, comma list
	kindCount                       // whole number within [min, max]
	kindEnum                        // one of enum
	kindIdent                       // one lower-case word
	kindIdents                      // lower-case words, comma list
	kindConfigFile                  // a .ts file name in the ATVM root
	kindBuildName                   // a build name
	kindTemplate                    // a template name
	kindController                  // a controller name (config.ControllerNameRE)
)

// flagSpec is one option of `/atvm plan`. The table below is the single
// place that says which script an option goes to and where it sits in the
// command: template options are emitted in table order.
type flagSpec struct {
	name     string   // as typed in chat (canonical spelling)
	argName  string   // as passed to the script, when different from name
	aliases  []string // other accepted spellings
	kind     valueKind
	dest     dest
	enum     []string
	min, max int
	optOut   string // for a --no-… switch: the option it removes from the defaults
	help     string
}

// arg is the spelling passed to the script.
func (f *flagSpec) arg() string {
	if f.argName != "" {
		return f.argName
	}
	return f.name
}

// Canonical option names used by the planner.
const (
	flagTemplateName = "--template_name"
	flagConfigFile   = "--config_file"
	flagContainsVM   = "--containsVm"
	flagSpecifyVMs   = "--specify_vms"
	flagRandomize    = "--randomize"
	flagPlugin       = "--use_specified_plugin"
	flagIntegration  = "--integration_type"
	flagPlatforms    = "--vm_platforms"
	flagIgnoreFS     = "--ignore_force_shutdown"
	flagPartition    = "--test_partition"
	flagStaticIP     = "--set_static_ip_dest"
	flagInstallOnly  = "--test_install_only"
	flagExclude      = "--exclude_partial_match"
	flagBuild        = "--build"
	flagCategorize   = "--categorize"
	flagNoWatcher    = "--no-watcher"
	flagController   = "--controller"
)

// planFlags is the routing table, in the canonical order of the template
// command: template name, config, selectors, plugin/integration, platforms,
// switches, excludes. The runner command is `--config_file C --build_name B
// [--categorize]`.
var planFlags = []flagSpec{
	{name: flagTemplateName, kind: kindTemplate, dest: destTemplate,
		help: "the template (usually given as the first word after `plan`)"},
	{name: flagConfigFile, aliases: []string{"--config"}, kind: kindConfigFile, dest: destTemplate | destRunner,
		help: "Cypress config file in the ATVM root (default cypress.atvm-config-gold.ts)"},
	{name: flagContainsVM, kind: kindSelectors, dest: destTemplate,
		help: "machines whose name contains any of these parts (blacklisted ones excluded)"},
	{name: flagSpecifyVMs, kind: kindMachines, dest: destTemplate,
		help: "exactly these machines (a blacklisted one refuses the plan)"},
	{name: flagRandomize, kind: kindCount, dest: destTemplate, min: 1, max: 100,
		help: "this many machines chosen by the template (blacklisted ones excluded)"},
	{name: flagPlugin, aliases: []string{"--plugin"}, kind: kindEnum, dest: destTemplate,
		enum: []string{"iscsi", "fc", "both"},
		help: "plugin for plugin-bearing templates (default iscsi)"},
	{name: flagIntegration, aliases: []string{"--integration"}, kind: kindIdent, dest: destTemplate,
		help: "integration type, e.g. pure (plugin-bearing templates only)"},
	{name: flagPlatforms, kind: kindIdents, dest: destTemplate,
		help: "VM platforms (compute migration defaults to vmware)"},
	{name: flagIgnoreFS, kind: kindSwitch, dest: destTemplate, help: "on by default"},
	{name: flagPartition, kind: kindSwitch, dest: destTemplate, help: "on by default"},
	{name: flagStaticIP, kind: kindSwitch, dest: destTemplate, help: "on by default for compute migration to VMware"},
	{name: flagInstallOnly, kind: kindSwitch, dest: destTemplate, help: "run only the install steps"},
	{name: flagExclude, kind: kindSelectors, dest: destTemplate,
		help: "also exclude machines whose name contains these parts (the blacklist is added for broad selectors)"},
	{name: flagBuild, argName: "--build_name", aliases: []string{"--build_name"}, kind: kindBuildName, dest: destRunner,
		help: "build name (default derived: template, selectors, plugin)"},
	{name: flagCategorize, kind: kindSwitch, dest: destRunner, help: "run as grouped sub-runs, one per distro group"},
	{name: flagNoWatcher, kind: kindSwitch, dest: destBot, help: "launch without the bot's watcher (same as `/atvm approve without watcher`)"},
	{name: "--no-ignore-force-shutdown", kind: kindSwitch, dest: destBot, optOut: flagIgnoreFS, help: "leave out --ignore_force_shutdown"},
	{name: "--no-test-partition", kind: kindSwitch, dest: destBot, optOut: flagPartition, help: "leave out --test_partition"},
	{name: "--no-set-static-ip-dest", kind: kindSwitch, dest: destBot, optOut: flagStaticIP, help: "leave out --set_static_ip_dest"},
	{name: flagController, kind: kindController, dest: destBot,
		help: "the controller that runs it (default: the channel's, else the only one); never on a command line"},
}

// normFlag folds case, '-' and '_' away. It only finds the option a
// misspelt word was meant to be, for the "did you mean" of its refusal:
// nothing is accepted by it (an operator approves what was typed).
func normFlag(s string) string {
	s = strings.ToLower(strings.TrimLeft(s, "-"))
	return strings.NewReplacer("-", "", "_", "").Replace(s)
}

// planFlagIndex holds the exact accepted spellings: each option's name and
// its documented aliases, nothing else.
var planFlagIndex = func() map[string]*flagSpec {
	m := map[string]*flagSpec{}
	seen := map[string]bool{}
	for i := range planFlags {
		f := &planFlags[i]
		for _, n := range append([]string{f.name}, f.aliases...) {
			if seen[normFlag(n)] {
				panic("duplicate option " + n)
			}
			seen[normFlag(n)] = true
			m[n] = f
		}
	}
	return m
}()

// planFlagFolded finds the accepted spelling nearest to any spelling of it
// (see normFlag), for suggestions only.
var planFlagFolded = func() map[string]string {
	m := map[string]string{}
	for n := range planFlagIndex {
		m[normFlag(n)] = n
	}
	return m
}()

// specFor returns the table entry of a canonical option name.
func specFor(name string) *flagSpec { return planFlagIndex[name] }

var (
	reSelector = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	reIdent    = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	reConfig   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,124}\.ts$`)
	reBuild    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$`)
	reTemplate = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
	reCount    = regexp.MustCompile(`^[0-9]{1,6}$`)
	// reMachine mirrors config.MachineName.
	reMachine = reSelector
)

// allowed says, for the refusal message, what a value of each kind may be.
func (f *flagSpec) allowed() string {
	switch f.kind {
	case kindSelectors:
		return "Allowed: parts of machine names (letters, digits, `.`, `_`, `-`), comma-separated, e.g. `redhat9.6,ubuntu24.04`"
	case kindMachines:
		return "Allowed: full machine names (letters, digits, `.`, `_`, `-`), comma-separated, e.g. `atvm71-redhat9.1,atvm5-ubuntu22.04`"
	case kindCount:
		return fmt.Sprintf("Allowed: a whole number from %d to %d", f.min, f.max)
	case kindEnum:
		return "Allowed: " + strings.Join(f.enum, ", ")
	case kindIdent:
		return "Allowed: one lower-case word (letters, digits, `_`, `-`), e.g. `pure`"
	case kindIdents:
		return "Allowed: lower-case names (letters, digits, `_`, `-`), comma-separated, e.g. `vmware`"
	case kindConfigFile:
		return "Allowed: a config file name in the ATVM root ending in `.ts` (letters, digits, `.`, `_`, `-`; no `/`), e.g. `cypress.atvm-config-gold.ts`"
	case kindBuildName:
		return "Allowed: 1-80 letters, digits, `.`, `_`, `-`, starting with a letter or digit"
	case kindTemplate:
		return "Allowed: a template name such as `cmc-e2e`"
	case kindController:
		return "Allowed: a controller name (1-32 lower-case letters, digits, `_`, `-`), e.g. `lab2`"
	}
	return "it takes no value"
}

// isList reports kinds whose value is a comma list (and may continue over
// the following words).
func (f *flagSpec) isList() bool {
	return f.kind == kindSelectors || f.kind == kindMachines || f.kind == kindIdents
}

// checkValue validates one value of f and returns it normalized (enums and
// identifiers lower-cased, lists split, empty items dropped, duplicates
// removed). Every refusal names f and what is allowed.
func (f *flagSpec) checkValue(v string) ([]string, *Error) {
	if len(v) > maxValue {
		return nil, errorf(f.name, "the value is %d bytes; at most %d are accepted. %s", len(v), maxValue, f.allowed())
	}
	if d := badRune(v); d != "" {
		return nil, errorf(f.name, "%s contains %s. %s", echo(v), d, f.allowed())
	}
	if strings.TrimSpace(v) == "" {
		return nil, errorf(f.name, "needs a value. %s", f.allowed())
	}
	if strings.Contains(v, "..") {
		return nil, errorf(f.name, "%s contains `..` (a path step). %s", echo(v), f.allowed())
	}
	switch f.kind {
	case kindSelectors, kindMachines, kindIdents:
		return f.checkList(v)
	case kindEnum, kindIdent:
		w := strings.ToLower(v)
		if f.kind == kindEnum && !contains(f.enum, w) {
			return nil, errorf(f.name, "%s is not a choice. %s%s", echo(v), f.allowed(), didYouMean(w, f.enum))
		}
		if f.kind == kindIdent && !reIdent.MatchString(w) {
			return nil, f.refuse(v)
		}
		return []string{w}, nil
	case kindCount:
		if !reCount.MatchString(v) {
			if strings.Trim(v, "0123456789") == "" {
				return nil, errorf(f.name, "%s is out of range. %s", echo(v), f.allowed())
			}
			return nil, f.refuse(v)
		}
		n, _ := strconv.Atoi(v)
		if n < f.min || n > f.max {
			return nil, errorf(f.name, "%d is out of range. %s", n, f.allowed())
		}
		return []string{strconv.Itoa(n)}, nil
	case kindConfigFile:
		if !reConfig.MatchString(v) {
			return nil, f.refuse(v)
		}
	case kindBuildName:
		if !reBuild.MatchString(v) {
			return nil, f.refuse(v)
		}
	case kindTemplate:
		if !reTemplate.MatchString(v) {
			return nil, f.refuse(v)
		}
	case kindController:
		if !config.ControllerNameRE.MatchString(v) {
			return nil, f.refuse(v)
		}
	}
	return []string{v}, nil
}

func (f *flagSpec) checkList(v string) ([]string, *Error) {
	var items []string
	for _, it := range strings.Split(v, ",") {
		if it == "" {
			continue // a stray or trailing comma
		}
		if f.kind == kindIdents {
			it = strings.ToLower(it)
		}
		re := reSelector
		switch f.kind {
		case kindMachines:
			re = reMachine
		case kindIdents:
			re = reIdent
		}
		if !re.MatchString(it) {
			return nil, f.refuse(it)
		}
		if !contains(items, it) {
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		return nil, errorf(f.name, "needs a value. %s", f.allowed())
	}
	return items, nil
}

// refuse names the first character that is not allowed, or the shape.
func (f *flagSpec) refuse(v string) *Error {
	for i := 0; i < len(v); i++ {
		c := v[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == ','
		if !ok {
			what := fmt.Sprintf("`%c`", c)
			switch c {
			case '`':
				what = "a backtick"
			case ' ':
				what = "a space"
			case '/':
				what = "`/` (no paths)"
			}
			return errorf(f.name, "%s contains %s, which is not allowed. %s", echo(v), what, f.allowed())
		}
	}
	return errorf(f.name, "%s is not accepted. %s", echo(v), f.allowed())
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
