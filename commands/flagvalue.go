package commands

import "strings"

// FlagValue is the value of a flag in a command line split into words
// (`--name value` or `--name=value`, quotes trimmed), or "". It reads
// commands found on the controller (a run started by hand), which the bot
// did not plan.
func FlagValue(words []string, name string) string {
	for i, a := range words {
		if a == name && i+1 < len(words) {
			return strings.Trim(words[i+1], `'"`)
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return strings.Trim(v, `'"`)
		}
	}
	return ""
}
