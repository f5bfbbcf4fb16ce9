package runner

import (
	"strings"
	"testing"
	"time"
)

var handStart = time.Date(2026, 5, 11, 14, 2, 7, 0, time.UTC)

func TestAdoptionNotes_D17_TemplateSourceOrUnknown(t *testing.T) {
	loc, _ := time.LoadLocation("America/New_York")
	live := (&Adoption{Live: true, RunnerPID: 5151, Start: handStart, TemplateSource: "shell history /root/.bash_history"}).notes("b", loc)
	if !strings.Contains(live[0], "started by hand on the controller at 2026-05-11 10:02 EDT (runner pid 5151)") || !strings.Contains(live[0], "/atvm watch b adopts it") ||
		live[1] != "Template command from the shell history /root/.bash_history." {
		t.Errorf("live notes %q", live)
	}
	adopted := (&Adoption{Live: true, By: "alice", HistoryNote: "no runner command for b in ~/.bash_history (a shell writes its history only when it exits)"}).notes("b", loc)
	if !strings.Contains(adopted[0], "watched since @alice asked") || !strings.HasPrefix(adopted[1], "Template command unknown: no runner command") {
		t.Errorf("adopted notes %q", adopted)
	}
	old := (&Adoption{LogPath: "/tmp/b.log", LastActivity: handStart, BotExitFile: true}).notes("b", loc)
	if !strings.Contains(old[0], "/tmp/b.log") || !strings.Contains(old[0], "an atvmbot launched it") {
		t.Errorf("historical notes %q", old)
	}
}
