package results

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// clipRunes shortens s to at most n runes, ending with "…" when cut.
func clipRunes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return strings.TrimRight(string(rs[:n-1]), " ") + "…"
}

// clipWords shortens s to at most n runes at a word boundary, with "…".
func clipWords(s string, n int) string {
	if runeLen(s) <= n {
		return s
	}
	cut := []rune(clipRunes(s, n))
	cut = cut[:len(cut)-1] // the "…"
	if i := strings.LastIndexByte(string(cut), ' '); i > len(string(cut))/2 {
		return strings.TrimRight(string(cut)[:i], " ,;:—-") + "…"
	}
	return string(cut) + "…"
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// oneLine folds whitespace (newlines included) to single spaces.
func foldSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

var mdSpecial = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`, "~", `\~`,
)

// mentionRe finds @name, @channel, @all, @here in text taken from artifacts:
// a result post must not notify people because an error message says so.
var mentionRe = regexp.MustCompile(`@([A-Za-z])`)

// mdEsc makes artifact text inert in a Mattermost markdown line.
func mdEsc(s string) string {
	return mentionRe.ReplaceAllString(mdSpecial.Replace(foldSpace(s)), "@\u200b$1")
}

// mdCode wraps s in a code span, with a fence longer than any backtick run
// inside it.
func mdCode(s string) string {
	s = foldSpace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// codeFence returns a ``` fence longer than any backtick run in lines.
func codeFence(lines []string) string {
	fence := "```"
	for _, l := range lines {
		for strings.Contains(l, fence) {
			fence += "`"
		}
	}
	return fence
}

// stackFrame matches "    at Context.eval (webpack://…:78:11)" and the like.
var stackFrame = regexp.MustCompile(`^\s*at\s+(\S+\s+\(.*\)|\S+:\d+:\d+|<anonymous>|\S+ \[as \S+\])\s*$|^\s+at\s`)

// excerptNoise is Cypress boilerplate that says nothing about this failure.
var excerptNoise = regexp.MustCompile(`^\s*(Pass ` + "`" + `\{failOnNonZeroExit: false\}` + "`" + ` to ignore exit code failures\.|https://on\.cypress\.io/\S*)\s*$`)

// Excerpt bounds for FAILURE NOTES (S5): a few lines, never a stack.
const (
	excerptLines     = 12
	excerptLineRunes = 240
	excerptRunes     = 1500
)

// trimExcerpt keeps the operator-relevant lines of a failure text: stack
// frames and repeated blank lines are dropped, long lines and long texts cut.
func trimExcerpt(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []string
	total, blank := 0, true
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimRight(l, " \t")
		if stackFrame.MatchString(l) || excerptNoise.MatchString(l) {
			continue
		}
		if strings.TrimSpace(l) == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		l = clipRunes(strings.ReplaceAll(l, "\t", "  "), excerptLineRunes)
		if len(out) == excerptLines || total+runeLen(l) > excerptRunes {
			out = append(out, "…")
			break
		}
		out = append(out, l)
		total += runeLen(l)
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	return out
}

// shortError is the first meaningful line of an error, for a host line.
func errorLine(s string, n int) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || stackFrame.MatchString(l) {
			continue
		}
		return clipRunes(foldSpace(l), n)
	}
	return ""
}

// splitCommand splits a command line at blanks, honouring '…' and "…".
func splitCommand(cmd string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	in := false
	for _, r := range cmd {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// commandFlags reads --flag [value] pairs of a template command, in order.
type cmdFlag struct {
	name, value string
}

func commandFlags(cmd string) []cmdFlag {
	args := splitCommand(cmd)
	var out []cmdFlag
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") || len(a) < 3 {
			continue
		}
		f := cmdFlag{name: a}
		if n, v, ok := strings.Cut(a, "="); ok {
			f = cmdFlag{name: n, value: v}
		} else if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			f.value = args[i+1]
			i++
		}
		out = append(out, f)
	}
	return out
}

// bookkeeping matches notes that are the watcher's own business, not the
// operators' (S5): they are never posted.
var bookkeeping = regexp.MustCompile(`(?i)artifacts? (were|was|have been|has been) (detected|found)|` +
	`final reporting artifacts|validation passed|derived from (the )?reporter|` +
	`reset-failed|parent[- ]log[- ]summary|parent[- ]summary recovery|` +
	`recovered (host details )?from (the )?reporter artifacts`)

func isBookkeeping(note string) bool { return bookkeeping.MatchString(note) }
