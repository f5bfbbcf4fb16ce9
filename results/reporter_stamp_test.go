package results

import (
	"path"
	"regexp"
	"strings"
	"testing"
	"time"
)

// stampRE is the pattern the hand reader must agree with.
var stampRE = regexp.MustCompile(`^(.+)-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z(?:\.[A-Za-z0-9]+)?$`)

func stampByRE(name string) (string, time.Time, bool) {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	m := stampRE.FindStringSubmatch(base)
	if m == nil {
		return "", time.Time{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, m[2]+"T"+m[3]+":"+m[4]+":"+m[5]+"."+m[6]+"Z")
	if err != nil {
		return "", time.Time{}, false
	}
	return m[1], at.UTC(), true
}

func checkStamp(t *testing.T, name string) {
	t.Helper()
	h, at, ok := ReporterStamp(name)
	wh, wat, wok := stampByRE(name)
	if h != wh || !at.Equal(wat) || ok != wok {
		t.Fatalf("%q: %q %v %v, the pattern says %q %v %v", name, h, at, ok, wh, wat, wok)
	}
}

func TestReporterStamp_R1_AgreesWithThePattern(t *testing.T) {
	for _, name := range []string{
		"atvm81-redhat8.10-2026-03-30T19-01-00-000Z.txt",
		"logs/atvm9-debian12.5/atvm9-debian12.5-2026-05-11T14-02-07-118Z.json",
		`C:\logs\h-2026-05-11T14-02-07-118Z.json`,
		"h-2026-05-11T14-02-07-118Z",
		"h-2026-05-11T14-02-07-118Z.",
		"h-2026-05-11T14-02-07-118Z.t-x",
		"a-2026-05-11T14-02-07-118Z.Z",
		"-2026-05-11T14-02-07-118Z.json",
		"2026-05-11T14-02-07-118Z.json",
		"h-2026-13-11T14-02-07-118Z.json",
		"h-2026-05-11T14:02:07.118Z.json",
		"h-2026-05-11T14-02-07-118Z.json.txt",
		"h-2026-05-11T14-02-07-118Z-2026-05-12T14-02-07-118Z.txt",
		"h-٢٠٢٦-05-11T14-02-07-118Z.txt",
		"",
	} {
		checkStamp(t, name)
	}
}

func FuzzReporterStamp(f *testing.F) {
	f.Add("atvm81-redhat8.10-2026-03-30T19-01-00-000Z.txt")
	f.Add("a-2026-05-11T14-02-07-118Z.Z")
	f.Fuzz(func(t *testing.T, name string) { checkStamp(t, name) })
}
