package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

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
			_ = c.DB.RecordRefusal(ctx, a.PlanID, actor(in), msg)
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
	if in.Action != nil && in.Action.Hash != "" && in.Action.Hash != stored.Hash {
		// The button was made for another version of this plan (P2).
		return refused(fmt.Sprintf("plan %s changed after this button was made; use the newest plan post", stored.ID))
	}
	// The plan's controller; "" (a plan from before names) is the main one.
	rn, ok := c.runnerNamed(stored.Controller)
	if !ok {
		return refused(fmt.Sprintf("plan %s is for controller %s, which the bot is no longer configured for; make the plan again", stored.ID, stored.Controller))
	}
	// D15: the controller is asked first; a run started there by hand holds
	// it like the bot's own. An unanswered question refuses (fail closed).
	if busy, err := c.liveOn(ctx, rn); err != nil {
		c.Log.Warn().Err(err).Msg("approve: the controller did not answer")
		return refused("the controller did not answer, so the bot cannot tell whether a run is live on it; try again shortly")
	} else if busy != "" {
		return refused(busy)
	}
	watcher := a.Watcher(plan)
	run := storage.Run{
		ID: c.newRunID(plan.Build, rn, c.now()), PlanID: plan.ID, Build: plan.Build, Controller: rn.Controller(),
		Template: plan.Template, Categorized: plan.Categorized, Watcher: watcher, State: results.RunApproved,
		PlannedBy: stored.CreatedBy, ApprovedBy: in.UserName, ChannelID: stored.ChannelID,
		PlannedByID: stored.CreatedByID, ApprovedByID: in.UserID,
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
	_ = c.DB.Audit(ctx, actor(in), "approve", fmt.Sprintf("%s %s watcher=%v", plan.ID, plan.Build, watcher))
	c.Log.Info().Str("plan", plan.ID).Str("run", run.ID).Str("approver_id", in.UserID).Str("approver", in.UserName).Bool("watcher", watcher).Msg("approved")
	how := "with the watcher"
	if !watcher {
		how = "without the watcher: no progress or result posts"
	}
	c.markPlanPost(ctx, plan.ID, fmt.Sprintf("✅ **Approved** by %s at %s (%s). Launching: template → verify → runner…",
		userRef(in.UserName), c.fmtTime(c.now()), how))
	// The launch outlives the request that approved it; cancel stops it
	// through the owner (D24).
	o := c.ownerOf(run.ID)
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	o.launchMu.Lock()
	o.launchCancel, o.launchDone = cancel, make(chan struct{})
	o.launchMu.Unlock()
	c.launches.Add(1)
	go func() {
		defer c.launches.Done()
		defer cancel()
		c.launch(lctx, o, run, plan)
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
		return fmt.Sprintf("%s is busy with run %s (approved by %s at %s)", c.controllerWord(l.Controller), l.RunID, userRef(l.Holder), c.fmtTime(l.Since))
	}
	link := fmt.Sprintf("`/atvm status %s`", r.Build)
	if r.RootPostID != "" {
		link = c.Chat.PostLink(r.RootPostID) + " or " + link
	}
	if r.Adopted {
		return fmt.Sprintf("%s is busy: `%s` (%s) started by hand on the controller at %s, watched since %s asked — see %s. One run at a time per controller.",
			c.controllerWord(l.Controller), r.Build, r.State, c.fmtTime(r.ControllerStart), userRef(l.Holder), link)
	}
	return fmt.Sprintf("%s is busy: `%s` (%s) approved by %s at %s — see %s. One run at a time per controller.",
		c.controllerWord(l.Controller), r.Build, r.State, userRef(l.Holder), c.fmtTime(l.Since), link)
}

// controllerWord names a controller by its lock key in a refusal: "the
// controller" when there is one, its name when there are several.
func (c *Core) controllerWord(key string) string {
	if len(c.Runners) < 2 {
		return "the controller"
	}
	return "controller `" + key + "`"
}

// launch runs the launch sequence and records each step; the plan post shows
// the progress, a failure says why (P5, P15, P16). Every state change is a
// guarded transition taken as the run's owner: a cancel that won first is
// never overwritten, and a runner started after it is stopped before the
// controller is freed (D15, D24).
func (c *Core) launch(ctx context.Context, o *runOwner, run storage.Run, plan commands.Plan) {
	result := ""
	defer func() {
		o.launchMu.Lock()
		o.launchResult, o.launchCancel = result, nil
		close(o.launchDone)
		o.launchMu.Unlock()
	}()
	var won bool
	_ = c.withRun(ctx, run.ID, func(_ *runOwner, cur storage.Run) {
		won, _ = c.transition(ctx, run.ID, storage.Transition{From: []string{results.RunApproved}, To: results.RunLaunching})
	})
	if !won {
		result = "cancelled before the launch began: nothing was started on the controller"
		c.releaseAfterCancel(ctx, run.ID, false)
		return
	}
	FaultPoint(FaultLaunching)
	var stepsMu sync.Mutex
	var steps []string
	progress := func(step string) {
		stepsMu.Lock()
		if len(steps) > 0 && steps[len(steps)-1] == step {
			stepsMu.Unlock()
			return // a step reports its start and its end
		}
		steps = append(steps, step)
		line := strings.Join(steps, " ✓ → ")
		stepsMu.Unlock()
		if ctx.Err() != nil {
			return // cancelled: the plan post says so
		}
		_ = c.DB.AddEvent(ctx, run.ID, "launch", step)
		c.markPlanPost(ctx, plan.ID, fmt.Sprintf("✅ **Approved** by %s. Launching `%s`: %s …", userRef(run.ApprovedBy), run.Build, line))
	}
	got, err := c.runnerOf(run).Launch(ctx, run, plan, progress)
	stepsMu.Lock()
	done := strings.Join(steps, " ✓ → ")
	stepsMu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		reason := err.Error()
		won, cur := c.transition(ctx, run.ID, storage.Transition{From: []string{results.RunLaunching}, To: results.RunLaunchFailed, Update: storage.RunUpdate{Reason: &reason}})
		if !won {
			// A cancel won: whatever step was running was stopped; the
			// runner never started.
			result = "cancelled during the launch (" + lastStep(done) + "): the runner never started"
			if cur.State == results.RunCancelled {
				// The step the cancel cut short may outlive its session on
				// the controller: stop it before freeing the controller.
				c.releaseAfterCancel(ctx, run.ID, true)
			}
			return
		}
		result = "launch failed: " + firstLine(reason)
		c.Log.Warn().Str("run", run.ID).Str("reason", reason).Msg("launch failed")
		c.markPlanPost(ctx, plan.ID, fmt.Sprintf("❌ **Launch failed** (approved by %s): %s", userRef(run.ApprovedBy), firstLine(reason)))
		stored, _ := c.DB.GetPlan(ctx, plan.ID)
		c.postOnce(ctx, postSpec{key: run.ID + "/launch-failed", run: run.ID, kind: "state", channel: run.ChannelID, root: stored.PostID,
			message: fmt.Sprintf("❌ **%s — launch failed.** Nothing else was started.\n\n```\n%s\n```\n%s", run.Build, clip(reason, 3000), mentions(run.PlannedBy, run.ApprovedBy))})
		c.forgetOwner(run.ID)
		return
	}
	upd := storage.RunUpdate{RunnerPID: &got.RunnerPID, RunnerStart: &got.RunnerStart, ScopeJSON: &got.ScopeJSON, ControllerStart: &got.ControllerStart}
	won, cur := c.transition(ctx, run.ID, storage.Transition{From: []string{results.RunLaunching}, To: results.RunRunning, Update: upd})
	if !won {
		// The cancel won while the runner was starting: record its
		// identity, stop it, and only then free the controller.
		if err := c.DB.UpdateRun(ctx, run.ID, upd); err != nil {
			c.Log.Error().Err(err).Str("run", run.ID).Msg("recording the runner of a cancelled launch")
		}
		if cur.State == results.RunCancelled {
			cur.RunnerPID, cur.RunnerStart = got.RunnerPID, got.RunnerStart
			if err := c.stopAndRelease(ctx, cur); err != nil {
				result = fmt.Sprintf("cancelled as the runner started (pid %d); stopping it failed, the bot retries and keeps the controller locked until it is gone", got.RunnerPID)
				return
			}
			result = fmt.Sprintf("cancelled as the runner started: the runner (pid %d) was stopped", got.RunnerPID)
		}
		return
	}
	result = "launched"
	c.markPlanPost(ctx, plan.ID, fmt.Sprintf("✅ **Approved** by %s · launched at %s: %s ✓ · runner pid %d.",
		userRef(run.ApprovedBy), c.fmtTime(got.ControllerStart), done, got.RunnerPID))
	if cur.Watcher {
		c.ensureRoot(ctx, cur, results.Status{Build: cur.Build, Template: cur.Template, State: results.RunRunning, Categorized: cur.Categorized})
	}
}

// releaseAfterCancel frees the controller of a run cancelled before its
// runner started; with the runner possibly started, it is stopped first.
func (c *Core) releaseAfterCancel(ctx context.Context, runID string, runnerMayRun bool) {
	run, err := c.DB.GetRun(ctx, runID)
	if err != nil {
		return
	}
	if runnerMayRun {
		_ = c.stopAndRelease(ctx, run)
		return
	}
	if err := c.DB.ReleaseRunLock(ctx, runID); err != nil {
		c.Log.Error().Err(err).Str("run", runID).Msg("releasing the controller lock")
	}
	c.forgetOwner(runID)
}

func lastStep(steps string) string {
	if steps == "" {
		return "before the first step"
	}
	if i := strings.LastIndex(steps, " ✓ → "); i >= 0 {
		return "at " + steps[i+len(" ✓ → "):]
	}
	return "at " + steps
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
