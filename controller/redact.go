package controller

import "regexp"

// Secrets that reach the bot in controller output (D17): cypress-cloud's
// record key on its command line, sshpass passwords in commands and shell
// history. Redact before anything is stored, logged or posted.
var redactions = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`(--key|--record-key)(=|\s+)("[^"]*"|'[^']*'|\S+)`), "${1}${2}[REDACTED]"},
	{regexp.MustCompile(`(sshpass(?:\s+-[a-oq-zA-Z]\S*)*\s+-p)(\s*)("[^"]*"|'[^']*'|\S+)`), "${1}${2}[REDACTED]"},
	{regexp.MustCompile(`((?:CYPRESS_RECORD_KEY|CURRENTS_RECORD_KEY|SSHPASS)=)("[^"]*"|'[^']*'|\S+)`), "${1}[REDACTED]"},
}

// Redact hides secrets in one controller line or text.
func Redact(s string) string {
	for _, r := range redactions {
		s = r.re.ReplaceAllString(s, r.repl)
	}
	return s
}
