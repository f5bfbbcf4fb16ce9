package simulator

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 4, 29, 16, 2, 11, 118e6, time.UTC)

// fixtureHost plans one host's run of a real generated spec.
func fixtureHost(t *testing.T, vm, tpl string, env Env, b HostBehavior) *hostRun {
	t.Helper()
	spec, err := RenderSpec(vm, tpl, SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sc := &Scenario{Defaults: b}
	return planHost(vm, tpl, env, sc.Host(vm), spec, SpecPath(vm), "e2e-x-ubuntu", DistroGroup(vm), t0)
}

func failingUbuntu(t *testing.T) *hostRun {
	return fixtureHost(t, "atvm5-ubuntu22.04", TplE2E, Env{Plugin: "fc", InstallOnly: bp(false)}, HostBehavior{
		Outcome: "fail", FailStep: 12, DurationS: 542.5,
		ExecCmd: `sshpass -e ssh root@10.20.30.5 "md5sum -c /root/tmp/fcDisk/diskname1Disk.md5"`, ExecStderr: "md5sum: WARNING: 1 computed checksum did NOT match"})
}

func TestPlanHost_R9_FailFastCounts(t *testing.T) {
	h := failingUbuntu(t)
	if len(h.Tests) != 22 || h.Passes != 11 || h.Failures != 1 || h.Pending != 10 || h.DurationMS != 542500 {
		t.Fatalf("tests %d passes %d failures %d pending %d duration %d", len(h.Tests), h.Passes, h.Failures, h.Pending, h.DurationMS)
	}
	if f := h.Tests[11]; f.State != stateFailed || f.Title != "12. Verify data for revert cmotion" || !f.End.Equal(h.End) {
		t.Errorf("failing test %+v", f)
	}
	var sum int64
	for _, r := range h.Tests {
		sum += r.DurationMS
	}
	if sum != h.DurationMS || !h.End.Equal(t0.Add(542500*time.Millisecond)) {
		t.Errorf("step durations sum to %d, end %v", sum, h.End)
	}
}

// xmlDoc is enough of mocha-junit-reporter's XML to check it with a real parser.
type xmlDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Skipped  *int     `xml:"skipped,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		File  string `xml:"file,attr"`
		Tests int    `xml:"tests,attr"`
		Time  string `xml:"time,attr"`
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnit_R1_MochaJunitReporterFormat(t *testing.T) {
	h := failingUbuntu(t)
	x := h.RenderJUnit()
	s := string(x)
	lines := strings.Split(s, "\n")
	for _, tc := range []struct{ name, want string }{
		{"declaration", `<?xml version="1.0" encoding="UTF-8"?>`},
		{"root", `<testsuites name="Mocha Tests" time="542.500" tests="22" failures="1" skipped="10">`},
		{"root suite, attribute order, no time", `  <testsuite name="Root Suite" timestamp="2026-04-29T16:02:11" tests="0" file="cypress/e2e/generated/atvm5-ubuntu22.04.ts" time="0.000" failures="0">`},
		{"empty element on two lines", `  </testsuite>`},
		{"describe suite", `  <testsuite name="atvm5-ubuntu22.04 cmc-e2e" timestamp="2026-04-29T16:02:11" tests="22" time="542.500" failures="1">`},
	} {
		found := false
		for _, l := range lines {
			if l == tc.want {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no line %q in\n%s", tc.name, tc.want, s)
		}
	}
	if strings.Contains(s, "/>") {
		t.Error("self-closed element; dylang/xml writes open and close tags")
	}
	if !strings.HasSuffix(s, "</testsuites>") {
		t.Error("file must end at </testsuites> with no newline")
	}
	if !regexp.MustCompile(`<failure message="[^"]*&apos;sshpass[^"]*&quot;md5sum[^"]*" type="CypressError"><!\[CDATA\[CypressError: ` +
		"`cy.exec\\('sshpass").MatchString(s) {
		t.Errorf("failure element escaping/CDATA wrong:\n%s", s)
	}
	if !strings.Contains(s, `time="0.000" classname="12. Verify data for revert cmotion">`) {
		t.Error("failed test should report time 0.000 as Cypress does")
	}
	var doc xmlDoc
	if err := xml.Unmarshal(x, &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	if doc.Tests != 22 || doc.Failures != 1 || doc.Skipped == nil || *doc.Skipped != 10 || len(doc.Suites) != 2 {
		t.Fatalf("parsed %+v", doc)
	}
	cases := doc.Suites[1].Cases
	if len(cases) != 12 { // pending tests are not written
		t.Errorf("%d testcases, want 12 (11 passed + 1 failed)", len(cases))
	}
	f := cases[11].Failure
	if f == nil || f.Type != "CypressError" || strings.HasPrefix(f.Message, "CypressError") ||
		!strings.HasPrefix(f.Body, "CypressError: `cy.exec(") || !strings.Contains(f.Body, "\n    at Context.eval (webpack://") {
		t.Errorf("failure = %+v", f)
	}
	if cases[0].Name != "atvm5-ubuntu22.04 cmc-e2e 1. Verifying set up" || cases[0].Classname != "1. Verifying set up" {
		t.Errorf("testcase naming: %+v", cases[0])
	}
}

func TestJUnit_R1_HashNameIsMD5OfContent(t *testing.T) {
	for _, x := range [][]byte{failingUbuntu(t).RenderJUnit(), []byte("")} {
		sum := md5.Sum(x)
		want := "test-result-" + hex.EncodeToString(sum[:]) + ".xml"
		if got := JUnitFileName(x); got != want || len(got) != len("test-result-.xml")+32 {
			t.Errorf("JUnitFileName = %q, want %q", got, want)
		}
	}
}

func TestJUnit_R1_PassingRunHasNoSkippedAttribute(t *testing.T) {
	h := fixtureHost(t, "atvm9-debian12.5", TplSystemOS, Env{}, HostBehavior{DurationS: 100})
	s := string(h.RenderJUnit())
	if strings.Contains(s, "skipped=") || strings.Contains(s, "<failure") || !strings.Contains(s, `tests="21" failures="0">`) {
		t.Errorf("passing run XML:\n%s", s)
	}
}

func TestBookkeepingJUnit_R4_OnlyCheckXMLFiles(t *testing.T) {
	x := RenderBookkeepingJUnit([]string{"atvm71-redhat9.1", "atvm88-redhat8.10"}, t0)
	var doc xmlDoc
	if err := xml.Unmarshal(x, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Suites[0].File != "cypress/e2e/check-xml-files.ts" || doc.Failures != 0 || len(doc.Suites[1].Cases) != 2 {
		t.Errorf("bookkeeping XML %+v", doc)
	}
	// Its testcases mention the machines: exactly the trap R1 warns about.
	if !strings.Contains(string(x), "Verify result XML for atvm71-redhat9.1") {
		t.Error("testcase names should mention the machines")
	}
	if BookkeepingFileName("b-redhat") != "test-result-b-redhat.xml" {
		t.Error("bookkeeping file name")
	}
}

var dataRawRE = regexp.MustCompile(`<body data-raw="([^"]*)" data-config="([^"]*)">`)

func TestMochawesome_R7_DataRawDecodesToReport(t *testing.T) {
	h := failingUbuntu(t)
	page, err := h.RenderMochawesome()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(page), "<!doctype html>\n<html lang=\"en\"><head><meta charSet=\"utf-8\"/>") ||
		!strings.HasSuffix(string(page), `<div id="report"></div><script src="assets/app.js"></script></body></html>`) {
		t.Errorf("page skeleton:\n%.300s", page)
	}
	m := dataRawRE.FindSubmatch(page)
	if m == nil {
		t.Fatal("no data-raw attribute")
	}
	raw := html.UnescapeString(string(m[1]))
	want, _ := marshalJS(h.mochawesomeReport())
	if raw != string(want) {
		t.Errorf("data-raw does not decode back to the report JSON")
	}
	if strings.Contains(string(m[1]), "'") || strings.Contains(string(m[1]), "<") {
		t.Error("attribute value not escaped")
	}
	var rep mwReport
	if err := json.Unmarshal([]byte(raw), &rep); err != nil {
		t.Fatal(err)
	}
	suite := rep.Results[0].Suites[0]
	if !rep.Results[0].Root || rep.Results[0].File != "cypress/e2e/generated/atvm5-ubuntu22.04.ts" || suite.Title != "atvm5-ubuntu22.04 cmc-e2e" {
		t.Errorf("suites: root %+v", rep.Results[0])
	}
	if rep.Stats.Tests != 22 || rep.Stats.Passes != 11 || rep.Stats.Failures != 1 || rep.Stats.Pending != 10 {
		t.Errorf("stats %+v", rep.Stats)
	}
	passes, denom := 11.0, 12.0 // runtime float math, as JavaScript computes it
	if want := passes / denom * 100; rep.Stats.PassPercent != want {
		t.Errorf("passPercent %v, want %v", rep.Stats.PassPercent, want)
	}
	// A passing test's err is {}; only the failing test's own err has text.
	if !strings.Contains(raw, `"err":{},"uuid"`) {
		t.Error("passing test err should be {}")
	}
	failed := suite.Tests[11]
	if failed.State != stateFailed || !strings.HasPrefix(*failed.Err.Message, "CypressError: `cy.exec(") || *failed.Err.Estack == "" {
		t.Errorf("failed test %+v", failed)
	}
	var cfg margeOptions
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[2]))), &cfg); err != nil || cfg.ReportDir != "cypress/cmcReporter/mochawesome" {
		t.Errorf("data-config %v %+v", err, cfg)
	}
}

func TestMochawesome_R7_DisagreesOnStepWhenAsked(t *testing.T) {
	h := fixtureHost(t, "atvm71-redhat9.1", TplReboot, Env{Plugin: "both"}, HostBehavior{Outcome: "fail", FailStep: 38,
		MochawesomeFailStep: 36, ExecCmd: "md5sum -c x.md5", ExecStderr: "md5sum: x.md5: No such file or directory"})
	rep := h.mochawesomeReport()
	var failed []string
	for _, ts := range rep.Results[0].Suites[0].Tests {
		if ts.State == stateFailed {
			failed = append(failed, ts.Title)
		}
	}
	if len(failed) != 1 || !strings.HasPrefix(failed[0], "36. ") {
		t.Errorf("mochawesome failed tests %q, want step 36 only", failed)
	}
	h.B.MochawesomeEmptyError = true
	b, _ := marshalJS(h.mochawesomeReport())
	if !strings.Contains(string(b), `"err":{"message":"","estack":""}`) {
		t.Error("empty error knob should write empty message and estack")
	}
}

func TestMochawesomeBase_R1_NameUpToFirstDot(t *testing.T) {
	for in, want := range map[string]string{
		"cypress/e2e/generated/atvm121-ubuntu24.04.ts": "atvm121-ubuntu24",
		"atvm71-redhat9.1.ts":                          "atvm71-redhat9",
		"atvm201-w2k22.ts":                             "atvm201-w2k22",
	} {
		if got := MochawesomeBase(in); got != want {
			t.Errorf("MochawesomeBase(%q) = %q, want %q", in, got, want)
		}
	}
}
