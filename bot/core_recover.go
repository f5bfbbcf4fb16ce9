package bot

import (
	"context"
	"fmt"

	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// Recover settles runs a previous process left mid-launch. RUNNING runs
// need nothing: the next tick polls them, and their posts are keyed, so
// nothing is posted twice or lost. A run stopped in APPROVED or LAUNCHING
// never recorded a runner: it is marked LAUNCH_FAILED and says so, never
// launched again behind anyone's back (P1).
func (c *Core) Recover(ctx context.Context) {
	runs, err := c.DB.ActiveRuns(ctx)
	if err != nil {
		c.Log.Error().Err(err).Msg("recovering runs")
		return
	}
	for _, r := range runs {
		if r.State == results.RunRunning || r.RunnerPID != 0 {
			if r.State != results.RunRunning {
				st := results.RunRunning
				_ = c.DB.UpdateRun(ctx, r.ID, storage.RunUpdate{State: &st})
			}
			c.Log.Info().Str("run", r.ID).Str("build", r.Build).Msg("resuming the watch")
			continue
		}
		state := results.RunLaunchFailed
		reason := "the bot restarted during the launch; check the controller before planning again"
		_ = c.DB.UpdateRun(ctx, r.ID, storage.RunUpdate{State: &state, Reason: &reason})
		c.markPlanPost(ctx, r.PlanID, fmt.Sprintf("⚠️ **Launch interrupted**: %s.", reason))
		c.Log.Warn().Str("run", r.ID).Str("build", r.Build).Msg("launch interrupted by a restart")
	}
}
