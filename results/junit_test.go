package results

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// artifactMtime is the fixed mtime the parser tests hand in.
var artifactMtime = time.Date(2026, 4, 29, 16, 10, 0, 0, time.UTC)

func artifactFixture(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkEvidenceInvariants holds for every parser and every input.
func checkEvidenceInvariants(t testing.TB, ev Evidence) {
	t.Helper()
	if ev.Status == HostPass && (!ev.Complete || ev.Failures != 0) {
		t.Fatalf("PASS without complete clean evidence: %+v", ev)
	}
	switch ev.Status {
	case HostPass, HostFail, HostRunning, HostUnknown:
	default:
		t.Fatalf("status %q outside the parser vocabulary", ev.Status)
	}
	if len(ev.Error) > maxErrorLen+len("…") || len(ev.Excerpt) > maxExcerptLen+len("…") {
		t.Fatalf("unbounded detail: error %d bytes, excerpt %d bytes", len(ev.Error), len(ev.Excerpt))
	}
	if ev.Bookkeeping && (ev.Machine != "" || ev.Status == HostPass) {
		t.Fatalf("bookkeeping evidence speaks for a machine: %+v", ev)
	}
}

func TestParseJUnit_R1_Fixtures(t *testing.T) {
	tests := []struct {
		file                                  string
		machine, status                       string
		complete, bookkeeping                 bool
		tests, passes, failures, pending      int
		step, errSub, excerptSub, spec, start string
		notes                                 []string
	}{
		{file: "test-result-01fe412894862398d06d9cc4bc7e81a0.xml", machine: "atvm5-ubuntu22.04", status: HostFail, complete: true,
			tests: 4, passes: 1, failures: 1, pending: 2,
			step: "2. Power on and obtain ip address and host name", errSub: "AssertionError: Timed out retrying after 600000ms: expected 'unknown'",
			excerptSub: "to match /^10\\./", spec: "cypress/e2e/generated/atvm5-ubuntu22.04.ts", start: "2026-04-29T16:02:11Z"},
		{file: "test-result-7c4a1e09b2d35f6681a0c9e4d2b7f310.xml", machine: "atvm71-redhat9.1", status: HostPass, complete: true,
			tests: 5, passes: 5, spec: "cypress/e2e/generated/atvm71-redhat9.1.ts", start: "2026-03-30T21:20:04Z"},
		{file: "test-result-9b0f33c1d8e24a7b5c6d7e8f90a1b2c3.xml", machine: "atvm88-oracle8.10", status: HostFail, complete: true,
			tests: 3, passes: 1, failures: 1, pending: 1,
			step:   "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)",
			errSub: "md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory", excerptSub: "Code: 1", start: "2026-03-30T21:10:04Z"},
		{file: "test-result-reboot-redhat8.10-both-redhat.xml", bookkeeping: true, status: HostUnknown, complete: true, tests: 2, passes: 2,
			spec: "", start: "2026-03-30T22:41:02Z"},
		{file: "truncated-test-result-3e5d0a4f.xml", machine: "atvm71-redhat9.1", status: HostUnknown, tests: 5, passes: 3, pending: 2,
			notes: []string{"truncated XML"}, start: "2026-03-30T21:20:04Z", spec: "cypress/e2e/generated/atvm71-redhat9.1.ts"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := "/root/cdc-e2e-cyp-12.17.4/cypress/results/" + tc.file
			evs, err := ParseJUnit(path, artifactMtime, artifactFixture(t, "junit/"+tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("got %d evidences, want 1: %+v", len(evs), evs)
			}
			ev := evs[0]
			checkEvidenceInvariants(t, ev)
			if ev.Machine != tc.machine || ev.Status != tc.status || ev.Complete != tc.complete || ev.Bookkeeping != tc.bookkeeping {
				t.Errorf("machine/status/complete/bookkeeping = %q %s %v %v, want %q %s %v %v",
					ev.Machine, ev.Status, ev.Complete, ev.Bookkeeping, tc.machine, tc.status, tc.complete, tc.bookkeeping)
			}
			if ev.Tests != tc.tests || ev.Passes != tc.passes || ev.Failures != tc.failures || ev.Pending != tc.pending {
				t.Errorf("counts = %d/%d/%d/%d, want %d/%d/%d/%d", ev.Tests, ev.Passes, ev.Failures, ev.Pending,
					tc.tests, tc.passes, tc.failures, tc.pending)
			}
			if ev.FailedStep != tc.step {
				t.Errorf("step = %q, want %q", ev.FailedStep, tc.step)
			}
			if !strings.Contains(ev.Error, tc.errSub) || (tc.errSub == "" && ev.Error != "") {
				t.Errorf("error = %q, want it to contain %q", ev.Error, tc.errSub)
			}
			if !strings.Contains(ev.Excerpt, tc.excerptSub) || strings.Contains(ev.Excerpt, "at Context.eval") {
				t.Errorf("excerpt = %q, want %q and no stack frames", ev.Excerpt, tc.excerptSub)
			}
			if ev.Spec != tc.spec {
				t.Errorf("spec = %q, want %q", ev.Spec, tc.spec)
			}
			gotStart := ""
			if ev.StartedAt != nil {
				gotStart = ev.StartedAt.Format(time.RFC3339)
			}
			if gotStart != tc.start {
				t.Errorf("started = %q, want %q", gotStart, tc.start)
			}
			if strings.Join(ev.Notes, "|") != strings.Join(tc.notes, "|") {
				t.Errorf("notes = %q, want %q", ev.Notes, tc.notes)
			}
			if ev.Source != SourceJUnit || ev.Path != path || !ev.ModTime.Equal(artifactMtime) {
				t.Errorf("source/path/mtime = %q %q %v", ev.Source, ev.Path, ev.ModTime)
			}
		})
	}
}

func TestParseJUnit_R1_HashNamedMachineFromXML(t *testing.T) {
	// The hash file name carries no machine: it must come from file=.
	evs, err := ParseJUnit("test-result-01fe412894862398d06d9cc4bc7e81a0.xml", artifactMtime,
		artifactFixture(t, "junit/test-result-01fe412894862398d06d9cc4bc7e81a0.xml"))
	if err != nil || len(evs) != 1 || evs[0].Machine != "atvm5-ubuntu22.04" {
		t.Fatalf("got %+v, %v", evs, err)
	}
	// A machine-named file whose content names another machine: the content wins.
	evs, err = ParseJUnit("test-result-atvm9-debian12.5.xml", artifactMtime,
		artifactFixture(t, "junit/test-result-7c4a1e09b2d35f6681a0c9e4d2b7f310.xml"))
	if err != nil || len(evs) != 1 || evs[0].Machine != "atvm71-redhat9.1" {
		t.Fatalf("got %+v, %v", evs, err)
	}
}

func TestParseJUnit_R1_MachineFallbacks(t *testing.T) {
	const head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	tests := []struct {
		name, xml, machine string
	}{
		{"root file=", head + `<testsuites name="Mocha Tests" time="1.000" tests="1" failures="0">
  <testsuite name="Root Suite" timestamp="2026-05-11T14:02:07" tests="0" file="cypress/e2e/generated/atvm121-ubuntu24.04.ts" time="0.000" failures="0">
  </testsuite>
  <testsuite name="atvm9-debian12.5 cmc-e2e" timestamp="2026-05-11T14:02:07" tests="1" time="1.000" failures="0">
    <testcase name="atvm9-debian12.5 cmc-e2e 1. Verifying set up" time="1.000" classname="1. Verifying set up">
    </testcase>
  </testsuite>
</testsuites>`, "atvm121-ubuntu24.04"},
		{"suite name=", head + `<testsuites name="Mocha Tests" time="1.000" tests="1" failures="0">
  <testsuite name="atvm9-debian12.5 cmc-e2e" timestamp="2026-05-11T14:02:07" tests="1" time="1.000" failures="0">
    <testcase name="other 1. Verifying set up" time="1.000" classname="1. Verifying set up">
    </testcase>
  </testsuite>
</testsuites>`, "atvm9-debian12.5"},
		{"testcase name=", head + `<testsuites name="Mocha Tests" time="1.000" tests="1" failures="0">
  <testsuite name="Root Suite" timestamp="2026-05-11T14:02:07" tests="1" time="1.000" failures="0">
    <testcase name="atvm144-suse15.0 cmc-e2e 1. Verifying set up" time="1.000" classname="1. Verifying set up">
    </testcase>
  </testsuite>
</testsuites>`, "atvm144-suse15.0"},
		{"single testsuite root", head + `<testsuite name="atvm5-ubuntu22.04 cmc-e2e" timestamp="2026-05-11T14:02:07" tests="1" time="1.000" failures="0">
  <testcase name="atvm5-ubuntu22.04 cmc-e2e 1. Verifying set up" time="1.000" classname="1. Verifying set up">
  </testcase>
</testsuite>`, "atvm5-ubuntu22.04"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := ParseJUnit("test-result-x.xml", artifactMtime, []byte(tc.xml))
			if err != nil || len(evs) != 1 {
				t.Fatalf("got %+v, %v", evs, err)
			}
			if evs[0].Machine != tc.machine || evs[0].Status != HostPass {
				t.Fatalf("machine %q status %s, want %q PASS", evs[0].Machine, evs[0].Status, tc.machine)
			}
		})
	}
}

func TestParseJUnit_R1_CheckXMLFilesIsBookkeeping(t *testing.T) {
	evs, err := ParseJUnit("test-result-reboot-redhat8.10-both-redhat.xml", artifactMtime,
		artifactFixture(t, "junit/test-result-reboot-redhat8.10-both-redhat.xml"))
	if err != nil {
		t.Fatal(err)
	}
	// Its testcase names mention two VMs; neither may come out as a machine.
	if len(evs) != 1 || !evs[0].Bookkeeping || evs[0].Machine != "" || evs[0].Status == HostPass {
		t.Fatalf("got %+v", evs)
	}
	if len(evs[0].Notes) != 0 {
		t.Fatalf("bookkeeping must not produce notes (S5): %q", evs[0].Notes)
	}
}

func TestParseJUnit_R1_MergedFileOneEvidencePerMachine(t *testing.T) {
	a := string(artifactFixture(t, "junit/test-result-01fe412894862398d06d9cc4bc7e81a0.xml"))
	b := string(artifactFixture(t, "junit/test-result-7c4a1e09b2d35f6681a0c9e4d2b7f310.xml"))
	suites := func(s string) string {
		return s[strings.Index(s, "  <testsuite "):strings.LastIndex(s, "</testsuites>")]
	}
	merged := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<testsuites name="Mocha Tests" time="2211.781" tests="9" failures="1">` + "\n" +
		suites(a) + suites(b) + "</testsuites>\n"
	evs, err := ParseJUnit("merged.xml", artifactMtime, []byte(merged))
	if err != nil || len(evs) != 2 {
		t.Fatalf("got %+v, %v", evs, err)
	}
	if evs[0].Machine != "atvm5-ubuntu22.04" || evs[0].Status != HostFail || evs[1].Machine != "atvm71-redhat9.1" || evs[1].Status != HostPass {
		t.Fatalf("got %s=%s %s=%s", evs[0].Machine, evs[0].Status, evs[1].Machine, evs[1].Status)
	}
}

func TestParseJUnit_D1_TruncatedNeverPass(t *testing.T) {
	full := bytes.TrimSpace(artifactFixture(t, "junit/test-result-7c4a1e09b2d35f6681a0c9e4d2b7f310.xml"))
	for n := len(full) - 1; n > 0; n -= 7 {
		evs, err := ParseJUnit("t.xml", artifactMtime, full[:n])
		if err != nil {
			continue // cut before the root: not JUnit yet
		}
		for _, ev := range evs {
			checkEvidenceInvariants(t, ev)
			if ev.Complete || ev.Status == HostPass {
				t.Fatalf("cut at %d: %+v", n, ev)
			}
		}
	}
	// A cut after a failure still reports the failure.
	fail := artifactFixture(t, "junit/test-result-01fe412894862398d06d9cc4bc7e81a0.xml")
	cut := fail[:strings.Index(string(fail), "  </testsuite>\n</testsuites>")]
	evs, err := ParseJUnit("t.xml", artifactMtime, cut)
	if err != nil || len(evs) != 1 || evs[0].Status != HostFail || evs[0].Complete || evs[0].Notes[0] != "truncated XML" {
		t.Fatalf("got %+v, %v", evs, err)
	}
}

func TestParseJUnit_NotJUnit(t *testing.T) {
	for name, in := range map[string]string{
		"empty":    "",
		"spaces":   " \n\t",
		"binary":   "\x00\x01\x02\xff\xfe PK\x03\x04",
		"html":     "<!doctype html><html><body>hi</body></html>",
		"other":    `<?xml version="1.0"?><project><name>x</name></project>`,
		"json":     `{"stats":{}}`,
		"prolog":   `<?xml version="1.0" encoding="UTF-8"?>`,
		"bad utf8": "\xff\xfe<\x00t\x00",
	} {
		if evs, err := ParseJUnit("x.xml", artifactMtime, []byte(in)); err == nil {
			t.Errorf("%s: want an error, got %+v", name, evs)
		}
	}
}

func TestParseJUnit_HostileInputBounded(t *testing.T) {
	huge := strings.Repeat("x", 3<<20)
	in := `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="Mocha Tests" time="1.000" tests="1" failures="1">
  <testsuite name="atvm5-ubuntu22.04 cmc-e2e" timestamp="2026-04-29T16:02:11" tests="1" time="1.000" failures="1">
    <testcase name="atvm5-ubuntu22.04 cmc-e2e 1. Verifying set up" time="0.000" classname="1. ` + "\xff" + `Verifying set up">
      <failure message="m" type="Error"><![CDATA[Error: ` + huge + `]]></failure>
    </testcase>
  </testsuite>
</testsuites>`
	evs, err := ParseJUnit("x.xml", artifactMtime, []byte(in))
	if err != nil || len(evs) != 1 {
		t.Fatalf("got %+v, %v", evs, err)
	}
	checkEvidenceInvariants(t, evs[0])
	if evs[0].Status != HostFail || !strings.HasPrefix(evs[0].Error, "Error: xxx") || evs[0].FailedStep != "1. \uFFFDVerifying set up" {
		t.Fatalf("got status %s step %q error %.40q", evs[0].Status, evs[0].FailedStep, evs[0].Error)
	}
}

func BenchmarkParseJUnit(b *testing.B) {
	data := artifactFixture(b, "junit/test-result-9b0f33c1d8e24a7b5c6d7e8f90a1b2c3.xml")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseJUnit("x.xml", artifactMtime, data); err != nil {
			b.Fatal(err)
		}
	}
}
