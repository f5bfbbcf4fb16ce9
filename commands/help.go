package commands

import (
	"fmt"
	"strings"
)

// AutocompleteHint and AutocompleteDescription register /atvm (custom
// slash commands keep only these two strings).
const (
	AutocompleteHint        = "plan <template> [--options] | approve [PLAN] [without watcher] | cancel | status [BUILD] | runs | queue | watch | unwatch | blacklist | help"
	AutocompleteDescription = "Plan, approve and watch ATVM Cypress automation runs"
)

var helpText = map[string]string{
	CmdPlan: `plan <template> [options] — show the exact commands a run would use; nothing runs until approved.
Selectors (one is required): --containsVm PART[,PART…]  --specify_vms MACHINE[,…]  --randomize N
Template options: --config_file F.ts  --use_specified_plugin iscsi|fc|both  --integration_type pure
  --vm_platforms vmware  --test_partition  --ignore_force_shutdown  --set_static_ip_dest
  --test_install_only  --exclude_partial_match PART[,…]
Runner/bot options: --build NAME  --categorize  --no-watcher
  --no-ignore-force-shutdown  --no-test-partition  --no-set-static-ip-dest
Defaults: gold config (P4), --ignore_force_shutdown (P6), plugin iscsi on plugin-bearing templates (P7),
  --test_partition (P8), compute migration to vmware with --set_static_ip_dest (P10);
  broad selectors exclude every blacklisted machine (P12).
Examples:
  plan cmc-e2e --containsVm redhat9.6,ubuntu24.04 --use_specified_plugin fc --integration_type pure
  plan cmc-reboot --specify_vms atvm71-redhat9.1 --categorize
  plan cmc-systemOS --randomize 3
  plan cmc-migrateops-compute-migration --containsVm ubuntu24.04`,
	CmdApprove: `approve [PLAN] [without watcher] [--confirm-both] — launch a plan (approvers only).
With no PLAN it approves the only open plan of the channel. "without watcher" launches without
the bot's watch loop. cmc-reboot with plugin both needs --confirm-both (P11).
Examples:
  approve
  approve p-7f3a2c without watcher
  approve p-7f3a2c --confirm-both`,
	CmdCancel: `cancel [BUILD|PLAN] [--yes] — drop an open plan, or stop a running run.
Stopping a running run needs an approver and --yes.
Examples:
  cancel p-7f3a2c
  cancel e2e-redhat9.6-iscsi --yes`,
	CmdStatus: `status [BUILD] — live status of the running run, else the most recent run.
Examples:
  status
  status reboot-redhat8.10-both`,
	CmdRuns:  "runs — the recent runs and their states.\nExample:\n  runs",
	CmdQueue: "queue — the open plans and the run holding the controller.\nExample:\n  queue",
	CmdWatch: "watch BUILD — (re)start the bot's watcher for a run.\nExample:\n  watch e2e-redhat9.6-iscsi",
	CmdUnwatch: "unwatch BUILD — stop watching a run without touching its runner.\n" +
		"Example:\n  unwatch e2e-redhat9.6-iscsi",
	CmdBlacklist: `blacklist [list | add MACHINE REASON… | remove MACHINE] — the machines broad selectors skip.
Examples:
  blacklist
  blacklist add atvm144-suse15.0 CRASHES WHEN CREATING MIGRATION SESSION - BUG
  blacklist remove atvm144-suse15.0`,
	CmdHelp: "help [command] — this help, or one command's.\nExample:\n  help plan",
}

// Help returns the help of one command, or the overview for "".
func Help(cmd string) string {
	cmd = strings.ToLower(strings.TrimSpace(cmd))
	if h, ok := helpText[cmd]; ok {
		return h
	}
	var b strings.Builder
	if cmd != "" {
		fmt.Fprintf(&b, "no help for %s%s\n\n", show(cmd), didYouMean(cmd, CommandNames))
	}
	b.WriteString("ATVM automation commands:\n")
	for _, n := range CommandNames {
		first, _, _ := strings.Cut(helpText[n], "\n")
		fmt.Fprintf(&b, "  %s\n", first)
	}
	b.WriteString("`help <command>` shows options and examples.")
	return b.String()
}
