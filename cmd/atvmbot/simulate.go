package main

import (
	"io"

	"github.com/atvm/atvmbot/simulator"
)

// simulate is hidden: the controller simulator's entry points, called by the
// shims it installs (template, runner), by its own runner (cypress-cloud),
// and by people setting up a demo or fixtures (install, render, audit;
// playtree plays a results scenario into a live root, time-shifted).
func init() {
	register("simulate", subcommand{
		summary: "controller simulator: install a simulated ATVM root, play its scripts",
		hidden:  true,
		run: func(args []string, stdout, stderr io.Writer) int {
			if len(args) > 0 && args[0] == "playtree" {
				return simulator.MainPlaytree(args[1:], stdout, stderr)
			}
			return simulator.Main(args, stdout, stderr)
		},
	})
}
