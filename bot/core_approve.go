package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// approve checks an approval against its plan and, when it stands, takes
// the controller's lock, records the run and launches it in the background
// (P1–P3, P11, D14, D15).
func (c *Core) approve(ctx context.Context, in Incoming, a commands.Approval) Reply {
	refused := func(msg string) Reply {
		c.Metrics.Refused("approve")
		if a.PlanID != "" {
			_ = c.DB.RecordRefusal(ctx, a.PlanID, in.UserName, msg)
		}
		return Reply{Ephemeral: "⛔ Not approved: " + msg}
	}
	stored, err := c.pickPlan(ctx, in.ChannelID, a.PlanID)
	if err != nil {
		var ae *commands.ApprovalError
		if errors.As(err, &ae) {
			return refused(ae.Msg)
		}
		return internalError(c.Log, "finding the plan", err)
	}
	a.PlanID = stored.ID
	rec, plan, err := planRecord(stored)
	if err != nil {
		return internalError(c.Log, "reading the plan", err)
	}
	cfg, err := c.effectiveConfig(ctx)
	if err != nil {
		return internalError(c.Log, "reading the blacklist", err)
	}
	if err := commands.CheckApproval(a, rec, c.now(), cfg); err != nil {
		return refused(err.Error())
	}
	// D15: the controller is asked first; a run started there by hand holds
	// it like the bot's own. An unanswered question refuses (fail closed).
	if busy, err := c.liveOnController(ctx); err != nil {
		c.Log.Warn().Err(err).Msg("approve: the controller did not answer")
		return refused("the controller did not answer, so the bot cannot tell whether a run is live on it; try again shortly")
	} else if busy != "" {
		return refused(busy)
	}
	watcher := a.Watcher(plan)
	run := storage.Run{
		ID: newRunID(plan.Build, c.now()), PlanID: plan.ID, Build: plan.Build, Controller: c.Runner.Controller(),
		Template: plan.Template, Categorized: plan.Categorized, Watcher: watcher, State: results.RunApproved,
		PlannedBy: stored.CreatedBy, ApprovedBy: in.UserName, ChannelID: stored.ChannelID,
	}
	used, err := c.DB.ApproveAndCreateRun(ctx, run, in.UserName)
	var locked *storage.ErrLocked
	switch {
	case errors.As(err, &locked):
		return refused(c.busyMessage(ctx, locked))
	case err != nil:
		return internalError(c.Log, "recording the approval", err)
	case !used:
		return refused(fmt.Sprintf("plan %s was already approved or is no longer open", plan.ID))
	}
	_ = c.DB.Audit(ctx, in.UserName, "approve", fmt.Sprintf("%s %s watcher=%v", plan.ID, plan.Build, watcher))
	c.Log.Info().Str("plan", plan.ID).Str("run", run.ID).Str("approver", in.UserName).Bool("watcher", watcher).Msg("approved")
	how := "with the watcher"
	if !watcher {
		how = "without the watcher: no progress or result posts"
	}
	c.markPlanPost(ctx, plan.ID, fmt.Sprintf("✅ **Approved** by %s at %s (%s). Launching: template → verify → runner…",
		userRef(in.UserName), c.fmtTime(c.now()), how))
	c.launches.Add(1)
	go func() {
		defer c.launches.Done()
		c.launch(context.WithoutCancel(ctx), run, plan)
	}()
	return Reply{Ephemeral: fmt.Sprintf("Approved plan `%s`; launching `%s` %s.", plan.ID, plan.Build, how)}
}

func (c *Core) pickPlan(ctx context.Context, channel, named string) (storage.Plan, error) {
	if named != "" {
		p, err := c.DB.GetPlan(ctx, strings.ToLower(named))
		if errors.Is(err, storage.ErrNotFound) {
			return p, &commands.ApprovalError{Code: commands.RefuseUnknownPlanID, Msg: fmt.Sprintf("there is no plan %s", named)}
		}
		return p, err
	}
	open, err := c.DB.OpenPlans(ctx, channel)
	if err != nil {
		return storage.Plan{}, err
	}
	recs := make([]commands.PlanRecord, 0, len(open))
	byID := map[string]storage.Plan{}
	for _, p := range open {
		rec, _, err := planRecord(p)
		if err != nil {
			continue
		}
		recs = append(recs, rec)
		byID[p.ID] = p
	}
	rec, err := commands.PickPlan(recs, "")
	if err != nil {
		return storage.Plan{}, err
	}
	return byID[rec.ID], nil
}

// busyMessage names who holds the controller, since when, and its build (D15).
func (c *Core) busyMessage(ctx context.Context, l *storage.ErrLocked) string {
	r, err := c.DB.GetRun(ctx, l.RunID)
	if err != nil {
		return fmt.Sprintf("the controller is busy with run %s (approved by %s at %s)", l.RunID, userRef(l.Holder), c.fmtTime(l.Since))
	}
	link := fmt.Sprintf("`/atvm status %s`", r.Build)
	if r.RootPostID != "" {
		link = c.Chat.PostLink(r.RootPostID) + " or " + link
	}
	if r.Adopted {
		return fmt.Sprintf("the controller is busy: `%s` (%s) started by hand on the controller at %s, watched since %s asked — see %s. One run at a time per controller.",
			r.Build, r.State, c.fmtTime(r.ControllerStart), userRef(l.Holder), link)
	}
	return fmt.Sprintf("the controller is busy: `%s` (%s) approved by %s at %s — see %s. One run at a time per controller.",
		r.Build, r.State, userRef(l.Holder), c.fmtTime(l.Since), link)
}

// launch runs the launch sequence and records each step; the plan post shows
// the progress, a failure says why (P5, P15, P16).
func (c *Core) launch(ctx context.Context, run storage.Run, plan commands.Plan) {
	setState := func(state, reason string) {
		if err := c.DB.UpdateRun(ctx, run.ID, storage.RunUpdate{State: &state, Reason: &reason}); err != nil {
			c.Log.Error().Err(err).Str("run", run.ID).Msg("recording the run state")
		}
	}
	setState(results.RunLaunching, "")
	faultPoint(FaultLaunching)
	var steps []string
	progress := func(step string) {
		if len(steps) > 0 && steps[len(steps)-1] == step {
			return // a step reports its start and its end
		}
		steps = append(steps, step)
		_ = c.DB.AddEvent(ctx, run.ID, "launch", step)
		c.markPlanPost(ctx, plan.ID, fmt.Sprintf("✅ **Approved** by %s. Launching `%s`: %s …", userRef(run.ApprovedBy), run.Build, strings.Join(steps, " ✓ → ")))
	}
	got, err := c.Runner.Launch(ctx, run, plan, progress)
	if err != nil {
		reason := err.Error()
		setState(results.RunLaunchFailed, reason)
		c.Log.Warn().Str("run", run.ID).Str("reason", reason).Msg("launch failed")
		c.markPlanPost(ctx, plan.ID, fmt.Sprintf("❌ **Launch failed** (approved by %s): %s", userRef(run.ApprovedBy), firstLine(reason)))
		stored, _ := c.DB.GetPlan(ctx, plan.ID)
		c.postOnce(ctx, postSpec{key: run.ID + "/launch-failed", run: run.ID, kind: "state", channel: run.ChannelID, root: stored.PostID,
			message: fmt.Sprintf("❌ **%s — launch failed.** Nothing else was started.\n\n```\n%s\n```\n%s", run.Build, clip(reason, 3000), mentions(run.PlannedBy, run.ApprovedBy))})
		return
	}
	state := results.RunRunning
	if err := c.DB.UpdateRun(ctx, run.ID, storage.RunUpdate{State: &state, RunnerPID: &got.RunnerPID, RunnerStart: &got.RunnerStart,
		ScopeJSON: &got.ScopeJSON, ControllerStart: &got.ControllerStart}); err != nil {
		c.Log.Error().Err(err).Str("run", run.ID).Msg("recording the launch")
	}
	c.markPlanPost(ctx, plan.ID, fmt.Sprintf("✅ **Approved** by %s · launched at %s: %s ✓ · runner pid %d.",
		userRef(run.ApprovedBy), c.fmtTime(got.ControllerStart), strings.Join(steps, " ✓ → "), got.RunnerPID))
	if run.Watcher {
		run, _ = c.DB.GetRun(ctx, run.ID)
		c.ensureRoot(ctx, run, results.Status{Build: run.Build, Template: run.Template, State: results.RunRunning, Categorized: run.Categorized})
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
