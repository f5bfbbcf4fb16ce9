package bot

import (
	"context"
	"time"

	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// historyRows is the most history one tag computation reads: a template's
// last runs over a large fleet, newest first.
const historyRows = 20000

// runStarted orders runs in the history: the controller's clock at launch,
// else when the bot created the run (the same rule migration 5 used).
func runStarted(run storage.Run) time.Time {
	if !run.ControllerStart.IsZero() {
		return run.ControllerStart
	}
	return run.CreatedAt
}

func runTemplate(run storage.Run, st results.Status) string {
	if run.Template != "" {
		return run.Template
	}
	return st.Template
}

// recordHistory keeps a finished run's PASS and FAIL hosts (D28), once per
// run: recording it again replaces its rows. Rows older than
// history.keep_days go in the same transaction.
func (c *Core) recordHistory(ctx context.Context, run storage.Run, st results.Status) error {
	var rows []storage.HistoryRow
	started := runStarted(run)
	for _, h := range st.Hosts {
		if h.Status != results.HostPass && h.Status != results.HostFail {
			continue
		}
		r := storage.HistoryRow{RunID: run.ID, Build: run.Build, Template: runTemplate(run, st), Plugin: st.Coverage.Plugin,
			Host: h.Name, Subrun: h.Group, Status: h.Status, DurationS: h.DurationS, Adopted: run.Adopted, RunStarted: started}
		if h.StartedAt != nil {
			r.HostStarted = *h.StartedAt
		}
		if h.EndedAt != nil {
			r.HostEnded = *h.EndedAt
		}
		if h.Status == results.HostFail {
			r.StepNum, r.StepTitle = results.StepNumber(h.FailedStep), h.FailedStep
			r.Signature, r.Error = results.Signature(h.FailedStep, h.Error), clip(h.Error, 500)
		}
		rows = append(rows, r)
	}
	var prune time.Time
	if days := c.Cfg.History.KeepDays; days > 0 {
		prune = c.now().AddDate(0, 0, -days)
	}
	return c.DB.RecordHistory(ctx, run.ID, rows, prune)
}

// tagsFor is each finished host's tag from the history before run: only
// runs of its template started before it, never itself, so a correction or
// a replay of the run shows the tags its first post showed. A failure to
// read leaves the post untagged rather than unposted.
func (c *Core) tagsFor(ctx context.Context, run storage.Run, st results.Status) map[string]results.Tag {
	tmpl := runTemplate(run, st)
	if tmpl == "" {
		return nil
	}
	rows, err := c.DB.TemplateHistory(ctx, tmpl, runStarted(run), run.ID, historyRows)
	if err != nil {
		c.Log.Warn().Err(err).Str("run", run.ID).Msg("reading the failure history")
		return nil
	}
	return results.Tags(st.Hosts, historyEntries(rows), c.Cfg.History.Window)
}

func historyEntries(rows []storage.HistoryRow) []results.HistoryEntry {
	out := make([]results.HistoryEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, results.HistoryEntry{RunID: r.RunID, Build: r.Build, Host: r.Host, Status: r.Status,
			Step: results.StepKey(r.StepTitle), At: r.RunStarted,
			Template: r.Template, StepTitle: r.StepTitle, Error: r.Error, Signature: r.Signature})
	}
	return out
}
