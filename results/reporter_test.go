package results

import (
	"strings"
	"testing"
	"time"
)

const reporterRoot = "/root/cdc-e2e-cyp-12.17.4/cypress/cmcReporter/logs/"

type reporterCase struct {
	file                             string
	machine, status                  string
	complete                         bool
	tests, passes, failures, pending int
	step, errSub, build, start, end  string
	notes                            []string
}

func checkReporterCase(t *testing.T, tc reporterCase, ev Evidence) {
	t.Helper()
	checkEvidenceInvariants(t, ev)
	if ev.Machine != tc.machine || ev.Status != tc.status || ev.Complete != tc.complete {
		t.Errorf("machine/status/complete = %q %s %v, want %q %s %v", ev.Machine, ev.Status, ev.Complete, tc.machine, tc.status, tc.complete)
	}
	if ev.Tests != tc.tests || ev.Passes != tc.passes || ev.Failures != tc.failures || ev.Pending != tc.pending {
		t.Errorf("counts = %d/%d/%d/%d, want %d/%d/%d/%d", ev.Tests, ev.Passes, ev.Failures, ev.Pending,
			tc.tests, tc.passes, tc.failures, tc.pending)
	}
	if ev.FailedStep != tc.step {
		t.Errorf("step = %q, want %q", ev.FailedStep, tc.step)
	}
	if (tc.errSub == "") != (ev.Error == "") || !strings.Contains(ev.Error, tc.errSub) {
		t.Errorf("error = %q, want %q", ev.Error, tc.errSub)
	}
	if tc.status == HostFail && tc.errSub != "" && !strings.Contains(ev.Excerpt, tc.errSub) {
		t.Errorf("excerpt = %q, want it to hold %q", ev.Excerpt, tc.errSub)
	}
	if strings.Contains(ev.Excerpt, "at Context.eval") {
		t.Errorf("excerpt keeps a stack frame: %q", ev.Excerpt)
	}
	if ev.Build != tc.build {
		t.Errorf("build = %q, want %q", ev.Build, tc.build)
	}
	fmtT := func(p *time.Time) string {
		if p == nil {
			return ""
		}
		return p.Format(time.RFC3339Nano)
	}
	if fmtT(ev.StartedAt) != tc.start || fmtT(ev.EndedAt) != tc.end {
		t.Errorf("started/ended = %q %q, want %q %q", fmtT(ev.StartedAt), fmtT(ev.EndedAt), tc.start, tc.end)
	}
	if strings.Join(ev.Notes, "|") != strings.Join(tc.notes, "|") {
		t.Errorf("notes = %q, want %q", ev.Notes, tc.notes)
	}
}

func TestParseReporterJSON_R5_FourShapes(t *testing.T) {
	tests := []reporterCase{
		{file: "atvm9-debian12.5/atvm9-debian12.5-2026-05-11T14-02-07-118Z.json", machine: "atvm9-debian12.5", status: HostFail, complete: true,
			tests: 20, passes: 19, failures: 1, step: "11. Verify data for cmotion", errSub: "md5sum: WARNING: 1 computed checksum did NOT match",
			build: "e2e-debian12.5-iscsi", start: "2026-05-11T14:02:07.118Z", end: "2026-05-11T14:19:40.502Z"},
		{file: "atvm5-ubuntu22.04/atvm5-ubuntu22.04-2026-05-11T15-40-12-004Z.json", machine: "atvm5-ubuntu22.04", status: HostPass, complete: true,
			tests: 22, passes: 22, build: "e2e-ubuntu22.04-fc", start: "2026-05-11T15:40:12.004Z", end: "2026-05-11T16:01:55.87Z"},
		{file: "atvm71-redhat9.1/atvm71-redhat9.1-2026-03-30T21-20-04-911Z.json", machine: "atvm71-redhat9.1", status: HostFail,
			tests: 3, failures: 1, pending: 2, step: "1. Verifying set up", errSub: "ssh: connect to host 10.20.30.71 port 22: Connection refused",
			build: "reboot-redhat8.10-both-redhat", start: "2026-03-30T21:20:04.911Z"},
		{file: "atvm88-oracle8.10/atvm88-oracle8.10-2026-05-11T14-05-30-002Z.json", machine: "atvm88-oracle8.10", status: HostFail,
			tests: 2, passes: 1, failures: 1, step: "11. Verify data for cmotion", errSub: "`cy.exec('md5sum -c /root/tmp/iscsiDisk/diskname1Disk.md5')` failed",
			build: "e2e-oracle8.10-iscsi", start: "2026-05-11T14:05:30.002Z"},
		{file: "atvm121-ubuntu24.04/atvm121-ubuntu24.04-2026-04-29T16-02-11-340Z.json", machine: "atvm121-ubuntu24.04", status: HostFail, complete: true,
			tests: 2, passes: 1, failures: 1, step: "7. Create migration session", errSub: "exec: cmotion session create --wait exited 1",
			build: "cm-ubuntu24.04-vmware", start: "2026-04-29T16:02:11.34Z", end: "2026-04-29T16:09:50.422Z"},
		{file: "atvm144-suse15.0/atvm144-suse15.0-2026-04-29T17-11-02-000Z.json", machine: "atvm144-suse15.0", status: HostPass, complete: true,
			tests: 2, passes: 2, build: "e2e-suse15.0-fc", start: "2026-04-29T17:11:02Z", end: "2026-04-29T17:12:40.001Z"},
		{file: "atvm144-suse15.0/atvm144-suse15.0-2026-04-29T16-20-40-512Z.json", machine: "atvm144-suse15.0", status: HostRunning,
			tests: 2, passes: 1, build: "e2e-suse15.0-fc", start: "2026-04-29T16:20:40.512Z"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			ev, err := ParseReporterJSON(reporterRoot+tc.file, artifactMtime, artifactFixture(t, "reporter/"+tc.file))
			if err != nil {
				t.Fatal(err)
			}
			checkReporterCase(t, tc, ev)
			if ev.Source != SourceReporterJSON || ev.Path != reporterRoot+tc.file || ev.Spec != "cypress/e2e/generated/"+tc.machine+".ts" {
				t.Errorf("source/path/spec = %q %q %q", ev.Source, ev.Path, ev.Spec)
			}
		})
	}
}

func TestParseReporterJSON_R5_DictEventsSeverityError(t *testing.T) {
	// The 04-29 false PASS: dict-shaped events whose only failure sign is severity "error".
	const file = "atvm121-ubuntu24.04/atvm121-ubuntu24.04-2026-04-29T16-02-11-340Z.json"
	ev, err := ParseReporterJSON(file, artifactMtime, artifactFixture(t, "reporter/"+file))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Status != HostFail || ev.Failures == 0 || ev.FailedStep != "7. Create migration session" {
		t.Fatalf("got %s failures=%d step=%q", ev.Status, ev.Failures, ev.FailedStep)
	}
	// An error record without test:end still fails the named step.
	in := `{"metadata":{"host":"atvm121-ubuntu24.04"},"events":[` +
		`{"time":"2026-04-29T16:02:11Z","type":"test:start","test":"3. Deploy agent","message":"","severity":"info"},` +
		`{"time":"2026-04-29T16:05:11Z","type":"cy:task","test":"3. Deploy agent","message":"sshExec: exit 255","severity":"error"},` +
		`{"time":"2026-04-29T16:05:12Z","type":"run:end","test":null,"message":"spec finished","severity":"info"}]}`
	ev, err = ParseReporterJSON("x.json", artifactMtime, []byte(in))
	if err != nil || ev.Status != HostFail || ev.FailedStep != "3. Deploy agent" || ev.Error != "sshExec: exit 255" || ev.Failures != 1 {
		t.Fatalf("got %+v, %v", ev, err)
	}
	// Warnings alone, with run:end, pass.
	in = `{"metadata":{"host":"atvm121-ubuntu24.04"},"events":[` +
		`{"time":"2026-04-29T16:02:11Z","type":"cons:warn","test":"3. Deploy agent","message":"auth error encountered","severity":"warning"},` +
		`{"time":"2026-04-29T16:05:11Z","type":"test:end","test":"3. Deploy agent","message":"passed","severity":"success"},` +
		`{"time":"2026-04-29T16:05:12Z","type":"run:end","test":null,"message":"spec finished","severity":"info"}]}`
	ev, err = ParseReporterJSON("x.json", artifactMtime, []byte(in))
	if err != nil || ev.Status != HostPass || ev.Tests != 1 {
		t.Fatalf("got %+v, %v", ev, err)
	}
}

func TestParseReporterJSON_R5_ListStepFromNearestStartOrFail(t *testing.T) {
	tests := []struct{ name, events, step, errSub string }{
		{"error after TEST START", `["t","info","TEST START 10. Copy data"],["t","error","cy:task error sshExec: exit 255"]`, "10. Copy data", "sshExec: exit 255"},
		{"TEST FAIL names it", `["t","info","TEST START 10. Copy data"],["t","error","cy:command error boom"],["t","error","TEST FAIL 11. Verify data"]`, "11. Verify data", "boom"},
		{"warning is noise", `["t","info","TEST START 10. Copy data"],["t","warning","auth error encountered"],["t","info","TEST PASS 10. Copy data"],["t","info","=== finished t: 1 passed, 0 failed, 0 pending ==="]`, "", ""},
	}
	for _, tc := range tests {
		ev, err := ParseReporterJSON("x.json", artifactMtime, []byte(`{"metadata":{"host":"atvm88-oracle8.10"},"events":[`+tc.events+`]}`))
		if err != nil || ev.FailedStep != tc.step || !strings.Contains(ev.Error, tc.errSub) || (tc.step == "") != (ev.Status == HostPass) {
			t.Errorf("%s: got %s step %q error %q, %v", tc.name, ev.Status, ev.FailedStep, ev.Error, err)
		}
	}
}

func TestParseReporterJSON_D1_NeverPassWithoutEnd(t *testing.T) {
	tests := map[string]string{
		"stats, no end":           `{"host":"atvm9-debian12.5","stats":{"tests":20,"passes":20,"failures":0,"pending":0}}`,
		"tests all passed no end": `{"metadata":{"host":"atvm9-debian12.5"},"tests":[{"title":"1. a","state":"passed"}]}`,
		"list events no end":      `{"metadata":{"host":"atvm9-debian12.5"},"events":[["2026-05-11T14:05:31Z","info","TEST PASS 1. a"]]}`,
		"dict events no run:end":  `{"metadata":{"host":"atvm9-debian12.5"},"events":[{"type":"test:end","test":"1. a","message":"passed","severity":"success"}]}`,
		"metadata only":           `{"metadata":{"host":"atvm9-debian12.5","start":"2026-05-11T14:02:07.118Z"}}`,
	}
	for name, in := range tests {
		ev, err := ParseReporterJSON("atvm9-debian12.5-2026-05-11T14-02-07-118Z.json", artifactMtime, []byte(in))
		if err != nil || ev.Status != HostRunning || ev.Complete {
			t.Errorf("%s: got %s complete=%v, %v", name, ev.Status, ev.Complete, err)
		}
	}
	// Finished with nothing recorded is not a pass either.
	ev, err := ParseReporterJSON("x.json", artifactMtime, []byte(`{"host":"atvm9-debian12.5","end":"2026-05-11T14:19:40.502Z","tests":[]}`))
	if err != nil || ev.Status != HostUnknown || len(ev.Notes) != 1 {
		t.Errorf("empty finished: got %+v, %v", ev, err)
	}
}

func TestParseReporterJSON_R5_TruncatedAndForeign(t *testing.T) {
	const file = "atvm144-suse15.0/atvm144-suse15.0-2026-04-29T17-11-02-000Z.json"
	full := artifactFixture(t, "reporter/"+file)
	for n := 1; n < len(full)-2; n += 13 {
		ev, err := ParseReporterJSON(reporterRoot+file, artifactMtime, full[:n])
		if err != nil {
			t.Fatalf("cut at %d: %v", n, err)
		}
		checkEvidenceInvariants(t, ev)
		if ev.Status != HostRunning || ev.Machine != "atvm144-suse15.0" || ev.Notes[0] != "truncated reporter JSON" {
			t.Fatalf("cut at %d: %+v", n, ev)
		}
	}
	for name, in := range map[string]string{
		"empty": "", "array": `[1,2]`, "string": `"x"`, "garbage": `{"a":1}}}`, "binary": "\x00\x01\xff",
		"unrelated object": `{"name":"x","version":"1.0.0"}`,
		"mochawesome":      `{"stats":{"tests":1},"results":[],"meta":{}}`,
	} {
		if ev, err := ParseReporterJSON("x.json", artifactMtime, []byte(in)); err == nil {
			t.Errorf("%s: want an error, got %+v", name, ev)
		}
	}
}

func TestParseReporterJSON_R5_OddFieldTypesTolerated(t *testing.T) {
	in := `{"host":"atvm9-debian12.5","end":"2026-05-11T14:19:40.502Z","stats":{"tests":"3","passes":2.0,"failures":null,"pending":1},` +
		`"tests":[{"title":7,"state":"passed","error":null},{"title":["x"],"state":{"a":1}}]}`
	ev, err := ParseReporterJSON("x.json", artifactMtime, []byte(in))
	if err != nil || ev.Status != HostPass || ev.Tests != 3 || ev.Passes != 2 || ev.Pending != 1 {
		t.Fatalf("got %+v, %v", ev, err)
	}
}

func TestParseReporterTXT_R6_Fixtures(t *testing.T) {
	tests := []reporterCase{
		{file: "atvm9-debian12.5/atvm9-debian12.5-2026-05-11T14-02-07-118Z.txt", machine: "atvm9-debian12.5", status: HostFail, complete: true,
			tests: 3, failures: 1, pending: 2, step: "1. Verifying set up", errSub: "ssh: connect to host 10.20.30.9 port 22: Connection refused",
			build: "e2e-debian12.5-iscsi", start: "2026-05-11T14:02:07.118Z", end: "2026-05-11T14:03:44.902Z"},
		{file: "atvm72-redhat8.10/atvm72-redhat8.10-2026-03-30T21-25-10-417Z.txt", machine: "atvm72-redhat8.10", status: HostPass, complete: true,
			tests: 3, passes: 3, build: "reboot-redhat8.10-iscsi", start: "2026-03-30T21:25:10.417Z", end: "2026-03-30T21:26:09.2Z"},
		{file: "atvm5-ubuntu22.04/atvm5-ubuntu22.04-2026-05-11T15-40-12-004Z.txt", machine: "atvm5-ubuntu22.04", status: HostRunning,
			tests: 1, passes: 1, build: "e2e-ubuntu22.04-fc", start: "2026-05-11T15:40:12.004Z"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			ev, err := ParseReporterTXT(reporterRoot+tc.file, artifactMtime, artifactFixture(t, "reporter/"+tc.file))
			if err != nil {
				t.Fatal(err)
			}
			checkReporterCase(t, tc, ev)
			if ev.Source != SourceReporterTXT || ev.Spec != "cypress/e2e/generated/"+tc.machine+".ts" {
				t.Errorf("source/spec = %q %q", ev.Source, ev.Spec)
			}
		})
	}
}

func TestParseReporterTXT_R6_AuthErrorIsNotFailure(t *testing.T) {
	// The 03-30 false FAIL: a passing transcript full of the word "error".
	const file = "atvm72-redhat8.10/atvm72-redhat8.10-2026-03-30T21-25-10-417Z.txt"
	data := artifactFixture(t, "reporter/"+file)
	if !strings.Contains(string(data), "auth error encountered") {
		t.Fatal("fixture lost its noise line")
	}
	ev, err := ParseReporterTXT(file, artifactMtime, data)
	if err != nil || ev.Status != HostPass || ev.Failures != 0 || ev.Error != "" {
		t.Fatalf("got %+v, %v", ev, err)
	}
	noise := []string{
		"  cons:error error  kernel: blk_update_request: I/O error, dev sdb, sector 0",
		"  cy:log  error count: 0",
		"  cons:warn warning  Error: deprecated option --foo",
		"  cy:command  exec  grep -c error /var/log/messages",
		"  cy:log  Timed out once, retried and connected",
	}
	for _, l := range noise {
		in := strings.Replace(string(data), "[2026-03-30T21:25:31.250Z]   cy:log  iscsiadm: Could not log into all portals",
			"[2026-03-30T21:25:31.250Z] "+l, 1)
		ev, err := ParseReporterTXT(file, artifactMtime, []byte(in))
		if err != nil || ev.Status != HostPass {
			t.Errorf("%q: got %s, %v", l, ev.Status, err)
		}
	}
}

func TestParseReporterTXT_R6_NoiseContinuationIsNotFailure(t *testing.T) {
	// A multi-line console warning carries its own "Error:" line: still noise.
	in := "host: atvm72-redhat8.10\n\n[2026-03-30T21:25:10.417Z] TEST START 1. Verifying set up\n" +
		"[2026-03-30T21:25:11.000Z]   cons:warn warning  (node:2210) DeprecationWarning: Buffer() is deprecated\n" +
		"      Error: Buffer() is deprecated\n" +
		"          at showFlaggedDeprecation (node:buffer:178:11)\n" +
		"[2026-03-30T21:25:19.621Z] TEST PASS  1. Verifying set up\n" +
		"=== finished 2026-03-30T21:25:19.700Z ===\n"
	ev, err := ParseReporterTXT("t.txt", artifactMtime, []byte(in))
	if err != nil || ev.Status != HostPass || !ev.Complete || ev.Passes != 1 || ev.Tests != 1 {
		t.Fatalf("got %+v, %v", ev, err)
	}
	// The same line under a TEST line is the failure's own text.
	in = strings.Replace(in, "[2026-03-30T21:25:11.000Z]   cons:warn warning  (node:2210) DeprecationWarning: Buffer() is deprecated\n", "", 1)
	ev, err = ParseReporterTXT("t.txt", artifactMtime, []byte(in))
	if err != nil || ev.Status != HostFail || ev.Error != "Error: Buffer() is deprecated" || ev.FailedStep != "1. Verifying set up" {
		t.Fatalf("got %+v, %v", ev, err)
	}
}

func TestParseReporterTXT_R6_TerminalMarkers(t *testing.T) {
	const head = "=== cmcReporter console transcript ===\nhost: atvm9-debian12.5\nstarted: 2026-05-11T14:02:07.118Z\n\n" +
		"[2026-05-11T14:02:07.118Z] TEST START 6. Migrate data\n"
	const tail = "=== finished 2026-05-11T14:03:44.902Z: 1 passed, 0 failed, 0 pending ===\n"
	tests := []struct{ name, line, errSub string }{
		{"cy:command error", "[2026-05-11T14:03:41.902Z]   cy:command error  `cy.exec('md5sum -c a.md5')` failed because the command exited with a non-zero code.\n", "cy.exec('md5sum -c a.md5')"},
		{"cy:task error", "[2026-05-11T14:03:41.902Z]   cy:task error  `cy.task('sshExec')` failed with the following error:\n", "cy.task('sshExec')"},
		{"TEST FAIL", "[2026-05-11T14:03:42.302Z] TEST FAIL  6. Migrate data\n", ""},
		{"Error:", "      Error: migration did not reach 100%\n", "Error: migration did not reach 100%"},
		{"AssertionError:", "      AssertionError: expected 'unknown' to match /^10\\./\n", "AssertionError: expected 'unknown'"},
		{"Timed out", "      Timed out retrying after 600000ms: expected 'unknown' to match /^10\\./\n", "Timed out retrying after 600000ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := ParseReporterTXT("t.txt", artifactMtime, []byte(head+tc.line+tail))
			if err != nil {
				t.Fatal(err)
			}
			checkEvidenceInvariants(t, ev)
			if ev.Status != HostFail || ev.FailedStep != "6. Migrate data" || ev.Failures < 1 || !strings.Contains(ev.Error, tc.errSub) {
				t.Fatalf("got %s step=%q failures=%d error=%q", ev.Status, ev.FailedStep, ev.Failures, ev.Error)
			}
		})
	}
	// The same transcript without the marker passes: the marker alone decided.
	ev, err := ParseReporterTXT("t.txt", artifactMtime, []byte(head+tail))
	if err != nil || ev.Status != HostPass {
		t.Fatalf("clean: got %+v, %v", ev, err)
	}
}

func TestParseReporterTXT_HostileInput(t *testing.T) {
	for name, in := range map[string]string{
		"empty": "", "blank": "\n\n", "binary": "\x00\x01\x02ELF", "prose": "hello\nworld\n", "json": `{"metadata":{}}`,
	} {
		if ev, err := ParseReporterTXT("x.txt", artifactMtime, []byte(in)); err == nil {
			t.Errorf("%s: want an error, got %+v", name, ev)
		}
	}
	// A huge line and invalid UTF-8 inside a real transcript: bounded, no panic.
	huge := "[2026-05-11T14:03:41.902Z]   cy:task error  " + strings.Repeat("\xff x", 2<<20) + "\n"
	in := "host: atvm9-debian12.5\n\n[2026-05-11T14:02:07.118Z] TEST START 1. Verifying set up\n" + huge
	ev, err := ParseReporterTXT("atvm9-debian12.5-2026-05-11T14-02-07-118Z.txt", artifactMtime, []byte(in))
	if err != nil || ev.Status != HostFail || ev.FailedStep != "1. Verifying set up" {
		t.Fatalf("got %s %q, %v", ev.Status, ev.FailedStep, err)
	}
	checkEvidenceInvariants(t, ev)
	// CRLF and colour codes do not hide the finished line.
	crlf := strings.ReplaceAll(string(artifactFixture(t, "reporter/atvm72-redhat8.10/atvm72-redhat8.10-2026-03-30T21-25-10-417Z.txt")), "\n", "\r\n")
	crlf = strings.Replace(crlf, "TEST PASS", "\x1b[32mTEST PASS\x1b[39m", 1)
	ev, err = ParseReporterTXT("x.txt", artifactMtime, []byte(crlf))
	if err != nil || ev.Status != HostPass || ev.Passes != 3 {
		t.Fatalf("crlf: got %+v, %v", ev, err)
	}
}

func TestReporterStamp_R4_StampFromName(t *testing.T) {
	tests := []struct {
		name, host, at string
		ok             bool
	}{
		{"atvm9-debian12.5-2026-05-11T14-02-07-118Z.json", "atvm9-debian12.5", "2026-05-11T14:02:07.118Z", true},
		{"/root/x/cypress/cmcReporter/logs/atvm71-redhat9.1/atvm71-redhat9.1-2026-03-30T21-20-04-911Z.txt", "atvm71-redhat9.1", "2026-03-30T21:20:04.911Z", true},
		{"atvm121-ubuntu24.04-2026-04-29T16-02-11-340Z", "atvm121-ubuntu24.04", "2026-04-29T16:02:11.34Z", true},
		{"atvm9-debian12.5.json", "", "", false},
		{"-2026-05-11T14-02-07-118Z.json", "", "", false},
		{"atvm9-2026-13-11T14-02-07-118Z.json", "", "", false},
		{"atvm9-2026-05-11T14:02:07.118Z.json", "", "", false},
		{"", "", "", false},
	}
	for _, tc := range tests {
		host, at, ok := ReporterStamp(tc.name)
		got := ""
		if ok {
			got = at.Format(time.RFC3339Nano)
		}
		if host != tc.host || got != tc.at || ok != tc.ok {
			t.Errorf("%q: got %q %q %v, want %q %q %v", tc.name, host, got, ok, tc.host, tc.at, tc.ok)
		}
	}
}

func BenchmarkParseReporterJSON(b *testing.B) {
	data := artifactFixture(b, "reporter/atvm121-ubuntu24.04/atvm121-ubuntu24.04-2026-04-29T16-02-11-340Z.json")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseReporterJSON("x.json", artifactMtime, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseReporterTXT(b *testing.B) {
	data := artifactFixture(b, "reporter/atvm72-redhat8.10/atvm72-redhat8.10-2026-03-30T21-25-10-417Z.txt")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseReporterTXT("x.txt", artifactMtime, data); err != nil {
			b.Fatal(err)
		}
	}
}
