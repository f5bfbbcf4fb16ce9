package commands

import (
	"fmt"
	"strings"
)

// AutocompleteHint and AutocompleteDescription register /atvm. A custom
// slash command keeps only these two strings: Mattermost 11.4 stores no
// autocomplete tree for it (README, "What autocomplete shows"). The hint is
// read from the help table so the two never disagree.
var AutocompleteHint = autocompleteHint()

// AutocompleteDescription is the one line shown beside the hint.
const AutocompleteDescription = "Plan, approve and watch ATVM Cypress runs; /atvm plan alone opens a form"

// autocompleteHint is every command with its required first argument as
// the help writes it ("plan TEMPLATE | approve | …").
func autocompleteHint() string {
	parts := make([]string, len(CommandNames))
	for i, n := range CommandNames {
		f := strings.Fields(helpText[n].syntax)
		parts[i] = f[0]
		// A required argument only: with every optional one the line
		// outgrows the suggestion list.
		if len(f) > 1 && !strings.HasPrefix(f[1], "[") {
			parts[i] += " " + f[1]
		}
	}
	return strings.Join(parts, " | ")
}

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
			"Controller: " + controllerChoice + ". The controller changes neither the commands nor the plan's hash.",
			"Also accepted: `--config` for `--config_file`, `--plugin` for `--use_specified_plugin`, " +
				"`--integration` for `--integration_type`, `--build_name` for `--build`. Options are typed exactly so; " +
				"any other spelling is refused with the one to type. A list is one comma-separated value.",
			"In Mattermost, `/atvm plan` with nothing after it opens a form with these choices; it posts the same plan the words would.",
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
			"The plan runs on the controller it names (chosen when it was planned); the approval is refused while that controller is busy, whatever the others do.",
		},
		examples: []string{"approve", "approve p-7f3a2c without watcher", "approve p-7f3a2c --confirm-both"}},
	CmdCancel: {syntax: "cancel [BUILD|PLAN] [--yes] [--controller NAME]", does: "drop an open plan, or stop a running run.",
		more: []string{"Stopping a running run needs an approver and `--yes`.",
			"A run is stopped on the controller it runs on; with no BUILD or PLAN it cancels the channel's only open plan, else the only active run. " +
				"When the same build runs on several controllers, `--controller NAME` says which one (without it the cancel is refused with their names); " +
				"`--controller NAME` alone cancels that controller's run."},
		examples: []string{"cancel p-7f3a2c", "cancel e2e-redhat9.6-iscsi --yes", "cancel e2e-redhat9.6-iscsi --yes --controller lab2"}},
	CmdStatus: {syntax: "status [BUILD] [--chart] [--controller NAME]", does: "live status of the running run, else the most recent run.",
		more: []string{"`--chart` posts the run's timeline picture with the status, in the run's thread when it has one, else in this channel.",
			"With several controllers, the answer starts with one line per controller (idle, the bot's run and its progress, or a run started by hand); " +
				"the details are of BUILD (asked of its own controller), else of the run on `--controller NAME`, else of the latest active run. " +
				"A name no controller has is refused with their names."},
		examples: []string{"status", "status reboot-redhat8.10-both", "status reboot-redhat8.10-both --chart", "status --controller lab2"}},
	CmdRuns: {syntax: "runs [--controller NAME]", does: "the recent runs and their states.",
		more: []string{"With several controllers each run names its controller, and `--controller NAME` lists only that one's runs. " +
			"A name no controller has is refused with their names."},
		examples: []string{"runs", "runs --controller lab2"}},
	CmdQueue: {syntax: "queue [--controller NAME]", does: "the open plans and the run holding the controller.",
		more: []string{"With several controllers it shows every one (asked at once): the run holding it, or one started there by hand, " +
			"and this channel's open plans for it; `--controller NAME` shows one. A name no controller has is refused with their names."},
		examples: []string{"queue", "queue --controller lab2"}},
	CmdWatch: {syntax: "watch BUILD [--controller NAME]", does: "(re)start the bot's watcher for a run.",
		more: []string{"A run of the bot's is watched on its own controller (when the same build runs on several, `--controller NAME` says which). " +
			"A run started by hand is looked for on every controller at once " +
			"and adopted on the one where it is live; `--controller NAME` asks only that one. Found on none, nothing is adopted and the controllers asked are named."},
		examples: []string{"watch e2e-redhat9.6-iscsi", "watch e2e-redhat9.6-iscsi --controller lab2"}},
	CmdUnwatch: {syntax: "unwatch BUILD [--controller NAME]", does: "stop watching a run without touching its runner.",
		more:     []string{"When the same build runs on several controllers, `--controller NAME` says which; without it the command is refused with their names."},
		examples: []string{"unwatch e2e-redhat9.6-iscsi", "unwatch e2e-redhat9.6-iscsi --controller lab2"}},
	CmdBlacklist: {syntax: "blacklist [list | add MACHINE REASON… | remove MACHINE]", does: "the machines broad selectors skip.",
		examples: []string{"blacklist", "blacklist add atvm144-suse15.0 CRASHES WHEN CREATING MIGRATION SESSION - BUG",
			"blacklist remove atvm144-suse15.0"}},
	CmdSchedule: {syntax: "schedule [add \"SPEC\" TEMPLATE [options] | list | show|pause|resume|remove|approve ID]",
		does: "plans made on a schedule; nothing runs unapproved.",
		more: []string{
			"SPEC is cron in the operators' time zone: five fields (minute hour day month weekday) in quotes, or `@daily`, `@weekly`, `@every 6h`. " +
				"At each fire the plan is made afresh from its words (today's blacklist and defaults) and posted for approval, pinging the owner and the approvers.",
			"A standing approval (`schedule approve ID`, approvers only) lets a fire launch without a new approval only while the fresh plan's hash equals the approved one; " +
				"when the blacklist or a default changes the plan, it is posted for approval instead.",
			"A fire while the controller is busy is skipped with one post; fires missed while the bot was down (or a time the clocks skip) get one post, never a late launch.",
			"Each fire's controller is chosen like a plan's: " + controllerChoice + ". Only that controller being busy skips a fire.",
		},
		examples: []string{`schedule add "0 2 * * 1-5" cmc-e2e --containsVm redhat --categorize`, "schedule list", "schedule approve s-1a2b3c", "schedule pause s-1a2b3c"}},
	CmdHistory: {syntax: "history HOST [--template TEMPLATE] [--last N] [--chart]", does: "a host's recent results: build, date, status, failed step, tag.",
		more: []string{fmt.Sprintf("Newest first; `--last` up to %d runs (default %d). Tags compare a host with its own earlier runs of a template: "+
			"NEW, KNOWN since (first failure of the streak), FLAKY (passes and failures alternate), REGRESSION (passed last time), FIXED.", HistoryMaxLast, HistoryDefaultLast),
			"`--chart` also posts the runs as a strip of coloured cells, oldest to newest, with each failed step's number, in this channel."},
		examples: []string{"history atvm71-redhat9.1", "history atvm71-redhat9.1 --template cmc-reboot --last 5", "history atvm71-redhat9.1 --last 30 --chart"}},
	CmdFlaky: {syntax: "flaky [--days N]", does: "hosts whose steps passed and failed alternately in the recent runs.",
		more:     []string{fmt.Sprintf("Over the last `--days` days (default %d, at most %d), per template, host and step.", HistoryDefaultDays, HistoryMaxDays)},
		examples: []string{"flaky", "flaky --days 30"}},
	CmdFailures: {syntax: "failures [--days N]", does: "the most frequent failure causes in the recent runs, with their hosts.",
		more:     []string{fmt.Sprintf("Over the last `--days` days (default %d, at most %d); one cause is one error with its hosts' names, paths and numbers left out.", HistoryDefaultDays, HistoryMaxDays)},
		examples: []string{"failures", "failures --days 30"}},
	CmdRerun: {syntax: "rerun BUILD [--failed | --all | --skip-known] [--controller NAME]", does: "plan a finished run again for its failed hosts; nothing runs until approved.",
		more: []string{"Same template and options, the machines named with `--specify_vms` and the build name ending in `-rerun`. " +
			"`--failed` (the default, and the final summary's button) names every failed host, `--all` every host with a result, " +
			"`--skip-known` the failed hosts except those already KNOWN or FLAKY on that step. A run started by hand is planned with its template's defaults.",
			"The rerun is planned on the controller the run ran on: the newest run of BUILD, or its run on `--controller NAME` when the same build ran on several."},
		examples: []string{"rerun reboot-redhat8.10-both", "rerun reboot-redhat8.10-both --skip-known"}},
	CmdHelp: {syntax: "help [COMMAND]", does: "this help, or one command's.", examples: []string{"help plan"}},
}

// controllerChoice is how a plan's controller is chosen.
const controllerChoice = "`--controller NAME` names it; without it, the channel's default controller, else the only one. " +
	"With several controllers and neither, the plan is refused with their names"

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
