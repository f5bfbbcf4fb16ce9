package commands

import "strings"

// OptChart asks status and history for a picture beside the text: the
// run's timeline, or the host's recent runs as a strip.
const OptChart = "--chart"

const statusUsage = "usage: `/atvm status [BUILD] [--chart] [--controller NAME]`"

// parseStatus reads `status [BUILD] [--chart] [--controller NAME]`, in any
// order; the controller's name follows its option or comes after "=".
func parseStatus(args []token) (Command, *Error) {
	cmd := Command{Name: CmdStatus}
	for i := 0; i < len(args); i++ {
		w := args[i].text
		if ok, err := takeController(&cmd, args, &i, statusUsage); err != nil {
			return Command{}, err
		} else if ok {
			continue
		}
		opt, _, _ := strings.Cut(w, "=")
		switch {
		case w == OptChart:
			if cmd.Chart {
				return Command{}, errorf(OptChart, "given twice; keep one")
			}
			cmd.Chart = true
		case looksLikeFlag(w) && normFlag(opt) == normFlag(flagController):
			return Command{}, misspelt(w, flagController, CmdStatus)
		case looksLikeFlag(w):
			return Command{}, chartOnly(w, CmdStatus, statusUsage, flagController)
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
func chartOnly(w, name, usage string, others ...string) *Error {
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
	e := unknownOption(opt, " for "+name, append([]string{OptChart}, others...))
	e.Msg += "; " + usage
	return e
}
