// Command atvmbot is the ATVM Cypress automation bot for Mattermost.
//
// The command line is built with cobra: each subcommand lives in its own
// file and registers its constructor in init; flags are GNU-style (pflag),
// help is generated (`-h`, `--help`, `atvmbot help <command>`), and
// `--version`, shell completion and did-you-mean come with it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	_ "time/tzdata" // operators' zone (D11) even in a slim image

	"github.com/spf13/cobra"
)

// commandFactories build the subcommands; a new tree is built for each run
// so that flag values never leak from one run into the next (tests run many).
var commandFactories = map[string]func() *cobra.Command{}

func register(name string, f func() *cobra.Command) {
	if _, dup := commandFactories[name]; dup {
		panic("subcommand registered twice: " + name)
	}
	commandFactories[name] = f
}

// exitCode ends a command with that exit status; whatever it had to say was
// already printed.
type exitCode int

func (c exitCode) Error() string { return "exit status " + strconv.Itoa(int(c)) }

// exitWith turns a command's exit status into RunE's error.
func exitWith(code int) error {
	if code == 0 {
		return nil
	}
	return exitCode(code)
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns its exit status: 0, the
// command's own status, or 2 for a usage error (unknown command or flag,
// missing argument).
func run(args []string, stdout, stderr io.Writer) int {
	return execute(context.Background(), args, stdout, stderr)
}

func execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(goStyleFlags(root, args))
	cmd, err := root.ExecuteContextC(ctx)
	var code exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &code):
		return int(code)
	}
	if cmd == nil || (cmd.Name() == "help" && cmd.Parent() == root) { // help of an unknown topic
		cmd = root
	}
	fmt.Fprintf(stderr, "%s: %s\n", cmd.CommandPath(), strings.TrimRight(err.Error(), "\n"))
	fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	return 2
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "atvmbot",
		Short: "runs the ATVM Cypress automation from Mattermost",
		Long: "atvmbot " + versionString() + " — runs the ATVM Cypress automation from Mattermost.\n\n" +
			"`atvmbot serve` is the bot; `atvmbot demo` plays it on this machine with a simulated\n" +
			"controller; `atvmbot plan` prints the plan `/atvm plan …` would post.",
		Version:                    versionString(),
		SilenceErrors:              true,
		SilenceUsage:               true,
		SuggestionsMinimumDistance: 2,
	}
	root.SetVersionTemplate("atvmbot {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return err })
	for _, f := range commandFactories {
		root.AddCommand(f())
	}
	root.SetHelpCommand(newHelpCmd(root))
	return root
}

// newHelpCmd is cobra's `help <command>`, except that an unknown topic is a
// usage error (exit 2, with did-you-mean) as an unknown command is.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, sub := range root.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					names = append(names, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, _, err := root.Find(args)
			if err != nil {
				return err
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}

// goStyleFlags keeps the Go spelling of long flags working (-config F,
// -config=F: atvmbot parsed its flags with package flag before): a
// single-dash word naming a long flag of the command is read as --flag.
// Commands that parse their own words (plan, simulate) are left alone.
func goStyleFlags(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == root || cmd.DisableFlagParsing {
		return args
	}
	out := append([]string(nil), args...)
	for i, w := range out {
		if w == "--" {
			break
		}
		if len(w) < 3 || w[0] != '-' || w[1] == '-' {
			continue
		}
		name, _, _ := strings.Cut(w[1:], "=")
		if cmd.Flags().Lookup(name) != nil || cmd.InheritedFlags().Lookup(name) != nil {
			out[i] = "-" + w
		}
	}
	return out
}
