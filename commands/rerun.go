package commands

import (
	"sort"
	"strings"
)

// CmdRerun plans a finished run again for its failed hosts only.
const CmdRerun = "rerun"

// Which hosts of the run a rerun names (Command.Rerun).
const (
	RerunFailed    = "failed"     // every failed host (the default, and the button)
	RerunAll       = "all"        // every host that has a result
	RerunSkipKnown = "skip-known" // failed hosts except those KNOWN or FLAKY before
)

var rerunOptions = []string{"--" + RerunFailed, "--" + RerunAll, "--" + RerunSkipKnown}

const rerunUsage = "usage: `/atvm rerun BUILD [--failed | --all | --skip-known] [--controller NAME]`"

// parseRerun reads `rerun BUILD [--failed | --all | --skip-known]
// [--controller NAME]`: one build, at most one of the options, and the
// controller whose run of it is meant.
func parseRerun(args []token) (Command, *Error) {
	cmd := Command{Name: CmdRerun, Rerun: RerunFailed}
	mode := ""
	for i := 0; i < len(args); i++ {
		w := args[i].text
		if ok, err := takeController(&cmd, args, &i, rerunUsage); err != nil {
			return Command{}, err
		} else if ok {
			continue
		}
		if !looksLikeFlag(w) {
			if cmd.Target != "" {
				return Command{}, errorf(CmdRerun, "takes one build name, got a second word %s; %s", echo(w), rerunUsage)
			}
			f := specFor(flagBuild)
			if _, err := f.checkValue(w); err != nil {
				return Command{}, errorf(CmdRerun, "%s is not a build name. %s", echo(w), f.allowed())
			}
			cmd.Target = w
			continue
		}
		if !contains(rerunOptions, w) {
			if d := badRune(w); d != "" {
				return Command{}, errorf(CmdRerun, "%s contains %s; options are %s", show(w), d, strings.Join(rerunOptions, ", "))
			}
			if opt, _, _ := strings.Cut(w, "="); normFlag(opt) == normFlag(flagController) {
				return Command{}, misspelt(w, flagController, CmdRerun)
			}
			return Command{}, unknownOption(w, " for rerun", append(rerunOptions, flagController))
		}
		if mode != "" && mode != w {
			return Command{}, errorf(w, "cannot go with %s; keep one", mode)
		}
		mode, cmd.Rerun = w, strings.TrimPrefix(w, "--")
	}
	if cmd.Target == "" {
		return Command{}, errorf(CmdRerun, "needs a build name; %s", rerunUsage)
	}
	return cmd, nil
}

// RerunRequest is the request that runs orig again on the failed machines
// only: the same template and template options, the machines named with
// --specify_vms instead of the original selectors (which P13 then checks
// against the blacklist by name). A build name the operator gave gets
// "-rerun"; a derived one is derived again from the new selectors. Pure.
func RerunRequest(orig PlanRequest, hosts []string) PlanRequest {
	r := orig
	vms := append([]string(nil), hosts...)
	sort.Strings(vms)
	r.SpecifyVMs = vms
	r.ContainsVM, r.Randomize, r.Exclude = nil, 0, nil
	if r.Build != "" {
		r.Build += "-rerun"
	}
	r.Switches = append([]string(nil), orig.Switches...)
	r.OptOuts = append([]string(nil), orig.OptOuts...)
	r.Platforms = append([]string(nil), orig.Platforms...)
	return r
}
