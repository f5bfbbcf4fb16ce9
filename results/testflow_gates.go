package results

import (
	"strings"
	"unicode"
)

// gateByName reads a gate variable's meaning from the words of its name.
func gateByName(name string, g FlowGates) jsVal {
	words := nameWords(name)
	fc, iscsi := words["fc"], words["iscsi"]
	if fc || iscsi {
		if g.Plugin == "" {
			return unknown
		}
		p := strings.ToLower(g.Plugin)
		return boolVal((fc && (p == "fc" || p == "both")) || (iscsi && (p == "iscsi" || p == "both")))
	}
	if words["cutover"] && g.Cutover != nil {
		return boolVal(*g.Cutover)
	}
	if words["install"] && words["only"] {
		return boolVal(g.InstallOnly)
	}
	return unknown
}

// nameWords splits camelCase, PascalCase, snake_case and kebab-case names
// into lower-case words: usePureFCPlugin → use pure fc plugin.
func nameWords(name string) map[string]bool {
	words := map[string]bool{}
	rs := []rune(name)
	start := 0
	flush := func(end int) {
		if end > start {
			words[strings.ToLower(string(rs[start:end]))] = true
		}
	}
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			start = i + 1
			continue
		}
		if i > start && unicode.IsUpper(r) {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush(i)
				start = i
			}
		}
	}
	flush(len(rs))
	return words
}

// envValue is Cypress.env(key) under the gates.
func envValue(key string, g FlowGates) jsVal {
	if v, ok := g.Env[key]; ok {
		return goToJS(v)
	}
	norm := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(key))
	switch {
	case norm == "testinstallonly" || norm == "installonly":
		return boolVal(g.InstallOnly)
	case strings.Contains(norm, "plugin"):
		if g.Plugin == "" {
			return unknown
		}
		return jsVal{kind: kStr, s: strings.ToLower(g.Plugin)}
	case strings.Contains(norm, "cutover"):
		if g.Cutover == nil {
			return jsVal{kind: kUndef}
		}
		return boolVal(*g.Cutover)
	}
	return unknown
}

func goToJS(v any) jsVal {
	switch x := v.(type) {
	case nil:
		return jsVal{kind: kNull}
	case bool:
		return boolVal(x)
	case string:
		return jsVal{kind: kStr, s: x}
	case int:
		return jsVal{kind: kNum, n: float64(x)}
	case int64:
		return jsVal{kind: kNum, n: float64(x)}
	case float64:
		return jsVal{kind: kNum, n: x}
	case envUndefined:
		return jsVal{kind: kUndef}
	}
	return unknown
}
