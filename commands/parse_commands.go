package commands

import (
	"regexp"
	"strings"
)

func parseApprove(args []token) (Command, *Error) {
	cmd := Command{Name: CmdApprove}
	usage := "usage: `/atvm approve [PLAN] [without watcher] [--confirm-both]`"
	for i := 0; i < len(args); i++ {
		w := args[i].text
		if d := badRune(w); d != "" {
			return Command{}, errorf(CmdApprove, "%s contains %s; %s", show(w), d, usage)
		}
		lw := strings.ToLower(w)
		switch {
		case IsPlanID(lw):
			if cmd.Target != "" && cmd.Target != lw {
				return Command{}, errorf(CmdApprove, "names two plans (%s and %s); approve one at a time", cmd.Target, lw)
			}
			cmd.Target = lw
		case lw == "without" && i+1 < len(args) && strings.EqualFold(args[i+1].text, "watcher"):
			cmd.WithoutWatcher = true
			i++
		case w == "--no-watcher":
			cmd.WithoutWatcher = true
		case w == "--confirm-both":
			cmd.ConfirmBoth = true
		case normFlag(lw) == "withoutwatcher":
			return Command{}, errorf(CmdApprove, "%s is not how it is typed; did you mean `without watcher` (two words)? %s", show(w), usage)
		case looksLikeFlag(lw):
			var e *Error
			if c := exactly(w, []string{"--confirm-both", "--no-watcher"}); c != "" {
				e = misspelt(w, c, CmdApprove)
			} else {
				e = unknownOption(w, " for approve", []string{"--confirm-both", "--no-watcher"})
			}
			e.Msg += "; " + usage
			return Command{}, e
		case strings.HasPrefix(lw, "p-") || len(lw) == 6:
			return Command{}, errorf(CmdApprove, "%s is not a plan ID (they look like `p-7f3a2c`); %s", echo(w), usage)
		default:
			return Command{}, errorf(CmdApprove, "unexpected word %s; %s", echo(w), usage)
		}
	}
	return cmd, nil
}

func parseCancel(args []token) (Command, *Error) {
	cmd := Command{Name: CmdCancel}
	usage := "usage: `/atvm cancel [BUILD|PLAN] [--yes] [--controller NAME]`"
	for i := 0; i < len(args); i++ {
		w := args[i].text
		if ok, err := takeController(&cmd, args, &i, usage); err != nil {
			return Command{}, err
		} else if ok {
			continue
		}
		switch {
		case w == "--yes":
			cmd.Yes = true
		case looksLikeFlag(w):
			if d := badRune(w); d != "" {
				return Command{}, errorf("--yes", "%s contains %s; type `--yes`", show(w), d)
			}
			if normFlag(w) == "yes" || w == "-y" {
				return Command{}, misspelt(w, "--yes", CmdCancel)
			}
			if opt, _, _ := strings.Cut(w, "="); normFlag(opt) == normFlag(flagController) {
				return Command{}, misspelt(w, flagController, CmdCancel)
			}
			return Command{}, unknownOption(w, " for cancel", []string{"--yes", flagController})
		case cmd.Target != "":
			return Command{}, errorf(CmdCancel, "takes one build or plan ID, got a second word %s; %s", echo(w), usage)
		default:
			t, err := checkTarget(CmdCancel, w)
			if err != nil {
				return Command{}, err
			}
			cmd.Target = t
		}
	}
	return cmd, nil
}

// checkTarget accepts a plan ID or a build name.
func checkTarget(cmd, w string) (string, *Error) {
	if IsPlanID(w) {
		return strings.ToLower(w), nil
	}
	f := specFor(flagBuild)
	if _, err := f.checkValue(w); err != nil {
		return "", errorf(cmd, "%s is not a build name or plan ID. %s", echo(w), f.allowed())
	}
	return w, nil
}

func noArgs(name string, args []token) *Error {
	if len(args) > 0 {
		return errorf(name, "takes no arguments (got %s)", echo(args[0].text))
	}
	return nil
}

// reReason is what a blacklist reason may hold. Reasons never reach a
// shell; the apostrophe is allowed because the maintained list uses it
// ("CMC INSTALL - CAN'T COMPILE").
var reReason = regexp.MustCompile(`^[A-Za-z0-9 .,:'/#_-]{1,200}$`)

func parseBlacklist(args []token) (Command, *Error) {
	usage := "usage: `/atvm blacklist [list | add MACHINE REASON… | remove MACHINE]`"
	if len(args) == 0 {
		return Command{Name: CmdBlacklist, Action: BlacklistList}, nil
	}
	action := strings.ToLower(args[0].text)
	switch action {
	case BlacklistList:
		if err := noArgs("blacklist list", args[1:]); err != nil {
			return Command{}, err
		}
		return Command{Name: CmdBlacklist, Action: action}, nil
	case BlacklistAdd, BlacklistRemove:
	default:
		return Command{}, errorf(CmdBlacklist, "unknown action %s; %s%s", show(args[0].text), usage, didYouMean(action, []string{"list", "add", "remove"}))
	}
	if len(args) < 2 {
		return Command{}, errorf(CmdBlacklist, "%s needs a machine name; %s", action, usage)
	}
	m := args[1].text
	mf := specFor(flagSpecifyVMs)
	if v, err := mf.checkValue(m); err != nil || len(v) != 1 || v[0] != m {
		return Command{}, errorf(CmdBlacklist, "%s is not a machine name; allowed: one full machine name such as `atvm144-suse15.0`", echo(m))
	}
	cmd := Command{Name: CmdBlacklist, Action: action, Machine: m}
	if action == BlacklistRemove {
		if len(args) > 2 {
			return Command{}, errorf(CmdBlacklist, "remove takes one machine name; %s", usage)
		}
		return cmd, nil
	}
	var words []string
	for _, a := range args[2:] {
		words = append(words, a.text)
	}
	reason := strings.Join(words, " ")
	if reason == "" {
		return Command{}, errorf(CmdBlacklist, "add needs a reason after the machine, e.g. `/atvm blacklist add %s CRASHES WHEN CREATING MIGRATION SESSION - BUG`", m)
	}
	if d := badRune(reason); d != "" {
		return Command{}, errorf(CmdBlacklist, "the reason contains %s; allowed: letters, digits, spaces and . , : ' / # _ -", d)
	}
	if !reReason.MatchString(reason) {
		return Command{}, errorf(CmdBlacklist, "the reason %s is not accepted; allowed: up to 200 letters, digits, spaces and . , : ' / # _ -", echo(reason))
	}
	cmd.Reason = reason
	return cmd, nil
}

func parseHelp(args []token) (Command, *Error) {
	if len(args) == 0 {
		return Command{Name: CmdHelp}, nil
	}
	if len(args) > 1 {
		return Command{}, errorf(CmdHelp, "takes one command name; usage: `/atvm help [command]`")
	}
	t := strings.ToLower(args[0].text)
	if !contains(CommandNames, t) {
		return Command{}, errorf(CmdHelp, "no help for %s; commands are %s%s", echo(args[0].text), strings.Join(CommandNames, ", "), didYouMean(t, CommandNames))
	}
	return Command{Name: CmdHelp, Topic: t}, nil
}
