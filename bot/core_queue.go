package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/atvm/atvmbot/storage"
)

// runs lists the recent runs with their state and links. With several
// controllers each row names its controller, and ctl keeps one's runs.
func (c *Core) runs(ctx context.Context, ctl string) Reply {
	asked, refused := c.runnersAsked(ctl)
	if refused != nil {
		return *refused
	}
	several := len(c.Runners) > 1
	limit := 10
	if several && ctl != "" {
		limit = 200 // the newest runs of every controller, of which ten are this one's
	}
	recent, err := c.DB.RecentRuns(ctx, limit)
	if err != nil {
		return internalError(c.Log, "listing runs", err)
	}
	if several && ctl != "" {
		var mine []storage.Run
		for _, r := range recent {
			if len(mine) < 10 && c.runnerOf(r) == asked[0].rn {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			return Reply{Ephemeral: fmt.Sprintf("No runs on controller `%s` yet.", ctl)}
		}
		recent = mine
	}
	if len(recent) == 0 {
		return Reply{Ephemeral: "No runs yet."}
	}
	var b strings.Builder
	b.WriteString("**Recent runs**\n")
	for _, r := range recent {
		link := ""
		if r.RootPostID != "" {
			link = " · " + c.Chat.PostLink(r.RootPostID)
		}
		on := ""
		if several {
			on = fmt.Sprintf("on `%s` · ", c.controllerNameOf(r))
		}
		fmt.Fprintf(&b, "- `%s` — %s%s · %s · approved by %s%s\n", r.Build, on, r.State, c.fmtTime(r.CreatedAt), userRef(r.ApprovedBy), link)
	}
	return Reply{Ephemeral: b.String()}
}

// controllerNameOf is the configured name of a run's controller: the name
// whose Runner answers to the run's lock key, else that key as recorded;
// with Runner alone, the only controller's name.
func (c *Core) controllerNameOf(run storage.Run) string {
	if len(c.Runners) == 0 {
		return c.Cfg.MainControllerName()
	}
	for _, name := range sortedRunnerNames(c.Runners) {
		if c.Runners[name].Controller() == run.Controller || name == run.Controller {
			return name
		}
	}
	return run.Controller
}

// queue shows each controller's holder and the channel's open plans for
// it. An approval while the controller is busy is refused, never queued:
// a queued plan would launch later on a controller nobody re-checked.
func (c *Core) queue(ctx context.Context, in Incoming, ctl string) Reply {
	asked, refused := c.runnersAsked(ctl)
	if refused != nil {
		return *refused
	}
	open, err := c.DB.OpenPlans(ctx, in.ChannelID)
	if err != nil {
		return internalError(c.Log, "listing plans", err)
	}
	if len(c.Runners) < 2 {
		return c.queueOne(ctx, asked[0].rn, open)
	}
	// Every controller is asked at once; one that does not answer says so
	// on its own line.
	holders := make([]string, len(asked))
	var wg sync.WaitGroup
	for i, nr := range asked {
		wg.Add(1)
		go func() {
			defer wg.Done()
			holders[i] = c.holderText(ctx, nr.rn)
		}()
	}
	wg.Wait()
	var b strings.Builder
	shown := map[string]bool{}
	for i, nr := range asked {
		fmt.Fprintf(&b, "**Controller `%s`**: %s\n", nr.name, holders[i])
		n := 0
		for _, p := range open {
			if p.Controller == nr.name {
				shown[p.ID] = true
				n++
				b.WriteString(c.planRow(p))
			}
		}
		if n == 0 {
			b.WriteString("- no open plans in this channel\n")
		}
		b.WriteString("\n")
	}
	if ctl == "" {
		var rest []string
		for _, p := range open {
			if !shown[p.ID] {
				rest = append(rest, c.planRow(p))
			}
		}
		if len(rest) > 0 {
			b.WriteString("**Open plans for no configured controller**:\n" + strings.Join(rest, "") + "\n")
		}
	}
	b.WriteString("_An approval while its controller is busy is refused, not queued._")
	return Reply{Ephemeral: b.String()}
}

// queueOne is queue with one controller.
func (c *Core) queueOne(ctx context.Context, rn Runner, open []storage.Plan) Reply {
	var b strings.Builder
	fmt.Fprintf(&b, "**Controller `%s`**: %s", rn.Controller(), c.holderText(ctx, rn))
	b.WriteString("\n\n**Open plans in this channel** (an approval while the controller is busy is refused, not queued):\n")
	if len(open) == 0 {
		b.WriteString("- none\n")
	}
	for _, p := range open {
		b.WriteString(c.planRow(p))
	}
	return Reply{Ephemeral: b.String()}
}

func (c *Core) planRow(p storage.Plan) string {
	return fmt.Sprintf("- `%s` — `%s` (%s) by %s, open until %s\n", p.ID, p.Build, p.Template, userRef(p.CreatedBy), c.fmtTime(p.ExpiresAt))
}

// holderText says what holds rn's controller: the run holding its lock,
// else a run or template step started there by hand (D15), else free.
func (c *Core) holderText(ctx context.Context, rn Runner) string {
	if runID, _, _, held, err := c.DB.Lock(ctx, rn.Controller()); err == nil && held {
		r, err := c.DB.GetRun(ctx, runID)
		if err != nil {
			return fmt.Sprintf("held by run `%s`.", runID)
		}
		who := "approved by " + userRef(r.ApprovedBy)
		if r.Adopted {
			who = "started by hand on the controller, watched for " + userRef(r.PlannedBy)
		}
		return fmt.Sprintf("busy with `%s` (%s), %s since %s — `/atvm status %s`.", r.Build, r.State, who, c.fmtTime(r.CreatedAt), r.Build)
	}
	msg, err := c.liveOn(ctx, rn)
	switch {
	case err != nil:
		c.Log.Warn().Err(err).Str("controller", rn.Controller()).Msg("queue: the controller did not answer")
		return "the controller did not answer; whether it is free is unknown."
	case msg != "":
		return strings.TrimPrefix(msg, "the controller is busy: ")
	}
	return "free."
}
