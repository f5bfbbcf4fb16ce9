package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/storage"
)

// fireGrace: a fire found due later than this (the bot was down, or a
// tick stalled) is reported missed, never launched late.
const fireGrace = 5 * time.Minute

// schedule answers `/atvm schedule …`.
func (c *Core) schedule(ctx context.Context, in Incoming, req *commands.ScheduleRequest) Reply {
	switch req.Action {
	case commands.ScheduleAdd:
		return c.scheduleAdd(ctx, in, req)
	case commands.ScheduleList:
		return c.scheduleList(ctx)
	}
	s, err := c.DB.GetSchedule(ctx, req.ID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && s.Removed) {
		return Reply{Ephemeral: fmt.Sprintf("⚠️ No schedule `%s`; `/atvm schedule list` shows them.", req.ID)}
	}
	if err != nil {
		return internalError(c.Log, "reading the schedule", err)
	}
	switch req.Action {
	case commands.ScheduleShow:
		p, err := c.schedulePlan(ctx, s)
		if err != nil {
			return Reply{Ephemeral: fmt.Sprintf("⚠️ Schedule `%s` would make no plan now: %v", s.ID, err)}
		}
		return Reply{Ephemeral: fmt.Sprintf("Schedule `%s` would plan this now (hash `%s`; %s):\n\n%s", s.ID, short(p.Hash), c.standingText(s, p.Hash), p.Markdown())}
	case commands.ScheduleApprove:
		if !c.isApprover(in.UserID) {
			return Reply{Ephemeral: "⛔ Only approvers may give a schedule a standing approval."}
		}
		p, err := c.schedulePlan(ctx, s)
		if err != nil {
			return Reply{Ephemeral: fmt.Sprintf("⚠️ Schedule `%s` makes no plan now, so there is nothing to approve: %v", s.ID, err)}
		}
		if err := c.DB.SetStandingApproval(ctx, s.ID, p.Hash, in.UserID, in.UserName); err != nil {
			return internalError(c.Log, "recording the standing approval", err)
		}
		_ = c.DB.Audit(ctx, actor(in), "schedule-approve", s.ID+" "+p.Hash)
		return Reply{Ephemeral: fmt.Sprintf("✅ Standing approval of schedule `%s` for plan hash `%s`: a fire launches this plan without a new approval as long as it stays exactly this; "+
			"a changed plan (blacklist, defaults) is posted for approval instead.\n\n%s", s.ID, short(p.Hash), p.Markdown())}
	}
	if in.UserID != s.OwnerID && !c.isApprover(in.UserID) {
		return Reply{Ephemeral: fmt.Sprintf("⛔ Only its owner (%s) or an approver may %s schedule `%s`.", userRef(s.OwnerName), req.Action, s.ID)}
	}
	var err2 error
	switch req.Action {
	case commands.SchedulePause:
		err2 = c.DB.SetSchedulePaused(ctx, s.ID, true, c.now())
	case commands.ScheduleResume:
		err2 = c.DB.SetSchedulePaused(ctx, s.ID, false, c.now())
	case commands.ScheduleRemove:
		err2 = c.DB.RemoveSchedule(ctx, s.ID)
	}
	if err2 != nil {
		return internalError(c.Log, "changing the schedule", err2)
	}
	_ = c.DB.Audit(ctx, actor(in), "schedule-"+req.Action, s.ID)
	done := map[string]string{commands.SchedulePause: "paused", commands.ScheduleResume: "resumed (fires due while it was paused are not made up)", commands.ScheduleRemove: "removed"}
	return Reply{Ephemeral: fmt.Sprintf("Schedule `%s` %s.", s.ID, done[req.Action])}
}

func (c *Core) scheduleAdd(ctx context.Context, in Incoming, req *commands.ScheduleRequest) Reply {
	sched, err := commands.CronParser.Parse(req.Spec)
	if err != nil {
		return Reply{Ephemeral: "⚠️ " + err.Error()}
	}
	s := storage.Schedule{ChannelID: in.ChannelID, OwnerID: in.UserID, OwnerName: in.UserName, Spec: req.Spec, Words: req.Words, CheckedUntil: c.now()}
	p, err := c.schedulePlan(ctx, s)
	if err != nil {
		c.Metrics.Refused("schedule")
		return Reply{Ephemeral: "⚠️ Schedule refused: its plan is refused now: " + err.Error()}
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%s|%d", in.ChannelID, req.Spec, req.Words, c.now().UnixNano())))
	s.ID = "s-" + hex.EncodeToString(sum[:])[:6]
	if err := c.DB.AddSchedule(ctx, s); err != nil {
		return internalError(c.Log, "storing the schedule", err)
	}
	_ = c.DB.Audit(ctx, actor(in), "schedule-add", fmt.Sprintf("%s %q %s", s.ID, s.Spec, s.Words))
	var next []string
	t := c.now().In(c.Cfg.Location())
	for i := 0; i < 3; i++ {
		t = sched.Next(t)
		next = append(next, c.fmtTime(t))
	}
	return Reply{Ephemeral: fmt.Sprintf("⏰ Schedule `%s` added: `%s` (%s) → `/atvm plan %s` (today that is build `%s`, plan hash `%s`).\nNext fires: %s.\n"+
		"Each fire posts the plan afresh for approval. An approver can give it a standing approval with `/atvm schedule approve %s`.",
		s.ID, s.Spec, c.Cfg.Location(), s.Words, p.Build, short(p.Hash), strings.Join(next, " · "), s.ID)}
}

func (c *Core) scheduleList(ctx context.Context) Reply {
	list, err := c.DB.Schedules(ctx)
	if err != nil {
		return internalError(c.Log, "reading the schedules", err)
	}
	if len(list) == 0 {
		return Reply{Ephemeral: "No schedules. Add one with `/atvm schedule add \"0 2 * * 1-5\" cmc-e2e --containsVm redhat` (see `/atvm help schedule`)."}
	}
	var b strings.Builder
	b.WriteString("| id | owner | spec | plan | next fire | last fire | approval |\n|---|---|---|---|---|---|---|\n")
	for _, s := range list {
		next := "paused"
		if sched, err := commands.CronParser.Parse(s.Spec); err == nil && !s.Paused {
			next = c.fmtTime(sched.Next(c.now().In(c.Cfg.Location())))
		}
		last := "—"
		if f, err := c.DB.LastFire(ctx, s.ID); err == nil {
			last = c.fmtTime(f.FireAt) + " " + f.Outcome
		}
		appr := "each fire"
		if s.StandingHash != "" {
			appr = fmt.Sprintf("standing, by %s, plan `%s`", userRef(s.StandingBy), short(s.StandingHash))
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | `%s` | %s | %s | %s |\n", s.ID, userRef(s.OwnerName), s.Spec, s.Words, next, last, appr)
	}
	return Reply{Ephemeral: b.String()}
}

// schedulePlan is the plan a schedule's words make now.
func (c *Core) schedulePlan(ctx context.Context, s storage.Schedule) (commands.Plan, error) {
	cmd, err := commands.Parse(commands.SchedulePlanText(s.Words))
	if err != nil {
		return commands.Plan{}, err
	}
	if cmd.Plan == nil {
		return commands.Plan{}, fmt.Errorf("the words %q are not a plan", s.Words)
	}
	cfg, err := c.effectiveConfig(ctx)
	if err != nil {
		return commands.Plan{}, err
	}
	req, _, err := c.onController(*cmd.Plan, s.ChannelID)
	if err != nil {
		return commands.Plan{}, err
	}
	return commands.BuildPlan(req, cfg)
}

func (c *Core) standingText(s storage.Schedule, hash string) string {
	switch {
	case s.StandingHash == "":
		return "each fire needs an approval"
	case s.StandingHash == hash:
		return fmt.Sprintf("its standing approval by %s holds", userRef(s.StandingBy))
	default:
		return fmt.Sprintf("its standing approval by %s was for plan `%s`: this plan would need a fresh approval", userRef(s.StandingBy), short(s.StandingHash))
	}
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// FireSchedules handles every schedule's fires due by now: the latest due
// fire within fireGrace is fired; any before it (the bot was down) are
// reported in one post per schedule and never launched. Each fire is taken
// once across restarts and processes (its key in the state file). Called
// every minute by serve.
func (c *Core) FireSchedules(ctx context.Context) {
	list, err := c.DB.Schedules(ctx)
	if err != nil {
		c.Log.Error().Err(err).Msg("reading the schedules")
		return
	}
	now := c.now()
	loc := c.Cfg.Location()
	for _, s := range list {
		if s.Paused {
			continue
		}
		sched, err := commands.CronParser.Parse(s.Spec)
		if err != nil {
			c.Log.Error().Err(err).Str("schedule", s.ID).Msg("schedule spec unreadable")
			continue
		}
		due := dueFires(sched, s.CheckedUntil.In(loc), now)
		gaps := skippedByDST(sched, s.CheckedUntil, now, loc)
		if len(due) > 0 {
			missed := due
			var fire time.Time
			if last := due[len(due)-1]; now.Sub(last) <= fireGrace {
				missed, fire = due[:len(due)-1], last
			}
			c.reportMissed(ctx, s, missed)
			if !fire.IsZero() {
				c.fire(ctx, s, fire)
			}
		}
		// After the real fires: a gap's key may lie past one of them.
		for _, g := range gaps {
			c.reportGap(ctx, s, g, loc)
		}
	}
}

// skippedByDST are the fire times on the operators' wall clock, after from
// and up to now, that do not exist there (the hour the clocks go forward):
// the cron library passes over them, and the bot says so instead of
// dropping them silently. Each is the wall time as written (02:30).
func skippedByDST(sched cron.Schedule, from, now time.Time, loc *time.Location) []time.Time {
	// The schedule read on wall-clock values: the same fields, in UTC,
	// where every wall time exists.
	wall := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	}
	var out []time.Time
	end := wall(now)
	for t := wall(from); len(out) < 100; {
		t = sched.Next(t)
		if t.IsZero() || t.After(end) {
			break
		}
		if real := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, loc); !wall(real).Equal(t) {
			out = append(out, t) // normalized away: this wall time does not exist
		}
		if t.Sub(wall(from)) > 400*24*time.Hour {
			break
		}
	}
	return out
}

// reportGap says once that a fire time did not exist. Its key is the
// instant the missing wall time normalizes to, less a millisecond, so it
// never takes the key of a real fire at that instant.
func (c *Core) reportGap(ctx context.Context, s storage.Schedule, wallTime time.Time, loc *time.Location) {
	at := time.Date(wallTime.Year(), wallTime.Month(), wallTime.Day(), wallTime.Hour(), wallTime.Minute(), 0, 0, loc).Add(-time.Millisecond)
	if ok, err := c.DB.ClaimFire(ctx, s.ID, at, storage.FireMissed, "the time does not exist (clocks went forward)"); err != nil || !ok {
		return
	}
	c.Metrics.ScheduleFire(storage.FireMissed)
	c.schedulePost(ctx, s, at, "dst", fmt.Sprintf("⏰ Schedule `%s` (`%s`) did not fire at %s on %s: that time does not exist in %s (the clocks went forward). Nothing was planned; the next fire is on schedule.",
		s.ID, s.Spec, wallTime.Format("15:04"), wallTime.Format("Mon 2 Jan 2006"), loc))
}

// dueFires are the fire times after from up to now (at most 1000). A time
// the fall-back hour repeats (01:30 EDT, then 01:30 EST) fires once.
func dueFires(sched cron.Schedule, from, now time.Time) []time.Time {
	var out []time.Time
	prev := from
	for t := from; len(out) < 1000; {
		t = sched.Next(t)
		if t.IsZero() || t.After(now) {
			break
		}
		if sameWallClock(t, prev) {
			prev = t
			continue
		}
		out, prev = append(out, t), t
	}
	return out
}

func sameWallClock(a, b time.Time) bool {
	return a.Format("2006-01-02 15:04") == b.In(a.Location()).Format("2006-01-02 15:04")
}

// reportMissed takes the missed fires and says so once.
func (c *Core) reportMissed(ctx context.Context, s storage.Schedule, missed []time.Time) {
	var taken []time.Time
	for _, at := range missed {
		if ok, err := c.DB.ClaimFire(ctx, s.ID, at, storage.FireMissed, "the bot was not running"); err == nil && ok {
			taken = append(taken, at)
		}
	}
	if len(taken) == 0 {
		return
	}
	c.Metrics.ScheduleFire(storage.FireMissed)
	what := "its fire at " + c.fmtTime(taken[0])
	if len(taken) > 1 {
		what = fmt.Sprintf("%d fires, from %s to %s", len(taken), c.fmtTime(taken[0]), c.fmtTime(taken[len(taken)-1]))
	}
	c.schedulePost(ctx, s, taken[len(taken)-1], "missed", fmt.Sprintf("⏰ Schedule `%s` (`%s`, %s) missed %s while the bot was not running; nothing was planned or launched for them.",
		s.ID, s.Spec, userRef(s.OwnerName), what))
}

// fire makes one fire's plan: posted for approval, or launched under a
// standing approval that names exactly this plan's hash (P1, P2).
func (c *Core) fire(ctx context.Context, s storage.Schedule, at time.Time) {
	ok, err := c.DB.ClaimFire(ctx, s.ID, at, storage.FirePlanned, "")
	if err != nil || !ok {
		return // another process took it, or the state file refused
	}
	FaultPoint(FaultScheduleClaimed)
	outcome := func(o, detail string) {
		_ = c.DB.SetFireOutcome(ctx, s.ID, at, o, detail)
		c.Metrics.ScheduleFire(o)
	}
	if runID, holder, _, held, err := c.DB.Lock(ctx, c.scheduleLockKey(s)); err == nil && held {
		msg := fmt.Sprintf("the controller is busy with run %s (%s)", runID, userRef(holder))
		if r, err := c.DB.GetRun(ctx, runID); err == nil {
			msg = fmt.Sprintf("the controller is busy with `%s` (%s)", r.Build, userRef(holder))
		}
		outcome(storage.FireSkipped, msg)
		c.schedulePost(ctx, s, at, "skipped", fmt.Sprintf("⏰ Schedule `%s` skipped its fire at %s: %s. Nothing was planned; the next fire is on schedule.", s.ID, c.fmtTime(at), msg))
		return
	}
	p, err := c.schedulePlan(ctx, s)
	if err != nil {
		outcome(storage.FireFailed, err.Error())
		c.schedulePost(ctx, s, at, "failed", fmt.Sprintf("⚠️ Schedule `%s` fired at %s but its plan is refused now: %v", s.ID, c.fmtTime(at), err))
		return
	}
	standing := s.StandingHash != "" && s.StandingHash == p.Hash && c.isApprover(s.StandingByID)
	note := fmt.Sprintf("⏰ Schedule `%s` (`%s`, owner %s) fired at %s.", s.ID, s.Spec, userRef(s.OwnerName), c.fmtTime(at))
	switch {
	case standing:
		note += fmt.Sprintf(" Its standing approval by %s (%s) is for exactly this plan: launching it.", userRef(s.StandingBy), c.fmtTime(s.StandingAt))
	case s.StandingHash != "":
		note += fmt.Sprintf(" Its standing approval by %s was for plan `%s`; this one is `%s` (the blacklist or a default changed), so it needs a fresh approval. %s",
			userRef(s.StandingBy), short(s.StandingHash), short(p.Hash), c.approverPings(ctx))
	default:
		note += " " + c.approverPings(ctx)
	}
	cmd, _ := commands.Parse(commands.SchedulePlanText(s.Words))
	owner := Incoming{Source: SourceSchedule, UserID: s.OwnerID, UserName: s.OwnerName, ChannelID: s.ChannelID}
	rep, posted := c.postPlan(ctx, owner, cmd, note)
	FaultPoint(FaultSchedulePlanned)
	if posted == nil {
		outcome(storage.FireFailed, rep.Ephemeral)
		return
	}
	if !standing || posted.Hash != s.StandingHash {
		outcome(storage.FirePlanned, posted.ID)
		return
	}
	approver := Incoming{Source: SourceSchedule, UserID: s.StandingByID, UserName: s.StandingBy, ChannelID: s.ChannelID}
	arep := c.approve(ctx, approver, commands.Approval{User: s.StandingByID, UserName: s.StandingBy, Channel: s.ChannelID, PlanID: posted.ID})
	if strings.HasPrefix(arep.Ephemeral, "⛔") {
		outcome(storage.FirePlanned, posted.ID+": "+arep.Ephemeral)
		c.schedulePost(ctx, s, at, "notlaunched", fmt.Sprintf("⏰ Schedule `%s`: plan `%s` was not launched under its standing approval: %s — approve it by hand.",
			s.ID, posted.ID, strings.TrimPrefix(arep.Ephemeral, "⛔ ")))
		return
	}
	_ = c.DB.Audit(ctx, storage.Actor{ID: s.StandingByID, Name: s.StandingBy}, "schedule-launch",
		fmt.Sprintf("%s fire %s plan %s approved by %s on %s", s.ID, at.UTC().Format(time.RFC3339), posted.ID, s.StandingBy, s.StandingAt.UTC().Format(time.RFC3339)))
	outcome(storage.FireLaunched, posted.ID)
	c.schedulePost(ctx, s, at, "launched", fmt.Sprintf("🚀 Plan `%s` launched by schedule `%s`, approved by %s on %s (standing approval).",
		posted.ID, s.ID, userRef(s.StandingBy), c.fmtTime(s.StandingAt)))
}

// scheduleLockKey is the lock key of the controller a schedule's plan runs
// on; the main one's when its words no longer resolve (the plan then says
// why).
func (c *Core) scheduleLockKey(s storage.Schedule) string {
	if cmd, err := commands.Parse(commands.SchedulePlanText(s.Words)); err == nil && cmd.Plan != nil {
		if _, ctl, err := c.onController(*cmd.Plan, s.ChannelID); err == nil {
			if rn, ok := c.runnerNamed(ctl); ok {
				return rn.Controller()
			}
		}
	}
	return c.mainRunner().Controller()
}

// approverPings mentions the approvers, who are asked to approve.
func (c *Core) approverPings(ctx context.Context) string {
	var names []string
	for _, id := range c.approverIDs() {
		names = append(names, "@"+strings.TrimPrefix(c.displayName(ctx, strings.TrimPrefix(id, "@"), strings.TrimPrefix(id, "@")), "@"))
	}
	if len(names) == 0 {
		return "Nothing runs until an approver approves it."
	}
	return strings.Join(names, " ") + ": nothing runs until one of you approves it."
}

// schedulePost posts a schedule's message once per fire and kind.
func (c *Core) schedulePost(ctx context.Context, s storage.Schedule, at time.Time, kind, msg string) {
	if _, err := c.Chat.CreatePost(ctx, OutPost{ChannelID: s.ChannelID, Message: msg,
		IdemKey: fmt.Sprintf("schedule/%s/%d/%s", s.ID, at.Unix(), kind)}); err != nil {
		c.Log.Warn().Err(err).Str("schedule", s.ID).Msg("schedule post not sent")
	}
}
