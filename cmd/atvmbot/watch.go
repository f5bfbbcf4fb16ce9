package main

import (
	"context"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
)

// startWatch drives the watch loop with a cron scheduler: a tick polls
// every active run; a tick still running when the next is due is skipped,
// so a slow controller never piles up polls. The operators' schedules are
// checked every minute beside it (their fires are in the state file: a
// fire is taken once, whichever process sees it first).
func startWatch(ctx context.Context, core *bot.Core, every time.Duration, log zerolog.Logger) (stop func()) {
	c := cron.New(cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	_, err := c.AddFunc("@every "+every.String(), func() { core.Tick(ctx) })
	if err != nil {
		log.Error().Err(err).Msg("scheduling the watch loop")
	}
	if _, err := c.AddFunc("@every 1m", func() { core.FireSchedules(ctx) }); err != nil {
		log.Error().Err(err).Msg("scheduling the schedules")
	}
	c.Start()
	return func() { <-c.Stop().Done() }
}
