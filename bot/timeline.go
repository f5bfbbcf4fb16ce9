package bot

import (
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/results/timeline"
	"github.com/atvm/atvmbot/storage"
)

// timelineFiles is the run's timeline picture for its final summary, or
// none when there is nothing to draw (no host with a time) or drawing
// failed: the summary never waits for its picture.
func (c *Core) timelineFiles(run storage.Run, st results.Status) []OutFile {
	png, err := timeline.Render(st, timeline.Options{Location: c.Cfg.Location()})
	if err != nil {
		c.Log.Info().Err(err).Str("run", run.ID).Msg("no timeline picture")
		return nil
	}
	return []OutFile{{Name: "timeline-" + run.Build + ".png", Data: png}}
}
