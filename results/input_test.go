package results

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/atvm/atvmbot/internal/synth"
)

func TestClassifyPath_R1(t *testing.T) {
	for p, want := range map[string]string{
		"cypress/results/test-result-01fe412894862398d06d9cc4bc7e81a0.xml":                         KindJUnit,
		"/root/cdc-e2e-cyp-12.17.4/cypress/results/test-result-e2e-x.xml":                          KindJUnit,
		"cypress/results/other.xml":                                                                KindUnknown,
		"cypress/cmcReporter/mochawesome/atvm121-ubuntu24_fail_2026-05-02T094153.html":             KindMochawesome,
		"cypress/cmcReporter/logs/atvm9-debian12.5/atvm9-debian12.5-2026-05-11T14-02-07-118Z.json": KindReporterJSON,
		"cypress/cmcReporter/logs/atvm9-debian12.5/atvm9-debian12.5-2026-05-11T14-02-07-118Z.txt":  KindReporterTXT,
		"cypress/cmcReporter/logs/stray.json":                                                      KindUnknown,
		"cypress/e2e/generated/atvm9-debian12.5.ts":                                                KindSpec,
		"cypress.atvm-config-gold.ts":                                                              KindConfig,
		"node_modules/x/index.js":                                                                  KindUnknown,
	} {
		if got := ClassifyPath(p); got != want {
			t.Errorf("ClassifyPath(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestConfigSpecPattern_R2(t *testing.T) {
	got := ConfigSpecPattern(synth.ConfigTS([]string{"cypress/e2e/generated/a.ts", "cypress/e2e/generated/b.ts"}))
	if !reflect.DeepEqual(got, []string{"cypress/e2e/generated/a.ts", "cypress/e2e/generated/b.ts"}) {
		t.Fatalf("specPattern = %v", got)
	}
	if got := ConfigSpecPattern([]byte(`e2e: { specPattern: 'cypress/e2e/generated/c.ts' }`)); !reflect.DeepEqual(got, []string{"cypress/e2e/generated/c.ts"}) {
		t.Fatalf("single = %v", got)
	}
	if got := ConfigSpecPattern([]byte("no pattern")); got != nil {
		t.Fatalf("none = %v", got)
	}
}

func TestParseInventory_R12(t *testing.T) {
	inv := ParseInventory([]byte("# VMs\n\n| Host | OS | Kernel version |\n|---|---|---|\n| `atvm71-redhat9.1` | RHEL | 5.14.0-162.el9 |\n| atvm5-ubuntu22.04 | Ubuntu |  |\n\ntext\n| a | b |\n"))
	if !reflect.DeepEqual(inv, map[string]string{"atvm71-redhat9.1": "5.14.0-162.el9"}) {
		t.Fatalf("inventory = %v", inv)
	}
}

// R5: a .txt whose complete JSON of the same stamp exists is never read.
func TestParseFiles_R5_TXTReadOnlyWithoutCompleteJSON(t *testing.T) {
	start := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	a := synth.Report{Spec: mkSpec("atvm1-redhat9.1", "cmc-e2e", 3, 0, 6000, ""), Start: start, Finished: true}
	b := synth.Report{Spec: mkSpec("atvm2-redhat9.2", "cmc-e2e", 3, 0, 6000, ""), Start: start, Finished: true}
	data := map[string][]byte{}
	var refs []FileRef
	add := func(host, name string, d []byte) {
		p := "cypress/cmcReporter/logs/" + host + "/" + name
		data[p] = d
		refs = append(refs, FileRef{Path: p, ModTime: start.Add(time.Hour)})
	}
	n, d := synth.ReporterJSON(a, synth.ShapeDict)
	add("atvm1-redhat9.1", n, d)
	n, d = synth.ReporterTXT(a)
	add("atvm1-redhat9.1", n, d)
	n, _ = synth.ReporterJSON(b, synth.ShapeDict)
	add("atvm2-redhat9.2", n, []byte(`{"metadata":`)) // cut: its .txt is needed
	n, d = synth.ReporterTXT(b)
	add("atvm2-redhat9.2", n, d)
	refs = append(refs, FileRef{Path: "cypress/results/test-result-gone.xml"})
	var mu sync.Mutex
	var read []string
	out := ParseFiles(refs, func(p string) ([]byte, error) {
		mu.Lock()
		read = append(read, p)
		mu.Unlock()
		if d, ok := data[p]; ok {
			return d, nil
		}
		return nil, errors.New("no such file")
	}, 3)
	if len(out) != len(refs) || out[1].Path != refs[1].Path || len(out[1].Evidence) != 0 {
		t.Fatalf("superseded .txt parsed: %+v", out[1])
	}
	for _, p := range read {
		if p == refs[1].Path {
			t.Fatal("the .txt superseded by a complete JSON was read")
		}
	}
	if len(out[3].Evidence) != 1 || out[3].Evidence[0].Status != HostPass {
		t.Fatalf("needed .txt = %+v", out[3])
	}
	if out[4].Err == "" {
		t.Fatalf("read error lost: %+v", out[4])
	}
}
