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
			if r.State == results.RunLaunching {
				c.transition(ctx, r.ID, storage.Transition{From: []string{results.RunLaunching}, To: results.RunRunning})
			}
			c.Log.Info().Str("run", r.ID).Str("build", r.Build).Msg("resuming the watch")
			continue
		}
		reason := "the bot restarted during the launch; check the controller before planning again"
		// A template step may outlive the bot: it is stopped before the
		// controller is freed (a failed stop leaves it to the ticks).
		if won, cur := c.transition(ctx, r.ID, storage.Transition{From: []string{results.RunApproved, results.RunLaunching}, To: results.RunLaunchFailed,
			Update: storage.RunUpdate{Reason: &reason}, KeepLock: true}); won {
			_ = c.stopAndRelease(ctx, cur)
		}
		c.markPlanPost(ctx, r.PlanID, fmt.Sprintf("⚠️ **Launch interrupted**: %s.", reason))
		c.Log.Warn().Str("run", r.ID).Str("build", r.Build).Msg("launch interrupted by a restart")
	}
}
