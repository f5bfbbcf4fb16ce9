package commands

import (
	"strconv"
	"strings"
)

// CmdHistory lists one host's recent results from the failure history (D28).
const CmdHistory = "history"

// History limits: the table stays one short reply.
const (
	HistoryDefaultLast = 10
	HistoryMaxLast     = 50
)

var historyOptions = []string{"--template", "--last"}

const historyUsage = "usage: `/atvm history HOST [--template TEMPLATE] [--last N]`"

// parseHistory reads `history HOST [--template T] [--last N]`; an option's
// value follows it as the next word or after "=".
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
