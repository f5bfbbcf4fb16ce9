package results

import (
	"encoding/json"
	"html"
	"strings"
	"testing"
	"time"
)

const mochawesomeRoot = "/root/cdc-e2e-cyp-12.17.4/cypress/cmcReporter/mochawesome/"

func TestParseMochawesome_R7_Fixtures(t *testing.T) {
	tests := []struct {
		file, machine, status            string
		tests, passes, failures, pending int
		step, errSub, excerptSub, start  string
	}{
		{file: "atvm71-redhat9.html", machine: "atvm71-redhat9.1", status: HostFail, tests: 6, passes: 3, failures: 1, pending: 2,
			step:   "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)",
			errSub: "md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory", excerptSub: "Code: 1", start: "2026-03-30T21:10:04.911Z"},
		{file: "atvm121-ubuntu24.html", machine: "atvm121-ubuntu24.04", status: HostPass, tests: 4, passes: 4, start: "2026-04-29T16:02:11.34Z"},
		{file: "atvm121-ubuntu24_001.html", machine: "atvm122-ubuntu24.10", status: HostFail, tests: 3, passes: 1, failures: 1, pending: 1,
			step: "2. Power on and obtain ip address and host name", start: "2026-04-29T16:12:30.004Z"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			evs, err := ParseMochawesome(mochawesomeRoot+tc.file, artifactMtime, artifactFixture(t, "mochawesome/"+tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("got %d evidences", len(evs))
			}
			ev := evs[0]
			checkEvidenceInvariants(t, ev)
			if ev.Machine != tc.machine || ev.Status != tc.status || !ev.Complete {
				t.Errorf("machine/status/complete = %q %s %v, want %q %s true", ev.Machine, ev.Status, ev.Complete, tc.machine, tc.status)
			}
			if ev.Tests != tc.tests || ev.Passes != tc.passes || ev.Failures != tc.failures || ev.Pending != tc.pending {
				t.Errorf("counts = %d/%d/%d/%d, want %d/%d/%d/%d", ev.Tests, ev.Passes, ev.Failures, ev.Pending,
					tc.tests, tc.passes, tc.failures, tc.pending)
			}
			if ev.FailedStep != tc.step || (tc.errSub == "") != (ev.Error == "") || !strings.Contains(ev.Error, tc.errSub) {
				t.Errorf("step/error = %q %q, want %q %q", ev.FailedStep, ev.Error, tc.step, tc.errSub)
			}
			if !strings.Contains(ev.Excerpt, tc.excerptSub) || strings.Contains(ev.Excerpt, "    at ") || strings.Contains(ev.Excerpt, "at Context.eval") {
				t.Errorf("excerpt = %q, want %q and no frames", ev.Excerpt, tc.excerptSub)
			}
			if ev.StartedAt == nil || ev.StartedAt.Format(time.RFC3339Nano) != tc.start || ev.EndedAt == nil {
				t.Errorf("started/ended = %v %v, want %s", ev.StartedAt, ev.EndedAt, tc.start)
			}
			if ev.Spec != "cypress/e2e/generated/"+tc.machine+".ts" || ev.Source != SourceMochawesome || len(ev.Notes) != 0 {
				t.Errorf("spec/source/notes = %q %q %q", ev.Spec, ev.Source, ev.Notes)
			}
		})
	}
}

// mochawesomeHTML renders a report the way mochawesome-report-generator does.
func mochawesomeHTML(t testing.TB, report any) []byte {
	t.Helper()
	raw, err := json.Marshal(report)
	if err != nil {
		t.Fatal(err)
	}
	esc := strings.ReplaceAll(html.EscapeString(string(raw)), "&#39;", "&#x27;")
	esc = strings.ReplaceAll(esc, "&#34;", "&quot;")
	return []byte(`<!doctype html>` + "\n" + `<html lang="en"><head><meta charSet="utf-8"/><title>Mochawesome Report</title>` +
		`<link rel="stylesheet" href="assets/app.css"/></head><body data-raw="` + esc + `" data-config="{}">` +
		`<div id="report"></div><script src="assets/app.js"></script></body></html>`)
}

type mt = map[string]any

func mochaTest(title, state string, err mt) mt {
	if err == nil {
		err = mt{}
	}
	return mt{"title": title, "fullTitle": "atvm71-redhat9.1 cmc-reboot " + title, "state": state, "err": err,
		"pass": state == "passed", "fail": state == "failed", "pending": state == "pending"}
}

func mochaReport(end string, tests ...mt) mt {
	return mt{"stats": mt{"tests": len(tests), "start": "2026-03-30T21:10:04.911Z", "end": end},
		"results": []mt{{"title": "", "file": "cypress/e2e/generated/atvm71-redhat9.1.ts", "fullFile": "cypress/e2e/generated/atvm71-redhat9.1.ts",
			"tests": []mt{}, "suites": []mt{{"title": "atvm71-redhat9.1 cmc-reboot", "file": "", "tests": tests, "suites": []mt{}}}}}}
}

func TestParseMochawesome_R7_OneTestObjectAtATime(t *testing.T) {
	// The 03-31 mispairing: step 36's object is followed, in later objects,
	// by step 38's failed state and message. Each must stay with its own test.
	rep := mochaReport("2026-03-30T21:41:52.020Z",
		mochaTest("36. Reboot the host", "passed", nil),
		mochaTest("37. Write diskname2Reboot file", "passed", mt{}),
		mochaTest("38. Verify diskname2Reboot file", "failed", mt{"message": "CypressError: boom\n\nStderr:\nmd5sum: missing.md5: No such file or directory", "estack": "CypressError: boom\n    at Context.eval (x.ts:1:1)"}),
	)
	evs, err := ParseMochawesome("atvm71-redhat9.html", artifactMtime, mochawesomeHTML(t, rep))
	if err != nil || len(evs) != 1 {
		t.Fatalf("got %+v, %v", evs, err)
	}
	ev := evs[0]
	if ev.FailedStep != "38. Verify diskname2Reboot file" || ev.Error != "md5sum: missing.md5: No such file or directory" || ev.Failures != 1 || ev.Passes != 2 {
		t.Fatalf("got step %q error %q failures %d passes %d", ev.FailedStep, ev.Error, ev.Failures, ev.Passes)
	}
	// A message on a passed test (odd, but seen in merged reports) is not a failure of anything.
	rep = mochaReport("2026-03-30T21:41:52.020Z",
		mochaTest("36. Reboot the host", "passed", mt{"message": "retried once", "estack": "Error: retried once"}),
		mochaTest("37. Write diskname2Reboot file", "passed", nil))
	evs, err = ParseMochawesome("atvm71-redhat9.html", artifactMtime, mochawesomeHTML(t, rep))
	if err != nil || evs[0].Status != HostPass || evs[0].Error != "" || evs[0].FailedStep != "" {
		t.Fatalf("got %+v, %v", evs, err)
	}
}

func TestParseMochawesome_R7_EmptyErrIsNoDetail(t *testing.T) {
	rep := mochaReport("2026-03-30T21:41:52.020Z",
		mochaTest("36. Reboot the host", "failed", mt{"message": "", "estack": "  \n"}),
		mochaTest("38. Verify diskname2Reboot file", "failed", mt{"message": "", "estack": "Error: md5 mismatch\n    at Context.eval (x.ts:1:1)"}),
	)
	evs, err := ParseMochawesome("x.html", artifactMtime, mochawesomeHTML(t, rep))
	if err != nil || len(evs) != 1 {
		t.Fatalf("got %+v, %v", evs, err)
	}
	// Detail comes from the test that has it, paired with that test's own title.
	if ev := evs[0]; ev.Status != HostFail || ev.FailedStep != "38. Verify diskname2Reboot file" || ev.Error != "Error: md5 mismatch" || ev.Failures != 2 {
		t.Fatalf("got %s step %q error %q failures %d", ev.Status, ev.FailedStep, ev.Error, ev.Failures)
	}
	// With no payload at all: FAIL, the failed step, and no invented error.
	rep = mochaReport("2026-03-30T21:41:52.020Z", mochaTest("36. Reboot the host", "failed", mt{"message": "", "estack": ""}))
	evs, err = ParseMochawesome("x.html", artifactMtime, mochawesomeHTML(t, rep))
	if err != nil || evs[0].Status != HostFail || evs[0].FailedStep != "36. Reboot the host" || evs[0].Error != "" || evs[0].Excerpt != "" {
		t.Fatalf("got %+v, %v", evs, err)
	}
}

func TestParseMochawesome_D1_CompleteOnlyWithEnd(t *testing.T) {
	rep := mochaReport("", mochaTest("1. Verifying set up", "passed", nil))
	evs, err := ParseMochawesome("x.html", artifactMtime, mochawesomeHTML(t, rep))
	if err != nil || evs[0].Complete || evs[0].Status != HostRunning {
		t.Fatalf("got %+v, %v", evs, err)
	}
	rep = mochaReport("2026-03-30T21:41:52.020Z")
	evs, err = ParseMochawesome("x.html", artifactMtime, mochawesomeHTML(t, rep))
	if err != nil || evs[0].Status != HostUnknown {
		t.Fatalf("no tests: got %+v, %v", evs, err)
	}
}

func TestParseMochawesome_R1_MachineFromResultsNotFileName(t *testing.T) {
	// Two VMs share the HTML name atvm121-ubuntu24*.html; the content tells them apart.
	a, _ := ParseMochawesome("atvm121-ubuntu24.html", artifactMtime, artifactFixture(t, "mochawesome/atvm121-ubuntu24.html"))
	b, _ := ParseMochawesome("atvm121-ubuntu24.html", artifactMtime, artifactFixture(t, "mochawesome/atvm121-ubuntu24_001.html"))
	if len(a) != 1 || len(b) != 1 || a[0].Machine != "atvm121-ubuntu24.04" || b[0].Machine != "atvm122-ubuntu24.10" {
		t.Fatalf("got %+v / %+v", a, b)
	}
	// A merged report: one Evidence per spec; check-xml-files.ts is bookkeeping.
	rep := mt{"stats": mt{"end": "2026-03-30T21:41:52.020Z"}, "results": []mt{
		{"file": "cypress/e2e/generated/atvm71-redhat9.1.ts", "tests": []mt{mochaTest("1. a", "passed", nil)}},
		{"file": "cypress/e2e/generated/atvm88-oracle8.10.ts", "tests": []mt{mochaTest("1. a", "failed", mt{"message": "Error: x"})}},
		{"file": "cypress/e2e/check-xml-files.ts", "tests": []mt{mochaTest("atvm71 has xml", "passed", nil)}},
		{"file": "", "suites": []mt{{"title": "atvm5-ubuntu22.04 cmc-e2e", "tests": []mt{mochaTest("1. a", "pending", nil)}}}},
	}}
	evs, err := ParseMochawesome("merged.html", artifactMtime, mochawesomeHTML(t, rep))
	if err != nil || len(evs) != 4 {
		t.Fatalf("got %+v, %v", evs, err)
	}
	got := []string{}
	for _, ev := range evs {
		checkEvidenceInvariants(t, ev)
		got = append(got, ev.Machine+"="+ev.Status)
	}
	if want := "atvm71-redhat9.1=PASS atvm88-oracle8.10=FAIL =UNKNOWN atvm5-ubuntu22.04=UNKNOWN"; strings.Join(got, " ") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, " "), want)
	}
	if !evs[2].Bookkeeping {
		t.Fatal("check-xml-files.ts not bookkeeping")
	}
}

func TestParseMochawesome_HTMLScan(t *testing.T) {
	body := string(mochawesomeHTML(t, mochaReport("2026-03-30T21:41:52.020Z", mochaTest("1. a", "passed", nil))))
	dataRaw := body[strings.Index(body, "<body "):]
	good := map[string]string{
		"inline script with a fake body first": `<html><head><script>var s = '<body data-raw="{}">'; if (a<b) {}</script>` +
			`<style>body > div { content: "<body>" }</style><!-- <body data-raw="x"> --></head>` + dataRaw,
		"attribute order and case": strings.Replace(body, `<body data-raw="`, `<BODY class="x" data-config='{"a":"b>c"}' Data-Raw="`, 1),
	}
	for name, in := range good {
		evs, err := ParseMochawesome("x.html", artifactMtime, []byte(in))
		if err != nil || len(evs) != 1 || evs[0].Status != HostPass || evs[0].Machine != "atvm71-redhat9.1" {
			t.Errorf("%s: got %+v, %v", name, evs, err)
		}
	}
	bad := map[string]string{
		"empty": "", "binary": "\x00\xff\xfe", "plain html": "<html><body><p>hi</p></body></html>",
		"no body": "<html><head></head></html>", "json": `{"stats":{}}`,
		"cut in attribute":    body[:len(body)/2],
		"cut in json":         body[:strings.Index(body, `" data-config`)-40] + body[strings.Index(body, `" data-config`):],
		"not json":            `<body data-raw="hello">`,
		"json without report": `<body data-raw="{&quot;a&quot;:1}">`,
		"unclosed script":     `<html><script>var a = 1;`,
		"unclosed comment":    `<!-- <body data-raw="{}">`,
	}
	for name, in := range bad {
		if evs, err := ParseMochawesome("x.html", artifactMtime, []byte(in)); err == nil {
			t.Errorf("%s: want an error, got %+v", name, evs)
		}
	}
}

func TestHTMLUnescapeBytes(t *testing.T) {
	for in, want := range map[string]string{
		"a&quot;b&amp;c&#x27;d&#39;e&lt;f&gt;g": `a"b&c'd'e<f>g`,
		"&eacute;&#233;&#xE9;":                  "ééé",
		"& alone &; &unknown; tail &":           "& alone &; &unknown; tail &",
		"no entities":                           "no entities",
		"cut: &quo":                             "cut: &quo",
		"&#x27":                                 "&#x27",
		"&lt":                                   "&lt",
		"&#x3C;&#60;&#39x":                      "<<&#39x",
	} {
		if got := string(htmlUnescapeBytes([]byte(in))); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func BenchmarkParseMochawesome(b *testing.B) {
	data := artifactFixture(b, "mochawesome/atvm71-redhat9.html")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseMochawesome("x.html", artifactMtime, data); err != nil {
			b.Fatal(err)
		}
	}
}
