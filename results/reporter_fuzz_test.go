package results

import "testing"

func FuzzReporterJSON(f *testing.F) {
	addFixtureSeeds(f, "reporter/*/*.json")
	f.Add([]byte(`{"metadata":{"host":"h"},"events":[["t","error","x"],{"type":"run:end"},{"type":"test:end","message":"passed","severity":"success","test":"1"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := ParseReporterJSON("atvm9-debian12.5-2026-05-11T14-02-07-118Z.json", artifactMtime, data)
		if err == nil {
			checkEvidenceInvariants(t, ev)
		}
	})
}

func FuzzReporterTXT(f *testing.F) {
	addFixtureSeeds(f, "reporter/*/*.txt")
	f.Add([]byte("host: h\n\n[2026-05-11T14:02:07.118Z] TEST FAIL  1. x\n      Error: y\n=== finished 2026-05-11T14:03:44.902Z: 1 passed, 0 failed, 0 pending ===\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := ParseReporterTXT("atvm9-debian12.5-2026-05-11T14-02-07-118Z.txt", artifactMtime, data)
		if err == nil {
			checkEvidenceInvariants(t, ev)
		}
	})
}
