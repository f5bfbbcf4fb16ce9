package results

import (
	"strconv"
	"strings"
)

// The env block of a Cypress config (S8, D4): the values a generated
// spec's `Cypress.env(…)` gates read at run time. cmc-templates.py writes
// literals; any other value (process.env.X, a call, an object) is kept as
// unknown, so a gate that reads it is noted, not guessed.

// envUnknown marks an env key whose value the config does not spell out.
type envUnknown struct{}

// envUndefined is a key written as `undefined`.
type envUndefined struct{}

// ConfigEnv reads every `env: { … }` block of a Cypress config, later
// blocks (e2e.env) over earlier ones. ok is false when the config has no
// readable env block.
func ConfigEnv(config []byte) (env map[string]any, ok bool) {
	toks, err := tokenize(config)
	if err != nil {
		return nil, false
	}
	match, err := matchBrackets(toks)
	if err != nil {
		return nil, false
	}
	for i := 0; i+2 < len(toks); i++ {
		t := toks[i]
		if !(t.kind == tkIdent || t.kind == tkString) || t.text != "env" || !isPunct(toks[i+1], ":") || !isPunct(toks[i+2], "{") {
			continue
		}
		end := match[i+2]
		if end < 0 {
			continue
		}
		if env == nil {
			env = map[string]any{}
		}
		readEnvEntries(toks[i+3:end], match[i+3:end], i+3, env)
		ok = true
		i = end
	}
	return env, ok
}

func isPunct(t token, s string) bool { return t.kind == tkPunct && t.text == s }

// readEnvEntries reads `key: value,` entries; off is toks[0]'s index in
// the whole token list (match holds whole-list indices).
func readEnvEntries(toks []token, match []int, off int, env map[string]any) {
	for i := 0; i < len(toks); {
		// One entry runs to the next comma outside brackets.
		j := i
		for j < len(toks) && !isPunct(toks[j], ",") {
			if m := match[j]; m > off+j {
				j = m - off
			}
			j++
		}
		entry := toks[i:j]
		i = j + 1
		if len(entry) < 3 || !isPunct(entry[1], ":") {
			continue // a spread or a shorthand: its keys are not known here
		}
		k := entry[0]
		if k.kind != tkIdent && k.kind != tkString && k.kind != tkNumber {
			continue
		}
		env[k.text] = envLiteral(entry[2:])
	}
}

// envLiteral is a literal value, or envUnknown.
func envLiteral(v []token) any {
	neg := false
	if len(v) == 2 && isPunct(v[0], "-") && v[1].kind == tkNumber {
		neg, v = true, v[1:]
	}
	if len(v) != 1 {
		return envUnknown{}
	}
	t := v[0]
	switch t.kind {
	case tkString:
		return t.text
	case tkTemplate:
		if !strings.Contains(t.text, "${") {
			return cookTemplate(t.text)
		}
	case tkNumber:
		if f, err := strconv.ParseFloat(strings.ReplaceAll(t.text, "_", ""), 64); err == nil {
			if neg {
				f = -f
			}
			return f
		}
	case tkIdent:
		switch t.text {
		case "true":
			return true
		case "false":
			return false
		case "null":
			return nil
		case "undefined":
			return envUndefined{}
		}
	}
	return envUnknown{}
}
