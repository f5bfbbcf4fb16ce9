package controller

import (
	"bytes"
	"io"
	"regexp"
)

// Secrets that reach the bot in controller output (D17): cypress-cloud's
// record key on its command line and in its environment, sshpass passwords
// in commands and shell history. Each pattern's last group is the secret.
// Redact before anything is stored, logged, posted or mirrored.
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?:--key|--record-key)(?:=|\s+)("[^"]*"|'[^']*'|\S+)`),
	regexp.MustCompile(`sshpass(?:\s+-[a-oq-zA-Z]\S*)*\s+-p\s*("[^"]*"|'[^']*'|\S+)`),
	regexp.MustCompile(`(?:CYPRESS_RECORD_KEY|CURRENTS_RECORD_KEY|CURRENTS_API_KEY|SSHPASS)=("[^"]*"|'[^']*'|\S+)`),
}

// secretHints are substrings every secret pattern needs: lines without any
// skip the regexps, which keeps a gigabyte log cheap to redact.
var secretHints = [][]byte{[]byte("-key"), []byte("_KEY="), []byte("sshpass"), []byte("SSHPASS=")}

func mayHoldSecret(b []byte) bool {
	for _, h := range secretHints {
		if bytes.Contains(b, h) {
			return true
		}
	}
	return false
}

// Redact hides secrets in one controller line or text: each becomes
// "[REDACTED]".
func Redact(s string) string {
	if !mayHoldSecret([]byte(s)) {
		return s
	}
	for _, re := range secretPatterns {
		var out []byte
		last := 0
		for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
			a, b := m[len(m)-2], m[len(m)-1]
			out = append(out, s[last:a]...)
			out = append(out, "[REDACTED]"...)
			last = b
		}
		if out != nil {
			s = string(append(out, s[last:]...))
		}
	}
	return s
}

// maskSecrets overwrites each secret in b with '*', in place. The length
// stays: mirrored files keep the controller's offsets (D5).
func maskSecrets(b []byte) {
	if !mayHoldSecret(b) {
		return
	}
	for _, re := range secretPatterns {
		for _, m := range re.FindAllSubmatchIndex(b, -1) {
			for i := m[len(m)-2]; i < m[len(m)-1]; i++ {
				b[i] = '*'
			}
		}
	}
}

// maxMaskLine is the longest partial line held back to be redacted whole;
// a longer one is masked and passed on as it stands.
const maxMaskLine = 64 << 10

// maskWriter redacts a byte stream line by line on its way to w, so a
// secret split across chunks is still found whole.
type maskWriter struct {
	w       io.Writer
	line    []byte
	written int64
}

func (m *maskWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			m.line = append(m.line, p...)
			if len(m.line) > maxMaskLine {
				if err := m.emit(); err != nil {
					return 0, err
				}
			}
			break
		}
		m.line = append(m.line, p[:i+1]...)
		p = p[i+1:]
		if err := m.emit(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (m *maskWriter) emit() error {
	maskSecrets(m.line)
	k, err := m.w.Write(m.line)
	m.written += int64(k)
	m.line = m.line[:0]
	return err
}

// finish passes on the last, unterminated line unless hold asks to keep it
// back (a line still being written: the next fetch reads it whole). It
// returns the bytes written to w.
func (m *maskWriter) finish(hold bool) (int64, error) {
	if len(m.line) > 0 && !hold {
		if err := m.emit(); err != nil {
			return m.written, err
		}
	}
	return m.written, nil
}

// tail is the length of the partial line held back so far.
func (m *maskWriter) tail() int { return len(m.line) }
