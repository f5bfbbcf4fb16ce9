package results

import "testing"

func TestScopeMachine_D25_NamesMapToScope(t *testing.T) {
	scope := []string{"atvm121-ubuntu24.04", "atvm72-redhat9.6", "atvm5-ubuntu22.04", "atvm12-ubuntu24", "atvm88-oracle8.10", "vm-a"}
	cases := []struct {
		name, in, want string
	}{
		{"spec basename with template prefix", "cmc-reboot-fc-atvm121-ubuntu24.04.ts", "atvm121-ubuntu24.04"},
		{"spec path", "cypress/e2e/generated/cmc-reboot-fc-atvm72-redhat9.6.ts", "atvm72-redhat9.6"},
		{"plain spec", "cypress/e2e/generated/atvm5-ubuntu22.04.ts", "atvm5-ubuntu22.04"},
		{"junit suite title", "atvm88-oracle8.10 cmc-reboot", "atvm88-oracle8.10"},
		{"testcase full title", "atvm88-oracle8.10 cmc-reboot 1. Verifying set up", "atvm88-oracle8.10"},
		{"wrapped row joined wrong", "atvm72-redhat9.6.ts.04", "atvm72-redhat9.6"},
		{"mochawesome html name cut at first dot", "cypress/cmcReporter/mochawesome/cmc-reboot-fc-atvm121-ubuntu24_pass_2026-11-17T094108-0500.html", "atvm121-ubuntu24.04"},
		{"mochawesome cut of a dotless version", "atvm88-oracle8_fail_2026-05-02T062600.html", "atvm88-oracle8.10"},
		{"longest match wins", "atvm12-ubuntu24.ts", "atvm12-ubuntu24"},
		{"reporter directory", "cypress/cmcReporter/logs/atvm5-ubuntu22.04/atvm5-ubuntu22.04-2026-05-11T14-02-07-118Z.json", "atvm5-ubuntu22.04"},
		{"running batch names one", "Running: cypress/e2e/generated/atvm5-ubuntu22.04.ts (1/3)", "atvm5-ubuntu22.04"},
		{"scope's own non-atvm name", "cypress/e2e/generated/vm-a.ts", "vm-a"},
		{"upper case", "ATVM5-UBUNTU22.04.ts", "atvm5-ubuntu22.04"},
		{"out of scope machine", "cmc-reboot-fc-atvm300-ubuntu22.04.ts", ""},
		{"same number, other version", "atvm121-ubuntu22.04.ts", ""},
		{"version continues the scope name", "atvm12-ubuntu24.10.ts", ""},
		{"inside a longer word", "xatvm5-ubuntu22.04.ts", ""},
		{"prefix of a number", "atvm5-ubuntu22.0", ""},
		{"no name", "", ""},
		{"bookkeeping spec", "cypress/e2e/check-xml-files.ts", ""},
		{"bare atvm number", "atvm121-.ts", ""},
		{"vm-a inside vm-ab", "vm-ab.ts", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := ScopeMachine(c.in, scope)
			if got != c.want || ok != (c.want != "") {
				t.Fatalf("ScopeMachine(%q) = %q, %v; want %q", c.in, got, ok, c.want)
			}
		})
	}
}

// D25: a cut name that two scope machines start with says neither.
func TestScopeMachine_D25_AmbiguousCutIsNoMatch(t *testing.T) {
	scope := []string{"atvm121-ubuntu24.04", "atvm121-ubuntu24.10"}
	if m, ok := ScopeMachine("atvm121-ubuntu24_pass_2026-11-17T094108-0500.html", scope); ok {
		t.Fatalf("got %q, want no match", m)
	}
	if m, ok := ScopeMachine("atvm121-ubuntu24.10.ts", scope); !ok || m != "atvm121-ubuntu24.10" {
		t.Fatalf("got %q %v", m, ok)
	}
	if _, ok := ScopeMachine("atvm121-ubuntu24.04.ts", nil); ok {
		t.Fatal("no scope maps nothing")
	}
}

// The atvm-only index finds what a search for every machine finds.
func TestScopeMachine_D25_IndexEqualsSearch(t *testing.T) {
	scope := []string{"atvm121-ubuntu24.04", "atvm72-redhat9.6", "atvm5-ubuntu22.04", "atvm12-ubuntu24", "atvm88-oracle8.10", "atvm1-a"}
	for _, name := range []string{"cmc-reboot-fc-atvm121-ubuntu24.04.ts", "atvm72-redhat9.6.ts.04", "atvm12-ubuntu24.ts", "atvm12-ubuntu24.10.ts",
		"x atvm1-a atvm12-ubuntu24", "atvm88-oracle8_fail.html", "ATVM5-UBUNTU22.04", "atvmatvm5-ubuntu22.04", "atvm1-a.", "atvm1-a-b"} {
		if got, want := scopeSearch(name, scope); got != want {
			t.Errorf("%q: index %q, search %q", name, got, want)
		}
	}
}

// scopeSearch is the plain reading of ScopeMachine: every machine looked
// for as a word, the longest kept, then the cut-token fallback.
func scopeSearch(name string, scope []string) (got, want string) {
	got, _ = ScopeMachine(name, scope)
	x := newScopeIndex(scope)
	x.atvm = false
	want, _ = x.match(name)
	return got, want
}

func FuzzScopeMachine(f *testing.F) {
	for _, s := range []string{"cmc-reboot-fc-atvm121-ubuntu24.04.ts", "atvm72-redhat9.6.ts.04", "atvm121-ubuntu24_pass.html", "atvm", "atvm1-", "atvm1-a.", ""} {
		f.Add(s)
	}
	scope := []string{"atvm121-ubuntu24.04", "atvm72-redhat9.6", "atvm1-a", "vm-a"}
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := ScopeMachine(s, scope)
		if ok != (m != "") {
			t.Fatalf("ok %v with %q", ok, m)
		}
		if ok && !inList(scope, m) {
			t.Fatalf("%q is not a scope machine", m)
		}
		atvm := []string{"atvm121-ubuntu24.04", "atvm72-redhat9.6", "atvm1-a", "atvm12-ubuntu24"}
		if got, want := scopeSearch(s, atvm); got != want {
			t.Fatalf("%q: index %q, search %q", s, got, want)
		}
	})
}
