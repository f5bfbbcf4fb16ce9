package results

import (
	"strings"
)

// Host identity (D25, R1, R2, D4). Every name an artifact gives for a
// machine — a spec path or basename (`cmc-reboot-fc-atvm121-ubuntu24.04.ts`),
// JUnit's file=, a suite or testcase title, a mochawesome file name or
// title, a Cloud Run Finished row (wrapped pieces joined), a `Running:`
// line, a reporter directory — is mapped to the run's scope machine it
// names by ScopeMachine, and only by it.

// ScopeMachine maps one name an artifact gives to the scope machine it
// names. A scope machine's own name found in the text wins, the longest
// when several are (atvm121-ubuntu24.04 over atvm121-ubuntu24); a name is
// found only as a whole word: not inside a longer machine name and not
// followed by more of a version (".04"). Failing that, an `atvm<N>-<distro>`
// token whose rest was cut short (mochawesome drops everything from the
// first dot of a spec name: atvm121-ubuntu24) names the one scope machine
// it is the start of. ok is false when the name maps to no scope machine
// or to more than one.
func ScopeMachine(name string, scope []string) (machine string, ok bool) {
	return newScopeIndex(scope).match(name)
}

// scopeIndex holds a scope ready for many names: lower-cased once, and for
// the usual scope of atvm<N>-… names a map that finds a name from the
// "atvm" where it starts, instead of a search for every machine.
type scopeIndex struct {
	scope []string
	lower []string
	exact map[string]string // lower-case name → scope machine
	atvm  bool              // every name is atvm… in [a-z0-9._-]: looked up from "atvm" on
}

func newScopeIndex(scope []string) *scopeIndex {
	x := &scopeIndex{scope: scope, lower: make([]string, len(scope)), exact: make(map[string]string, len(scope)), atvm: len(scope) > 0}
	for i, m := range scope {
		l := strings.ToLower(m)
		x.lower[i] = l
		if _, dup := x.exact[l]; !dup && l != "" {
			x.exact[l] = m
		}
		if !strings.HasPrefix(l, "atvm") || strings.IndexFunc(l, func(r rune) bool { return !isNameChar(r) }) >= 0 {
			x.atvm = false
		}
	}
	return x
}

func isNameChar(r rune) bool {
	return r < 0x80 && (isAlnum(byte(r)) || r == '.' || r == '_' || r == '-')
}

func (x *scopeIndex) match(name string) (string, bool) {
	if name == "" || len(x.scope) == 0 {
		return "", false
	}
	if len(name) > maxFieldLen {
		name = name[:maxFieldLen]
	}
	low := strings.ToLower(name)
	best := ""
	if x.atvm {
		for from := 0; from < len(low); {
			i := strings.Index(low[from:], "atvm")
			if i < 0 {
				break
			}
			i += from
			from = i + 4
			if i > 0 && isAlnum(low[i-1]) {
				continue
			}
			for j := i + 4; j <= len(low); j++ {
				if j > i+4 && wordEnds(low, j) {
					if m, ok := x.exact[low[i:j]]; ok && len(m) > len(best) {
						best = m
					}
				}
				if j < len(low) && !isNameChar(rune(low[j])) {
					break
				}
			}
		}
	} else {
		for k, m := range x.scope {
			if x.lower[k] != "" && len(m) > len(best) && containsWord(low, x.lower[k]) {
				best = m
			}
		}
	}
	if best != "" {
		return best, true
	}
	return tokenMachine(low, x.scope, x.lower)
}

// containsWord reports m inside s with a word boundary on both sides: no
// letter or digit before it, and after it the end, or a character that
// does not continue a machine name (a dot is a boundary only when no digit
// follows it: ".ts" ends the name, ".04" continues the version).
func containsWord(s, m string) bool {
	for from := 0; from <= len(s)-len(m); {
		i := strings.Index(s[from:], m)
		if i < 0 {
			return false
		}
		i += from
		j := i + len(m)
		if (i == 0 || !isAlnum(s[i-1])) && wordEnds(s, j) {
			return true
		}
		from = i + 1
	}
	return false
}

func wordEnds(s string, j int) bool {
	if j >= len(s) {
		return true
	}
	switch c := s[j]; {
	case isAlnum(c):
		return false
	case c == '.':
		return j+1 >= len(s) || !isDigit(s[j+1])
	}
	return true
}

func isAlnum(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// tokenMachine finds `atvm<N>-<distro><rest>` tokens in s (lower case) and
// maps each to the scope machines that start with the token: the token is
// the machine's name cut short. Exactly one machine over all tokens is a
// match.
func tokenMachine(s string, scope, lower []string) (string, bool) {
	found := ""
	for from := 0; from < len(s); {
		i := strings.Index(s[from:], "atvm")
		if i < 0 {
			break
		}
		i += from
		from = i + 4
		if i > 0 && isAlnum(s[i-1]) {
			continue
		}
		j := i + 4
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i+4 || j >= len(s) || s[j] != '-' {
			continue
		}
		j++
		k := j
		for k < len(s) && s[k] >= 'a' && s[k] <= 'z' {
			k++
		}
		if k == j {
			continue // no distro word: atvm12- says too little
		}
		for k < len(s) && (isAlnum(s[k]) || s[k] == '.') {
			k++
		}
		tok := strings.TrimRight(s[i:k], ".")
		for k, m := range scope {
			lm := lower[k]
			if !strings.HasPrefix(lm, tok) || len(lm) == len(tok) {
				continue
			}
			// The cut must fall where mochawesome cuts a spec name: at the
			// first dot of the version, never inside a word or a number.
			if lm[len(tok)] != '.' {
				continue
			}
			if found != "" && found != m {
				return "", false // two machines: the name does not say which
			}
			found = m
		}
	}
	return found, found != ""
}
