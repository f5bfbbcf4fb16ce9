package controller

import (
	"errors"
	"strings"
)

// Every remote command is a shell string, because sshd hands the command to
// the login shell. Building it only through Quote keeps values (build names,
// VM names, paths) from ever being read as shell syntax.

// safeWord is what may appear unquoted: no glob, expansion, assignment or
// word-splitting characters. '=' is excluded so that argv[0] is never read
// as an assignment.
func safeWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("_./:,+@%-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// Quote returns s as one POSIX shell word. Inside single quotes nothing is
// special, so the only escape needed is for the single quote itself.
func Quote(s string) string {
	if safeWord(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ErrNUL is returned for an argument holding a NUL byte: no shell word, and
// no exec argument, can carry one.
var ErrNUL = errors.New("argument contains a NUL byte")

// QuoteArgv joins argv into one shell command line that the shell splits
// back into exactly argv.
func QuoteArgv(argv []string) (string, error) {
	if len(argv) == 0 {
		return "", errors.New("empty argv")
	}
	var b strings.Builder
	for i, a := range argv {
		if strings.IndexByte(a, 0) >= 0 {
			return "", ErrNUL
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(Quote(a))
	}
	return b.String(), nil
}

// commandLine is the full remote command for argv run in dir with env: what
// the SSH transport sends. env keys must be shell names.
func commandLine(argv []string, dir string, env map[string]string) (string, error) {
	cmd, err := QuoteArgv(argv)
	if err != nil {
		return "", err
	}
	if len(env) > 0 {
		keys := sortedKeys(env)
		parts := []string{"env"}
		for _, k := range keys {
			if !shellName(k) {
				return "", errors.New("bad environment variable name: " + Quote(k))
			}
			if strings.IndexByte(env[k], 0) >= 0 {
				return "", ErrNUL
			}
			parts = append(parts, Quote(k+"="+env[k]))
		}
		cmd = strings.Join(parts, " ") + " " + cmd
	}
	if dir != "" {
		if strings.IndexByte(dir, 0) >= 0 {
			return "", ErrNUL
		}
		cmd = "cd -- " + Quote(dir) + " && " + cmd
	}
	return cmd, nil
}

func shellName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
