package results

import (
	"testing"
	"time"
)

func withTemplate(tmpl string, es []HistoryEntry) []HistoryEntry {
	for i := range es {
		es[i].Template = tmpl
		if es[i].Status == HostFail {
			es[i].StepTitle = es[i].Step + ". Verify"
			es[i].Error = "md5sum: /root/tmp/fcDisk/" + es[i].Host + ".md5: No such file or directory"
		}
	}
	return es
}

func TestFlakySteps_D28(t *testing.T) {
	var all []HistoryEntry
	all = append(all, withTemplate("cmc-reboot", hist("atvm70", "F38", "P", "F38", "P"))...)   // flips 3
	all = append(all, withTemplate("cmc-reboot", hist("atvm71", "F38", "F38", "P"))...)        // flips 1: a streak, not flaky
	all = append(all, withTemplate("cmc-reboot", hist("atvm72", "F12", "P", "F38", "F12"))...) // 12: F P F (skipping 38), flaky
	all = append(all, withTemplate("cmc-e2e", hist("atvm70", "P", "P"))...)                    // no failures
	got := FlakySteps(all)
	if len(got) != 2 {
		t.Fatalf("flaky: %+v", got)
	}
	if g := got[0]; g.Host != "atvm70" || g.Template != "cmc-reboot" || g.Step != "38. Verify" || g.Fails != 2 || g.Runs != 4 || g.Flips != 3 || g.LastBuild != "ba" {
		t.Errorf("first: %+v", g)
	}
	if g := got[1]; g.Host != "atvm72" || g.Step != "12. Verify" || g.Fails != 2 || g.Flips != 2 {
		t.Errorf("second: %+v", g)
	}
}

func TestTopCauses_D28(t *testing.T) {
	var all []HistoryEntry
	all = append(all, withTemplate("cmc-reboot", hist("atvm70", "F38", "F38"))...)
	all = append(all, withTemplate("cmc-reboot", hist("atvm71", "F38", "P"))...)
	all = append(all, withTemplate("cmc-reboot", hist("atvm72", "F12"))...)
	all = append(all, withTemplate("cmc-e2e", hist("atvm73", "F38"))...) // another template: another cause
	got := TopCauses(all)
	if len(got) != 3 {
		t.Fatalf("causes: %+v", got)
	}
	c := got[0]
	if c.Template != "cmc-reboot" || c.Count != 3 || len(c.Hosts) != 2 || c.Hosts[0] != "atvm70" || c.Hosts[1] != "atvm71" ||
		c.Signature != "38: md5sum: <path>: No such file or directory" || c.LastBuild != "ba" || !c.Last.Equal(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("top cause: %+v", c)
	}
	if CauseText(c.Error) != "md5sum: …: No such file or directory" {
		t.Errorf("cause text %q", CauseText(c.Error))
	}
}
