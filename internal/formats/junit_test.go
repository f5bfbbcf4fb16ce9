package formats

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// realJUnit builds, from the same data the generator used, the file
// mocha-junit-reporter 2.2.1 wrote for one host (see results/testdata/real).
func realJUnit(vm, spec string, start time.Time, ms int64, failAt int, msg string) []byte {
	const steps = 40
	ran := steps
	if failAt > 0 {
		ran = failAt
	}
	per := ms / int64(ran)
	title := vm + " cmc-reboot"
	inner := JUnitSuite{Name: title, Timestamp: start, Tests: steps, TimeS: float64(ms) / 1000}
	for n := 1; n <= ran; n++ {
		d := per
		if n == ran {
			d = ms - per*int64(ran-1)
		}
		name := fmt.Sprintf("%d. Reboot validation step %d", n, n)
		switch n {
		case 1:
			name = "1. Verifying set up"
		case 37:
			name = "37. Write diskname2Reboot file and md5 after reboot"
		case 38:
			name = "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)"
		}
		c := JUnitCase{Name: title + " " + name, Classname: name, TimeS: float64(d) / 1000}
		if n == failAt {
			c.Failure = &JUnitFailure{Message: msg, Type: "CypressError"}
		}
		inner.Cases = append(inner.Cases, c)
	}
	root := JUnitSuite{Name: "Root Suite", Timestamp: start, File: "cypress/e2e/generated/" + spec}
	fails, pending := 0, 0
	if failAt > 0 {
		fails, pending = 1, steps-failAt
	}
	return JUnit(float64(ms)/1000, fails, pending, []JUnitSuite{root, inner})
}

// R1: for a passing host, the writer's bytes — and so the [hash] file name —
// are those mocha-junit-reporter 2.2.1 wrote; for a failing one, every line
// but the CDATA body (mocha filters the stack first).
func TestJUnit_R1_MatchesRealReporter(t *testing.T) {
	dir := "../../results/testdata/real/reboot-5vm/atvm/cypress/results"
	find := func(spec string) (string, []byte) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), `file="cypress/e2e/generated/`+spec+`"`) {
				return e.Name(), b
			}
		}
		t.Fatalf("no real JUnit for %s", spec)
		return "", nil
	}
	name, real := find("atvm9-debian12.5.ts")
	// The generator's virtual clock started atvm9 at 17:34:08 UTC.
	got := realJUnit("atvm9-debian12.5", "atvm9-debian12.5.ts", time.Date(2026, 11, 17, 17, 34, 8, 0, time.UTC), 1876000, 0, "")
	if string(got) != string(real) {
		t.Fatalf("bytes differ: %s", firstDiff(string(got), string(real)))
	}
	if JUnitFileName(got) != name {
		t.Errorf("file name %s, real %s", JUnitFileName(got), name)
	}
	msg := "`cy.task('sshExec')` failed with the following error:\n\n> ssh: connect to host 10.20.30.88 port 22: Connection refused\n\nhttps://on.cypress.io/api/task"
	_, real = find("cmc-reboot-fc-atvm88-oracle8.10.ts")
	got = realJUnit("atvm88-oracle8.10", "cmc-reboot-fc-atvm88-oracle8.10.ts", time.Date(2026, 11, 17, 18, 5, 44, 0, time.UTC), 95000, 1, msg)
	cut := func(b []byte) string {
		s := string(b)
		i, j := strings.Index(s, "<![CDATA["), strings.Index(s, "]]>")
		return s[:i] + s[j:]
	}
	if cut(got) != cut(real) {
		t.Fatalf("bytes outside CDATA differ: %s", firstDiff(cut(got), cut(real)))
	}
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n got  %q\n real %q", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d lines, real %d", len(la), len(lb))
}
