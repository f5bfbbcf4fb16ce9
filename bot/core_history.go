package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// history answers `/atvm history HOST`: the host's recent runs from the
// failure history, newest first, each with the tag it had against the runs
// before it (D28).
func (c *Core) history(ctx context.Context, cmd commands.Command) Reply {
	window := c.Cfg.History.Window
	// The runs before the oldest shown are read too: its tag needs them.
	rows, err := c.DB.HostHistory(ctx, cmd.Machine, cmd.Template, cmd.Last+window)
	if err != nil {
		return internalError(c.Log, "reading the history", err)
	}
	if len(rows) == 0 {
		what := ""
		if cmd.Template != "" {
			what = " of `" + cmd.Template + "`"
		}
		return Reply{Ephemeral: fmt.Sprintf("No finished runs%s recorded for `%s`.", what, cmd.Machine)}
	}
	shown := rows
	if len(shown) > cmd.Last {
		shown = shown[:cmd.Last]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**History of `%s`**", cmd.Machine)
	if cmd.Template != "" {
		fmt.Fprintf(&b, " in `%s`", cmd.Template)
	}
	fmt.Fprintf(&b, " — last %s, newest first\n\n", plural(len(shown), "run", "runs"))
	b.WriteString("| build | date | template | status | failed step | tag |\n|---|---|---|---|---|---|\n")
	for i, r := range shown {
		tag := "—"
		h := results.Host{Name: r.Host, Status: r.Status, FailedStep: r.StepTitle}
		if t, ok := results.Tags([]results.Host{h}, historyEntries(sameTemplate(rows[i+1:], r.Template)), window)[r.Host]; ok {
			tag = t.Text(c.Cfg.Location())
		}
		step := "—"
		if r.Status == results.HostFail && r.StepTitle != "" {
			step = cell(r.StepTitle, 60)
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s | %s | %s |\n", r.Build, c.fmtTime(r.RunStarted), orDash(r.Template), r.Status, step, tag)
	}
	return Reply{Ephemeral: strings.TrimRight(b.String(), "\n")}
}

func sameTemplate(rows []storage.HistoryRow, template string) []storage.HistoryRow {
	var out []storage.HistoryRow
	for _, r := range rows {
		if r.Template == template {
			out = append(out, r)
		}
	}
	return out
}

// cell is artifact text made safe for one markdown table cell: one line, no
// column break, no emphasis or mention, clipped.
func cell(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	r := strings.NewReplacer("|", "\\|", "*", "\\*", "_", "\\_", "`", "'", "@", "@\u200b", "<", "\\<", "[", "\\[")
	return r.Replace(s)
}
