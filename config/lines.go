package config

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/agnivade/levenshtein"
	"gopkg.in/yaml.v3"
)

// keyLines maps every key path of a YAML document (mattermost.listen,
// blacklist[2].reason) to the line it is on, so a problem can point at it.
func keyLines(data []byte) map[string]int {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	out := map[string]int{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				out[p] = k.Line
				walk(n.Content[i+1], p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := path + "[" + strconv.Itoa(i) + "]"
				out[p] = c.Line
				walk(c, p)
			}
		}
	}
	walk(doc.Content[0], "")
	return out
}

// where names the file line of key, or of its nearest parent in the file:
// " (config.yaml line 12)", or "" when the key is not in the file.
func (c *Config) where(key string) string {
	if c.lines == nil {
		return ""
	}
	for k := key; k != ""; {
		if l, ok := c.lines[k]; ok {
			return fmt.Sprintf(" (%s line %d)", c.file, l)
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return ""
}

var reUnknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (\S+)$`)

// explainYAMLError rewrites one of yaml.v3's type errors so it names the
// key's full path, the file line and, for a misspelt key, the closest
// known one.
func explainYAMLError(file, msg string, lines map[string]int) string {
	m := reUnknownField.FindStringSubmatch(msg)
	if m == nil {
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if n, tail, ok := strings.Cut(rest, ": "); ok {
				return fmt.Sprintf("%s line %s: %s", file, n, tail)
			}
		}
		return file + ": " + msg
	}
	line, _ := strconv.Atoi(m[1])
	field := m[2]
	path := field
	for p, l := range lines {
		if l == line && (p == field || strings.HasSuffix(p, "."+field)) {
			path = p
			break
		}
	}
	hint := ""
	if best := closest(field, yamlKeysOf(m[3])); best != "" {
		hint = fmt.Sprintf(" (did you mean %s?)", best)
	}
	return fmt.Sprintf("%s: not a known key%s (%s line %d)", path, hint, file, line)
}

// yamlKeysOf lists the YAML keys of a config type named as yaml.v3 names it
// ("config.Mattermost").
func yamlKeysOf(typeName string) []string {
	name := strings.TrimPrefix(typeName, "config.")
	var found reflect.Type
	var visit func(t reflect.Type)
	seen := map[reflect.Type]bool{}
	visit = func(t reflect.Type) {
		for t.Kind() == reflect.Slice || t.Kind() == reflect.Map || t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		if t.Name() == name {
			found = t
		}
		for i := 0; i < t.NumField(); i++ {
			visit(t.Field(i).Type)
		}
	}
	visit(reflect.TypeOf(Config{}))
	if found == nil {
		return nil
	}
	return yamlKeysOfType(found)
}

// closest returns the candidate nearest to s when it is near enough to be a
// misspelling of it.
func closest(s string, candidates []string) string {
	best, bestD := "", len(s)/3+2
	for _, c := range candidates {
		if d := levenshtein.ComputeDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
