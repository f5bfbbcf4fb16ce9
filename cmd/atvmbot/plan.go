package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/config"
)

func init() {
	register("plan", newPlanCmd)
}

const planLong = `Print the plan the bot would post for ` + "`/atvm plan …`" + ` with the same words, offline
(exit 2 when the bot would refuse it). The words are those of ` + "`/atvm plan`" + `, unchanged.

atvmbot's own flags below may come before or after the plan words. Only their
exact spellings are atvmbot's (--config F, --config=F, --format F, --format=F,
-h, --help); every other word is the plan's, in order. Words after "--" are all
the plan's. So --config_file (and /atvm's other spellings of it, such as
--config-file) names the Cypress config of the plan, while --config names
atvmbot's YAML config: to give the plan's config by /atvm's short alias
--config, put the words after "--".`

const planExample = `  atvmbot plan cmc-e2e --containsVm redhat9.6 --use_specified_plugin fc
  atvmbot plan cmc-e2e --containsVm redhat9.6 --format json
  atvmbot plan --config atvmbot.yaml cmc-reboot --specify_vms atvm71-redhat9.1
  atvmbot plan --format json -- cmc-systemOS --randomize 3 --config cypress.atvm-config-silver.ts`

// newPlanCmd: cobra leaves the words unparsed (DisableFlagParsing) so the
// plan grammar of the commands package gets them as typed; splitPlanArgs
// takes out atvmbot's own flags by their exact spellings.
func newPlanCmd() *cobra.Command {
	var path, format string
	cmd := &cobra.Command{
		Use:                   "plan [--config F] [--format text|json] [--] <template> [/atvm plan options…]",
		Short:                 "print the plan for `/atvm plan …` offline (exit 2 when refused)",
		Long:                  planLong,
		Example:               planExample,
		DisableFlagParsing:    true,
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			own, words, help, err := splitPlanArgs(args)
			if err != nil {
				return err
			}
			if help {
				return cmd.Help()
			}
			for _, f := range own {
				if err := cmd.Flags().Set(f.name, f.value); err != nil {
					return fmt.Errorf("invalid argument %q for \"--%s\" flag: %v", f.value, f.name, err)
				}
			}
			return exitWith(runPlan(cmd, path, format, words))
		},
	}
	cmd.Flags().StringVar(&path, "config", "", "atvmbot's YAML config file (default: embedded defaults only)")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json")
	return cmd
}

// planFlag is one of atvmbot's own flags found among the plan's words.
type planFlag struct{ name, value string }

// planOwnFlags are atvmbot's flags of `plan`, by their only spellings.
var planOwnFlags = map[string]bool{"config": true, "format": true}

// splitPlanArgs separates atvmbot's own flags of `plan` from the /atvm plan
// words. A word is atvmbot's only when it is exactly --config or --format
// (value in the next word), --config=V or --format=V, or -h or --help; the
// Go spellings -config and -format count only before the first plan word,
// as they did before. Every other word goes to the plan, untouched and in
// order, so an /atvm option sharing a prefix or a normalized spelling with
// one of atvmbot's (--config_file, --config-file, --Format) stays the
// plan's. After "--" every word is the plan's.
func splitPlanArgs(args []string) (own []planFlag, words []string, help bool, err error) {
	for i := 0; i < len(args); i++ {
		w := args[i]
		if w == "--" {
			return own, append(words, args[i+1:]...), help, nil
		}
		if w == "-h" || w == "--help" {
			help = true
			continue
		}
		name, value, hasValue := "", "", false
		switch {
		case strings.HasPrefix(w, "--"):
			name, value, hasValue = strings.Cut(w[2:], "=")
		case strings.HasPrefix(w, "-") && len(words) == 0:
			name, value, hasValue = strings.Cut(w[1:], "=")
		}
		if !planOwnFlags[name] {
			words = append(words, w)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, nil, false, fmt.Errorf("flag needs an argument: --%s", name)
			}
			i++
			value = args[i]
		}
		own = append(own, planFlag{name: name, value: value})
	}
	return own, words, help, nil
}

// runPlan prints the plan the bot would post for the same words.
func runPlan(cmd *cobra.Command, path, format string, words []string) int {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if format != "text" && format != "json" {
		fmt.Fprintf(stderr, "atvmbot plan: --format: want text or json, got %q\n", format)
		return 2
	}
	if strings.HasSuffix(strings.ToLower(path), ".ts") {
		fmt.Fprintf(stderr, "atvmbot plan: --config %s: --config is atvmbot's YAML config; "+
			"for the plan's Cypress config type --config_file %s, or put the plan words after --\n", path, path)
		return 2
	}
	cfg, problems := config.Load(path, os.Environ())
	more, _ := cfg.Validate(config.ModeOffline)
	if problems = append(problems, more...); len(problems) > 0 {
		fmt.Fprintf(stderr, "atvmbot plan: the config has %d problem(s):\n", len(problems))
		for _, p := range problems {
			fmt.Fprintf(stderr, "  - %s\n", p)
		}
		return 1
	}
	if len(words) == 0 {
		fmt.Fprint(stderr, cmd.UsageString())
		return 2
	}
	// The bot plans with the maintained blacklist as storage returns it,
	// ordered by machine: the same order gives the same command, hash and id.
	cfg.SortBlacklist()
	p, err := planFromWords(append([]string{commands.CmdPlan}, words...), &cfg)
	if err != nil {
		fmt.Fprintf(stderr, "atvmbot plan: refused: %v\n", err)
		return 2
	}
	if format == "json" {
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
