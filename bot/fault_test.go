package bot

import (
	"maps"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func TestFault_D18_ParseSpec(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want map[string]int
	}{
		{"", map[string]int{}},
		{"before-create-post", map[string]int{"before-create-post": 1}},
		{"after-create-post@3", map[string]int{"after-create-post": 3}},
		{" after-commit-before-patch@2 , launching ", map[string]int{"after-commit-before-patch": 2, "launching": 1}},
		// malformed counts are ignored, never read as "the first"
		{"before-create-post@0,after-create-post@x,launching@-1", map[string]int{}},
		{"@2,,", map[string]int{}},
	} {
		if got := parseFault(tc.spec); !maps.Equal(got, tc.want) {
			t.Errorf("parseFault(%q) = %v, want %v", tc.spec, got, tc.want)
		}
	}
}

// With ATVMBOT_FAULT unset (the test process), a point does nothing.
func TestFault_D18_UnsetIsInert(t *testing.T) {
	if faultOn {
		t.Skip(FaultEnv + " is set for this process")
	}
	for _, p := range []string{FaultBeforeCreatePost, FaultAfterUpload, FaultAfterCreatePost, FaultAfterCommitBeforePatch, FaultBeforeSupersede, FaultLaunching} {
		FaultPoint(p)
	}
	if len(faultHits) != 0 {
		t.Fatalf("hits counted while off: %v", faultHits)
	}
}

func FuzzParseFault(f *testing.F) {
	for _, s := range []string{"", "before-create-post", "after-create-post@3", "a@1,b@2", "@", "a@@2", "a@99999999999999999999", " a @ 2 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		got := parseFault(spec)
		names := make([]string, 0, len(got))
		for name, n := range got {
			if name == "" || n < 1 || strings.ContainsAny(name, ",@") {
				t.Fatalf("parseFault(%q) gave %q@%d", spec, name, n)
			}
			names = append(names, name)
		}
		// What it read, written back, reads the same.
		sort.Strings(names)
		var parts []string
		for _, name := range names {
			parts = append(parts, name+"@"+strconv.Itoa(got[name]))
		}
		again := parseFault(strings.Join(parts, ","))
		if !maps.Equal(again, got) && !strings.ContainsAny(strings.Join(names, ""), " \t\n\r\v\f") {
			t.Fatalf("round trip of %q: %v then %v", spec, got, again)
		}
	})
}
