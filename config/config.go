// Package config holds atvmbot's configuration: one YAML file, environment
// overrides (ATVMBOT_<SECTION>_<KEY>), embedded defaults for every controller
// path, the maintained blacklist, per-template facts and static test flows.
// Secrets come only from the environment or from files named in it.
package config

import (
	"sort"
	"time"
)

// Config is the whole effective configuration.
type Config struct {
	Mattermost Mattermost `yaml:"mattermost"`
	// Controller is the single controller of the `controller:` block, or
	// the main one of `controllers:` (MainControllerName).
	Controller Controller `yaml:"controller,omitempty"`
	// Controllers names several controllers; empty = the single block,
	// named "default".
	Controllers map[string]ControllerEntry `yaml:"controllers,omitempty"`
	Storage     Storage                    `yaml:"storage"`
	Approvals   Approvals                  `yaml:"approvals"`
	Watch       Watch                      `yaml:"watch"`
	Display     Display                    `yaml:"display"`
	History     History                    `yaml:"history"`
	Blacklist   []BlacklistEntry           `yaml:"blacklist"`
	Templates   map[string]Template        `yaml:"templates"`
	// GenericFlow is the static TEST FLOW of a template with none of its own.
	GenericFlow []string `yaml:"generic_flow"`

	// SecretFiles names files holding secrets; the values themselves are
	// never in the YAML file and never printed.
	SecretFiles SecretFiles `yaml:"secret_files"`
	Secrets     Secrets     `yaml:"-"`

	secretSource map[string]string // secret env name → "env" or the file it came from
	secretErr    map[string]string // secret env name → why its file could not be read
	warnings     []string
	file         string         // the YAML file read, for problems that name a line
	lines        map[string]int // key path → line in file
}

// Mattermost is how the bot reaches chat and how chat reaches the bot.
type Mattermost struct {
	URL            string `yaml:"url"`             // e.g. https://chat.example.com
	Team           string `yaml:"team"`            // team name where /atvm is registered
	Channel        string `yaml:"channel"`         // default channel for run posts
	Listen         string `yaml:"listen"`          // HTTP listener for slash commands, buttons, /healthz, /metrics
	PublicURL      string `yaml:"public_url"`      // how the Mattermost server reaches the listener
	CommandTrigger string `yaml:"command_trigger"` // the slash trigger without "/"
}

// Controller is the automation VM and where its files live (ARCHITECTURE.md).
type Controller struct {
	Transport         string        `yaml:"transport"` // ssh | local
	Host              string        `yaml:"host"`
	Port              int           `yaml:"port"`
	User              string        `yaml:"user"`
	KnownHosts        string        `yaml:"known_hosts"`
	HostKeyAlgorithms []string      `yaml:"host_key_algorithms"`
	ConnectTimeout    time.Duration `yaml:"connect_timeout"`
	Keepalive         time.Duration `yaml:"keepalive"`
	ATVMRoot          string        `yaml:"atvm_root"`
	TmpDir            string        `yaml:"tmp_dir"`
	ConfigFile        string        `yaml:"config_file"`
	Python            string        `yaml:"python"`
	TemplateScript    string        `yaml:"template_script"`
	RunnerScript      string        `yaml:"runner_script"`
	JUnitGlob         string        `yaml:"junit_glob"`
	MochawesomeDir    string        `yaml:"mochawesome_dir"`
	ReporterDir       string        `yaml:"reporter_dir"`
	InventoryFile     string        `yaml:"inventory_file"` // R12; empty = no kernel column
	UseSystemd        bool          `yaml:"use_systemd"`    // transient unit instead of setsid/nohup (D16)
	ShellHistory      string        `yaml:"shell_history"`

	// Deadlines of remote operations: a controller command that never
	// returns must end with a reason, not hold the watch loop.
	CommandTimeout  time.Duration `yaml:"command_timeout"`  // any command without a deadline of its own
	InspectTimeout  time.Duration `yaml:"inspect_timeout"`  // one process inspection
	FetchTimeout    time.Duration `yaml:"fetch_timeout"`    // one poll's listing and stream
	StepTimeout     time.Duration `yaml:"step_timeout"`     // each launch step but the template
	TemplateTimeout time.Duration `yaml:"template_timeout"` // the template step (minutes of generation)
	StopTimeout     time.Duration `yaml:"stop_timeout"`     // stop or cancel, on top of watch.stop_wait

	// Per-file fetch caps, in bytes: memory and disk stay bounded whatever
	// the controller writes.
	FetchMaxLogBytes  int `yaml:"fetch_max_log_bytes"`  // runner and launch logs
	FetchMaxFileBytes int `yaml:"fetch_max_file_bytes"` // every other artifact
}

// Storage is the SQLite file.
type Storage struct {
	Path        string        `yaml:"path"`
	BusyTimeout time.Duration `yaml:"busy_timeout"`
}

// Approvals says who may approve and for how long a plan stays valid (P1–P3, D14).
type Approvals struct {
	Approvers []string      `yaml:"approvers"` // Mattermost usernames; empty = nobody (fail closed)
	PlanTTL   time.Duration `yaml:"plan_ttl"`
	ButtonTTL time.Duration `yaml:"button_ttl"`
}

// Watch drives the per-run watch loop.
type Watch struct {
	PollInterval time.Duration `yaml:"poll_interval"`
	HungGrace    time.Duration `yaml:"hung_grace"`   // D3
	SettleDelay  time.Duration `yaml:"settle_delay"` // D6
	StopWait     time.Duration `yaml:"stop_wait"`    // TERM → KILL
	// PollTimeout bounds one poll of one run (inspect, fetch, reconstruct):
	// a stuck controller command never stops the watch of other runs.
	PollTimeout time.Duration `yaml:"poll_timeout"`
	// MirrorKeep is how long a finished run's fetched copy stays on the
	// bot's disk; older copies are removed (a later look fetches again).
	MirrorKeep time.Duration `yaml:"mirror_keep"`
}

// History is the failure history of finished runs, kept for the failure
// tags and /atvm history (D28).
type History struct {
	KeepDays int `yaml:"keep_days"` // rows of runs started longer ago are removed
	Window   int `yaml:"window"`    // how many of a host's earlier runs a tag looks at
}

// Display is how times and links are shown.
type Display struct {
	Timezone string `yaml:"timezone"` // D11
}

// BlacklistEntry is one maintained exclusion (P12).
type BlacklistEntry struct {
	Machine string `yaml:"machine"`
	Reason  string `yaml:"reason"`
}

// Template holds per-template facts (D10): defaults, plugin use, static flow.
type Template struct {
	Short         string   `yaml:"short"`          // prefix of derived build names
	PluginBearing bool     `yaml:"plugin_bearing"` // takes --use_specified_plugin / --integration_type (P7, P9)
	DefaultPlugin string   `yaml:"default_plugin"` // P7
	DefaultFlags  []string `yaml:"default_flags"`  // added unless opted out (P6, P8, P10)
	// PlatformDefaults: flags added when --vm_platforms is absent or equals
	// the key's platform (P10, D12), e.g. vmware: [--set_static_ip_dest].
	DefaultPlatform  string   `yaml:"default_platform"`
	PlatformDefaults []string `yaml:"platform_defaults"`
	WarnBothPlugins  bool     `yaml:"warn_both_plugins"` // P11
	StaticFlow       []string `yaml:"static_flow"`       // S8 fallback
}

// SecretFiles are paths of files that hold one secret each.
type SecretFiles struct {
	MattermostToken string `yaml:"mattermost_token"`
	SlashToken      string `yaml:"slash_token"`
	SigningKey      string `yaml:"signing_key"`
	SSHKey          string `yaml:"ssh_key"` // the private key file itself
}

// Secrets are loaded from ATVMBOT_* env vars or the files they name.
type Secrets struct {
	MattermostToken string
	SlashToken      string
	SigningKey      string
	SSHKeyPath      string
}

// Location returns the display time zone, UTC when it cannot be loaded.
func (c *Config) Location() *time.Location {
	if loc, err := time.LoadLocation(c.Display.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// SortBlacklist orders the blacklist by machine name, byte by byte: the
// order storage reads the maintained list in (ORDER BY machine), so a plan
// built offline lists `--exclude_partial_match` as the bot's does and gets
// the same hash and id.
func (c *Config) SortBlacklist() {
	sort.SliceStable(c.Blacklist, func(i, j int) bool { return c.Blacklist[i].Machine < c.Blacklist[j].Machine })
}

// IsBlacklisted reports the reason a machine is blacklisted, if it is.
func (c *Config) IsBlacklisted(machine string) (string, bool) {
	for _, b := range c.Blacklist {
		if b.Machine == machine {
			return b.Reason, true
		}
	}
	return "", false
}
