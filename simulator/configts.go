package simulator

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/atvm/atvmbot/internal/formats"
)

// GoldConfig is the file name of the default config (P4).
const GoldConfig = formats.GoldConfig

// RenderConfig writes a Cypress config as cmc-templates.py leaves it
// (docs/formats.md f) with the shared writer: the reporters,
// e2e.specPattern and the env gate block.
func RenderConfig(specs []string, env Env) []byte {
	return formats.ConfigTS(formats.CypressConfig{
		Settings:       []string{`projectId: "cdc-e2e",`, "defaultCommandTimeout: 600000,", "video: false,"},
		ReportFilename: "[name]",
		Specs:          specs,
		E2E: []string{`supportFile: "cypress/support/e2e.ts",`, "setupNodeEvents(on, config) {",
			`  return require("./cypress/plugins/index.js")(on, config);`, "},"},
		Env: envEntries(env),
	})
}

func specPatternBlock(specs []string) string { return formats.SpecPatternBlock(specs) }

func envBlock(env Env) string { return formats.EnvBlock(envEntries(env)) }

// envEntries are the gate values the config's env block holds.
func envEntries(env Env) []formats.ConfigEntry {
	var out []formats.ConfigEntry
	if env.Plugin != "" {
		out = append(out, formats.ConfigEntry{Key: "pure_plugin_type", Value: strconv.Quote(env.Plugin)})
	}
	if env.Integration != "" {
		out = append(out, formats.ConfigEntry{Key: "integration_type", Value: strconv.Quote(env.Integration)})
	}
	if env.InstallOnly != nil {
		out = append(out, formats.ConfigEntry{Key: "test-install-only", Value: strconv.FormatBool(*env.InstallOnly)})
	}
	if env.Cutover != nil {
		out = append(out, formats.ConfigEntry{Key: "cutover", Value: strconv.FormatBool(*env.Cutover)})
	}
	return out
}

var (
	specPatternKeyRE = regexp.MustCompile(`(?m)^[ \t]*["']?specPattern["']?\s*:\s*`)
	envKeyRE         = regexp.MustCompile(`(?m)^[ \t]*["']?env["']?\s*:\s*\{`)
	quotedRE         = regexp.MustCompile(`"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'`)
	envEntryRE       = regexp.MustCompile(`["']?([A-Za-z_][A-Za-z0-9_-]*)["']?\s*:\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|true|false|null|-?[0-9.]+)`)
)

// ParseSpecPattern reads e2e.specPattern from a Cypress config: a list of
// quoted strings or one quoted string.
func ParseSpecPattern(config []byte) ([]string, error) {
	start, end, err := specPatternSpan(config)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, m := range quotedRE.FindAllSubmatch(config[start:end], -1) {
		s := string(m[1]) + string(m[2])
		out = append(out, strings.NewReplacer(`\"`, `"`, `\'`, `'`, `\\`, `\`).Replace(s))
	}
	return out, nil
}

// specPatternSpan is the byte range of specPattern's value.
func specPatternSpan(config []byte) (int, int, error) {
	loc := specPatternKeyRE.FindIndex(config)
	if loc == nil {
		return 0, 0, errors.New("no specPattern in config")
	}
	i := loc[1]
	if i < len(config) && config[i] == '[' {
		end := matchClose(config, i, '[', ']')
		if end < 0 {
			return 0, 0, errors.New("specPattern: unterminated [")
		}
		return i, end + 1, nil
	}
	m := quotedRE.FindIndex(config[i:])
	if m == nil || m[0] != 0 {
		return 0, 0, errors.New("specPattern: want a quoted string or a list")
	}
	return i, i + m[1], nil
}

// matchClose finds the bracket closing the one at open, skipping quoted text.
func matchClose(b []byte, open int, o, c byte) int {
	depth := 0
	for i := open; i < len(b); i++ {
		switch b[i] {
		case '"', '\'', '`':
			q := b[i]
			for i++; i < len(b) && b[i] != q; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case o:
			depth++
		case c:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// ReplaceSpecPattern rewrites specPattern to the given specs, keeping the
// rest of the file byte for byte.
func ReplaceSpecPattern(config []byte, specs []string) ([]byte, error) {
	loc := specPatternKeyRE.FindIndex(config)
	if loc == nil {
		return nil, errors.New("no specPattern in config")
	}
	_, end, err := specPatternSpan(config)
	if err != nil {
		return nil, err
	}
	if end < len(config) && config[end] == ',' {
		end++
	}
	if end < len(config) && config[end] == '\n' {
		end++
	}
	var out bytes.Buffer
	out.Write(config[:loc[0]]) // the key regexp matches from the line start
	out.WriteString(specPatternBlock(specs))
	out.Write(config[end:])
	return out.Bytes(), nil
}

// ParseEnv reads the gate values of the config's env block.
func ParseEnv(config []byte) Env {
	var env Env
	loc := envKeyRE.FindIndex(config)
	if loc == nil {
		return env
	}
	end := matchClose(config, loc[1]-1, '{', '}')
	if end < 0 {
		end = len(config)
	}
	for _, m := range envEntryRE.FindAllSubmatch(config[loc[1]:end], -1) {
		key, val := string(m[1]), strings.Trim(string(m[2]), `"'`)
		switch key {
		case "pure_plugin_type":
			env.Plugin = val
		case "integration_type":
			env.Integration = val
		case "test-install-only":
			env.InstallOnly = boolPtr(val)
		case "cutover":
			env.Cutover = boolPtr(val)
		}
	}
	return env
}

func boolPtr(v string) *bool {
	var b bool
	switch v {
	case "true", "1":
		b = true
	case "false", "0":
		b = false
	default:
		return nil
	}
	return &b
}

// ReplaceEnv rewrites (or adds) the config's env block.
func ReplaceEnv(config []byte, env Env) ([]byte, error) {
	loc := envKeyRE.FindIndex(config)
	var out bytes.Buffer
	if loc == nil {
		i := bytes.LastIndex(config, []byte("});"))
		if i < 0 {
			return nil, errors.New("config: no env block and no closing });")
		}
		out.Write(config[:i])
		out.WriteString(envBlock(env))
		out.Write(config[i:])
		return out.Bytes(), nil
	}
	end := matchClose(config, loc[1]-1, '{', '}')
	if end < 0 {
		return nil, errors.New("config: unterminated env block")
	}
	end++
	if end < len(config) && config[end] == ',' {
		end++
	}
	if end < len(config) && config[end] == '\n' {
		end++
	}
	out.Write(config[:loc[0]])
	out.WriteString(envBlock(env))
	out.Write(config[end:])
	return out.Bytes(), nil
}

// PythonListRepr renders a list of strings as Python's repr does, the form of
// the wrapper's "Extracted specPattern: [...]" line (the shared writer).
func PythonListRepr(items []string) string { return formats.PythonListRepr(items) }
