// Command atvmbot is the ATVM Cypress automation bot for Mattermost.
//
// Each subcommand lives in its own file and registers itself in init.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	_ "time/tzdata" // operators' zone (D11) even in a slim image

	"github.com/agnivade/levenshtein"
)

// subcommand is one `atvmbot <name>` entry point. run returns the exit code.
type subcommand struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
	hidden  bool
}

var subcommands = map[string]subcommand{}

func register(name string, sc subcommand) {
	if _, dup := subcommands[name]; dup {
		panic("subcommand registered twice: " + name)
	}
	subcommands[name] = sc
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	sc, ok := subcommands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "atvmbot: unknown command %q%s\n", args[0], didYouMean(args[0]))
		fmt.Fprintln(stderr, "run `atvmbot help` for the list")
		return 2
	}
	return sc.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "atvmbot %s — runs the ATVM Cypress automation from Mattermost\n\nUsage: atvmbot <command> [flags]\n\nCommands:\n", versionString())
	names := make([]string, 0, len(subcommands))
	for n, sc := range subcommands {
		if !sc.hidden {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, subcommands[n].summary)
	}
	fmt.Fprintln(w, "\nRun `atvmbot <command> -h` for a command's flags.")
}

func didYouMean(s string) string {
	best, bestD := "", 3
	for n, sc := range subcommands {
		if sc.hidden {
			continue
		}
		if d := levenshtein.ComputeDistance(strings.ToLower(s), n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
