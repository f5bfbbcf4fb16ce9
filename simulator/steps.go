package simulator

import (
	"fmt"
	"regexp"
	"strconv"
)

// A template's spec is a tree of steps and runtime gates (docs/formats.md e). The
// same tree renders the generated TypeScript and, evaluated against the
// config's env block, gives the steps a run really executes.
type node struct {
	step *stepDef
	gate string // "" for a step; else a gate kind (below)
	body []node
}

type stepDef struct {
	N     int
	Title string
	Body  string // TypeScript inside the it(); "" = a generic task call
}

// Gate kinds. Plugin gates are named after the template's variables.
const (
	gateFC          = "fc"          // useFCPlugin / usePureFCPlugin
	gateIscsi       = "iscsi"       // useIscsiPlugin / usePureIscsiPlugin
	gateInstallOnly = "installOnly" // Cypress.env("test-install-only") == true
	gateFullRun     = "fullRun"     // Cypress.env("test-install-only") == false
	gateCutover     = "cutover"     // if (performCutover)
	gateNoCutover   = "noCutover"   // } else {
)

// Templates the simulated generator knows.
const (
	TplE2E       = "cmc-e2e"
	TplReboot    = "cmc-reboot"
	TplSystemOS  = "cmc-systemOS"
	TplMigration = "cmc-migrateops-compute-migration"
)

// Env is the gate state a run evaluates: the config's env block.
type Env struct {
	Plugin      string // pure_plugin_type: fc, iscsi, both, "" (unset)
	InstallOnly *bool  // test-install-only; nil = unset (neither branch runs)
	Cutover     *bool  // cutover; nil = unset (counts as true: != false)
	Integration string // integration_type, informational
}

func steps(from int, titles ...string) []node {
	out := make([]node, len(titles))
	for i, t := range titles {
		out[i] = node{step: &stepDef{N: from + i, Title: t}}
	}
	return out
}

func gate(kind string, body ...[]node) node {
	n := node{gate: kind}
	for _, b := range body {
		n.body = append(n.body, b...)
	}
	return n
}

func cat(parts ...[]node) []node {
	var out []node
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// templateTree returns a template's step tree; ok is false for a template
// the generator does not know.
func templateTree(tpl string) ([]node, bool) {
	switch tpl {
	case TplE2E:
		return e2eTree(), true
	case TplReboot:
		return rebootTree(), true
	case TplSystemOS:
		return steps(1, systemOSTitles...), true
	case TplMigration:
		return migrationTree(), true
	}
	return nil, false
}

// cmc-e2e: 3 common steps, then install-only (5) or the full run, where the
// FC (19) and iSCSI (17) branches both number from 4: fc 22, iscsi 20,
// both 39, install-only 8, 44 it( in the file.
func e2eTree() []node {
	return cat(
		steps(1, "Verifying set up", "Power on and obtain ip address and host name", "Uninstall CMC if still exists"),
		[]node{
			gate(gateInstallOnly, steps(4, "Setting up disk on the host", "Copy CMC install command from GUI",
				"Install CMC", "Uninstall CMC", "Power off")),
			gate(gateFullRun,
				[]node{gate(gateFC, steps(4, "Setting up disk on the host", "Copy CMC install command from GUI",
					"Install CMC", "Create migration session", "Tracking Changes",
					"Trigger cmotion and do I/O test before actual cutover", "Verify data for cmotion",
					"Trigger revert cmotion and do I/O test before and during cmotion", "Verify data for revert cmotion",
					"Trigger cmotion again", "Finalize cutover", "Create migration report", "Delete migration session",
					"Verify local destination disk", "Remove enabled FC integration", "Remove host and volumes",
					"Uninstall CMC", "Clean up iSCSI targets", "Power off"))},
				[]node{gate(gateIscsi, steps(4, "Setting up iSCSI disk on the host", "Copy CMC install command from GUI",
					"Install CMC", "Create migration session", "Tracking Changes",
					"Trigger cmotion and do I/O test before actual cutover", "Verify data for cmotion",
					"Trigger revert cmotion and do I/O test before and during cmotion", "Verify data for revert cmotion",
					"Trigger cmotion again", "Finalize cutover", "Create migration report", "Delete migration session",
					"Verify local destination disk", "Remove host and volumes", "Uninstall CMC", "Clean up iSCSI targets"))},
			),
		},
	)
}

// cmc-reboot numbers in file order: common 1–10, iSCSI 11–24, FC 25–44,
// common 45–57: fc 43 (1–10, 25–57), iscsi 37, both 57.
func rebootTree() []node {
	return cat(
		steps(1, "Verifying set up", "Power on and obtain ip address and host name", "Uninstall CMC if still exists",
			"Copy CMC install command from GUI", "Install CMC", "Verify CMC services are running",
			"Create migration session", "Tracking Changes", "Trigger cmotion and do I/O test before actual cutover",
			"Verify data for cmotion"),
		[]node{gate(gateIscsi, steps(11, "Setting up iSCSI disk on the host", "Login to iSCSI targets",
			"Write diskname1Disk file and md5 on iSCSI disk", "Verify diskname1Disk md5 on iSCSI disk",
			"Reboot host (iSCSI test)", "Wait for host to come back after reboot (iSCSI test)",
			"Verify iSCSI sessions after reboot", "Verify mTDI services after reboot (iSCSI test)",
			"Write diskname1Reboot file and md5 after reboot",
			"Verify diskname1Reboot file is the same as diskname1Reboots source (Reboot test)",
			"Trigger cmotion after reboot (iSCSI test)", "Verify data after cmotion (iSCSI test)",
			"Remove iSCSI disk from host", "Logout of iSCSI targets"))},
		[]node{gate(gateFC, steps(25, "Setting up FC disk on the host", "Enable FC integration",
			"Rescan FC disks on the host", "Create FC volume on Pure array", "Map FC volume to host",
			"Write diskname2Disk file and md5 on FC disk", "Verify diskname2Disk md5 on FC disk",
			"Reboot host (FC test)", "Wait for host to come back after reboot (FC test)",
			"Verify multipath devices after reboot", "Verify mTDI services after reboot (FC test)",
			"Verify FC disk is mounted after reboot", "Write diskname2Reboot file and md5 after reboot",
			"Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)",
			"Trigger cmotion after reboot (FC test)", "Verify data after cmotion (FC test)",
			"Unmap FC volume from host", "Delete FC volume on Pure array", "Remove enabled FC integration",
			"Clean up FC disk on the host"))},
		steps(45, "Trigger revert cmotion and do I/O test before and during cmotion", "Verify data for revert cmotion",
			"Trigger cmotion again", "Finalize cutover", "Reboot destination host", "Verify destination host after reboot",
			"Create migration report", "Delete migration session", "Verify local destination disk",
			"Remove host and volumes", "Uninstall CMC", "Clean up iSCSI targets", "Power off"),
	)
}

var systemOSTitles = []string{"Verifying set up", "Power on and obtain ip address and host name",
	"Uninstall CMC if still exists", "Copy CMC install command from GUI", "Install CMC",
	"Verify CMC services are running", "Create system OS migration session", "Tracking Changes",
	"Trigger cmotion of the system disk", "Verify system disk data after cmotion",
	"Trigger revert cmotion of the system disk", "Verify system disk data after revert cmotion",
	"Trigger cmotion again", "Finalize cutover", "Boot the destination from the migrated system disk",
	"Verify destination operating system", "Create migration report", "Delete migration session",
	"Remove host and volumes", "Uninstall CMC", "Power off"}

// compute-migration numbers in file order: common 1–10, cutover 11–15,
// no-cutover 16–17, common 18–19: cutover 17, no cutover 14.
func migrationTree() []node {
	return cat(
		steps(1, "Verifying set up", "Power on source VM and obtain ip address and host name",
			"Uninstall CMC if still exists", "Copy CMC install command from GUI", "Install CMC",
			"Create compute migration session", "Select destination platform and instance type",
			"Configure static IP for destination", "Tracking Changes", "Trigger cmotion and verify replication"),
		[]node{
			gate(gateCutover, steps(11, "Finalize cutover", "Power on destination VM", "Verify destination VM network",
				"Verify destination VM data", "Power off destination VM")),
			gate(gateNoCutover, steps(16, "Cancel migration without cutover", "Verify source VM still running")),
		},
		steps(18, "Delete migration session", "Uninstall CMC"),
	)
}

// open reports whether a gate lets its body run under env.
func (e Env) open(kind string) bool {
	switch kind {
	case gateFC:
		return e.Plugin == "fc" || e.Plugin == "both"
	case gateIscsi:
		return e.Plugin == "iscsi" || e.Plugin == "both"
	case gateInstallOnly:
		return e.InstallOnly != nil && *e.InstallOnly
	case gateFullRun:
		return e.InstallOnly != nil && !*e.InstallOnly
	case gateCutover:
		return e.Cutover == nil || *e.Cutover
	case gateNoCutover:
		return e.Cutover != nil && !*e.Cutover
	}
	return false
}

// Flow returns the steps a template runs under env, in file order, as
// "N. Title" (S8).
func Flow(tpl string, env Env) []string {
	tree, ok := templateTree(tpl)
	if !ok {
		return nil
	}
	var out []string
	for _, s := range evaluate(tree, env) {
		out = append(out, stepTitle(s))
	}
	return out
}

func evaluate(tree []node, env Env) []*stepDef {
	var out []*stepDef
	for _, n := range tree {
		switch {
		case n.step != nil:
			out = append(out, n.step)
		case env.open(n.gate):
			out = append(out, evaluate(n.body, env)...)
		}
	}
	return out
}

func allSteps(tree []node) []*stepDef {
	var out []*stepDef
	for _, n := range tree {
		if n.step != nil {
			out = append(out, n.step)
		} else {
			out = append(out, allSteps(n.body)...)
		}
	}
	return out
}

func stepTitle(s *stepDef) string { return strconv.Itoa(s.N) + ". " + s.Title }

var describeRE = regexp.MustCompile(`describe\("([^" ]+) ([^"]+)"`)

// specIdentity reads the machine and template from a generated spec's
// describe title, e.g. describe("atvm71-redhat9.1 cmc-reboot", …).
func specIdentity(spec []byte) (vm, tpl string, err error) {
	m := describeRE.FindSubmatch(spec)
	if m == nil {
		return "", "", fmt.Errorf("no describe(\"<vm> <template>\") in spec")
	}
	return string(m[1]), string(m[2]), nil
}
