package formats

import (
	"regexp"
	"strings"
)

// The Cypress config cmc-templates.py leaves (docs/formats.md f):
// top-level settings, cypress-multi-reporters with "spec,
// mocha-junit-reporter, mochawesome", e2e.specPattern and the env block of
// gate values.

// CypressConfig is cypress.atvm-config-gold.ts.
type CypressConfig struct {
	Settings       []string // top-level "key: value," lines before the reporter
	ReportFilename string   // mochawesome's reportFilename
	Specs          []string // e2e.specPattern
	E2E            []string // further e2e lines after specPattern, as written one level in
	Env            []ConfigEntry
	// OneLine writes the reporter options and env each on one line and
	// no comma after the last spec: the older synthetic trees' layout,
	// kept so their bytes do not change.
	OneLine bool
}

// ConfigEntry is one env key and its value as a JavaScript literal.
type ConfigEntry struct{ Key, Value string }

// GoldConfig is the file name of the default config.
const GoldConfig = "cypress.atvm-config-gold.ts"

// ConfigTS renders the config.
func ConfigTS(c CypressConfig) []byte {
	var b strings.Builder
	b.WriteString("import { defineConfig } from \"cypress\";\n\nexport default defineConfig({\n")
	for _, s := range c.Settings {
		b.WriteString("  " + s + "\n")
	}
	b.WriteString("  reporter: \"cypress-multi-reporters\",\n  reporterOptions: {\n" +
		"    reporterEnabled: \"spec, mocha-junit-reporter, mochawesome\",\n")
	junit := `mochaFile: "cypress/results/test-result-[hash].xml"`
	mw := []string{`reportDir: "cypress/cmcReporter/mochawesome"`, "reportFilename: " + jsString(c.ReportFilename),
		"overwrite: false", "html: true", "json: false"}
	if c.OneLine {
		b.WriteString("    mochaJunitReporterReporterOptions: { " + junit + " },\n")
		b.WriteString("    mochawesomeReporterOptions: { " + strings.Join(mw, ", ") + " },\n")
	} else {
		b.WriteString("    mochaJunitReporterReporterOptions: {\n      " + junit + ",\n    },\n")
		b.WriteString("    mochawesomeReporterOptions: {\n      " + strings.Join(mw, ",\n      ") + ",\n    },\n")
	}
	b.WriteString("  },\n  e2e: {\n")
	b.WriteString(specPatternLines(c.Specs, !c.OneLine))
	for _, l := range c.E2E {
		b.WriteString("    " + l + "\n")
	}
	b.WriteString("  },\n")
	b.WriteString(envLines(c.Env, c.OneLine))
	b.WriteString("});\n")
	return []byte(b.String())
}

// SpecPatternBlock is e2e.specPattern's lines, as the generator writes
// them and as a rewrite puts them back.
func SpecPatternBlock(specs []string) string { return specPatternLines(specs, true) }

func specPatternLines(specs []string, lastComma bool) string {
	if len(specs) == 0 {
		return "    specPattern: [],\n"
	}
	q := make([]string, len(specs))
	for i, s := range specs {
		q[i] = "      " + jsString(s)
	}
	end := "\n"
	if lastComma {
		end = ",\n"
	}
	return "    specPattern: [\n" + strings.Join(q, ",\n") + end + "    ],\n"
}

// EnvBlock is the env block's lines, one entry a line.
func EnvBlock(env []ConfigEntry) string { return envLines(env, false) }

func envLines(env []ConfigEntry, oneLine bool) string {
	kv := make([]string, len(env))
	for i, e := range env {
		kv[i] = jsKey(e.Key) + ": " + e.Value
	}
	if oneLine {
		return "  env: { " + strings.Join(kv, ", ") + " },\n"
	}
	var b strings.Builder
	b.WriteString("  env: {\n")
	for _, e := range kv {
		b.WriteString("    " + e + ",\n")
	}
	b.WriteString("  },\n")
	return b.String()
}

var jsIdent = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// jsKey quotes an object key only when it is not an identifier.
func jsKey(k string) string {
	if jsIdent.MatchString(k) {
		return k
	}
	return jsString(k)
}
