package main

import (
	"fmt"
	"io"
	"strings"

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
	if len(cfg.Controllers) > 0 {
		for _, name := range cfg.ControllerNames() {
			fmt.Fprintf(stderr, "controller %s: %s\n", name, controllerSummary(&cfg, name, problems))
		}
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

// controllerSummary is one controller in a line: how it is reached, its
// channels and blacklist additions, and how many of the problems are its.
func controllerSummary(cfg *config.Config, name string, problems config.Problems) string {
	e, _ := cfg.ControllerNamed(name)
	parts := []string{"local"}
	if e.Transport == "ssh" {
		key := "shared key"
		if e.SSHKey != "" {
			key = "own key"
		}
		parts = []string{fmt.Sprintf("ssh %s@%s:%d (%s)", e.User, e.Host, e.Port, key)}
	}
	parts = append(parts, "root "+e.ATVMRoot)
	if len(e.Channels) > 0 {
		parts = append(parts, "channels "+strings.Join(e.Channels, ", "))
	}
	if n := len(e.Blacklist); n > 0 {
		parts = append(parts, fmt.Sprintf("%d more blacklisted", n))
	}
	n := 0
	for _, p := range problems {
		if strings.HasPrefix(p, "controllers."+name+".") || strings.HasPrefix(p, "controllers."+name+" ") {
			n++
		}
	}
	verdict := "OK"
	if n > 0 {
		verdict = fmt.Sprintf("%d problem(s), listed below", n)
	}
	return strings.Join(parts, "; ") + ": " + verdict
}
