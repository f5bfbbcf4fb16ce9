package formats

import (
	"strings"
	"testing"
)

func TestSpecTS_Layouts(t *testing.T) {
	f := SpecFile{Head: []string{"// head"}, Title: `vm1 "t"`, Setup: []string{"const a = 1;"}, Before: "x();",
		Nodes: []SpecNode{{Title: "1. one", Body: "a();\nb();"},
			{Cond: "cut", Then: []SpecNode{{Title: "2. two", Body: "c();"}}, Else: []SpecNode{}}}}
	before := "// head\n\ndescribe(\"vm1 \\\"t\\\"\", () => {\n  const a = 1;\n\n  before(() => {\n    x();\n  });\n" +
		"\n  it(\"1. one\", () => {\n    a();\n    b();\n  });\n\n  if (cut) {\n\n    it(\"2. two\", () => {\n      c();\n    });\n  } else {\n  }\n});\n"
	if got := string(SpecTS(f)); got != before {
		t.Errorf("blank before:\n%s\nwant\n%s", got, before)
	}
	f.BlankAfter, f.Before, f.Nodes = true, "", f.Nodes[:1]
	after := "// head\n\ndescribe(\"vm1 \\\"t\\\"\", () => {\n  const a = 1;\n  it(\"1. one\", () => {\n    a();\n    b();\n  });\n\n});\n"
	if got := string(SpecTS(f)); got != after {
		t.Errorf("blank after:\n%s\nwant\n%s", got, after)
	}
}

func TestSpecStepLine(t *testing.T) {
	spec := SpecTS(SpecFile{Title: "v t", Nodes: []SpecNode{{Title: "1. a", Body: "x();"}, {Title: "2. b", Body: "y();"}}})
	lines := strings.Split(string(spec), "\n")
	if n := SpecStepLine(spec, "2. b"); lines[n-1] != "    y();" {
		t.Errorf("line %d is %q", n, lines[n-1])
	}
	if SpecStepLine(spec, "3. c") != 1 {
		t.Error("a missing step is line 1")
	}
}

func TestConfigTS_Layouts(t *testing.T) {
	c := CypressConfig{ReportFilename: "[name]", Specs: []string{"a.ts", "b.ts"},
		Env: []ConfigEntry{{Key: "pure_plugin_type", Value: `"fc"`}, {Key: "test-install-only", Value: "false"}}}
	full := string(ConfigTS(c))
	for _, want := range []string{
		"    mochawesomeReporterOptions: {\n      reportDir: \"cypress/cmcReporter/mochawesome\",\n      reportFilename: \"[name]\",\n",
		"    specPattern: [\n      \"a.ts\",\n      \"b.ts\",\n    ],\n",
		"  env: {\n    pure_plugin_type: \"fc\",\n    \"test-install-only\": false,\n  },\n});\n",
	} {
		if !strings.Contains(full, want) {
			t.Errorf("full layout lacks %q:\n%s", want, full)
		}
	}
	c.OneLine = true
	one := string(ConfigTS(c))
	for _, want := range []string{
		"    mochaJunitReporterReporterOptions: { mochaFile: \"cypress/results/test-result-[hash].xml\" },\n",
		"      \"b.ts\"\n    ],\n",
		"  env: { pure_plugin_type: \"fc\", \"test-install-only\": false },\n",
	} {
		if !strings.Contains(one, want) {
			t.Errorf("one-line layout lacks %q:\n%s", want, one)
		}
	}
	if got := SpecPatternBlock(nil); got != "    specPattern: [],\n" {
		t.Errorf("empty specPattern: %q", got)
	}
}
