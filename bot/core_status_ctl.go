package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/atvm/atvmbot/storage"
)

// controllersOverview heads `status` when there are several controllers:
// one line per controller saying what holds it — the bot's run with its
// progress, a run or template step started there by hand — or that it is
// idle (S1, per controller). The controllers are asked at once; one that
// does not answer says so on its line. "" with one controller.
func (c *Core) controllersOverview(ctx context.Context) string {
	if len(c.Runners) < 2 {
		return ""
	}
	active, err := c.DB.ActiveRuns(ctx)
	if err != nil {
		c.Log.Warn().Err(err).Msg("status: reading the active runs")
	}
	names := sortedRunnerNames(c.Runners)
	lines := make([]string, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lines[i] = fmt.Sprintf("- `%s` — %s", name, c.controllerLine(ctx, c.Runners[name], active))
		}()
	}
	wg.Wait()
	return "**Controllers:**\n" + strings.Join(lines, "\n") + "\n"
}

// controllerLine is what holds rn's controller: the bot's own active run
// (its latest observed progress), else what the controller itself runs,
// else idle.
func (c *Core) controllerLine(ctx context.Context, rn Runner, active []storage.Run) string {
	for i := len(active) - 1; i >= 0; i-- {
		r := active[i]
		if c.runnerOf(r) != rn {
			continue
		}
		line := fmt.Sprintf("`%s` %s", r.Build, r.State)
		if st, ok := c.ownerOf(r.ID).fresh(c.now(), 24*time.Hour); ok && len(st.Hosts) > 0 {
			line += fmt.Sprintf(" · %d/%d hosts done · %d failed", finishedHosts(st), len(st.Hosts), failedHosts(st))
		}
		if r.RootPostID != "" {
			line += " · " + c.Chat.PostLink(r.RootPostID)
		}
		return line
	}
	disc := discovererOf(rn)
	if disc == nil {
		return "idle"
	}
	d, err := disc.Discover(ctx, true)
	if err != nil {
		c.Log.Warn().Err(err).Str("controller", rn.Controller()).Msg("status: the controller did not answer")
		return "⚠️ did not answer just now"
	}
	if len(d.Live) > 0 {
		l := d.Live[0]
		return fmt.Sprintf("`%s` started by hand, running since %s (runner pid %d) — `/atvm status %s`", l.Build, c.fmtTime(l.Start), l.ProcPID, l.Build)
	}
	if len(d.Templates) > 0 {
		t := d.Templates[0]
		return fmt.Sprintf("a template step started by hand is running (pid %d, for %s)", t.PID, (time.Duration(t.ElapsedS) * time.Second).String())
	}
	return "idle"
}
