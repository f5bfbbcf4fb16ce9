// Package simulator plays the ATVM controller for the demo and the
// end-to-end tests: a template generator and a runner that behave like
// cmc-templates.py and run-sorry-cypress.py, driven by a scenario file, and
// writing every artifact in the real formats (cypress-cloud log, JUnit,
// mochawesome, per-host reporter JSON/TXT, generated specs, the config).
//
// Every duration in a scenario is simulated time; the scenario's speed says
// how many simulated seconds pass per real second.
package simulator

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Scenario describes one simulated controller and the run it plays.
type Scenario struct {
	Name        string  `yaml:"name" json:"name"`
	Description string  `yaml:"description" json:"description"`
	Speed       float64 `yaml:"speed" json:"speed"` // simulated seconds per real second; 0 = 1
	Seed        int64   `yaml:"seed" json:"seed"`   // --randomize and ids

	Inventory []InventoryVM           `yaml:"inventory" json:"inventory"`
	Template  TemplateKnobs           `yaml:"template" json:"template"`
	Run       RunKnobs                `yaml:"run" json:"run"`
	Defaults  HostBehavior            `yaml:"defaults" json:"defaults"`
	Hosts     map[string]HostBehavior `yaml:"hosts" json:"hosts"`

	// Expect is the scenario's truth stated by hand (D18): what a correct
	// reconstruction must find. The simulator never reads it.
	Expect Expect `yaml:"expect" json:"expect"`
}

// InventoryVM is one machine the template generator can select. In YAML it
// is either a bare name or a mapping.
type InventoryVM struct {
	Name     string `yaml:"name" json:"name"`
	Group    string `yaml:"group" json:"group"`       // categorize group; default from the name
	Platform string `yaml:"platform" json:"platform"` // for --vm_platforms; default vmware
}

// UnmarshalYAML accepts a bare name as well as a mapping.
func (v *InventoryVM) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		v.Name = n.Value
		return nil
	}
	type plain InventoryVM
	return n.Decode((*plain)(v))
}

// TemplateKnobs drive cmc-templates.py.
type TemplateKnobs struct {
	DurationS float64 `yaml:"duration_s" json:"duration_s"` // how long generation takes
	// Fail makes the step exit 1 after some output, printing this text.
	Fail string `yaml:"fail" json:"fail"`
	// OmitFromSpecPattern names VMs whose spec is generated but left out of
	// the config's specPattern (the P16 mismatch).
	OmitFromSpecPattern []string `yaml:"omit_from_spec_pattern" json:"omit_from_spec_pattern"`
	// SkipConfigWrite leaves the config untouched (stale config, D4).
	SkipConfigWrite bool `yaml:"skip_config_write" json:"skip_config_write"`
	// DefaultPlugin is the script's own default without --use_specified_plugin.
	DefaultPlugin string `yaml:"default_plugin" json:"default_plugin"`
}

// RunKnobs drive run-sorry-cypress.py.
type RunKnobs struct {
	Groups []string `yaml:"groups" json:"groups"` // order of categorized batches
	// GroupLabels maps a group to the label used in its --ci-build-id (R10).
	GroupLabels       map[string]string `yaml:"group_labels" json:"group_labels"`
	HangAtEnd         bool              `yaml:"hang_at_end" json:"hang_at_end"`
	NoConsolidatedLog bool              `yaml:"no_consolidated_log" json:"no_consolidated_log"`
	LateRow           bool              `yaml:"late_row" json:"late_row"` // Detected line inside the table
	ExitCode          int               `yaml:"exit_code" json:"exit_code"`
	CypressSetupS     float64           `yaml:"cypress_setup_s" json:"cypress_setup_s"` // per spec; default 20
	CloudSetupS       float64           `yaml:"cloud_setup_s" json:"cloud_setup_s"`     // per invocation; default 15
	CheckXMLS         float64           `yaml:"check_xml_s" json:"check_xml_s"`         // bookkeeping step; default 12
	RecordKey         string            `yaml:"record_key" json:"record_key"`           // shown in the child's argv (D17)
}

// HostBehavior is what one host's spec run does.
type HostBehavior struct {
	Outcome   string  `yaml:"outcome" json:"outcome"`     // pass (default) or fail
	FailStep  int     `yaml:"fail_step" json:"fail_step"` // step number that fails
	DurationS float64 `yaml:"duration_s" json:"duration_s"`

	ErrorType  string `yaml:"error_type" json:"error_type"` // default CypressError
	Error      string `yaml:"error" json:"error"`           // message, used as is
	ExecCmd    string `yaml:"exec_command" json:"exec_command"`
	ExecStderr string `yaml:"exec_stderr" json:"exec_stderr"`
	TaskName   string `yaml:"task" json:"task"`
	TaskError  string `yaml:"task_error" json:"task_error"`

	Reporter    string `yaml:"reporter" json:"reporter"`         // stats, event-log, list, dict (default), txt-only, none
	AuthWarning bool   `yaml:"auth_warning" json:"auth_warning"` // harmless "auth error encountered" noise (R6)

	MochawesomeFailStep   int  `yaml:"mochawesome_fail_step" json:"mochawesome_fail_step"` // R7 disagreement
	MochawesomeEmptyError bool `yaml:"mochawesome_empty_error" json:"mochawesome_empty_error"`
	NoJUnit               bool `yaml:"no_junit" json:"no_junit"` // R4: only the grouped check-xml-files XML
	NoMochawesome         bool `yaml:"no_mochawesome" json:"no_mochawesome"`
}

// Expect is a scenario's hand-written truth.
type Expect struct {
	Plan        string                `yaml:"plan" json:"plan"` // a plan command that plays this scenario
	Build       string                `yaml:"build" json:"build"`
	State       string                `yaml:"state" json:"state"`
	Categorized bool                  `yaml:"categorized" json:"categorized"`
	Hosts       map[string]ExpectHost `yaml:"hosts" json:"hosts"`
	Subruns     []string              `yaml:"subruns" json:"subruns"`
}

// ExpectHost is one host's truth.
type ExpectHost struct {
	Status     string `yaml:"status" json:"status"`
	Group      string `yaml:"group" json:"group"`
	Tests      int    `yaml:"tests" json:"tests"`
	FailedStep string `yaml:"failed_step" json:"failed_step"`
	Error      string `yaml:"error" json:"error"` // substring
}

// Reporter JSON shapes (docs/formats.md d).
const (
	ShapeStats    = "stats"
	ShapeEventLog = "event-log"
	ShapeList     = "list"
	ShapeDict     = "dict"
	ShapeTXTOnly  = "txt-only"
	ShapeNone     = "none"
)

// ParseScenario reads a scenario (YAML or JSON) and checks it.
func ParseScenario(data []byte) (*Scenario, error) {
	var s Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

var vmNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func (s *Scenario) validate() error {
	var problems []string
	if s.Speed < 0 {
		problems = append(problems, "speed must be positive")
	}
	if len(s.Inventory) == 0 {
		problems = append(problems, "inventory is empty")
	}
	seen := map[string]bool{}
	for _, vm := range s.Inventory {
		if !vmNameRE.MatchString(vm.Name) {
			problems = append(problems, fmt.Sprintf("inventory: bad VM name %q", vm.Name))
		}
		if seen[vm.Name] {
			problems = append(problems, fmt.Sprintf("inventory: %s listed twice", vm.Name))
		}
		seen[vm.Name] = true
	}
	names := make([]string, 0, len(s.Hosts))
	for n := range s.Hosts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !seen[n] {
			problems = append(problems, fmt.Sprintf("hosts: %s is not in the inventory", n))
		}
		if err := s.Hosts[n].check(); err != "" {
			problems = append(problems, fmt.Sprintf("hosts: %s: %s", n, err))
		}
	}
	if err := s.Defaults.check(); err != "" {
		problems = append(problems, "defaults: "+err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("scenario: %s", strings.Join(problems, "; "))
	}
	return nil
}

func (h HostBehavior) check() string {
	switch h.Outcome {
	case "", "pass":
	case "fail":
		if h.FailStep <= 0 {
			return "outcome fail needs fail_step"
		}
	default:
		return fmt.Sprintf("outcome %q: want pass or fail", h.Outcome)
	}
	switch h.Reporter {
	case "", ShapeStats, ShapeEventLog, ShapeList, ShapeDict, ShapeTXTOnly, ShapeNone:
	default:
		return fmt.Sprintf("reporter %q: want stats, event-log, list, dict, txt-only or none", h.Reporter)
	}
	if h.DurationS < 0 {
		return "duration_s must not be negative"
	}
	return ""
}

// speed is the time scale, never zero.
func (s *Scenario) speed() float64 {
	if s.Speed <= 0 {
		return 1
	}
	return s.Speed
}

// Host returns a host's behaviour: its own fields over the defaults.
func (s *Scenario) Host(name string) HostBehavior {
	h := s.Defaults
	if o, ok := s.Hosts[name]; ok {
		merge(&h, o)
	}
	if h.Outcome == "" {
		h.Outcome = "pass"
	}
	if h.DurationS == 0 {
		h.DurationS = 600
	}
	if h.Reporter == "" {
		h.Reporter = ShapeDict
	}
	if h.ErrorType == "" {
		h.ErrorType = "CypressError"
	}
	return h
}

// merge overlays the non-zero fields of o onto h.
func merge(h *HostBehavior, o HostBehavior) {
	if o.Outcome != "" {
		h.Outcome = o.Outcome
	}
	if o.FailStep != 0 {
		h.FailStep = o.FailStep
	}
	if o.DurationS != 0 {
		h.DurationS = o.DurationS
	}
	if o.ErrorType != "" {
		h.ErrorType = o.ErrorType
	}
	if o.Error != "" || o.ExecCmd != "" || o.TaskError != "" {
		h.Error, h.ExecCmd, h.ExecStderr, h.TaskName, h.TaskError = o.Error, o.ExecCmd, o.ExecStderr, o.TaskName, o.TaskError
	}
	if o.Reporter != "" {
		h.Reporter = o.Reporter
	}
	h.AuthWarning = h.AuthWarning || o.AuthWarning
	if o.MochawesomeFailStep != 0 {
		h.MochawesomeFailStep = o.MochawesomeFailStep
	}
	h.MochawesomeEmptyError = h.MochawesomeEmptyError || o.MochawesomeEmptyError
	h.NoJUnit = h.NoJUnit || o.NoJUnit
	h.NoMochawesome = h.NoMochawesome || o.NoMochawesome
}

// inventoryVM finds a machine of the inventory.
func (s *Scenario) inventoryVM(name string) (InventoryVM, bool) {
	for _, vm := range s.Inventory {
		if vm.Name == name {
			return vm, true
		}
	}
	return InventoryVM{}, false
}

// GroupOf is the distro group a machine is categorized into: the inventory's
// group, else the letters after "atvmN-" (w2k*/win* → windows).
func (s *Scenario) GroupOf(vm string) string {
	if v, ok := s.inventoryVM(vm); ok && v.Group != "" {
		return v.Group
	}
	return DistroGroup(vm)
}

var atvmPrefixRE = regexp.MustCompile(`^atvm\d+-`)

// DistroGroup derives the distro group from a machine name.
func DistroGroup(vm string) string {
	rest := strings.ToLower(atvmPrefixRE.ReplaceAllString(vm, ""))
	end := 0
	for end < len(rest) && rest[end] >= 'a' && rest[end] <= 'z' {
		end++
	}
	g := rest[:end]
	switch {
	case strings.HasPrefix(rest, "w2k"), strings.HasPrefix(g, "win"):
		return "windows"
	case g == "rhel":
		return "redhat"
	case g == "":
		return "other"
	}
	return g
}
