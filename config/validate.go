package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// MachineName is the shape of an ATVM machine name, e.g. atvm71-redhat9.1.
var MachineName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

var (
	templateName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
	flagName     = regexp.MustCompile(`^--[A-Za-z][A-Za-z0-9_-]*$`)
	userName     = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	safePath     = regexp.MustCompile(`^[A-Za-z0-9_./~*-]+$`)
)

// Mode says what the configuration is checked for.
type Mode int

const (
	// ModeServe needs Mattermost and the controller.
	ModeServe Mode = iota
	// ModeOffline needs neither (plan, replay, demo).
	ModeOffline
)

// Validate returns every problem (each naming its key and what is wrong) and
// the warnings that do not stop the bot.
func (c *Config) Validate(mode Mode) (problems, warnings Problems) {
	p := func(key, format string, a ...any) {
		problems = append(problems, key+c.where(key)+": "+fmt.Sprintf(format, a...))
	}
	warnings = append(warnings, c.warnings...)

	if mode == ModeServe {
		c.validateMattermost(p)
		c.checkLocal(p)
	} else {
		for _, env := range sortedKeys(c.secretErr) {
			warnings = append(warnings, c.secretErr[env])
		}
	}
	c.validateControllers(p, mode)
	if c.Storage.Path == "" {
		p("storage.path", "is empty; name the SQLite file")
	}
	positive := map[string]time.Duration{
		"storage.busy_timeout": c.Storage.BusyTimeout,
		"approvals.plan_ttl":   c.Approvals.PlanTTL,
		"approvals.button_ttl": c.Approvals.ButtonTTL,
		"watch.poll_interval":  c.Watch.PollInterval,
		"watch.hung_grace":     c.Watch.HungGrace,
		"watch.stop_wait":      c.Watch.StopWait,
		"watch.poll_timeout":   c.Watch.PollTimeout,
		"watch.mirror_keep":    c.Watch.MirrorKeep,
	}
	for _, k := range sortedKeys(positive) {
		if positive[k] <= 0 {
			p(k, "must be a positive duration, got %s", positive[k])
		}
	}
	if c.History.KeepDays < 1 {
		p("history.keep_days", "must be at least 1, got %d", c.History.KeepDays)
	}
	if c.History.Window < 1 {
		p("history.window", "must be at least 1, got %d", c.History.Window)
	}
	if c.Watch.SettleDelay < 0 {
		p("watch.settle_delay", "must not be negative")
	}
	if _, err := time.LoadLocation(c.Display.Timezone); err != nil || c.Display.Timezone == "" {
		p("display.timezone", "%q is not a known time zone (e.g. America/New_York)", c.Display.Timezone)
	}
	for i, a := range c.Approvals.Approvers {
		if !userName.MatchString(strings.TrimPrefix(a, "@")) {
			p(fmt.Sprintf("approvals.approvers[%d]", i), "%q is not a Mattermost username", a)
		}
	}
	if len(c.Approvals.Approvers) == 0 {
		warnings = append(warnings, "approvals.approvers: empty, so nobody may approve a plan (fail closed)")
	}
	c.validateBlacklist(p)
	c.validateTemplates(p)
	return problems, warnings
}

func (c *Config) validateMattermost(p func(string, string, ...any)) {
	m := c.Mattermost
	if u, err := url.Parse(m.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p("mattermost.url", "want an http(s) URL of the Mattermost server, got %q", m.URL)
	}
	if m.Team == "" {
		p("mattermost.team", "is empty; name the team where /%s is registered", m.CommandTrigger)
	}
	if m.Channel == "" {
		p("mattermost.channel", "is empty; name the channel for run posts")
	}
	if _, _, err := net.SplitHostPort(m.Listen); err != nil {
		p("mattermost.listen", "want host:port, got %q", m.Listen)
	}
	if u, err := url.Parse(m.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p("mattermost.public_url", "want the http(s) URL at which Mattermost reaches the bot, got %q", m.PublicURL)
	}
	if !templateName.MatchString(m.CommandTrigger) {
		p("mattermost.command_trigger", "want letters, digits, - or _, got %q", m.CommandTrigger)
	}
	c.requireSecret(p, EnvMattermostToken, "secret_files.mattermost_token", "the bot's access token")
	c.requireSecret(p, EnvSlashToken, "secret_files.slash_token", "the /atvm command's token")
	c.requireSecret(p, EnvSigningKey, "secret_files.signing_key", "the key that signs buttons")
}

func (c *Config) requireSecret(p func(string, string, ...any), env, key, what string) {
	if c.secretSource[env] == "" {
		p(env, "is not set (nor %s_FILE, nor %s): %s is required", env, key, what)
	}
}

func (c *Config) validateController(p func(string, string, ...any), mode Mode, e ControllerEntry, name string) {
	ct, key := e.Controller, c.controllerKey(name)
	switch ct.Transport {
	case "ssh":
		if mode == ModeServe {
			if ct.Host == "" {
				p(key+".host", "is empty; name the controller to reach over SSH")
			}
			if ct.User == "" {
				p(key+".user", "is empty")
			}
			if ct.KnownHosts == "" {
				p(key+".known_hosts", "is empty; the controller's host key must be checked")
			}
			if e.SSHKey == "" && c.secretSource[EnvSSHKey] == "" {
				if c.usesControllersMap() {
					p(key+".ssh_key", "is not set, nor the shared %s (nor secret_files.ssh_key): the SSH private key is required", EnvSSHKey)
				} else {
					p(EnvSSHKey, "is not set (nor secret_files.ssh_key): the SSH private key is required")
				}
			}
		}
		if ct.Port < 1 || ct.Port > 65535 {
			p(key+".port", "want 1-65535, got %d", ct.Port)
		}
	case "local":
	default:
		p(key+".transport", "want ssh or local, got %q", ct.Transport)
	}
	for k, v := range map[string]time.Duration{key + ".keepalive": ct.Keepalive, key + ".connect_timeout": ct.ConnectTimeout} {
		if v <= 0 {
			p(k, "must be a positive duration, got %s", v)
		}
	}
	for k, v := range map[string]string{key + ".atvm_root": ct.ATVMRoot, key + ".tmp_dir": ct.TmpDir} {
		if !path.IsAbs(v) {
			p(k, "want an absolute path, got %q", v)
		}
	}
	rel := map[string]string{
		key + ".junit_glob": ct.JUnitGlob, key + ".mochawesome_dir": ct.MochawesomeDir,
		key + ".reporter_dir": ct.ReporterDir, key + ".template_script": ct.TemplateScript,
		key + ".runner_script": ct.RunnerScript, key + ".config_file": ct.ConfigFile,
	}
	for _, k := range sortedKeys(rel) {
		v := rel[k]
		if v == "" || !safePath.MatchString(v) || strings.Contains(v, "..") || path.IsAbs(v) {
			p(k, "want a path relative to %s.atvm_root (letters, digits, . _ - / *), got %q", key, v)
		}
	}
	if !strings.HasSuffix(ct.ConfigFile, ".ts") {
		p(key+".config_file", "want a Cypress config file ending in .ts, got %q", ct.ConfigFile)
	}
	if ct.Python == "" || !safePath.MatchString(ct.Python) {
		p(key+".python", "want an interpreter name or path, got %q", ct.Python)
	}
}

func (c *Config) validateBlacklist(p func(string, string, ...any)) {
	c.validateBlacklistOf(p, "blacklist", c.Blacklist, false)
}

// validateBlacklistOf checks one list; a controller's additions must not
// repeat the shared list either.
func (c *Config) validateBlacklistOf(p func(string, string, ...any), key string, list []BlacklistEntry, additions bool) {
	seen := map[string]bool{}
	for i, b := range list {
		k := fmt.Sprintf("%s[%d]", key, i)
		if !MachineName.MatchString(b.Machine) {
			p(k+".machine", "%q is not a machine name", b.Machine)
		}
		if strings.TrimSpace(b.Reason) == "" {
			p(k+".reason", "is empty; say why %s is blacklisted", b.Machine)
		}
		if seen[b.Machine] {
			p(k+".machine", "%s is listed twice", b.Machine)
		} else if _, shared := c.IsBlacklisted(b.Machine); additions && shared {
			p(k+".machine", "%s is already in the shared blacklist", b.Machine)
		}
		seen[b.Machine] = true
	}
}

func (c *Config) validateTemplates(p func(string, string, ...any)) {
	if len(c.Templates) == 0 {
		p("templates", "is empty; at least one template is needed")
	}
	for _, name := range sortedKeys(c.Templates) {
		t := c.Templates[name]
		key := "templates." + name
		if !templateName.MatchString(name) {
			p(key, "template names are letters, digits, - and _")
		}
		if t.Short == "" || !templateName.MatchString(t.Short) {
			p(key+".short", "want a short name for build names, got %q", t.Short)
		}
		if t.PluginBearing && t.DefaultPlugin == "" {
			p(key+".default_plugin", "is empty for a plugin-bearing template (P7 defaults to iscsi)")
		}
		if !t.PluginBearing && (t.DefaultPlugin != "" || t.WarnBothPlugins) {
			p(key+".default_plugin", "is set but the template takes no plugin (P9)")
		}
		for i, f := range append(append([]string{}, t.DefaultFlags...), t.PlatformDefaults...) {
			if !flagName.MatchString(f) {
				p(fmt.Sprintf("%s.default_flags[%d]", key, i), "%q is not a --flag", f)
			}
		}
	}
}

// Warnings returns the warnings gathered while loading.
func (c *Config) Warnings() []string { return c.warnings }

// MaskedYAML renders the effective config with secrets shown only as set or
// not set, never their values.
func (c *Config) MaskedYAML() string {
	shown := *c
	if c.usesControllersMap() {
		shown.Controller = Controller{} // a copy of the main one; omitted
	}
	out, err := yaml.Marshal(&shown)
	if err != nil {
		return "# cannot render: " + err.Error() + "\n"
	}
	var b strings.Builder
	b.Write(out)
	b.WriteString("# secrets (values never shown):\n")
	for _, s := range []struct{ env, val string }{
		{EnvMattermostToken, c.Secrets.MattermostToken},
		{EnvSlashToken, c.Secrets.SlashToken},
		{EnvSigningKey, c.Secrets.SigningKey},
		{EnvSSHKey, c.Secrets.SSHKeyPath},
	} {
		src := c.secretSource[s.env]
		state := "not set"
		switch {
		case c.secretErr[s.env] != "":
			state = "NOT READABLE (from " + maskSource(src) + ")"
		case s.env == EnvSSHKey && s.val != "" && !fileExists(ExpandHome(s.val)):
			state = "NOT READABLE (from " + maskSource(src) + ")"
		case s.val != "":
			state = "set (from " + maskSource(src) + ")"
		}
		fmt.Fprintf(&b, "#   %s: %s\n", s.env, state)
	}
	for _, name := range sortedKeys(c.Controllers) {
		if k := c.Controllers[name].SSHKey; k != "" {
			state := "set"
			if !fileExists(ExpandHome(k)) {
				state = "NOT READABLE"
			}
			fmt.Fprintf(&b, "#   controllers.%s.ssh_key: %s\n", name, state)
		}
	}
	return b.String()
}

func maskSource(src string) string {
	if src == "" || src == "env" {
		return "environment"
	}
	return src
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
