package main

import (
	"context"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot/runner"
)

// startPrune removes finished runs' mirrors older than keep, once at the
// start and hourly after.
func startPrune(ctx context.Context, r *runner.ControllerRunner, keep time.Duration, log zerolog.Logger) (stop func()) {
	prune := func() {
		if n, err := r.Prune(ctx, keep, time.Now()); err != nil {
			log.Warn().Err(err).Msg("removing finished runs' mirrors")
		} else if n > 0 {
			log.Info().Int("removed", n).Msg("removed finished runs' mirrors")
		}
	}
	c := cron.New(cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	if _, err := c.AddFunc("@hourly", prune); err != nil {
		log.Error().Err(err).Msg("scheduling the mirror pruning")
	}
	prune() // before serving: a directory scan
	c.Start()
	return func() { <-c.Stop().Done() }
}
