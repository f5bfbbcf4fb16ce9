package commands

import (
	"fmt"
	"strings"
)

// Commands about runs on a controller (`watch`, `unwatch`, `cancel`,
// `queue`, `runs`) take
// `--controller NAME` to ask one controller; without it they ask every
// controller.

// takeController reads `--controller NAME` or `--controller=NAME` at
// args[*i] into cmd.Controller, moving *i past the value. ok is false
// when args[*i] is not that option.
func takeController(cmd *Command, args []token, i *int, usage string) (bool, *Error) {
	w := args[*i].text
	opt, val, hasVal := strings.Cut(w, "=")
	if opt != flagController {
		return false, nil
	}
	if cmd.Controller != "" {
		return true, errorf(flagController, "given twice; keep one")
	}
	if !hasVal {
		if *i+1 == len(args) || looksLikeFlag(args[*i+1].text) {
			return true, errorf(flagController, "needs a controller name; %s", usage)
		}
		*i++
		val = args[*i].text
	}
	v, err := specFor(flagController).checkValue(val)
	if err != nil {
		return true, err
	}
	cmd.Controller = v[0]
	return true, nil
}

// controllerOnly refuses any other option of a command whose only option
// is --controller; a variant spelling gets the one to type (D26).
func controllerOnly(w, name, usage string) *Error {
	if d := badRune(w); d != "" {
		return errorf(flagController, "%s contains %s; type `%s`", show(w), d, flagController)
	}
	opt, _, _ := strings.Cut(w, "=")
	if normFlag(opt) == normFlag(flagController) {
		return misspelt(w, flagController, name)
	}
	e := unknownOption(opt, " for "+name, []string{flagController})
	e.Msg += "; " + usage
	return e
}

// parseBuildController reads `watch` and `unwatch`: BUILD
// [--controller NAME].
func parseBuildController(name string, args []token) (Command, *Error) {
	usage := fmt.Sprintf("usage: `/atvm %s BUILD [--controller NAME]`", name)
	cmd := Command{Name: name}
	for i := 0; i < len(args); i++ {
		w := args[i].text
		if ok, err := takeController(&cmd, args, &i, usage); err != nil {
			return Command{}, err
		} else if ok {
			continue
		}
		switch {
		case looksLikeFlag(w):
			return Command{}, controllerOnly(w, name, usage)
		case cmd.Target != "":
			return Command{}, errorf(name, "takes one build name, got a second word %s; %s", echo(w), usage)
		default:
			f := specFor(flagBuild)
			if _, err := f.checkValue(w); err != nil {
				return Command{}, errorf(name, "%s is not a build name. %s", echo(w), f.allowed())
			}
			cmd.Target = w
		}
	}
	if cmd.Target == "" {
		return Command{}, errorf(name, "needs a build name; %s", usage)
	}
	return cmd, nil
}

// parseControllerOnly reads `runs` and `queue`: no words, an optional
// --controller.
func parseControllerOnly(name string, args []token) (Command, *Error) {
	usage := fmt.Sprintf("usage: `/atvm %s [--controller NAME]`", name)
	cmd := Command{Name: name}
	for i := 0; i < len(args); i++ {
		w := args[i].text
		if ok, err := takeController(&cmd, args, &i, usage); err != nil {
			return Command{}, err
		} else if ok {
			continue
		}
		if looksLikeFlag(w) {
			return Command{}, controllerOnly(w, name, usage)
		}
		return Command{}, errorf(name, "takes no arguments (got %s); %s", echo(w), usage)
	}
	return cmd, nil
}
