package commands

import "strings"

// OptChart asks status and history for a picture beside the text: the
// run's timeline, or the host's recent runs as a strip.
const OptChart = "--chart"

const statusUsage = "usage: `/atvm status [BUILD] [--chart]`"

// parseStatus reads `status [BUILD] [--chart]`, in either order.
func parseStatus(args []token) (Command, *Error) {
	cmd := Command{Name: CmdStatus}
	for _, a := range args {
		w := a.text
		switch {
		case w == OptChart:
			if cmd.Chart {
				return Command{}, errorf(OptChart, "given twice; keep one")
			}
			cmd.Chart = true
		case looksLikeFlag(w):
			return Command{}, chartOnly(w, CmdStatus, statusUsage)
		case cmd.Target != "":
			return Command{}, errorf(CmdStatus, "takes one build name, got a second word %s; %s", echo(w), statusUsage)
		default:
			f := specFor(flagBuild)
			if _, err := f.checkValue(w); err != nil {
				return Command{}, errorf(CmdStatus, "%s is not a build name. %s", echo(w), f.allowed())
			}
			cmd.Target = w
		}
	}
	return cmd, nil
}

// chartOnly refuses an option of a command whose only switch is --chart:
// a variant spelling gets the one to type (D26), a value is refused.
func chartOnly(w, name, usage string) *Error {
	if d := badRune(w); d != "" {
		return errorf(OptChart, "%s contains %s; type `%s`", show(w), d, OptChart)
	}
	opt, _, hasVal := strings.Cut(w, "=")
	if opt == OptChart && hasVal {
		return errorf(OptChart, "takes no value; type `%s` alone", OptChart)
	}
	if normFlag(opt) == normFlag(OptChart) {
		return misspelt(w, OptChart, name)
	}
	e := unknownOption(opt, " for "+name, []string{OptChart})
	e.Msg += "; " + usage
	return e
}
