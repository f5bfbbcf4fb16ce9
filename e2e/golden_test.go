package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// What changes from run to run in a post is masked before comparing with
// a golden file: clock times, durations, ids, URLs, pids, paths.
var masks = []struct {
	re   *regexp.Regexp
	with string
}{
	// A sub-run post's view of the whole run is a snapshot of a moving run.
	{regexp.MustCompile(`(?m)^- Whole run so far: .*$`), "- Whole run so far: <SNAPSHOT>"},
	// So is the whole run's ETA: present or not, and its parallelism.
	{regexp.MustCompile(`(?m)^- ETA for the whole remaining run: .*\n`), ""},
	{regexp.MustCompile(`\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?(\.\d+)?( ?[A-Z]{2,5}|Z)?`), "<TIME>"},
	{regexp.MustCompile(`https://app\.currents\.dev/run/[0-9a-f]+`), "<CURRENTS>"},
	{regexp.MustCompile(`https?://127\.0\.0\.1:\d+/[^\s)\]]*`), "<URL>"},
	{regexp.MustCompile(`\b(\d+h ?\d+m ?\d+(\.\d+)?s|\d+h ?\d+m|\d+m ?\d+(\.\d+)?s|\d+(\.\d+)?m?s|\d+h|\d+m)\b`), "<DUR>"},
	{regexp.MustCompile(`\bpid \d+`), "pid <PID>"},
	{regexp.MustCompile(`\b[a-z0-9]{26}\b`), "<ID>"},
	{regexp.MustCompile(`\br-[0-9a-z]{8}-`), "r-<RUN>-"},
	{regexp.MustCompile(`\bp-[0-9a-f]{6}\b`), "p-<PLAN>"},
}

// mask replaces the volatile parts of a post; dir (a test's folder) too.
func mask(s string, dirs ...string) string {
	for _, d := range dirs {
		if d != "" {
			s = strings.ReplaceAll(s, d, "<DIR>")
		}
	}
	for _, m := range masks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	return s
}

// golden compares got with testdata/<name>; -update rewrites it.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs:\n%s", path, lineDiff(string(want), got))
	}
}

func TestMask_D18_HidesOnlyWhatVaries(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"- Start: 2026-11-22 18:46:00 EST", "- Start: <TIME>"},
		{"expires 2026-11-22 18:23 EST · approve", "expires <TIME> · approve"},
		{"· took 1h57m36s · [Currents](https://app.currents.dev/run/cf9096a6dcd2785d)", "· took <DUR> · [Currents](<CURRENTS>)"},
		{"quickest 22m 3s (a) · longest 1h 4m 12.3s · 0.5s · 45s", "quickest <DUR> (a) · longest <DUR> · <DUR> · <DUR>"},
		{"runner pid 12551.", "runner pid <PID>."},
		{"[earlier result](http://127.0.0.1:18065/it-team/pl/eqposaey5pgd9ejxwze6bb7rte)", "[earlier result](<URL>)"},
		{"17 steps, 4 VMs, 13. Verify destination VM network", "17 steps, 4 VMs, 13. Verify destination VM network"},
		{"run r-mwsfo72c-migrate-mixed", "run r-<RUN>-migrate-mixed"},
		{"#### Plan `p-15cf49`: `migrate-mixed`", "#### Plan `p-<PLAN>`: `migrate-mixed`"},
	} {
		if got := mask(c.in); got != c.want {
			t.Errorf("mask(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// lineDiff shows the lines that differ, with their numbers.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := max(len(wl), len(gl))
	shown := 0
	for i := 0; i < n && shown < 40; i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, w, g)
			shown++
		}
	}
	return b.String()
}
