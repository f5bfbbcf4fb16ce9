package commands

import (
	"strconv"
	"strings"
)

// Commands over the failure history (D28).
const (
	CmdHistory  = "history"  // one host's recent results
	CmdFlaky    = "flaky"    // hosts whose steps pass and fail alternately
	CmdFailures = "failures" // the most frequent failure causes
)

// History limits: the table stays one short reply.
const (
	HistoryDefaultLast = 10
	HistoryMaxLast     = 50
	HistoryDefaultDays = 14
	HistoryMaxDays     = 365
)

var historyOptions = []string{"--template", "--last", OptChart}

const historyUsage = "usage: `/atvm history HOST [--template TEMPLATE] [--last N] [--chart]`"

// parseHistory reads `history HOST [--template T] [--last N] [--chart]`; an
// option's value follows it as the next word or after "=".
func parseHistory(args []token) (Command, *Error) {
	cmd := Command{Name: CmdHistory, Last: HistoryDefaultLast}
	lastSet := false
	for i := 0; i < len(args); i++ {
		w := args[i].text
		if !looksLikeFlag(w) {
			if cmd.Machine != "" {
				return Command{}, errorf(CmdHistory, "takes one host, got a second word %s; %s", echo(w), historyUsage)
			}
			mf := specFor(flagSpecifyVMs)
			if v, err := mf.checkValue(w); err != nil || len(v) != 1 || v[0] != w {
				return Command{}, errorf(CmdHistory, "%s is not a machine name; allowed: one machine name such as `atvm71-redhat9.1`", echo(w))
			}
			cmd.Machine = w
			continue
		}
		name, val, hasVal := strings.Cut(w, "=")
		if name == OptChart {
			switch {
			case hasVal:
				return Command{}, errorf(OptChart, "takes no value; type `%s` alone", OptChart)
			case cmd.Chart:
				return Command{}, errorf(OptChart, "given twice; keep one")
			}
			cmd.Chart = true
			continue
		}
		if !contains(historyOptions, name) {
			if d := badRune(w); d != "" {
				return Command{}, errorf(CmdHistory, "%s contains %s; options are %s", show(w), d, strings.Join(historyOptions, ", "))
			}
			return Command{}, unknownOption(name, " for history", historyOptions)
		}
		if !hasVal {
			if i+1 == len(args) || looksLikeFlag(args[i+1].text) {
				return Command{}, errorf(name, "needs a value; %s", historyUsage)
			}
			i++
			val = args[i].text
		}
		switch name {
		case "--template":
			if cmd.Template != "" {
				return Command{}, errorf(name, "given twice; keep one")
			}
			v, err := templateWord.checkValue(val)
			if err != nil {
				return Command{}, err
			}
			cmd.Template = v[0]
		case "--last":
			n, err := strconv.Atoi(val)
			if lastSet {
				return Command{}, errorf(name, "given twice; keep one")
			}
			if err != nil || n < 1 || n > HistoryMaxLast {
				return Command{}, errorf(name, "%s is not a number of runs; allowed: 1 to %d", echo(val), HistoryMaxLast)
			}
			cmd.Last, lastSet = n, true
		}
	}
	if cmd.Machine == "" {
		return Command{}, errorf(CmdHistory, "needs a host; %s", historyUsage)
	}
	return cmd, nil
}

// parseDays reads `flaky [--days N]` and `failures [--days N]`.
func parseDays(name string, args []token) (Command, *Error) {
	usage := "usage: `/atvm " + name + " [--days N]`"
	cmd := Command{Name: name, Days: HistoryDefaultDays}
	set := false
	for i := 0; i < len(args); i++ {
		w := args[i].text
		opt, val, hasVal := strings.Cut(w, "=")
		if opt != "--days" {
			if !looksLikeFlag(w) {
				return Command{}, errorf(name, "takes no word %s; %s", echo(w), usage)
			}
			if d := badRune(w); d != "" {
				return Command{}, errorf(name, "%s contains %s; %s", show(w), d, usage)
			}
			return Command{}, unknownOption(opt, " for "+name, []string{"--days"})
		}
		if !hasVal {
			if i+1 == len(args) {
				return Command{}, errorf(opt, "needs a value; %s", usage)
			}
			i++
			val = args[i].text
		}
		n, err := strconv.Atoi(val)
		if set {
			return Command{}, errorf(opt, "given twice; keep one")
		}
		if err != nil || n < 1 || n > HistoryMaxDays {
			return Command{}, errorf(opt, "%s is not a number of days; allowed: 1 to %d", echo(val), HistoryMaxDays)
		}
		cmd.Days, set = n, true
	}
	return cmd, nil
}
