package results

import (
	"testing"
	"time"
)

// Configured artifact folders are honoured: a file is classified (and so
// parsed) where the configuration says the artifacts are, and not where the
// default layout would look.
func TestLayout_Classify_ConfiguredPathsHonoured(t *testing.T) {
	moved := Layout{JUnitGlob: "out/junit/report-*.xml", MochawesomeDir: "out/html", ReporterDir: "out/hosts"}
	cases := []struct {
		l    Layout
		path string
		want string
	}{
		{Layout{}, "/root/atvm/cypress/results/test-result-1.xml", KindJUnit},
		{Layout{}, "cypress/cmcReporter/mochawesome/atvm5_pass.html", KindMochawesome},
		{Layout{}, "/r/cypress/cmcReporter/logs/atvm5-ubuntu22.04/run.json", KindReporterJSON},
		{Layout{}, "/r/cypress/cmcReporter/logs/atvm5-ubuntu22.04/run.txt", KindReporterTXT},
		{moved, "/root/atvm/out/junit/report-7.xml", KindJUnit},
		{moved, "/root/atvm/out/junit/test-result-7.xml", KindUnknown}, // the pattern is the configured one
		{moved, "/root/atvm/cypress/results/test-result-1.xml", KindUnknown},
		{moved, "out/html/atvm5_pass.html", KindMochawesome},
		{moved, "/root/atvm/cypress/cmcReporter/mochawesome/atvm5_pass.html", KindUnknown},
		{moved, "/r/out/hosts/atvm5-ubuntu22.04/run.json", KindReporterJSON},
		{moved, "/r/out/hosts/atvm5-ubuntu22.04/run.txt", KindReporterTXT},
		{moved, "/r/cypress/cmcReporter/logs/atvm5-ubuntu22.04/run.json", KindUnknown},
		{moved, "/r/cypress/e2e/generated/atvm5-ubuntu22.04.ts", KindSpec},
		{moved, "/r/cypress.atvm-config-gold.ts", KindConfig},
	}
	for _, c := range cases {
		if got := c.l.Classify(c.path); got != c.want {
			t.Errorf("%+v Classify(%q) = %q, want %q", c.l, c.path, got, c.want)
		}
	}
}

// A run whose JUnit lives in a moved folder is read from there: the host's
// result comes from the moved file (D1 evidence), and the same file in the
// default layout would not be read at all.
func TestReconstruct_ConfiguredJUnitFolderParsed(t *testing.T) {
	xml := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="Mocha Tests" time="12.5" tests="1" failures="1">
<testsuite name="Root Suite" timestamp="2026-03-30T17:21:00" tests="0" file="cypress/e2e/generated/atvm5-ubuntu22.04.ts" time="0.0000" failures="0"></testsuite>
<testsuite name="atvm5-ubuntu22.04" timestamp="2026-03-30T17:21:00" tests="1" time="12.5" failures="1">
<testcase name="atvm5-ubuntu22.04 1. Verifying set up" time="12.5" classname="1. Verifying set up"><failure message="boom" type="AssertionError">AssertionError: boom</failure></testcase>
</testsuite>
</testsuites>
`)
	at := time.Date(2026, 3, 30, 17, 30, 0, 0, time.UTC)
	meta := Meta{Build: "b", RunStart: at.Add(-time.Hour), Now: at.Add(time.Hour), RequestedVMs: []string{"atvm5-ubuntu22.04"}}
	moved := Layout{JUnitGlob: "out/junit/*.xml"}
	host := func(m Meta, p string) string {
		st := Reconstruct(m, Artifacts{Files: []File{{Path: p, ModTime: at, Data: xml}}})
		for _, h := range st.Hosts {
			if h.Name == "atvm5-ubuntu22.04" {
				return h.Status
			}
		}
		return "missing"
	}
	m := meta
	m.Layout = moved
	if got := host(m, "/root/atvm/out/junit/r1.xml"); got != HostFail {
		t.Errorf("JUnit in the configured folder: host %s, want FAIL", got)
	}
	if got := host(meta, "/root/atvm/out/junit/r1.xml"); got == HostFail {
		t.Errorf("JUnit outside the default layout was read without a configured layout")
	}
}
