package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// status answers live (S1): the named build, else the active run, else the
// most recent one; a categorized run is always shown whole. Unless the
// bot's own run is active (polled live below), the controller is asked
// first: a run started there by hand, live or the most recent, is the
// answer (S2).
func (c *Core) status(ctx context.Context, build string) Reply {
	run, err := c.statusRun(ctx, build)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return internalError(c.Log, "finding the run", err)
	}
	if err != nil || !storage.Active(run.State) {
		var latest *storage.Run
		if err == nil {
			latest = &run
		}
		if rep, ok := c.controllerStatus(ctx, build, latest); ok {
			return rep
		}
	}
	if errors.Is(err, storage.ErrNotFound) {
		if build != "" {
			return Reply{Ephemeral: fmt.Sprintf("No run of `%s` is known. `/atvm runs` lists the recent ones.", build)}
		}
		return Reply{Ephemeral: "No run yet. Start one with `/atvm plan <template> …` (see `/atvm help plan`)."}
	}
	if err != nil {
		return internalError(c.Log, "finding the run", err)
	}
	st := results.Status{Build: run.Build, Template: run.Template, State: run.State, Categorized: run.Categorized}
	if run.State == results.RunRunning {
		// Live: ask the controller now rather than repeat the last poll (S2).
		if obs, err := c.Runner.Poll(ctx, run); err == nil {
			st = obs.Status
		} else if run.StatusJSON != "" {
			_ = json.Unmarshal([]byte(run.StatusJSON), &st)
			st.Notes = append(st.Notes, "The controller did not answer just now; this is the last status the bot saw.")
		}
	} else if run.StatusJSON != "" {
		_ = json.Unmarshal([]byte(run.StatusJSON), &st)
		st.State = run.State
	}
	if run.State == results.RunLaunchFailed || run.State == results.RunApproved || run.State == results.RunLaunching {
		return Reply{Ephemeral: fmt.Sprintf("`%s` is %s. %s", run.Build, run.State, run.Reason)}
	}
	st.Version = c.Version
	parts := results.RenderMarkdown(st, c.renderOpts(results.Live, ""))
	msg := parts[0]
	if len(parts) > 1 {
		msg += fmt.Sprintf("\n\n_(%d more part(s): the full report is in the run's thread when it finishes.)_", len(parts)-1)
	}
	return Reply{Ephemeral: msg}
}

func (c *Core) statusRun(ctx context.Context, build string) (storage.Run, error) {
	if build != "" {
		return c.DB.LatestRunByBuild(ctx, build)
	}
	if active, err := c.DB.ActiveRuns(ctx); err != nil {
		return storage.Run{}, err
	} else if len(active) > 0 {
		return active[len(active)-1], nil
	}
	recent, err := c.DB.RecentRuns(ctx, 1)
	if err != nil {
		return storage.Run{}, err
	}
	if len(recent) == 0 {
		return storage.Run{}, storage.ErrNotFound
	}
	return recent[0], nil
}

// runs lists the recent runs with their state and links.
func (c *Core) runs(ctx context.Context) Reply {
	recent, err := c.DB.RecentRuns(ctx, 10)
	if err != nil {
		return internalError(c.Log, "listing runs", err)
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
		fmt.Fprintf(&b, "- `%s` — %s · %s · approved by %s%s\n", r.Build, r.State, c.fmtTime(r.CreatedAt), userRef(r.ApprovedBy), link)
	}
	return Reply{Ephemeral: b.String()}
}

// cancel drops an open plan, or stops a running run (W5, D14).
func (c *Core) cancel(ctx context.Context, in Incoming, target string, yes bool) Reply {
	cfg, err := c.effectiveConfig(ctx)
	if err != nil {
		return internalError(c.Log, "reading the config", err)
	}
	if target == "" || commands.IsPlanID(target) {
		stored, err := c.pickPlan(ctx, in.ChannelID, target)
		if err == nil {
			return c.cancelPlan(ctx, in, stored, cfg)
		}
		if target != "" {
			return Reply{Ephemeral: "⚠️ " + err.Error()}
		}
		active, _ := c.DB.ActiveRuns(ctx)
		if len(active) != 1 {
			return Reply{Ephemeral: "⚠️ Name what to cancel: `cancel PLAN` or `cancel BUILD --yes`."}
		}
		target = active[0].Build
	}
	run, err := c.DB.LatestRunByBuild(ctx, target)
	if err != nil || !storage.Active(run.State) {
		return Reply{Ephemeral: fmt.Sprintf("⚠️ No active run of `%s` to cancel.", target)}
	}
	if err := commands.CheckCancelRun(in.UserName, yes, cfg); err != nil {
		c.Metrics.Refused("cancel")
		return Reply{Ephemeral: "⛔ " + err.Error()}
	}
	if err := c.Runner.Cancel(ctx, run); err != nil {
		return internalError(c.Log, "stopping the runner", err)
	}
	state, reason := results.RunCancelled, "cancelled by "+in.UserName
	if err := c.DB.UpdateRun(ctx, run.ID, storage.RunUpdate{State: &state, Reason: &reason}); err != nil {
		return internalError(c.Log, "recording the cancel", err)
	}
	_ = c.DB.Audit(ctx, in.UserName, "cancel", run.ID)
	if run.Watcher {
		root := c.rootOf(ctx, run)
		c.postOnce(ctx, postSpec{key: run.ID + "/state", run: run.ID, kind: "state", channel: run.ChannelID, root: root,
			message: fmt.Sprintf("⏹️ `%s` was **cancelled** by %s; the runner was stopped and no result will be posted.", run.Build, userRef(in.UserName))})
	}
	return Reply{Ephemeral: fmt.Sprintf("Cancelled `%s`.", run.Build)}
}

func (c *Core) cancelPlan(ctx context.Context, in Incoming, stored storage.Plan, cfg *config.Config) Reply {
	rec, _, err := planRecord(stored)
	if err != nil {
		return internalError(c.Log, "reading the plan", err)
	}
	if err := commands.CheckCancelPlan(in.UserName, rec, cfg); err != nil {
		c.Metrics.Refused("cancel")
		return Reply{Ephemeral: "⛔ " + err.Error()}
	}
	if err := c.DB.SetPlanState(ctx, stored.ID, storage.PlanCancelled); err != nil {
		return internalError(c.Log, "cancelling the plan", err)
	}
	c.markPlanPost(ctx, stored.ID, fmt.Sprintf("⏹️ **Cancelled** by %s; nothing was run.", userRef(in.UserName)))
	return Reply{Ephemeral: fmt.Sprintf("Plan `%s` cancelled.", stored.ID)}
}

// unwatch stops watching a run without touching its runner (D14).
func (c *Core) unwatch(ctx context.Context, in Incoming, build string) Reply {
	run, err := c.DB.LatestRunByBuild(ctx, build)
	if err != nil || !storage.Active(run.State) {
		return Reply{Ephemeral: fmt.Sprintf("⚠️ No active run of `%s`.", build)}
	}
	off := false
	if err := c.DB.UpdateRun(ctx, run.ID, storage.RunUpdate{Watcher: &off}); err != nil {
		return internalError(c.Log, "unwatching", err)
	}
	_ = c.DB.Audit(ctx, in.UserName, "unwatch", run.ID)
	return Reply{Ephemeral: fmt.Sprintf("No more posts for `%s`; its runner keeps going. `/atvm status %s` still answers.", build, build)}
}

// blacklist lists or changes the maintained list (P12): changes are for
// approvers only and audited.
func (c *Core) blacklist(ctx context.Context, in Incoming, cmd commands.Command) Reply {
	if cmd.Action == commands.BlacklistList || cmd.Action == "" {
		entries, version, err := c.DB.Blacklist(ctx)
		if err != nil {
			return internalError(c.Log, "reading the blacklist", err)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "**Blacklist** (version %d, %d machines)\n", version, len(entries))
		for _, e := range entries {
			fmt.Fprintf(&b, "- `%s` — %s\n", e.Machine, e.Reason)
		}
		return Reply{Ephemeral: b.String()}
	}
	if !commands.IsApprover(in.UserName, c.Cfg) {
		c.Metrics.Refused("blacklist")
		return Reply{Ephemeral: "⛔ Only approvers may change the blacklist."}
	}
	reason := cmd.Reason
	if cmd.Action == commands.BlacklistRemove {
		reason = ""
	}
	changed, err := c.DB.SetBlacklisted(ctx, cmd.Machine, reason, in.UserName)
	if err != nil {
		return internalError(c.Log, "changing the blacklist", err)
	}
	if !changed {
		return Reply{Ephemeral: fmt.Sprintf("Nothing changed for `%s`.", cmd.Machine)}
	}
	return Reply{Ephemeral: fmt.Sprintf("Blacklist %s `%s`. Open plans built on the old list are void (P2).", map[bool]string{true: "removed", false: "added"}[reason == ""], cmd.Machine)}
}
