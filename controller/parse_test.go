package controller

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
)

func TestParseSpecPattern_P16(t *testing.T) {
	cases := []struct {
		name    string
		src     string
		want    []string
		wantErr string
	}{
		{"list", "export default defineConfig({ e2e: { specPattern: [\n \"cypress/e2e/generated/atvm9-debian12.5.ts\",\n 'cypress/e2e/generated/atvm71-redhat9.1.ts',\n ], }, });",
			[]string{"cypress/e2e/generated/atvm9-debian12.5.ts", "cypress/e2e/generated/atvm71-redhat9.1.ts"}, ""},
		{"single string", `module.exports = { e2e: { specPattern: "cypress/e2e/generated/a.ts" } }`, []string{"cypress/e2e/generated/a.ts"}, ""},
		{"commented-out pattern ignored", "// specPattern: ['old.ts']\n/* specPattern: [\"older.ts\"] */\nspecPattern: [`new.ts`]", []string{"new.ts"}, ""},
		{"quoted key", `{"e2e": {"specPattern": ["x.ts"]}}`, []string{"x.ts"}, ""},
		{"longer identifier not taken", "excludeSpecPattern: ['no.ts'], specPattern: ['yes.ts']", []string{"yes.ts"}, ""},
		{"empty list", "specPattern: []", nil, ""},
		{"missing", "export default {}", nil, "no specPattern"},
		{"unterminated", "specPattern: ['a.ts'", nil, "unterminated"},
		{"computed", "specPattern: `cypress/${dir}/*.ts`", nil, "cannot be read"},
		{"not a string", "specPattern: getSpecs()", nil, "want a quoted string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSpecPattern([]byte(tc.src))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q want %q", got, tc.want)
			}
		})
	}
}

func TestVMOfSpec(t *testing.T) {
	for in, want := range map[string]string{
		"cypress/e2e/generated/atvm9-debian12.5.ts": "atvm9-debian12.5",
		"atvm121-ubuntu24.04.cy.ts":                 "atvm121-ubuntu24.04",
		"/abs/atvm5-ubuntu22.04.js":                 "atvm5-ubuntu22.04",
	} {
		if got := VMOfSpec(in); got != want {
			t.Errorf("%s: got %s want %s", in, got, want)
		}
	}
}

func TestRedact_D17_KeysAndPasswords(t *testing.T) {
	cases := []struct{ in, want string }{
		{"npx cypress-cloud run --ci-build-id b --key s3cr3t --parallel", "npx cypress-cloud run --ci-build-id b --key [REDACTED] --parallel"},
		{"cypress-cloud --key=abc123 --record", "cypress-cloud --key=[REDACTED] --record"},
		{"sshpass -p 'pa ss' ssh root@10.0.0.1 md5sum", "sshpass -p [REDACTED] ssh root@10.0.0.1 md5sum"},
		{"sshpass -pHunter2 ssh x", "sshpass -p[REDACTED] ssh x"},
		{"sshpass -v -p hunter2 ssh x", "sshpass -v -p [REDACTED] ssh x"},
		{"CYPRESS_RECORD_KEY=abc npx cypress run", "CYPRESS_RECORD_KEY=[REDACTED] npx cypress run"},
		{"env CURRENTS_API_KEY=abc123 npx cypress-cloud", "env CURRENTS_API_KEY=[REDACTED] npx cypress-cloud"},
		{"cypress-cloud run --key=abc123 --key s3cr3t", "cypress-cloud run --key=[REDACTED] --key [REDACTED]"},
		{"sshpass -e ssh root@h", "sshpass -e ssh root@h"},
		{"python3 ./run-sorry-cypress.py --build_name keystone", "python3 ./run-sorry-cypress.py --build_name keystone"},
		{"scp -p file host:", "scp -p file host:"},
	}
	for _, tc := range cases {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
		for _, secret := range []string{"s3cr3t", "abc123", "pa ss", "Hunter2", "hunter2"} {
			if strings.Contains(Redact(tc.in), secret) {
				t.Errorf("%q leaks %q", Redact(tc.in), secret)
			}
		}
	}
}

// psSnapshot is a hung run as ps shows it: the runner lingers after the
// upload, its cypress-cloud child is defunct.
const psSnapshot = `    PID    PPID STAT  ELAPSED COMMAND
      1       0 Ss       9000 /sbin/init
   4100       1 Ss       5000 /bin/sh -c ex=$1; shift; "$@" runner /tmp/b.exit python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name reboot-redhat8.10-both
   4101    4100 S        5000 python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name reboot-redhat8.10-both
   4102    4101 Z        4990 [npm exec cypress] <defunct>
   4200       1 S         100 npx cypress-cloud run --ci-build-id other --key s3cr3t
`

func TestInspect_W4_ParseHungSnapshot(t *testing.T) {
	stat := "4100 (sh) S 1 4100 4100 0 -1 4194560 500 0 0 0 1 2 0 0 20 0 1 0 777123 2000000 200 18446744073709551615"
	out := "@@clock\n1777000000.500000000\n@@stat\n" + stat + "\n\n@@exit\n\n@@log\n52231 1776998000.250000000\n@@ps\n" + psSnapshot
	in, err := parseInspection([]byte(out), RunRef{Build: "reboot-redhat8.10-both", RunnerPID: 4100, RunnerStart: 777123})
	if err != nil {
		t.Fatal(err)
	}
	if !in.RunnerAlive || in.ExitCode != nil || len(in.Defunct) != 1 || in.Defunct[0].PID != 4102 || len(in.CypressCloud) != 0 {
		t.Fatalf("inspection %+v", in)
	}
	for _, p := range in.PS {
		if strings.Contains(p.Args, "s3cr3t") {
			t.Errorf("ps line kept a secret: %q", p.Args)
		}
	}
	if hung, why := in.Hung(true, 20*time.Minute); !hung {
		t.Errorf("want HUNG (log idle 2000 s > 20 min): %s", why)
	}
	if hung, _ := in.Hung(true, time.Hour); hung {
		t.Error("HUNG inside the grace period")
	}
	// same pid, another start time: pid reused, not our runner
	other, _ := parseInspection([]byte(out), RunRef{RunnerPID: 4100, RunnerStart: 1})
	if other.RunnerAlive {
		t.Error("a reused pid counted as the runner")
	}
	golden(t, "inspect_hung.json", in)
}

func TestHung_D3_Conditions(t *testing.T) {
	now := time.Unix(1777000000, 0)
	base := Inspection{Now: now, RunnerAlive: true, LogSize: 10, LogMtime: now.Add(-30 * time.Minute)}
	cases := []struct {
		name     string
		in       Inspection
		finished bool
		want     bool
		why      string
	}{
		{"all conditions", base, true, true, "lingers"},
		{"runner gone", func() Inspection { i := base; i.RunnerAlive = false; return i }(), true, false, "not alive"},
		{"scope not finished (a categorized parent between groups)", base, false, false, "not finished"},
		{"cypress-cloud still working", func() Inspection {
			i := base
			i.CypressCloud = []results.Process{{PID: 9, Args: "cypress-cloud"}}
			return i
		}(), true, false, "still running"},
		{"log still growing", func() Inspection { i := base; i.LogMtime = now.Add(-time.Minute); return i }(), true, false, "log grew"},
	}
	for _, tc := range cases {
		got, why := tc.in.Hung(tc.finished, 20*time.Minute)
		if got != tc.want || !strings.Contains(why, tc.why) {
			t.Errorf("%s: got %v (%s), want %v (%s)", tc.name, got, why, tc.want, tc.why)
		}
	}
}

func TestParseListing(t *testing.T) {
	out := "noise from a login script\n@@clock 1777000000.123456789\n" +
		"0\t1777000001.5000000000\t120\ttest-result-ab.xml\x00" +
		"2\t1777000002.25\t7\tatvm9/atvm9-2026.txt\x00" +
		"3\t1777000003\t9\t\x00" +
		"9\t1\t1\tout-of-range\x00" + "garbage\x00"
	now, files, err := ParseListing([]byte(out), []string{"/r/cypress/results", "/r/m", "/r/logs", "/tmp/b.log"})
	if err != nil {
		t.Fatal(err)
	}
	if now.UnixNano() != 1777000000123456789 {
		t.Errorf("clock %d", now.UnixNano())
	}
	want := []Listed{
		{"/r/cypress/results/test-result-ab.xml", 120, 1777000001500000000},
		{"/r/logs/atvm9/atvm9-2026.txt", 7, 1777000002250000000},
		{"/tmp/b.log", 9, 1777000003000000000},
	}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("got %+v\nwant %+v", files, want)
	}
}

// parseBytes runs the stream parser over a whole output, into memory.
func parseBytes(out []byte, n int) ([]fileData, *memSink, error) {
	reqs := make([]streamReq, n)
	for i := range reqs {
		reqs[i] = streamReq{path: fmt.Sprintf("/f%d", i), cap: 1 << 40}
	}
	sink := &memSink{}
	files, err := parseStream(bufio.NewReader(bytes.NewReader(out)), reqs, sink, nil)
	return files, sink, err
}

func TestParseStream(t *testing.T) {
	out := "motd\nATVMSTREAM2\nF 1 5 8 99\nC 2\nabC 1\ncZ\nM 0\nF 2 0 0 1\nZ\nE\n"
	got, sink, err := parseBytes([]byte(out), 3)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].found || !got[1].found || string(sink.data("/f1")) != "abc" || got[1].n != 3 || got[1].offset != 5 || got[1].size != 8 || !got[2].found {
		t.Errorf("got %+v", got)
	}
	for _, bad := range []string{"F 0 0 1 1\nC 1\na", "ATVMSTREAM2\nF 0 0 10 1\nC 10\nabc\nZ\nE\n", "ATVMSTREAM2\nF 5 0 0 0\nZ\nE\n",
		"ATVMSTREAM2\nX\n", "ATVMSTREAM2\nF 0 0 1 1\nC 1\na", "ATVMSTREAM2\nF 0 0 1 1\nC -1\nZ\nE\n", "ATVMSTREAM2\nF 0 0 1 1\nZ\n"} {
		if _, _, err := parseBytes([]byte(bad), 1); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file:\n%s", name, got)
	}
}

func FuzzParseSpecPattern(f *testing.F) {
	for _, s := range []string{"specPattern: ['a.ts', \"b.ts\"]", "specPattern: `x`", "/* */ specPattern: [", "\"specPattern\": \"a\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseSpecPattern(b)
		if err == nil {
			for _, s := range got {
				if !strings.Contains(string(b), firstRune(s)) {
					t.Fatalf("entry %q not from the input", s)
				}
			}
		}
	})
}

func firstRune(s string) string {
	for _, r := range s {
		if r == '\n' || r == '\t' {
			return ""
		}
		return string(r)
	}
	return ""
}

func FuzzParseListing(f *testing.F) {
	f.Add([]byte("@@clock 1777000000.1\n0\t1.5\t3\ta\x002\t2\t4\tb/c\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, files, err := ParseListing(b, []string{"/a", "/b", "/c"})
		if err != nil {
			return
		}
		for _, l := range files {
			if l.Size < 0 || !strings.HasPrefix(l.Path, "/") {
				t.Fatalf("bad record %+v", l)
			}
		}
	})
}

func FuzzParseStream(f *testing.F) {
	f.Add([]byte("ATVMSTREAM2\nF 0 0 3 1\nC 3\nabcZ\nM 1\nX 1 9 9\nE\n"), 2)
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		if n < 0 || n > 1000 {
			return
		}
		files, sink, err := parseBytes(b, n)
		if err != nil {
			return
		}
		if len(files) != n {
			t.Fatalf("%d files for %d requests", len(files), n)
		}
		for i, f := range files {
			if d := sink.data(fmt.Sprintf("/f%d", i)); int64(len(d)) > int64(len(b)) || int64(len(d)) != f.n {
				t.Fatalf("file %d: %d bytes, n %d, input %d", i, len(d), f.n, len(b))
			}
		}
	})
}
