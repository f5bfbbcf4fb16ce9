package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/results/timeline"
	"github.com/atvm/atvmbot/storage"
)

// Charts answer `status --chart` and `history HOST --chart` with a visible
// post: a slash command's answer is text only, and a picture is for the
// people in the channel too. Each request makes at most one such post: its
// key names the request (the command's post, else its request id), so a
// retried or replayed request finds the post it already made (W1).

// kindChart is the posts' kind of a chart.
const kindChart = "chart"

// chartSource is what a status answer can draw: the run's Status and its
// thread (channel and root post) when the bot keeps one.
type chartSource struct {
	st            results.Status
	runID         string
	channel, root string
}

// requestKey names the request in a chart's idempotency key. A request
// with no id of its own (the console) gets a fresh one: it is one request.
func requestKey(in Incoming) string {
	switch {
	case in.PostID != "":
		return "post:" + in.PostID
	case in.RequestID != "":
		return "req:" + in.RequestID
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return "once:" + hex.EncodeToString(b)
}

// statusChart posts rep's status with the run's timeline, in the run's
// thread when it has one, else where the command was typed, and answers
// with a link to it. Without a picture to draw, or when the post fails,
// the caller still gets the status, with a line saying why.
func (c *Core) statusChart(ctx context.Context, in Incoming, rep Reply) Reply {
	src := rep.chart
	if src == nil {
		return rep // no run to draw: the answer says so
	}
	png, err := timeline.Render(src.st, timeline.Options{Location: c.Cfg.Location(), Now: c.now()})
	switch {
	case errors.Is(err, timeline.ErrNoHosts), errors.Is(err, timeline.ErrNoTiming):
		rep.Ephemeral += "\n\n_No timeline yet: no host has started._"
		return rep
	case err != nil:
		c.Log.Warn().Err(err).Str("build", src.st.Build).Msg("drawing a timeline")
		rep.Ephemeral += "\n\n⚠️ The timeline could not be drawn."
		return rep
	}
	channel, root, where := in.ChannelID, in.RootID, "here"
	if src.channel != "" && src.root != "" {
		channel, root, where = src.channel, src.root, "in the run's thread"
	}
	msg := rep.Ephemeral + "\n\n_Timeline asked for by " + userRef(in.UserName) + "._"
	id, err := c.postChart(ctx, in, "status", src.runID, channel, root, msg, "timeline-"+src.st.Build+".png", png)
	if err != nil {
		rep.Ephemeral += "\n\n⚠️ The timeline could not be posted just now; ask again in a moment."
		return rep
	}
	return Reply{Ephemeral: fmt.Sprintf("📈 Posted the status of `%s` with its timeline %s: %s", src.st.Build, where, c.Chat.PostLink(id))}
}

// historyChart posts the host's shown runs (newest first) as a strip where
// the command was typed and returns the line the answer ends with.
func (c *Core) historyChart(ctx context.Context, in Incoming, cmd commands.Command, shown []storage.HistoryRow) string {
	runs := make([]timeline.StripRun, 0, len(shown))
	for _, r := range shown {
		runs = append(runs, timeline.StripRun{Build: r.Build, At: r.RunStarted, Status: r.Status, Step: r.StepNum})
	}
	title, what := "History of "+cmd.Machine, "`"+cmd.Machine+"`"
	if cmd.Template != "" {
		title += " · " + cmd.Template
		what += " in `" + cmd.Template + "`"
	}
	png, err := timeline.RenderStrip(title, runs, timeline.Options{Location: c.Cfg.Location()})
	if err != nil {
		c.Log.Warn().Err(err).Str("host", cmd.Machine).Msg("drawing a history strip")
		return "⚠️ The chart could not be drawn."
	}
	msg := fmt.Sprintf("**History of %s** — last %s, oldest to newest. _Asked for by %s._",
		what, plural(len(shown), "run", "runs"), userRef(in.UserName))
	id, err := c.postChart(ctx, in, "history", "", in.ChannelID, in.RootID, msg, "history-"+cmd.Machine+".png", png)
	if err != nil {
		return "⚠️ The chart could not be posted just now; ask again in a moment."
	}
	return "📊 Posted the chart here: " + c.Chat.PostLink(id)
}

func (c *Core) postChart(ctx context.Context, in Incoming, what, runID, channel, root, msg, file string, png []byte) (string, error) {
	msg, err := CleanMessage(msg)
	if err != nil {
		return "", err
	}
	return c.postOnce(ctx, postSpec{key: "chart/" + what + "/" + requestKey(in), run: runID, kind: kindChart,
		channel: channel, root: root, message: msg, files: []OutFile{{Name: file, Data: png}}})
}
