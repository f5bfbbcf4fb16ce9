package commands

import (
	"fmt"
	"strings"
)

// AutocompleteHint and AutocompleteDescription register /atvm (custom
// slash commands keep only these two strings).
const (
	AutocompleteHint        = "plan <template> [--options] | approve [PLAN] [without watcher] | cancel | status [BUILD] | runs | queue | watch | unwatch | blacklist | history HOST | flaky | failures | rerun BUILD | help"
	AutocompleteDescription = "Plan, approve and watch ATVM Cypress automation runs"
)

// help is one command's help: its syntax, what it does, more lines of
// markdown, and examples. Syntax and examples are always shown in code (a
// span, a fenced block): Mattermost would read `<template>` as a tag and
// `[BUILD|PLAN] [--yes]` as a link.
type help struct {
	syntax, does string
	more         []string
	examples     []string
}

var helpText = map[string]help{
	CmdPlan: {syntax: "plan TEMPLATE [options]", does: "show the exact commands a run would use; nothing runs until approved.",
		more: []string{
			"Selectors (one is required): `--containsVm PART,PART…` · `--specify_vms MACHINE,MACHINE…` · `--randomize N`",
			"Template options: `--config_file FILE.ts` · `--use_specified_plugin iscsi|fc|both` · `--integration_type pure` · " +
				"`--vm_platforms vmware` · `--test_partition` · `--ignore_force_shutdown` · `--set_static_ip_dest` · " +
				"`--test_install_only` · `--exclude_partial_match PART,PART…`",
			"Runner and bot options: `--build NAME` · `--categorize` · `--no-watcher` · `--no-ignore-force-shutdown` · " +
				"`--no-test-partition` · `--no-set-static-ip-dest`",
			"Also accepted: `--config` for `--config_file`, `--plugin` for `--use_specified_plugin`, " +
				"`--integration` for `--integration_type`, `--build_name` for `--build`. Options are typed exactly so; " +
				"any other spelling is refused with the one to type. A list is one comma-separated value.",
			"Defaults: the gold config file, `--ignore_force_shutdown`, `--test_partition`, plugin `iscsi` on " +
				"plugin-bearing templates, compute migration to `vmware` with `--set_static_ip_dest`; " +
				"broad selectors exclude every blacklisted machine.",
		},
		examples: []string{
			"plan cmc-e2e --containsVm redhat9.6,ubuntu24.04 --use_specified_plugin fc --integration_type pure",
			"plan cmc-reboot --specify_vms atvm71-redhat9.1 --categorize",
			"plan cmc-systemOS --randomize 3",
			"plan cmc-migrateops-compute-migration --containsVm ubuntu24.04",
		}},
	CmdApprove: {syntax: "approve [PLAN] [without watcher] [--confirm-both]", does: "launch a plan (approvers only).",
		more: []string{
			"With no PLAN it approves the only open plan of the channel. `without watcher` launches without " +
				"the bot's watch loop. `cmc-reboot` with plugin `both` needs `--confirm-both`.",
		},
		examples: []string{"approve", "approve p-7f3a2c without watcher", "approve p-7f3a2c --confirm-both"}},
	CmdCancel: {syntax: "cancel [BUILD|PLAN] [--yes]", does: "drop an open plan, or stop a running run.",
		more:     []string{"Stopping a running run needs an approver and `--yes`."},
		examples: []string{"cancel p-7f3a2c", "cancel e2e-redhat9.6-iscsi --yes"}},
	CmdStatus: {syntax: "status [BUILD]", does: "live status of the running run, else the most recent run.",
		examples: []string{"status", "status reboot-redhat8.10-both"}},
	CmdRuns:  {syntax: "runs", does: "the recent runs and their states.", examples: []string{"runs"}},
	CmdQueue: {syntax: "queue", does: "the open plans and the run holding the controller.", examples: []string{"queue"}},
	CmdWatch: {syntax: "watch BUILD", does: "(re)start the bot's watcher for a run.",
		examples: []string{"watch e2e-redhat9.6-iscsi"}},
	CmdUnwatch: {syntax: "unwatch BUILD", does: "stop watching a run without touching its runner.",
		examples: []string{"unwatch e2e-redhat9.6-iscsi"}},
	CmdBlacklist: {syntax: "blacklist [list | add MACHINE REASON… | remove MACHINE]", does: "the machines broad selectors skip.",
		examples: []string{"blacklist", "blacklist add atvm144-suse15.0 CRASHES WHEN CREATING MIGRATION SESSION - BUG",
			"blacklist remove atvm144-suse15.0"}},
	CmdHistory: {syntax: "history HOST [--template TEMPLATE] [--last N]", does: "a host's recent results: build, date, status, failed step, tag.",
		more: []string{fmt.Sprintf("Newest first; `--last` up to %d runs (default %d). Tags compare a host with its own earlier runs of a template: "+
			"NEW, KNOWN since (first failure of the streak), FLAKY (passes and failures alternate), REGRESSION (passed last time), FIXED.", HistoryMaxLast, HistoryDefaultLast)},
		examples: []string{"history atvm71-redhat9.1", "history atvm71-redhat9.1 --template cmc-reboot --last 5"}},
	CmdFlaky: {syntax: "flaky [--days N]", does: "hosts whose steps passed and failed alternately in the recent runs.",
		more:     []string{fmt.Sprintf("Over the last `--days` days (default %d, at most %d), per template, host and step.", HistoryDefaultDays, HistoryMaxDays)},
		examples: []string{"flaky", "flaky --days 30"}},
	CmdFailures: {syntax: "failures [--days N]", does: "the most frequent failure causes in the recent runs, with their hosts.",
		more:     []string{fmt.Sprintf("Over the last `--days` days (default %d, at most %d); one cause is one error with its hosts' names, paths and numbers left out.", HistoryDefaultDays, HistoryMaxDays)},
		examples: []string{"failures", "failures --days 30"}},
	CmdRerun: {syntax: "rerun BUILD", does: "plan a finished run again for its failed hosts only; nothing runs until approved.",
		more:     []string{"Same template and options, the failed machines named with `--specify_vms`. A run started by hand is planned with its template's defaults."},
		examples: []string{"rerun reboot-redhat8.10-both"}},
	CmdHelp: {syntax: "help [COMMAND]", does: "this help, or one command's.", examples: []string{"help plan"}},
}

// usageLine is "`/atvm SYNTAX` — what it does".
func (h help) usageLine() string { return "`/atvm " + h.syntax + "` — " + h.does }

func (h help) text() string {
	var b strings.Builder
	b.WriteString(h.usageLine() + "\n")
	for _, m := range h.more {
		b.WriteString(m + "\n")
	}
	if len(h.examples) == 1 {
		b.WriteString("Example:\n```\n")
	} else {
		b.WriteString("Examples:\n```\n")
	}
	for _, e := range h.examples {
		b.WriteString("/atvm " + e + "\n")
	}
	b.WriteString("```")
	return b.String()
}

// Help returns the help of one command, or the overview for "". It is
// Mattermost markdown: every piece of syntax sits in code, so no bracket
// or angle bracket is read as a link or a tag.
func Help(cmd string) string {
	cmd = strings.ToLower(strings.TrimSpace(cmd))
	if h, ok := helpText[cmd]; ok {
		return h.text()
	}
	var b strings.Builder
	if cmd != "" {
		fmt.Fprintf(&b, "no help for %s%s\n\n", show(cmd), didYouMean(cmd, CommandNames))
	}
	b.WriteString("ATVM automation commands:\n")
	for _, n := range CommandNames {
		fmt.Fprintf(&b, "- %s\n", helpText[n].usageLine())
	}
	b.WriteString("`/atvm help COMMAND` shows options and examples.")
	return b.String()
}
