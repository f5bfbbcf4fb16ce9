package formats

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the controller's zone, whatever the machine has
)

var dataAttrRE = regexp.MustCompile(`data-(raw|config)="([^"]*)"`)

// R7: marge's page and file names, against the reports mochawesome 8.1.1
// and marge 6.3.2 wrote (results/testdata/real): the page rebuilt from its
// own JSON is the same bytes; the name ends in the zone's UTC offset.
func TestMochawesome_R7_MatchesRealMarge(t *testing.T) {
	dir := "../../results/testdata/real/reboot-5vm/atvm/cypress/cmcReporter/mochawesome"
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// Each report was written 1 s before its file's mtime in the fixture,
	// at the spec's end on the generator's clock.
	names := []struct {
		spec   string
		failed bool
		at     string
	}{
		{"cypress/e2e/generated/cmc-reboot-fc-atvm121-ubuntu24.04.ts", false, "2026-11-17T15:16:08Z"},
		{"cypress/e2e/generated/cmc-reboot-fc-atvm72-redhat9.6.ts", true, "2026-11-17T15:48:08Z"},
		{"cypress/e2e/generated/atvm5-ubuntu22.04.ts", false, "2026-11-17T17:33:48Z"},
		{"cypress/e2e/generated/atvm9-debian12.5.ts", false, "2026-11-17T18:05:24Z"},
		{"cypress/e2e/generated/cmc-reboot-fc-atvm88-oracle8.10.ts", true, "2026-11-17T18:07:19Z"},
	}
	unescape := strings.NewReplacer("&quot;", `"`, "&#x27;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&")
	for _, n := range names {
		at, _ := time.Parse(time.RFC3339, n.at)
		name := MochawesomeFileName("[name]_[status]", n.spec, n.failed, true, at, ny)
		real, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v (the name marge gave differs)", name, err)
		}
		m := dataAttrRE.FindAllStringSubmatch(string(real), -1)
		if len(m) != 2 {
			t.Fatalf("%s: %d data attributes", name, len(m))
		}
		got := MochawesomeHTML([]byte(unescape.Replace(m[0][2])), []byte(unescape.Replace(m[1][2])))
		if string(got) != string(real) {
			t.Errorf("%s: page differs from marge's", name)
		}
	}
}

func TestMochawesomeFileName_R7_Tokens(t *testing.T) {
	at := time.Date(2026, 5, 2, 13, 41, 53, 0, time.UTC)
	edt := time.FixedZone("EDT", -4*3600)
	cases := []struct {
		pattern, spec string
		failed, ts    bool
		want          string
	}{
		{"[name]", "cypress/e2e/generated/atvm121-ubuntu24.04.ts", false, false, "atvm121-ubuntu24.html"},
		{"[name]_[status]", "atvm71-redhat9.1.ts", true, true, "atvm71-redhat9_fail_2026-05-02T094153-0400.html"},
		{"[name]_[status]_[datetime]", "atvm71-redhat9.1.ts", false, true, "atvm71-redhat9_pass_2026-05-02T094153-0400.html"},
		{"", "", false, false, "mochawesome.html"},
	}
	for _, c := range cases {
		if got := MochawesomeFileName(c.pattern, c.spec, c.failed, c.ts, at, edt); got != c.want {
			t.Errorf("%q %q: %q, want %q", c.pattern, c.spec, got, c.want)
		}
	}
}
