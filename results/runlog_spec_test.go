package results

import (
	"bytes"
	"testing"

	"github.com/atvm/atvmbot/internal/synth"
)

// D21: a batch of several specs (cypress-cloud's default batch size is 3)
// keeps one SpecRun per spec; each spec's failure and its (Run Finished)
// row go to its own host, not to the batch's last one.
func TestRunLog_D21_BatchAttributesEachSpec(t *testing.T) {
	specs := []synth.Spec{
		mkSpec("atvm71-redhat9.1", "cmc-e2e", 5, 0, 300000, ""),
		mkSpec("atvm72-redhat9.2", "cmc-e2e", 5, 3, 200000, md5Err),
		mkSpec("atvm73-redhat9.3", "cmc-e2e", 5, 0, 100000, ""),
		mkSpec("atvm74-redhat9.4", "cmc-e2e", 5, 0, 100000, ""),
	}
	type want struct {
		finished, failed bool
		failing, tests   int
		step             string
	}
	cases := []struct {
		name    string
		running int
		want    map[string]want
	}{
		{"all finished", 0, map[string]want{
			"atvm71-redhat9.1": {true, false, 0, 5, ""},
			"atvm72-redhat9.2": {true, true, 1, 5, "3. Step number 3"},
			"atvm73-redhat9.3": {true, false, 0, 5, ""},
			"atvm74-redhat9.4": {true, false, 0, 5, ""},
		}},
		{"second batch running", 4, map[string]want{
			"atvm71-redhat9.1": {true, false, 0, 5, ""},
			"atvm72-redhat9.2": {true, true, 1, 5, "3. Step number 3"},
			"atvm73-redhat9.3": {true, false, 0, 5, ""},
			"atvm74-redhat9.4": {},
		}},
		{"first batch mid-run", 2, map[string]want{
			"atvm71-redhat9.1": {},
			"atvm72-redhat9.2": {},
			"atvm73-redhat9.3": {},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			synth.WriteBlock(&b, synth.Block{RunURL: "https://app.currents.dev/run/0000000000000d21", Specs: specs, BatchSize: 3, Running: c.running, DetectedAfter: -1})
			f := parseLog(t, b.String())
			if len(f.Blocks) != 1 {
				t.Fatalf("%d blocks", len(f.Blocks))
			}
			got := map[string]SpecRun{}
			for _, s := range f.Blocks[0].Specs {
				if _, dup := got[s.Machine]; dup {
					t.Fatalf("%s listed twice: %+v", s.Machine, f.Blocks[0].Specs)
				}
				got[s.Machine] = s
			}
			if len(got) != len(c.want) {
				t.Fatalf("specs %+v, want %d", f.Blocks[0].Specs, len(c.want))
			}
			for m, w := range c.want {
				s, ok := got[m]
				if !ok {
					t.Fatalf("%s missing: %+v", m, f.Blocks[0].Specs)
				}
				if s.Finished != w.finished || s.FinishedFailed != w.failed || s.Failing != w.failing || s.Tests != w.tests || s.FailedStep != w.step {
					t.Errorf("%s = %+v, want %+v", m, s, w)
				}
				if w.step != "" && s.Error != "md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory" {
					t.Errorf("%s error %q", m, s.Error)
				}
			}
		})
	}
}

func TestRunLog_D21_BatchListSplit(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"cypress/e2e/generated/a.ts", []string{"cypress/e2e/generated/a.ts"}},
		{"a.ts, b.ts, c.ts", []string{"a.ts", "b.ts", "c.ts"}},
		{"a.ts,  b.ts", []string{"a.ts", "b.ts"}},
		{", ", []string{", "}},
	}
	for _, c := range cases {
		got := rlBatchSpecs(c.in)
		if len(got) != len(c.want) {
			t.Errorf("%q → %q, want %q", c.in, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%q → %q, want %q", c.in, got, c.want)
			}
		}
	}
}

// D21: when the describe titles do not name the machine, Cypress's own
// Running line is what tells which spec of a batch the output is.
func TestRunLog_D21_CypressRunningLineAttributes(t *testing.T) {
	a := mkSpec("atvm71-redhat9.1", "cmc-e2e", 3, 0, 300000, "")
	b := mkSpec("atvm72-redhat9.2", "cmc-e2e", 3, 2, 200000, md5Err)
	a.Machine, b.Machine = "first", "second" // describe titles "first cmc-e2e", "second cmc-e2e"
	var log bytes.Buffer
	synth.WriteBlock(&log, synth.Block{RunURL: "https://app.currents.dev/run/0000000000000d21", Specs: []synth.Spec{a, b}, BatchSize: 3, DetectedAfter: -1})
	f := parseLog(t, log.String())
	if len(f.Blocks) != 1 || len(f.Blocks[0].Specs) != 2 {
		t.Fatalf("blocks %+v", f.Blocks)
	}
	s0, s1 := f.Blocks[0].Specs[0], f.Blocks[0].Specs[1]
	if s0.Failing != 0 || s0.FailedStep != "" || s1.Failing != 1 || s1.FailedStep != "2. Step number 2" {
		t.Fatalf("first %+v\nsecond %+v", s0, s1)
	}
}
