package formats

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// realCode is the body mocha gave every test that ran in the real-tool
// generator (mochawesome's cleanCode of it).
const realCode = "advance(ms);\nif (n === h.failAt) {\n  const e = new Error(h.err);\n  e.name = \"CypressError\";\n" +
	"  e.stack = \"CypressError: \" + h.err + \"\\n    at Context.eval (webpack://cdc-e2e-cyp-12.17.4/./\" + specPath(h) + \":78:11)\";\n  throw e;\n}"

// realIDs are what a real report carries that no data decides: uuids and
// the virtual clock's start and end.
type realIDs struct {
	root, suite string
	tests       []string
	start, end  time.Time
}

func readRealReport(t *testing.T, path string) (raw string, ids realIDs) {
	t.Helper()
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := dataAttrRE.FindStringSubmatch(string(page))
	if m == nil {
		t.Fatalf("%s: no data-raw", path)
	}
	raw = strings.NewReplacer("&quot;", `"`, "&#x27;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(m[2])
	var rep MochawesomeReport
	if err := json.Unmarshal([]byte(raw), &rep); err != nil {
		t.Fatal(err)
	}
	s := rep.Results[0].Suites[0]
	ids = realIDs{root: rep.Results[0].UUID, suite: s.UUID}
	for _, tt := range s.Tests {
		ids.tests = append(ids.tests, tt.UUID)
	}
	ids.start, _ = time.Parse(time.RFC3339, rep.Stats.Start)
	ids.end, _ = time.Parse(time.RFC3339, rep.Stats.End)
	return raw, ids
}

// realRun is, from the generator's data, the run mochawesome 8.1.1 saw.
func realRun(vm, spec string, ms int64, failAt int, msg string, ids realIDs) MochawesomeRun {
	const steps = 40
	ran := steps
	if failAt > 0 {
		ran = failAt
	}
	per := ms / int64(ran)
	r := MochawesomeRun{Spec: "cypress/e2e/generated/" + spec, Title: vm + " cmc-reboot", Start: ids.start, End: ids.end, DurationMS: ms,
		RootUUID: ids.root, SuiteUUID: ids.suite, SlowMS: 10000, TimeoutMS: 0, MochaVersion: "11.8.0", MochawesomeVersion: "8.1.1", MargeVersion: "6.3.2",
		Mochawesome: MochawesomeOptions{ReportFilename: "[name]_[status]", SaveHTML: true, ConsoleReporter: "spec", Code: true},
		Marge: MargeOptions{ID: "default", ReportDir: "cypress/cmcReporter/mochawesome", ReportFilename: "[name]_[status]",
			Timestamp: "isoDateTime", HTML: true}}
	for n := 1; n <= steps; n++ {
		title := fmt.Sprintf("%d. Reboot validation step %d", n, n)
		switch n {
		case 1:
			title = "1. Verifying set up"
		case 37:
			title = "37. Write diskname2Reboot file and md5 after reboot"
		case 38:
			title = "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)"
		}
		c := MochawesomeCase{Title: title, State: "passed", DurationMS: per, Code: realCode, UUID: ids.tests[n-1]}
		switch {
		case n > ran:
			c.State, c.DurationMS, c.Code = "pending", 0, ""
		case n == ran:
			c.DurationMS = ms - per*int64(ran-1)
			if n == failAt {
				c.State = "failed"
				full := "CypressError: " + msg
				c.Err = &MochawesomeFailure{Message: full, Estack: full + "\n    at Context.eval (webpack://cdc-e2e-cyp-12.17.4/./" + r.Spec + ":78:11)"}
			}
		}
		r.Tests = append(r.Tests, c)
	}
	return r
}

// R7: for the generator's data (with the uuids and clock the real run
// drew), the report JSON is byte for byte the one mochawesome 8.1.1 wrote.
func TestMochawesomeJSON_R7_MatchesRealMochawesome(t *testing.T) {
	const md5Err = "`cy.exec('sshpass -e ssh -o StrictHostKeyChecking=no root@10.20.30.72 \"md5sum -c /root/tmp/fcDisk/diskname2Reboot.md5\"')` failed because the command exited with a non-zero code.\n\n" +
		"Pass `{failOnNonZeroExit: false}` to ignore exit code failures.\n\nInformation about the failure:\nCode: 1\n\nStderr:\n" +
		"md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory\n\nhttps://on.cypress.io/exec"
	const sshErr = "`cy.task('sshExec')` failed with the following error:\n\n> ssh: connect to host 10.20.30.88 port 22: Connection refused\n\nhttps://on.cypress.io/api/task"
	dir := "../../results/testdata/real/reboot-5vm/atvm/cypress/cmcReporter/mochawesome"
	for _, h := range []struct {
		file, vm, spec string
		ms             int64
		failAt         int
		msg            string
	}{
		{"cmc-reboot-fc-atvm121-ubuntu24_pass_2026-11-17T101608-0500.html", "atvm121-ubuntu24.04", "cmc-reboot-fc-atvm121-ubuntu24.04.ts", 2100000, 0, ""},
		{"cmc-reboot-fc-atvm72-redhat9_fail_2026-11-17T104808-0500.html", "atvm72-redhat9.6", "cmc-reboot-fc-atvm72-redhat9.6.ts", 1900000, 38, md5Err},
		{"atvm5-ubuntu22_pass_2026-11-17T123348-0500.html", "atvm5-ubuntu22.04", "atvm5-ubuntu22.04.ts", 6320000, 0, ""},
		{"atvm9-debian12_pass_2026-11-17T130524-0500.html", "atvm9-debian12.5", "atvm9-debian12.5.ts", 1876000, 0, ""},
		{"cmc-reboot-fc-atvm88-oracle8_fail_2026-11-17T130719-0500.html", "atvm88-oracle8.10", "cmc-reboot-fc-atvm88-oracle8.10.ts", 95000, 1, sshErr},
	} {
		t.Run(h.vm, func(t *testing.T) {
			real, ids := readRealReport(t, filepath.Join(dir, h.file))
			if len(ids.tests) != 40 {
				t.Fatalf("%d tests in the real report", len(ids.tests))
			}
			got := string(realRun(h.vm, h.spec, h.ms, h.failAt, h.msg, ids).JSON())
			if got != real {
				t.Fatalf("report differs: %s", firstDiff(strings.ReplaceAll(got, ",", ",\n"), strings.ReplaceAll(real, ",", ",\n")))
			}
		})
	}
}

// R7: a test's err is {} unless it failed, even with an empty message.
func TestMochawesomeJSON_R7_ErrShapes(t *testing.T) {
	r := MochawesomeRun{Spec: "s.ts", Title: "vm t", SlowMS: 10000, Tests: []MochawesomeCase{
		{Title: "1", State: "passed", DurationMS: 6000, UUID: "a"},
		{Title: "2", State: "failed", DurationMS: 10, UUID: "b", Err: &MochawesomeFailure{}},
		{Title: "3", State: "pending", DurationMS: 99, UUID: "c"},
	}}
	js := string(r.JSON())
	for _, want := range []string{
		`"state":"passed","speed":"medium","pass":true`,
		`"state":"failed","pass":false,"fail":true,"pending":false,"code":"","err":{"message":"","estack":""}`,
		`"duration":0,"state":"pending","pass":false,"fail":false,"pending":true,"code":"","err":{}`,
		`"passPercent":50,"pendingPercent":33.33333333333333`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("report lacks %s\n%s", want, js)
		}
	}
}
