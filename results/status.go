// Package results turns a run's artifacts into its true Status and renders
// that Status for people. It is pure: callers hand it names, mtimes and
// bytes; it opens no file, socket or database of its own.
package results

import "time"

// Host statuses (D2).
const (
	HostPass       = "PASS"
	HostFail       = "FAIL"
	HostRunning    = "RUNNING"
	HostNotStarted = "NOT_STARTED"
	HostSkipped    = "SKIPPED"
	HostUnknown    = "UNKNOWN"
)

// Sub-run states (D2).
const (
	SubrunCompleted  = "COMPLETED"
	SubrunFailed     = "FAILED"
	SubrunRunning    = "RUNNING"
	SubrunNotStarted = "NOT_STARTED"
)

// Run states (ARCHITECTURE.md).
const (
	RunPlanned      = "PLANNED"
	RunApproved     = "APPROVED"
	RunLaunching    = "LAUNCHING"
	RunRunning      = "RUNNING"
	RunCompleted    = "COMPLETED"
	RunFailed       = "FAILED"
	RunCancelled    = "CANCELLED"
	RunTerminated   = "TERMINATED"
	RunHung         = "HUNG"
	RunUnknown      = "UNKNOWN"
	RunLaunchFailed = "LAUNCH_FAILED"
)

// Status is a run's reconstructed truth. The JSON names of the fields listed
// in ARCHITECTURE.md are fixed; the rest are additions the renderer needs (D2).
type Status struct {
	Build        string     `json:"build"`
	Template     string     `json:"template"`
	State        string     `json:"state"`
	Categorized  bool       `json:"categorized"`
	StartedAt    *time.Time `json:"started_at,omitempty"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
	Hosts        []Host     `json:"hosts"`
	Skipped      []Skip     `json:"skipped"`
	Remaining    []string   `json:"remaining"`
	Subruns      []Subrun   `json:"subruns"`
	CurrentsURLs []string   `json:"currents_urls"`
	TestFlow     []string   `json:"test_flow"`
	Notes        []string   `json:"notes"`

	// Additions (D2).
	Coverage        Coverage            `json:"coverage"`
	TemplateCommand string              `json:"template_command,omitempty"`
	RunnerCommand   string              `json:"runner_command,omitempty"`
	Timing          Timing              `json:"timing"`
	TestFlowSource  string              `json:"test_flow_source,omitempty"` // "spec", "static" or "" (not available)
	GroupFlows      map[string][]string `json:"group_flows,omitempty"`      // per group when groups differ (D10)
	Hung            bool                `json:"hung,omitempty"`             // runner lingered after results (W4, D3)
	Version         string              `json:"version,omitempty"`          // bot version (W9, D9)
}

// Host is one test machine's result.
type Host struct {
	Name         string     `json:"name"`
	Status       string     `json:"status"`
	Group        string     `json:"group,omitempty"`
	Tests        int        `json:"tests"`
	Failures     int        `json:"failures"`
	FailedStep   string     `json:"failed_step,omitempty"`
	Error        string     `json:"error,omitempty"`
	DetailSource string     `json:"detail_source,omitempty"` // runner-log, mochawesome, reporter-json, reporter-txt, junit
	StartedAt    *time.Time `json:"started_at,omitempty"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
	DurationS    float64    `json:"duration_s,omitempty"`

	// Additions (D2).
	FailureExcerpt string   `json:"failure_excerpt,omitempty"` // longer trimmed text for FAILURE NOTES (S5)
	Kernel         string   `json:"kernel,omitempty"`          // from the VM inventory (R12)
	Notes          []string `json:"notes,omitempty"`
}

// Skip is a machine left out of the run on purpose (P12).
type Skip struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Subrun is one grouped sub-run of a categorized run (W3).
type Subrun struct {
	Name        string     `json:"name"`
	State       string     `json:"state"`
	Hosts       []string   `json:"hosts"`
	CurrentsURL string     `json:"currents_url,omitempty"`
	BuildID     string     `json:"build_id,omitempty"` // the child --ci-build-id as logged (R10)
	StartedAt   *time.Time `json:"started_at,omitempty"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
	Finished    bool       `json:"finished,omitempty"` // its own Recorded Run line seen and artifacts settled (D6)
}

// Coverage holds only the inputs the template command really used (S7).
type Coverage struct {
	Template        string   `json:"template,omitempty"`
	ConfigFile      string   `json:"config_file,omitempty"`
	ConfigFamily    string   `json:"config_family,omitempty"`
	IntegrationType string   `json:"integration_type,omitempty"`
	Plugin          string   `json:"plugin,omitempty"`
	Categorized     bool     `json:"categorized,omitempty"`
	InstallOnly     bool     `json:"install_only,omitempty"`
	Flags           []string `json:"flags,omitempty"` // important flags as typed, e.g. --ignore_force_shutdown
}

// Timing is the TIMING section's numbers (S6).
type Timing struct {
	ElapsedS  float64    `json:"elapsed_s,omitempty"`
	QuickestS float64    `json:"quickest_s,omitempty"`
	LongestS  float64    `json:"longest_s,omitempty"`
	AverageS  float64    `json:"average_s,omitempty"`
	ETA       *time.Time `json:"eta,omitempty"` // estimate for the whole remaining run

	// Additions for the TIMING section (S6).
	QuickestHost string  `json:"quickest_host,omitempty"`
	LongestHost  string  `json:"longest_host,omitempty"`
	TimedHosts   int     `json:"timed_hosts,omitempty"` // finished hosts the stats are over
	HostsLeft    int     `json:"hosts_left,omitempty"`  // running + not started: the ETA's scope
	Parallelism  float64 `json:"parallelism,omitempty"` // hosts at work at once so far (≥ 1)
}
