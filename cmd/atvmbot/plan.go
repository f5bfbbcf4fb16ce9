package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/config"
)

func init() {
	register("plan", subcommand{
		summary: "print the plan for `/atvm plan …` offline (exit 2 when refused)",
		run:     runPlan,
	})
}

// runPlan prints the plan the bot would post for the same words. Flags of
// atvmbot itself come first; everything from the template on is the plan.
func runPlan(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "YAML config file (default: embedded defaults only)")
	format := fs.String("format", "text", "output: text or json")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: atvmbot plan [--config F] [--format text|json] <template> [options…]")
		fmt.Fprintln(stderr, "  the words after the flags are those of `/atvm plan`, e.g.")
		fmt.Fprintln(stderr, "  atvmbot plan cmc-e2e --containsVm redhat9.6 --use_specified_plugin fc")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "atvmbot plan: --format: want text or json, got %q\n", *format)
		return 2
	}
	cfg, problems := config.Load(*path, os.Environ())
	more, _ := cfg.Validate(config.ModeOffline)
	if problems = append(problems, more...); len(problems) > 0 {
		fmt.Fprintf(stderr, "atvmbot plan: the config has %d problem(s):\n", len(problems))
		for _, p := range problems {
			fmt.Fprintf(stderr, "  - %s\n", p)
		}
		return 1
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	// The bot plans with the maintained blacklist as storage returns it,
	// ordered by machine: the same order gives the same command, hash and id.
	cfg.SortBlacklist()
	p, err := planFromWords(append([]string{commands.CmdPlan}, fs.Args()...), &cfg)
	if err != nil {
		fmt.Fprintf(stderr, "atvmbot plan: refused: %v\n", err)
		return 2
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(p.Summary()); err != nil {
			fmt.Fprintf(stderr, "atvmbot plan: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprint(stdout, p.Text())
	return 0
}

// planFromWords parses the words as the grammar does (the shell already
// split them) and builds the plan.
func planFromWords(words []string, cfg *config.Config) (commands.Plan, error) {
	cmd, err := commands.ParseArgs(words)
	if err != nil {
		return commands.Plan{}, err
	}
	if cmd.Name != commands.CmdPlan || cmd.Plan == nil {
		return commands.Plan{}, fmt.Errorf("not a plan: %q", strings.Join(words, " "))
	}
	return commands.BuildPlan(*cmd.Plan, cfg)
}
