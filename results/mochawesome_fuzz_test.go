package results

import "testing"

func FuzzMochawesome(f *testing.F) {
	addFixtureSeeds(f, "mochawesome/*.html")
	f.Add([]byte(`<body data-raw="{&quot;stats&quot;:{&quot;end&quot;:&quot;x&quot;},&quot;results&quot;:[{&quot;file&quot;:&quot;a.ts&quot;,&quot;tests&quot;:[{&quot;title&quot;:&quot;1&quot;,&quot;state&quot;:&quot;passed&quot;,&quot;err&quot;:{}}]}]}">`))
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := ParseMochawesome("x.html", artifactMtime, data)
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
