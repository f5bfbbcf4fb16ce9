package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/atvm/atvmbot/config"
)

func init() {
	register("check-config", func() *cobra.Command {
		var path string
		var offline bool
		cmd := &cobra.Command{
			Use:   "check-config",
			Short: "print the effective config (secrets masked); exit 1 listing every problem serve would refuse",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return exitWith(runCheckConfig(path, offline, cmd.OutOrStdout(), cmd.ErrOrStderr()))
			},
		}
		cmd.Flags().StringVar(&path, "config", "", "YAML config file (default: embedded defaults only)")
		cmd.Flags().BoolVar(&offline, "offline", false, "check only what offline commands need (no Mattermost, no SSH secrets)")
		return cmd
	})
}

func runCheckConfig(path string, offline bool, stdout, stderr io.Writer) int {
	mode := config.ModeServe
	if offline {
		mode = config.ModeOffline
	}
	cfg, problems, warnings := loadChecked(path, mode)
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
