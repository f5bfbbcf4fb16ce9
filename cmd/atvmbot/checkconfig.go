package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/atvm/atvmbot/config"
)

func init() {
	register("check-config", subcommand{
		summary: "print the effective config (secrets masked); exit 1 listing every problem serve would refuse",
		run:     runCheckConfig,
	})
}

func runCheckConfig(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "YAML config file (default: embedded defaults only)")
	offline := fs.Bool("offline", false, "check only what offline commands need (no Mattermost, no SSH secrets)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	mode := config.ModeServe
	if *offline {
		mode = config.ModeOffline
	}
	cfg, problems, warnings := loadChecked(*path, mode)
	fmt.Fprint(stdout, cfg.MaskedYAML())
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "%d problem(s):\n", len(problems))
		for _, p := range problems {
			fmt.Fprintf(stderr, "  - %s\n", p)
		}
		return 1
	}
	fmt.Fprintln(stderr, "config OK")
	return 0
}
