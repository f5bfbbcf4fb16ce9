package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

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
func (c *Core) status(ctx context.Context, build, ctl string) Reply {
	rn := c.mainRunner()
	if ctl != "" {
		r, ok := c.runnerNamed(ctl)
		if !ok || (len(c.Runners) == 0 && ctl != c.Cfg.MainControllerName()) {
			return Reply{Ephemeral: fmt.Sprintf("No controller is named `%s`; configured: %s.", ctl, strings.Join(c.Cfg.ControllerNames(), ", "))}
		}
		rn = r
	}
	if ctl == "" && build != "" && len(c.Runners) > 1 {
		if _, err := c.DB.LatestRunByBuild(ctx, build); errors.Is(err, storage.ErrNotFound) {
			if r := c.whereIs(ctx, build); r != nil {
				rn = r // a build the bot never ran is asked of the controller that has it
			}
		}
	}
	rep := c.statusOn(ctx, rn, build, ctl)
	if over := c.controllersOverview(ctx); over != "" && rep.Ephemeral != "" {
		rep.Ephemeral = over + "\n" + rep.Ephemeral
	}
	return rep
}

// statusOn is status's details: the named build, else (ctl named) the
// active or latest run of rn's controller, else the latest active run of
// any; with no active run of the bot's, rn's controller is asked.
func (c *Core) statusOn(ctx context.Context, rn Runner, build, ctl string) Reply {
	var only Runner
	if ctl != "" {
		only = rn
	}
	run, err := c.statusRun(ctx, build, only)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return internalError(c.Log, "finding the run", err)
	}
	if err == nil && build != "" {
		rn = c.runnerOf(run) // a named build is asked of its own controller
	}
	if err != nil || !storage.Active(run.State) {
		var latest *storage.Run
		if err == nil {
			latest = &run
		}
		key := rn.Controller() + "|" + build
		if latest != nil {
			key += "|" + latest.ID + "|" + latest.State
		}
		// Requests that arrive while the controller is being asked share
		// its answer; a later one asks again (S2).
		rep, ok := c.snap.do(key, func() (Reply, bool) { return c.controllerStatus(ctx, rn, build, latest) })
		if ok {
			return rep
		}
	}
	if errors.Is(err, storage.ErrNotFound) {
		if build != "" {
			return Reply{Ephemeral: fmt.Sprintf("No run of `%s` is known. `/atvm runs` lists the recent ones.", build)}
		}
		if ctl != "" {
			return Reply{Ephemeral: fmt.Sprintf("No run on controller `%s` yet. Start one with `/atvm plan <template> … --controller %s`.", ctl, ctl)}
		}
		return Reply{Ephemeral: "No run yet. Start one with `/atvm plan <template> …` (see `/atvm help plan`)."}
	}
	if err != nil {
		return internalError(c.Log, "finding the run", err)
	}
	st := results.Status{Build: run.Build, Template: run.Template, State: run.State, Categorized: run.Categorized}
	live := false
	if run.State == results.RunRunning {
		// Live (S2), from the run's owner: its latest poll when fresh,
		// else a poll taken in its turn — never a second poll beside it.
		var ok bool
		st, ok, run = c.liveStatus(ctx, run)
		live = ok
	}
	stored := ""
	if !live { // a live answer needs no stored one (it is megabytes on a large run)
		stored, _ = c.DB.RunStatus(ctx, run.ID)
	}
	if stored != "" {
		var prev results.Status
		if json.Unmarshal([]byte(stored), &prev) == nil {
			st = prev
		}
		if run.State == results.RunRunning {
			st.Notes = append(st.Notes, "The controller did not answer just now; this is the last status the bot saw.")
		}
	}
	if !live {
		st.State = run.State
	}
	if run.State == results.RunCancelled {
		st = notRun(st, run.Reason+".")
	}
	if run.State == results.RunLaunchFailed || run.State == results.RunApproved || run.State == results.RunLaunching {
		return Reply{Ephemeral: fmt.Sprintf("`%s` is %s. %s", run.Build, run.State, run.Reason)}
	}
	st.Version = c.Version
	opt := c.renderOpts(results.Live, "")
	opt.Tags = c.tagsFor(ctx, run, st)
	parts := results.RenderMarkdown(st, opt)
	msg := parts[0]
	if len(parts) > 1 {
		msg += fmt.Sprintf("\n\n_(%d more part(s): the full report is in the run's thread when it finishes.)_", len(parts)-1)
	}
	return Reply{Ephemeral: msg, chart: &chartSource{st: st, runID: run.ID, channel: run.ChannelID, root: run.RootPostID}}
}

// liveStatus is a running run's status from its owner: the latest poll if
// at most one poll interval old, else a poll taken as the owner. ok is false
// when no live answer could be had; run is the run as stored then.
func (c *Core) liveStatus(ctx context.Context, run storage.Run) (results.Status, bool, storage.Run) {
	o := c.ownerOf(run.ID)
	// The watch loop polls every interval; a tick busy posting may skip
	// the next one. An observation at most two intervals old is the watch
	// loop's latest (at most one poll behind): answered at once. Older, or
	// none yet, and the status polls in the owner's turn.
	maxAge := 2 * c.Cfg.Watch.PollInterval
	if st, ok := o.fresh(c.now(), maxAge); ok {
		return st, true, run
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if st, ok := o.fresh(c.now(), maxAge); ok {
		return st, true, run // a poll finished while this waited its turn
	}
	cur, err := c.DB.GetRun(ctx, run.ID)
	if err != nil || cur.State != results.RunRunning {
		return results.Status{}, false, cur
	}
	st, err := c.poll(ctx, o, cur)
	if err != nil {
		c.Log.Warn().Err(err).Str("run", run.ID).Msg("status: poll failed")
		return results.Status{}, false, cur
	}
	return st, true, cur
}

func (c *Core) statusRun(ctx context.Context, build string, only Runner) (storage.Run, error) {
	if build != "" {
		return c.DB.LatestRunByBuild(ctx, build)
	}
	mine := func(r storage.Run) bool { return only == nil || c.runnerOf(r) == only }
	active, err := c.DB.ActiveRuns(ctx)
	if err != nil {
		return storage.Run{}, err
	}
	for i := len(active) - 1; i >= 0; i-- {
		if mine(active[i]) {
			return active[i], nil
		}
	}
	recent, err := c.DB.RecentRuns(ctx, 50)
	if err != nil {
		return storage.Run{}, err
	}
	for _, r := range recent {
		if mine(r) {
			return r, nil
		}
	}
	return storage.Run{}, storage.ErrNotFound
}

// cancel drops an open plan, or stops a running run (W5, D14). With
// several controllers ctl narrows which run a build or no target means.
func (c *Core) cancel(ctx context.Context, in Incoming, target string, yes bool, ctl string) Reply {
	cfg, err := c.effectiveConfig(ctx)
	if err != nil {
		return internalError(c.Log, "reading the config", err)
	}
	if ctl != "" {
		if _, refused := c.runnersAsked(ctl); refused != nil {
			return *refused
		}
	}
	if (target == "" && ctl == "") || commands.IsPlanID(target) {
		stored, err := c.pickPlan(ctx, in.ChannelID, target)
		if err == nil {
			return c.cancelPlan(ctx, in, stored, cfg)
		}
		if target != "" {
			return Reply{Ephemeral: "⚠️ " + err.Error()}
		}
	}
	run, refused := c.runToCancel(ctx, target, ctl)
	if refused != nil {
		return *refused
	}
	if err := commands.CheckCancelRun(in.UserID, yes, cfg); err != nil {
		c.Metrics.Refused("cancel")
		return Reply{Ephemeral: "⛔ " + err.Error()}
	}
	return c.cancelRun(ctx, in, run.ID)
}

// cancelRun cancels a run as its owner (W5, D24): the cancel wins or loses
// atomically against the run's other transitions. Once it wins nothing more
// is launched, a started runner is stopped before the controller is freed,
// and no result, sub-run or correction post follows. The reply says which
// case happened.
func (c *Core) cancelRun(ctx context.Context, in Incoming, runID string) Reply {
	o := c.ownerOf(runID)
	o.mu.Lock()
	run, err := c.DB.GetRun(ctx, runID)
	if err != nil {
		o.mu.Unlock()
		return internalError(c.Log, "finding the run", err)
	}
	reason := "cancelled by " + userRef(in.UserName)
	switch run.State {
	case results.RunApproved, results.RunLaunching:
		won, cur := c.transition(ctx, runID, storage.Transition{From: []string{results.RunApproved, results.RunLaunching},
			To: results.RunCancelled, KeepLock: true, Update: storage.RunUpdate{Reason: &reason}})
		o.mu.Unlock()
		if !won {
			if cur.State == results.RunRunning {
				return c.cancelRun(ctx, in, runID) // the launch finished first: cancel the running run
			}
			return Reply{Ephemeral: fmt.Sprintf("`%s` had already ended (%s); nothing to cancel.", run.Build, cur.State)}
		}
		_ = c.DB.Audit(ctx, actor(in), "cancel", run.ID+" during the launch")
		return c.cancelLaunch(ctx, in, o, cur)
	case results.RunRunning:
		defer o.mu.Unlock()
		won, cur := c.transition(ctx, runID, storage.Transition{From: []string{results.RunRunning},
			To: results.RunCancelled, KeepLock: true, Update: storage.RunUpdate{Reason: &reason}})
		if !won {
			return Reply{Ephemeral: fmt.Sprintf("`%s` had already ended (%s); nothing to cancel.", run.Build, cur.State)}
		}
		_ = c.DB.Audit(ctx, actor(in), "cancel", run.ID)
		// The progress post says CANCELLED the moment the cancel wins,
		// whether or not the run is watched now: it must not go on saying
		// RUNNING while the runner is being stopped.
		root := c.rootOf(ctx, cur)
		if root != "" {
			var st results.Status
			if stored, _ := c.DB.RunStatus(ctx, cur.ID); stored != "" {
				_ = json.Unmarshal([]byte(stored), &st)
			}
			st = notRun(st, "")
			cur.RootPostID = root
			c.patchIfChanged(ctx, root, c.progressText(cur, st))
		}
		stopped := c.stopAndRelease(ctx, cur) == nil
		if root != "" && cur.Watcher {
			what := "the runner was stopped"
			if !stopped {
				what = "stopping the runner failed so far; the bot keeps trying and keeps the controller locked until it is gone"
			}
			c.postOnce(ctx, postSpec{key: run.ID + "/state", run: run.ID, kind: "state", channel: run.ChannelID, root: root,
				message: fmt.Sprintf("⏹️ `%s` was **cancelled** by %s; %s. No result will be posted; hosts without a result were not run to the end.", run.Build, userRef(in.UserName), what)})
		}
		if !stopped {
			return Reply{Ephemeral: fmt.Sprintf("Cancelled `%s`: no result will be posted. Stopping its runner failed so far; the bot keeps trying and the controller stays locked until the runner is gone.", run.Build)}
		}
		return Reply{Ephemeral: fmt.Sprintf("Cancelled `%s` while it ran: the runner was stopped; no result will be posted.", run.Build)}
	default:
		o.mu.Unlock()
		return Reply{Ephemeral: fmt.Sprintf("`%s` had already ended (%s); nothing to cancel.", run.Build, run.State)}
	}
}

// launchWait bounds how long a cancel reply waits for the launch to stop.
const launchWait = 2 * time.Minute

// cancelLaunch stops a launch a cancel has won against: the step in flight
// is stopped on the controller, the launch goroutine ends (stopping a runner
// it started), and the reply says how far the launch had got.
func (c *Core) cancelLaunch(ctx context.Context, in Incoming, o *runOwner, run storage.Run) Reply {
	o.launchMu.Lock()
	cancel, done := o.launchCancel, o.launchDone
	o.launchMu.Unlock()
	if cancel != nil {
		cancel()
	}
	// The template step may run for minutes and outlive its SSH session:
	// stop it now rather than wait for it.
	sctx, stop := context.WithTimeout(ctx, c.pollTimeout())
	if err := c.runnerOf(run).Cancel(sctx, run); err != nil {
		c.Log.Warn().Err(err).Str("run", run.ID).Msg("stopping the launch's current step")
	}
	stop()
	result := ""
	if done == nil {
		// No launch of this process (a restart in between): stop whatever
		// it may have started, then free the controller.
		o.mu.Lock()
		if err := c.stopAndRelease(ctx, run); err != nil {
			result = "stopping what it started failed so far; the bot keeps trying and keeps the controller locked"
		} else {
			result = "anything it had started was stopped"
		}
		o.mu.Unlock()
	} else {
		select {
		case <-done:
			o.launchMu.Lock()
			result = o.launchResult
			o.launchMu.Unlock()
		case <-time.After(launchWait):
			result = "the launch is still being stopped; the controller stays locked until it is"
		case <-ctx.Done():
			result = "the launch is being stopped"
		}
	}
	c.markPlanPost(ctx, run.PlanID, fmt.Sprintf("⏹️ **Cancelled** by %s during the launch: %s.", userRef(in.UserName), result))
	return Reply{Ephemeral: fmt.Sprintf("Cancelled `%s` during the launch: %s. No result will be posted.", run.Build, result)}
}

func (c *Core) cancelPlan(ctx context.Context, in Incoming, stored storage.Plan, cfg *config.Config) Reply {
	rec, _, err := planRecord(stored)
	if err != nil {
		return internalError(c.Log, "reading the plan", err)
	}
	if err := commands.CheckCancelPlan(in.UserID, rec, cfg); err != nil {
		c.Metrics.Refused("cancel")
		return Reply{Ephemeral: "⛔ " + err.Error()}
	}
	if err := c.DB.SetPlanState(ctx, stored.ID, storage.PlanCancelled); err != nil {
		return internalError(c.Log, "cancelling the plan", err)
	}
	c.markPlanPost(ctx, stored.ID, fmt.Sprintf("⏹️ **Cancelled** by %s; nothing was run.", userRef(in.UserName)))
	return Reply{Ephemeral: fmt.Sprintf("Plan `%s` cancelled.", stored.ID)}
}

// unwatch stops watching a run without touching its runner (D14). Only
// the run's approver, the plan's author or an approver may.
func (c *Core) unwatch(ctx context.Context, in Incoming, build, ctl string) Reply {
	if _, refused := c.runnersAsked(ctl); refused != nil {
		return *refused
	}
	runs, err := c.activeRunsOf(ctx, build, ctl)
	switch {
	case err != nil:
		return internalError(c.Log, "finding the run", err)
	case len(runs) == 0:
		return Reply{Ephemeral: fmt.Sprintf("⚠️ No active run of `%s`%s.", build, onController(ctl))}
	case len(runs) > 1:
		return *c.onSeveral(runs, "unwatch "+build)
	}
	run := runs[0]
	if !c.isApprover(in.UserID) && (in.UserID == "" || (in.UserID != run.ApprovedByID && in.UserID != run.PlannedByID)) {
		c.Metrics.Refused("unwatch")
		return Reply{Ephemeral: fmt.Sprintf("⛔ Only the run's approver, the plan's author or an approver may stop watching `%s`.", build)}
	}
	var reply Reply
	err = c.withRun(ctx, run.ID, func(_ *runOwner, cur storage.Run) {
		if !storage.Active(cur.State) {
			reply = Reply{Ephemeral: fmt.Sprintf("⚠️ `%s` has ended (%s).", build, cur.State)}
			return
		}
		off := false
		if err := c.DB.UpdateRun(ctx, run.ID, storage.RunUpdate{Watcher: &off}); err != nil {
			reply = internalError(c.Log, "unwatching", err)
			return
		}
		_ = c.DB.Audit(ctx, actor(in), "unwatch", run.ID)
		reply = Reply{Ephemeral: fmt.Sprintf("No more posts for `%s`; its runner keeps going. `/atvm status %s` still answers.", build, build)}
	})
	if err != nil {
		return internalError(c.Log, "unwatching", err)
	}
	return reply
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
		fmt.Fprintf(&b, "**Blacklist** (version %d, %s)\n", version, plural(len(entries), "machine", "machines"))
		for _, e := range entries {
			fmt.Fprintf(&b, "- `%s` — %s\n", e.Machine, commands.EscapeMarkdown(e.Reason))
		}
		return Reply{Ephemeral: b.String()}
	}
	if !c.isApprover(in.UserID) {
		c.Metrics.Refused("blacklist")
		return Reply{Ephemeral: "⛔ Only approvers may change the blacklist."}
	}
	reason := cmd.Reason
	if cmd.Action == commands.BlacklistRemove {
		reason = ""
	}
	changed, err := c.DB.SetBlacklisted(ctx, cmd.Machine, reason, actor(in))
	if err != nil {
		return internalError(c.Log, "changing the blacklist", err)
	}
	if !changed {
		return Reply{Ephemeral: fmt.Sprintf("Nothing changed for `%s`.", cmd.Machine)}
	}
	return Reply{Ephemeral: fmt.Sprintf("Blacklist %s `%s`. Open plans built on the old list can no longer be approved; plan again.", map[bool]string{true: "removed", false: "added"}[reason == ""], cmd.Machine)}
}
