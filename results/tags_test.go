package results

import (
	"testing"
	"time"
)

// hist builds a host's history from a compact form, newest first: "P" a
// pass, "F38" a failure at step 38. Run i started i days before day0.
func hist(host string, marks ...string) []HistoryEntry {
	day0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var out []HistoryEntry
	for i, m := range marks {
		e := HistoryEntry{RunID: "r" + string(rune('a'+i)), Build: "b" + string(rune('a'+i)), Host: host, At: day0.AddDate(0, 0, -i)}
		if m == "P" {
			e.Status = HostPass
		} else {
			e.Status, e.Step = HostFail, m[1:]
		}
		out = append(out, e)
	}
	return out
}

func TestTags_D28_Rules(t *testing.T) {
	fail38 := Host{Name: "atvm70", Status: HostFail, FailedStep: "38. Verify diskname2Reboot"}
	pass := Host{Name: "atvm70", Status: HostPass}
	other := hist("atvm99", "P") // the template has history, this host may not
	cases := []struct {
		name    string
		host    Host
		history []HistoryEntry
		want    string // Tag.Text in UTC; "" = no tag
	}{
		{"first run of the template: no tags", fail38, nil, ""},
		{"no history for this host: NEW", fail38, other, "NEW"},
		{"renamed host: its new name has no history, NEW", fail38, append(other, hist("atvm70-old", "F38", "F38")...), "NEW"},
		{"passed last time: REGRESSION", fail38, hist("atvm70", "P", "P", "P"), "REGRESSION"},
		{"failed elsewhere last time, never here: NEW", fail38, hist("atvm70", "F12", "P"), "NEW"},
		{"failed here last time: KNOWN since the streak began", fail38, hist("atvm70", "F38", "F38", "P"), "KNOWN since bb, 2026-11-29 (2 of 3)"},
		{"a failure elsewhere inside the streak does not break it", fail38, hist("atvm70", "F38", "F12", "F38"), "KNOWN since bc, 2026-11-28 (2 of 3)"},
		{"pass and fail alternate: FLAKY beats REGRESSION", fail38, hist("atvm70", "P", "F38", "P", "F38"), "FLAKY (2 of 4)"},
		{"fail, pass, fail: FLAKY beats KNOWN", fail38, hist("atvm70", "F38", "P", "F38"), "FLAKY (2 of 3)"},
		{"failures beyond the window do not count", fail38, hist("atvm70", "P", "P", "P", "P", "P", "P", "P", "P", "P", "P", "F38"), "REGRESSION"},
		{"a pass after a failure: FIXED", pass, hist("atvm70", "F38", "P"), "FIXED"},
		{"a pass after a pass: no tag", pass, hist("atvm70", "P", "F38"), ""},
		{"a pass with no history: no tag", pass, other, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tags := Tags([]Host{c.host}, c.history, 0)
			got := ""
			if tg, ok := tags[c.host.Name]; ok {
				got = tg.Text(time.UTC)
			}
			if got != c.want {
				t.Errorf("tag %q, want %q", got, c.want)
			}
		})
	}
}

// Two runs started at the same instant are ordered by run id, whatever the
// order the history was read in: the tag never depends on it.
func TestTags_D28_TiesOrderedByRunID(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	a := HistoryEntry{RunID: "r-1", Build: "b1", Host: "atvm70", Status: HostFail, Step: "38", At: at}
	b := HistoryEntry{RunID: "r-2", Build: "b2", Host: "atvm70", Status: HostPass, At: at}
	h := Host{Name: "atvm70", Status: HostPass}
	for _, order := range [][]HistoryEntry{{a, b}, {b, a}} {
		// r-2 (a pass) is the newer: no FIXED either way.
		if tg, ok := Tags([]Host{h}, order, 0)["atvm70"]; ok {
			t.Errorf("order %s,%s: tag %v, want none", order[0].RunID, order[1].RunID, tg.Kind)
		}
	}
}

// Hosts still running, skipped or unknown get no tag.
func TestTags_D28_OnlyFinishedHosts(t *testing.T) {
	hs := []Host{{Name: "atvm70", Status: HostRunning}, {Name: "atvm71", Status: HostSkipped}, {Name: "atvm72", Status: HostUnknown}}
	h := append(hist("atvm70", "F38"), append(hist("atvm71", "F38"), hist("atvm72", "F38")...)...)
	if tags := Tags(hs, h, 0); len(tags) != 0 {
		t.Errorf("tags %v, want none", tags)
	}
}
