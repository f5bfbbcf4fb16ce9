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
func (c *Core) history(ctx context.Context, in Incoming, cmd commands.Command) Reply {
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
	msg := strings.TrimRight(b.String(), "\n")
	if cmd.Chart {
		msg += "\n\n" + c.historyChart(ctx, in, cmd, shown)
	}
	return Reply{Ephemeral: msg}
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

// reportRows bounds what one report reads, and reportLines what it shows.
const (
	reportRows  = 50000
	reportLines = 15
)

func (c *Core) recent(ctx context.Context, days int) ([]results.HistoryEntry, error) {
	rows, err := c.DB.HistorySince(ctx, c.now().AddDate(0, 0, -days), reportRows)
	return historyEntries(rows), err
}

// flaky answers `/atvm flaky`: steps whose results flipped between PASS
// and FAIL on a host in the last days (D28).
func (c *Core) flaky(ctx context.Context, days int) Reply {
	es, err := c.recent(ctx, days)
	if err != nil {
		return internalError(c.Log, "reading the history", err)
	}
	fl := results.FlakySteps(es)
	if len(fl) == 0 {
		return Reply{Ephemeral: fmt.Sprintf("No flaky steps in the last %s.", plural(days, "day", "days"))}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**Flaky steps** — last %s, most failures first\n\n", plural(days, "day", "days"))
	b.WriteString("| host | template | step | failed | last failure |\n|---|---|---|---|---|\n")
	for i, f := range fl {
		if i == reportLines {
			fmt.Fprintf(&b, "\n…and %d more.", len(fl)-reportLines)
			break
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %d of %d runs | `%s` %s |\n", f.Host, orDash(f.Template), cell(f.Step, 60), f.Fails, f.Runs, f.LastBuild, c.fmtTime(f.Last))
	}
	return Reply{Ephemeral: strings.TrimRight(b.String(), "\n")}
}

// failures answers `/atvm failures`: the causes that failed most in the
// last days, each once with its hosts (D28).
func (c *Core) failures(ctx context.Context, days int) Reply {
	es, err := c.recent(ctx, days)
	if err != nil {
		return internalError(c.Log, "reading the history", err)
	}
	cs := results.TopCauses(es)
	if len(cs) == 0 {
		return Reply{Ephemeral: fmt.Sprintf("No failures recorded in the last %s.", plural(days, "day", "days"))}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**Most frequent failures** — last %s\n", plural(days, "day", "days"))
	for i, x := range cs {
		if i == reportLines {
			fmt.Fprintf(&b, "…and %d more.\n", len(cs)-reportLines)
			break
		}
		what := cell(x.Step, 60)
		if e := results.CauseText(x.Error); e != "" {
			what += " — " + cell(e, 100)
		}
		hosts := x.Hosts
		more := ""
		if len(hosts) > 8 {
			hosts, more = hosts[:8], fmt.Sprintf(" and %d more", len(x.Hosts)-8)
		}
		fmt.Fprintf(&b, "%d. **%s** on %s · `%s` · %s · last `%s` %s: %s%s\n", i+1, plural(x.Count, "failure", "failures"),
			plural(len(x.Hosts), "host", "hosts"), orDash(x.Template), what, x.LastBuild, c.fmtTime(x.Last), strings.Join(hosts, ", "), more)
	}
	return Reply{Ephemeral: strings.TrimRight(b.String(), "\n")}
}
