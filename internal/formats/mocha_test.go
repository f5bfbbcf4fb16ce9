package formats

import (
	"fmt"
	"strings"
	"testing"
)

// The fixture's five hosts as its generator ran them: 40 reboot steps,
// the time split evenly over the steps run, steps after a failure pending.
var realMocha = []struct {
	vm, spec, report string
	ms               int64
	failAt           int
	err              string
}{
	{"atvm121-ubuntu24.04", "cmc-reboot-fc-atvm121-ubuntu24.04.ts", "cmc-reboot-fc-atvm121-ubuntu24_pass_2026-11-17T101608-0500.html", 2100000, 0, ""},
	{"atvm72-redhat9.6", "cmc-reboot-fc-atvm72-redhat9.6.ts", "cmc-reboot-fc-atvm72-redhat9_fail_2026-11-17T104808-0500.html", 1900000, 38,
		"`cy.exec('sshpass -e ssh -o StrictHostKeyChecking=no root@10.20.30.72 \"md5sum -c /root/tmp/fcDisk/diskname2Reboot.md5\"')` failed because the command exited with a non-zero code.\n\nPass `{failOnNonZeroExit: false}` to ignore exit code failures.\n\nInformation about the failure:\nCode: 1\n\nStderr:\nmd5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory\n\nhttps://on.cypress.io/exec"},
	{"atvm5-ubuntu22.04", "atvm5-ubuntu22.04.ts", "atvm5-ubuntu22_pass_2026-11-17T123348-0500.html", 6320000, 0, ""},
	{"atvm9-debian12.5", "atvm9-debian12.5.ts", "atvm9-debian12_pass_2026-11-17T130524-0500.html", 1876000, 0, ""},
	{"atvm88-oracle8.10", "cmc-reboot-fc-atvm88-oracle8.10.ts", "cmc-reboot-fc-atvm88-oracle8_fail_2026-11-17T130719-0500.html", 95000, 1,
		"`cy.task('sshExec')` failed with the following error:\n\n> ssh: connect to host 10.20.30.88 port 22: Connection refused\n\nhttps://on.cypress.io/api/task"},
}

func realMochaSpec(i int) CypressSpec {
	h := realMocha[i]
	s := CypressSpec{Path: "cypress/e2e/generated/" + h.spec, Title: h.vm + " cmc-reboot", DurationMS: h.ms,
		Report: "/root/cdc-e2e-cyp-12.17.4/cypress/cmcReporter/mochawesome/" + h.report}
	ran := 40
	if h.failAt > 0 {
		ran = h.failAt
		s.Err = &CypressErr{Text: "CypressError: " + h.err, Frames: "    at Context.eval (webpack://cdc-e2e-cyp-12.17.4/./" + s.Path + ":78:11)"}
	}
	for n := 1; n <= 40; n++ {
		title := fmt.Sprintf("%d. Reboot validation step %d", n, n)
		switch n {
		case 1:
			title = "1. Verifying set up"
		case 37:
			title = "37. Write diskname2Reboot file and md5 after reboot"
		case 38:
			title = "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)"
		}
		t := CypressTest{Title: title, State: "passed", DurationMS: h.ms / int64(ran)}
		switch {
		case n == h.failAt:
			t.State = "failed"
		case n > ran:
			t.State, t.DurationMS = "pending", 0
		}
		s.Tests = append(s.Tests, t)
	}
	return s
}

// realMochaOutput is one spec's mocha lines with the shared writer.
func realMochaOutput(env CypressEnv, s CypressSpec) string {
	out := MochaSpecStart(env, s.Title)
	fail := 0
	for _, t := range s.Tests {
		if t.State == "failed" {
			fail++
		}
		out += CypressTestLine(env, t, fail)
	}
	return out + MochaSpecEnd(env, s)
}

// a.4 (real): with mochawesome's console reporter beside the spec
// reporter, each spec's mocha output, failure blocks included, is the
// real reporters' bytes: every line twice, the epilogue twice, then
// mochawesome's saved line.
func TestMochaSpec_MochawesomeConsoleMatchesRealLog(t *testing.T) {
	log := realLog(t)
	env := CypressEnv{MochawesomeConsole: true}
	for i, h := range realMocha {
		t.Run(h.vm, func(t *testing.T) {
			got := realMochaOutput(env, realMochaSpec(i))
			if !strings.Contains(log, got) {
				t.Errorf("not in the real log as written:\n%s", got)
			}
			if n := strings.Count(got, "  1) "+h.vm+" cmc-reboot\n"); n != 2*min(h.failAt, 1) {
				t.Errorf("the failure block appears %d times", n)
			}
		})
	}
}

// The whole real log is cypress-cloud's lines around the specs' mocha
// output, nothing else: no byte of it is left unwritten.
func TestMochaSpec_WholeRealLog(t *testing.T) {
	env := CypressEnv{MochawesomeConsole: true}
	const url = "https://app.currents.dev/run/5e1f07a9c2d4b318"
	var paths []string
	for _, h := range realMocha {
		paths = append(paths, "cypress/e2e/generated/"+h.spec)
	}
	var b strings.Builder
	b.WriteString(CloudHeader("file:///root/cdc-e2e-cyp-12.17.4/currents.config.js", 5, 3, url))
	for _, batch := range [][2]int{{0, 3}, {3, 5}} {
		b.WriteString(CloudDivider + CloudRunning(paths[batch[0]:batch[1]], batch[1], 5))
		for i := batch[0]; i < batch[1]; i++ {
			b.WriteString(realMochaOutput(env, realMochaSpec(i)))
		}
		b.WriteString(CloudReporting)
	}
	b.WriteString(CloudDivider + CloudFinished(SummaryTable(realRows), url))
	if got, want := b.String(), realLog(t); got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d: got %q, want %q", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%d lines, want %d", len(gl), len(wl))
	}
}

// Without mochawesome's console reporter the output is the spec reporter's
// alone, as Cypress 12 prints it.
func TestMochaSpec_SingleReporter(t *testing.T) {
	s := realMochaSpec(1)
	got := realMochaOutput(CypressEnv{}, s)
	for _, c := range []struct {
		what string
		n    int
	}{{"  atvm72-redhat9.6 cmc-reboot\n", 1}, {"  1) atvm72-redhat9.6 cmc-reboot\n", 1}, {"    ✓ 1. Verifying set up (50000ms)\n", 1}, {"  37 passing (32m)\n", 1}, {"[mochawesome]", 0}, {"✔", 0}} {
		if n := strings.Count(got, c.what); n != c.n {
			t.Errorf("%q appears %d times, want %d", c.what, n, c.n)
		}
	}
	if !strings.HasPrefix(got, "\n\n  atvm72-redhat9.6 cmc-reboot\n    ✓ 1.") {
		t.Errorf("start: %q", got[:60])
	}
}
