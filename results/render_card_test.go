package results

import (
	"strings"
	"testing"
	"time"
)

// In a run's thread the root (RunCard) shows the template command and the
// TEST FLOW once; a sub-run post refers to them, except for a flow of its
// own that differs from the run's, which it lists.
func TestRender_S8_D27_InThreadFlowAndCommandOnce(t *testing.T) {
	runFlow := []string{"1. Verifying set up", "2. Install CMC", "3. Create migration session"}
	winFlow := []string{"1. Verifying set up", "2. Install CMC on Windows"}
	st := Status{Build: "b", State: RunRunning, Categorized: true, TemplateCommand: "python3 ./cmc-templates.py --template_name cmc-e2e",
		TestFlow: runFlow, GroupFlows: map[string][]string{"redhat": runFlow},
		Hosts: []Host{{Name: "atvm70-redhat9.6", Group: "redhat", Status: HostPass}, {Name: "atvm202-w2k25", Group: "windows", Status: HostPass}},
		Subruns: []Subrun{
			{Name: "redhat", State: SubrunCompleted, Hosts: []string{"atvm70-redhat9.6"}, Finished: true},
			{Name: "windows", State: SubrunCompleted, Hosts: []string{"atvm202-w2k25"}, Finished: true},
		}}
	card := RunCard(st)
	for _, want := range []string{"Template command: `" + st.TemplateCommand + "`", "**TEST FLOW:** 3 steps, from the generated spec", `- 3\. Create migration session`} {
		if !strings.Contains(card, want) {
			t.Errorf("RunCard lacks %q:\n%s", want, card)
		}
	}
	opt := RenderOptions{Location: time.UTC, Kind: SubrunResult, Subrun: "redhat", InThread: true}
	rh := RenderMarkdown(st, opt)[0]
	if !strings.Contains(rh, "**TEST FLOW:** as in the run's first post, 3 steps\n") || strings.Contains(rh, "Create migration session") ||
		strings.Contains(rh, st.TemplateCommand) || !strings.Contains(rh, "- Template command: as in the run's first post") {
		t.Errorf("sub-run post with the run's flow:\n%s", rh)
	}
	// A group whose flow differs from the one the root shows lists its own.
	st.GroupFlows = map[string][]string{"windows": winFlow}
	opt.Subrun = "windows"
	win := RenderMarkdown(st, opt)[0]
	if !strings.Contains(win, "Install CMC on Windows") || !strings.Contains(win, "**TEST FLOW:** 2 steps") {
		t.Errorf("a sub-run whose flow differs must list it:\n%s", win)
	}
	// When the groups' flows differ the root lists each group's, and each
	// sub-run post refers to its own there.
	st.GroupFlows = map[string][]string{"redhat": runFlow, "windows": winFlow}
	if card := RunCard(st); !strings.Contains(card, "Install CMC on Windows") || !strings.Contains(card, "Create migration session") {
		t.Errorf("RunCard with per-group flows:\n%s", card)
	}
	if win = RenderMarkdown(st, opt)[0]; !strings.Contains(win, "**TEST FLOW:** as in the run's first post, 2 steps\n") {
		t.Errorf("a sub-run whose group flow the root lists:\n%s", win)
	}
	// Outside a thread (status, replay) nothing changes.
	opt.InThread = false
	opt.Subrun = "redhat"
	if plain := RenderMarkdown(st, opt)[0]; !strings.Contains(plain, "Create migration session") || !strings.Contains(plain, st.TemplateCommand) {
		t.Errorf("outside a thread a sub-run post is whole:\n%s", plain)
	}
	// The final summary in a thread refers to the root's flow, keeps the command.
	fin := RenderMarkdown(st, RenderOptions{Location: time.UTC, Kind: Final, InThread: true})[0]
	if !strings.Contains(fin, "**TEST FLOW:** as in the run's first post, 2 groups, 5 steps in all") || !strings.Contains(fin, st.TemplateCommand) {
		t.Errorf("final summary in a thread:\n%s", fin)
	}
}
