package main

import (
	"github.com/spf13/cobra"

	"github.com/atvm/atvmbot/simulator"
)

// simulate is hidden: the controller simulator's entry points, called by the
// shims it installs (template, runner), by its own runner (cypress-cloud),
// and by people setting up a demo or fixtures (install, render, audit;
// playtree plays a results scenario into a live root, time-shifted).
//
// Its words are the simulator's own (and the python scripts' it stands in
// for): cobra passes them through unparsed.
func init() {
	register("simulate", func() *cobra.Command {
		return &cobra.Command{
			Use:                "simulate <install|render|audit|playtree|template|runner|cypress-cloud> …",
			Short:              "controller simulator: install a simulated ATVM root, play its scripts",
			Hidden:             true,
			DisableFlagParsing: true,
			RunE: func(cmd *cobra.Command, args []string) error {
				stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
				if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
					return cmd.Help()
				}
				if len(args) > 0 && args[0] == "playtree" {
					return exitWith(simulator.MainPlaytree(args[1:], stdout, stderr))
				}
				return exitWith(simulator.Main(args, stdout, stderr))
			},
		}
	})
}
