package config

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultControllerName names the controller of the single `controller:`
// block, so a configuration written before `controllers:` keeps working.
const DefaultControllerName = "default"

// ControllerNameRE is the shape of a controller name: it is typed in chat
// (`--controller NAME`) and stored, so it stays a short, plain word.
var ControllerNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// channelRE is a Mattermost channel name or ID.
var channelRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// ControllerEntry is one controller of `controllers:`: everything the single
// `controller:` block holds, plus what only several controllers need.
type ControllerEntry struct {
	Controller `yaml:",inline"`
	// Channels (names or IDs) whose plans run here when none is named.
	Channels []string `yaml:"channels,omitempty"`
	// Blacklist is added to the shared blacklist for plans on this controller.
	Blacklist []BlacklistEntry `yaml:"blacklist,omitempty"`
	// SSHKey is the path of this controller's private key; empty = the
	// shared one (ATVMBOT_SSH_KEY or secret_files.ssh_key).
	SSHKey string `yaml:"ssh_key,omitempty"`
}

// UnmarshalYAML starts every entry from the embedded controller defaults, as
// the single block does, and refuses unknown keys: a decoder's strict mode
// does not reach inside a custom unmarshaler.
func (e *ControllerEntry) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: a controller is a mapping of its keys (host, port, …)", n.Line)}}
	}
	known := map[string]bool{}
	for _, k := range yamlKeysOfType(reflect.TypeOf(ControllerEntry{})) {
		known[k] = true
	}
	var errs []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		// A merge key (<<: *base) shares settings between controllers.
		if k := n.Content[i]; !known[k.Value] && k.Tag != "!!merge" {
			errs = append(errs, fmt.Sprintf("line %d: field %s not found in type config.ControllerEntry", k.Line, k.Value))
		}
	}
	type plain ControllerEntry // without this method: no recursion
	p := plain{Controller: Default().Controller}
	if err := n.Decode(&p); err != nil {
		te, ok := err.(*yaml.TypeError)
		if !ok {
			return err
		}
		errs = append(errs, te.Errors...)
	}
	*e = ControllerEntry(p)
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	return nil
}

// usesControllersMap reports whether the configuration names its
// controllers under `controllers:`.
func (c *Config) usesControllersMap() bool { return len(c.Controllers) > 0 }

// controllerEntries is every controller by name; the single block is one
// named "default".
func (c *Config) controllerEntries() map[string]ControllerEntry {
	if c.usesControllersMap() {
		return c.Controllers
	}
	return map[string]ControllerEntry{DefaultControllerName: {Controller: c.Controller}}
}

// ControllerNames lists the controllers' names in order.
func (c *Config) ControllerNames() []string { return sortedKeys(c.controllerEntries()) }

// ControllerNamed returns the controller of that name.
func (c *Config) ControllerNamed(name string) (ControllerEntry, bool) {
	e, ok := c.controllerEntries()[name]
	return e, ok
}

// MainControllerName is the controller cfg.Controller holds: the one named
// "default", else the first by name.
func (c *Config) MainControllerName() string {
	names := c.ControllerNames()
	for _, n := range names {
		if n == DefaultControllerName {
			return n
		}
	}
	return names[0]
}

// controllerKey is the config key prefix of a controller's settings.
func (c *Config) controllerKey(name string) string {
	if c.usesControllersMap() {
		return "controllers." + name
	}
	return "controller"
}

// SSHKeyPathFor is the private key path of a controller: its own, else
// the shared one.
func (c *Config) SSHKeyPathFor(name string) string {
	if e, ok := c.ControllerNamed(name); ok && e.SSHKey != "" {
		return e.SSHKey
	}
	return c.Secrets.SSHKeyPath
}

// BlacklistFor is the blacklist of plans on a controller: the shared list
// as it is (storage's order, which plans were hashed with), then the
// controller's additions in machine order.
func (c *Config) BlacklistFor(name string) []BlacklistEntry {
	e, _ := c.ControllerNamed(name)
	var add []BlacklistEntry
	for _, b := range e.Blacklist {
		if _, dup := c.IsBlacklisted(b.Machine); !dup {
			add = append(add, b)
		}
	}
	if len(add) == 0 {
		return c.Blacklist
	}
	sort.SliceStable(add, func(i, j int) bool { return add[i].Machine < add[j].Machine })
	return append(append([]BlacklistEntry{}, c.Blacklist...), add...)
}

// ResolveController names the controller a plan runs on: the one named
// (explicit), else the one whose channels hold one of the channel keys
// (the channel's ID or name), else the only one. With several and no
// default the refusal lists them, so the operator can pick one.
func (c *Config) ResolveController(explicit string, channel ...string) (string, error) {
	entries := c.controllerEntries()
	names := sortedKeys(entries)
	list := strings.Join(names, ", ")
	if explicit != "" {
		if _, ok := entries[explicit]; ok {
			return explicit, nil
		}
		if !ControllerNameRE.MatchString(explicit) {
			return "", fmt.Errorf("that is not a controller name; controllers: %s", list)
		}
		hint := ""
		if best := closest(explicit, names); best != "" {
			hint = fmt.Sprintf(" (did you mean %s?)", best)
		}
		return "", fmt.Errorf("unknown controller %s; controllers: %s%s", explicit, list, hint)
	}
	for _, name := range names {
		for _, ch := range entries[name].Channels {
			for _, k := range channel {
				if k != "" && ch == k {
					return name, nil
				}
			}
		}
	}
	if len(names) == 1 {
		return names[0], nil
	}
	return "", fmt.Errorf("there are several controllers and this channel has none by default; name one with --controller: %s", list)
}

// syncMainController keeps cfg.Controller the main controller of the
// `controllers:` map, for the callers that drive one controller, and
// refuses the single block and the map together: one of them would be
// silently ignored.
func (c *Config) syncMainController(oldKeys []string) Problems {
	if !c.usesControllersMap() {
		return nil
	}
	var probs Problems
	for _, k := range oldKeys {
		probs = append(probs, fmt.Sprintf("%s%s: the single controller: block and controllers: are both set; move its keys under controllers.%s (or another name) and remove it", k, c.where(k), DefaultControllerName))
	}
	for _, name := range sortedKeys(c.Controllers) {
		if !ControllerNameRE.MatchString(name) {
			probs = append(probs, fmt.Sprintf("controllers.%s%s: controller names are 1-32 lower-case letters, digits, _ and -, starting with a letter or digit", name, c.where("controllers."+name)))
		}
	}
	c.Controller = c.Controllers[c.MainControllerName()].Controller
	return probs
}

// validateControllers checks every controller, and what ties them
// together: each channel defaults to one controller.
func (c *Config) validateControllers(p func(string, string, ...any), mode Mode) {
	owner := map[string]string{}
	entries := c.controllerEntries()
	for _, name := range sortedKeys(entries) {
		e, key := entries[name], c.controllerKey(name)
		c.validateController(p, mode, e, name)
		seen := map[string]bool{}
		for i, ch := range e.Channels {
			k := fmt.Sprintf("%s.channels[%d]", key, i)
			switch {
			case !channelRE.MatchString(ch):
				p(k, "%q is not a channel name or ID (lower-case letters, digits, _ and -)", ch)
			case seen[ch]:
				p(k, "%s is listed twice", ch)
			case owner[ch] != "":
				p(k, "channel %s is also in controllers.%s.channels; a channel defaults to one controller", ch, owner[ch])
			default:
				owner[ch] = name
			}
			seen[ch] = true
		}
		c.validateBlacklistOf(p, key+".blacklist", e.Blacklist, true)
	}
}

// yamlKeysOfType lists a struct's YAML keys, those of inline fields
// included.
func yamlKeysOfType(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name := strings.Split(tag, ",")[0]
		switch {
		case strings.Contains(tag, ",inline") && f.Type.Kind() == reflect.Struct:
			keys = append(keys, yamlKeysOfType(f.Type)...)
		case name != "" && name != "-":
			keys = append(keys, name)
		}
	}
	return keys
}
