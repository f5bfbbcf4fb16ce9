package commands

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// closest returns the candidate nearest to s (compared by normFlag), or ""
// when none is near enough to be a plausible typo.
func closest(s string, candidates []string) string {
	key := normFlag(s)
	best, bestD := "", -1
	for _, c := range candidates {
		d := levenshtein.ComputeDistance(key, normFlag(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(key) > 8 {
		limit = len(key) / 3
	}
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// didYouMean is a sentence fragment suggesting the closest candidate.
func didYouMean(s string, candidates []string) string {
	if c := closest(s, candidates); c != "" {
		return fmt.Sprintf("; did you mean `%s`?", c)
	}
	return ""
}

// show prints what was typed: as is in a code span when it is short and
// visible, else through echo.
func show(s string) string {
	if len(s) > echoMax || strings.Contains(s, "`") || !utf8.ValidString(s) {
		return echo(s)
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			return echo(s)
		}
	}
	return "`" + s + "`"
}
