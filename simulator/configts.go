package simulator

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/atvm/atvmbot/internal/formats"
)

// GoldConfig is the file name of the default config (P4).
const GoldConfig = "cypress.atvm-config-gold.ts"

// RenderConfig writes a Cypress config as cmc-templates.py leaves it
// (docs/formats.md f): the reporters, e2e.specPattern and the env gate block.
func RenderConfig(specs []string, env Env) []byte {
	var b bytes.Buffer
	b.WriteString(`import { defineConfig } from "cypress";

export default defineConfig({
  projectId: "cdc-e2e",
  defaultCommandTimeout: 600000,
  video: false,
  reporter: "cypress-multi-reporters",
  reporterOptions: {
    reporterEnabled: "spec, mocha-junit-reporter, mochawesome",
    mochaJunitReporterReporterOptions: {
      mochaFile: "cypress/results/test-result-[hash].xml",
    },
    mochawesomeReporterOptions: {
      reportDir: "cypress/cmcReporter/mochawesome",
      reportFilename: "[name]",
      overwrite: false,
      html: true,
      json: false,
    },
  },
  e2e: {
`)
	b.WriteString(specPatternBlock(specs))
	b.WriteString(`    supportFile: "cypress/support/e2e.ts",
    setupNodeEvents(on, config) {
      return require("./cypress/plugins/index.js")(on, config);
    },
  },
`)
	b.WriteString(envBlock(env))
	b.WriteString("});\n")
	return b.Bytes()
}

func specPatternBlock(specs []string) string {
	if len(specs) == 0 {
		return "    specPattern: [],\n"
	}
	var b strings.Builder
	b.WriteString("    specPattern: [\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "      %q,\n", s)
	}
	b.WriteString("    ],\n")
	return b.String()
}

func envBlock(env Env) string {
	var b strings.Builder
	b.WriteString("  env: {\n")
	if env.Plugin != "" {
		fmt.Fprintf(&b, "    pure_plugin_type: %q,\n", env.Plugin)
	}
	if env.Integration != "" {
		fmt.Fprintf(&b, "    integration_type: %q,\n", env.Integration)
	}
	if env.InstallOnly != nil {
		fmt.Fprintf(&b, "    \"test-install-only\": %t,\n", *env.InstallOnly)
	}
	if env.Cutover != nil {
		fmt.Fprintf(&b, "    cutover: %t,\n", *env.Cutover)
	}
	b.WriteString("  },\n")
	return b.String()
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
