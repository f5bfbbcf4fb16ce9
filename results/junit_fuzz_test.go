package results

import (
	"os"
	"path/filepath"
	"testing"
)

// addFixtureSeeds seeds a fuzz target with every fixture of one kind.
func addFixtureSeeds(f *testing.F, glob string) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", glob))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds for %s: %v", glob, err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzJUnit(f *testing.F) {
	addFixtureSeeds(f, "junit/*.xml")
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><testsuites><testsuite name="a b"><testcase name="a b c" classname="c"><failure message="m" type="E"><![CDATA[E: m]]></failure></testcase><testcase name="a b d"><skipped/></testcase></testsuite></testsuites>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := ParseJUnit("test-result-x.xml", artifactMtime, data)
		if err != nil {
			if len(evs) != 0 {
				t.Fatalf("error with evidence: %v", err)
			}
			return
		}
		if len(evs) == 0 {
			t.Fatal("no error and no evidence")
		}
		for _, ev := range evs {
			checkEvidenceInvariants(t, ev)
		}
	})
}
