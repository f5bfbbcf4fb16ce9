package commands

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"

	"github.com/atvm/atvmbot/config"
)

// assemble builds both argv slices in the canonical order of the routing
// table and their display strings. Every element must be shell-safe: values
// from chat already are (allowlists); values from the config are checked
// here so a bad config refuses the plan instead of reaching a shell.
func (p *Plan) assemble(cfg *config.Config, switches, exclude []string) *Error {
	ct := cfg.Controller
	vals := map[string][]string{ // option → its value(s); nil for a switch that is on
		flagTemplateName: {p.Template},
		flagConfigFile:   {p.ConfigFile},
	}
	setList := func(flag string, items []string) {
		if len(items) > 0 {
			vals[flag] = []string{strings.Join(items, ",")}
		}
	}
	setList(flagContainsVM, p.Request.ContainsVM)
	setList(flagSpecifyVMs, p.Request.SpecifyVMs)
	if p.Request.Randomize > 0 {
		vals[flagRandomize] = []string{strconv.Itoa(p.Request.Randomize)}
	}
	setList(flagPlugin, nonEmpty(p.Plugin))
	setList(flagIntegration, nonEmpty(p.Integration))
	setList(flagPlatforms, p.Platforms)
	setList(flagExclude, exclude)
	vals[flagBuild] = []string{p.Build}
	var extra []string // default switches from the config that the table does not know
	for _, s := range switches {
		f := specFor(s)
		switch {
		case f == nil:
			extra = append(extra, s)
		case f.kind != kindSwitch || f.dest&destTemplate == 0:
			return errorf(s, "is listed as a default switch of %s in the config but takes a value or is not a template option; fix templates.%s.default_flags", p.Template, p.Template)
		default:
			vals[f.name] = nil
		}
	}
	if p.Categorized {
		vals[flagCategorize] = nil
	}

	p.TemplateArgv = []string{ct.Python, ct.TemplateScript}
	p.RunnerArgv = []string{ct.Python, ct.RunnerScript}
	for i := range planFlags {
		f := &planFlags[i]
		if f.name == flagExclude {
			p.TemplateArgv = append(p.TemplateArgv, extra...)
		}
		v, on := vals[f.name]
		if !on {
			continue
		}
		if f.dest&destTemplate != 0 {
			p.TemplateArgv = append(append(p.TemplateArgv, f.arg()), v...)
		}
		if f.dest&destRunner != 0 {
			p.RunnerArgv = append(append(p.RunnerArgv, f.arg()), v...)
		}
	}
	for _, c := range []struct {
		key  string
		argv []string
	}{{"controller", p.TemplateArgv}, {"controller", p.RunnerArgv}} {
		for _, a := range c.argv {
			if !SafeArg(a) {
				return errorf("config", "%s would put %s on the controller's command line; controller.python, template_script, runner_script and config_file must be plain paths (letters, digits, . _ - / + : , @ =)", c.key, echo(a))
			}
		}
	}
	p.TemplateCommand = JoinArgs(p.TemplateArgv)
	p.RunnerCommand = JoinArgs(p.RunnerArgv)
	return nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// reAtvmPrefix is the "atvm71-" of a machine name, dropped from derived
// build names so they read like the operators' (reboot-redhat8.10-both).
var reAtvmPrefix = regexp.MustCompile(`^atvm[0-9]+-`)

// maxBuild is the longest build name.
const maxBuild = 80

// deriveBuild names a run from the template's short name, the selectors and
// the plugin: e2e-redhat9.6-ubuntu24.04-w2k25-fc.
func deriveBuild(short string, req PlanRequest, plugin string) string {
	parts := []string{short}
	parts = append(parts, req.ContainsVM...)
	for _, vm := range req.SpecifyVMs {
		parts = append(parts, reAtvmPrefix.ReplaceAllString(vm, ""))
	}
	if req.Randomize > 0 {
		parts = append(parts, "random"+strconv.Itoa(req.Randomize))
	}
	if plugin != "" {
		parts = append(parts, plugin)
	}
	b := strings.Join(parts, "-")
	if len(b) <= maxBuild {
		return b
	}
	// Too many selectors: keep the start readable and make the rest unique.
	sum := sha256.Sum256([]byte(b))
	return strings.TrimRight(b[:maxBuild-7], "-._") + "-" + hex.EncodeToString(sum[:])[:6]
}

// safeChars are the bytes that never need quoting in a POSIX shell word.
func safeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("._-/+:,@=%", c) >= 0
}

// SafeArg reports whether a needs no quoting in a POSIX shell: it is not
// empty and has only letters, digits and . _ - / + : , @ = %.
func SafeArg(a string) bool {
	if a == "" {
		return false
	}
	for i := 0; i < len(a); i++ {
		if !safeByte(a[i]) {
			return false
		}
	}
	return true
}

// QuoteArg quotes one argument for a POSIX shell: as is when safe, else in
// single quotes with each ' written as '\”.
func QuoteArg(a string) string {
	if SafeArg(a) {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}

// JoinArgs joins an argv into one POSIX shell command line that a shell
// splits back into exactly argv.
func JoinArgs(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = QuoteArg(a)
	}
	return strings.Join(q, " ")
}
