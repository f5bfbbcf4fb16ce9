package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/atvm/atvmbot/storage"
)

// Prune removes the mirrors of runs finished more than keep ago: the
// mirror holds every byte a run fetched, so without this the bot's disk
// grows with every run. A folder no stored run is known by is left alone
// (a run's folder name is its id made safe, which may differ from it). A pruned
// run's offsets go with its mirror: a later look fetches it again rather
// than finding its mirror behind them. It returns how many were removed.
func (r *ControllerRunner) Prune(ctx context.Context, keep time.Duration, now time.Time) (int, error) {
	entries, err := os.ReadDir(r.MirrorDir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		id := e.Name()
		run, err := r.DB.GetRun(ctx, id)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			continue
		case err != nil:
			return removed, err
		case !storage.Terminal(run.State) || run.EndedAt.IsZero() || now.Sub(run.EndedAt) < keep:
			continue
		}
		if err := r.DB.ResetOffsets(ctx, id); err != nil {
			return removed, err
		}
		r.Forget(id)
		if err := os.RemoveAll(filepath.Join(r.MirrorDir, id)); err != nil {
			return removed, err
		}
		removed++
		r.Log.Info().Str("run", id).Msg("removed a finished run's mirror")
	}
	return removed, nil
}
