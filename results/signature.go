package results

import (
	"regexp"
	"strconv"
	"strings"
)

// An error signature is a failure with its variable parts removed, so the
// same cause on several hosts, or in several runs, compares equal (D28).

// signatureRunes bounds a signature: enough to tell causes apart, small
// enough to store per host and run.
const signatureRunes = 200

// quotedKeep is the longest quoted value kept as it is: short ones are
// usually the point of the message ('unknown'), long ones are data.
const quotedKeep = 24

// The order matters: a timestamp or an IP holds numbers, a path holds a
// host name, so the wider patterns go first.
var signatureRules = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?`), "<time>"},
	{regexp.MustCompile(`\b\d{1,2}:\d{2}:\d{2}(\.\d+)?\b`), "<time>"},
	{regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`), "<id>"},
	{regexp.MustCompile(`\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b`), "<ip>"},
	{regexp.MustCompile(`(?i)\batvm\d+(-[a-z][a-z0-9]*(\.\d+)*)?\b`), "<host>"},
	{regexp.MustCompile(`(/root/tmp|/var/tmp|/tmp)(/[^\s'"` + "`" + `:,;)]*)?`), "<path>"},
	{regexp.MustCompile(`'[^']{` + strconv.Itoa(quotedKeep+1) + `,}'`), "'…'"},
	{regexp.MustCompile(`"[^"]{` + strconv.Itoa(quotedKeep+1) + `,}"`), `"…"`},
	{regexp.MustCompile("`[^`]{" + strconv.Itoa(quotedKeep+1) + ",}`"), "`…`"},
	{regexp.MustCompile(`(?i)\b(0x)?[0-9a-f]*[0-9][0-9a-f]*[a-f][0-9a-f]*\b|\b(0x)?[0-9a-f]*[a-f][0-9a-f]*[0-9][0-9a-f]*\b`), "<hex>"},
}

// hexMin is the shortest run of hex digits taken for an id: shorter ones
// are words ("add", "bad") or small numbers.
const hexMin = 8

// number is a run of digits not glued to a word before it: "md5sum" and
// "diskname2Reboot" are names, "600000ms" and "port 22" hold numbers.
var number = regexp.MustCompile(`(^|[^A-Za-z_])\d+(\.\d+)?`)

// Signature is the stable form of one failure: its step key and the first
// meaningful line of its error with IPs, host names, temp paths, times,
// ids, long quoted values and numbers replaced by placeholders. Pure.
func Signature(step, errText string) string {
	msg := errorLine(errText, 4*signatureRunes)
	for _, r := range signatureRules {
		if r.repl == "<hex>" {
			msg = r.re.ReplaceAllStringFunc(msg, func(m string) string {
				if len(strings.TrimPrefix(strings.ToLower(m), "0x")) < hexMin {
					return m
				}
				return "<hex>"
			})
			continue
		}
		msg = r.re.ReplaceAllString(msg, r.repl)
	}
	msg = number.ReplaceAllString(msg, "${1}<n>")
	msg = clipRunes(foldSpace(msg), signatureRunes)
	key := StepKey(step)
	switch {
	case key == "":
		return msg
	case msg == "":
		return key
	}
	return key + ": " + msg
}

// StepKey names a failed step for comparison across runs: its number when
// the title starts with one ("38. Verify …" is 38), else the folded title.
func StepKey(step string) string {
	if n := StepNumber(step); n > 0 {
		return strconv.Itoa(n)
	}
	return strings.ToLower(clipRunes(foldSpace(step), 80))
}

// StepNumber is the number a step title starts with, or 0.
func StepNumber(step string) int {
	n, _, ok := strings.Cut(strings.TrimSpace(step), ".")
	if !ok {
		return 0
	}
	v, err := strconv.Atoi(n)
	if err != nil || v < 0 {
		return 0
	}
	return v
}
