package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/storage"
)

// Button actions on a plan post (letters and digits only).
const (
	actApprove   = "approve"
	actApproveNW = "approvenowatcher"
	actConfirm   = "confirmboth"
	actCancel    = "cancel"
)

// plan builds, stores and posts a plan with its buttons (P1). Nothing runs.
func (c *Core) plan(ctx context.Context, in Incoming, cmd commands.Command) Reply {
	rep, _ := c.postPlan(ctx, in, cmd, "")
	return rep
}

// postPlan is plan with a note above the plan post's footer (a schedule's
// fire says so); it returns the plan posted, or the same plan still open.
func (c *Core) postPlan(ctx context.Context, in Incoming, cmd commands.Command, note string) (Reply, *commands.Plan) {
	cfg, err := c.effectiveConfig(ctx)
	if err != nil {
		return internalError(c.Log, "reading the blacklist", err), nil
	}
	req, ctl, err := c.onController(*cmd.Plan, in.ChannelID)
	if err != nil {
		c.Metrics.Refused("plan")
		return Reply{Ephemeral: "⚠️ Plan refused: " + err.Error(), refusal: err}, nil
	}
	p, err := commands.BuildPlan(req, cfg)
	if err != nil {
		c.Metrics.Refused("plan")
		return Reply{Ephemeral: "⚠️ Plan refused: " + err.Error(), refusal: err}, nil
	}
	_, blVersion, _ := c.DB.Blacklist(ctx)
	now := c.now()
	id, open, err := c.planID(ctx, p, in.ChannelID, ctl, now)
	if err != nil {
		return internalError(c.Log, "reading the plans", err), nil
	}
	if open != nil {
		p.ID = open.ID
		return Reply{Ephemeral: fmt.Sprintf("This exact plan is already open: %s — approve it there.", c.Chat.PostLink(open.PostID))}, &p
	}
	p.ID = id
	body, _ := json.Marshal(p)
	rec := storage.Plan{ID: p.ID, Hash: p.Hash, ChannelID: in.ChannelID, RootID: in.RootID, Template: p.Template, Build: p.Build,
		PlanJSON: string(body), CreatedBy: in.UserName, CreatedByID: in.UserID, CreatedAt: now, ExpiresAt: now.Add(c.Cfg.Approvals.PlanTTL), BlacklistVersion: blVersion,
		Controller: ctl}
	superseded, err := c.DB.InsertPlan(ctx, rec)
	if err != nil {
		return internalError(c.Log, "storing the plan", err), nil
	}
	msg := c.planMessage(p, in.UserName, "")
	if note != "" {
		msg = note + "\n\n" + msg
	}
	postID, err := c.Chat.CreatePost(ctx, OutPost{
		ChannelID: in.ChannelID, RootID: in.RootID, IdemKey: "plan/" + p.ID + "/" + fmt.Sprint(now.UnixNano()),
		Message: msg, Buttons: planButtons(p, in.ChannelID, rec.ExpiresAt),
	})
	if err != nil {
		return internalError(c.Log, "posting the plan", err), nil
	}
	if err := c.DB.SetPlanPost(ctx, p.ID, postID); err != nil {
		return internalError(c.Log, "recording the plan post", err), nil
	}
	for _, id := range superseded {
		c.markPlanPost(ctx, id, fmt.Sprintf("⏭️ **Superseded** by plan `%s` — approving this plan no longer works.", p.ID))
	}
	c.Log.Info().Str("plan", p.ID).Str("build", p.Build).Str("user", in.UserName).Msg("plan posted")
	return Reply{Ephemeral: fmt.Sprintf("Plan `%s` posted: %s. Nothing runs until an approver approves it.", p.ID, c.Chat.PostLink(postID)), posted: true}, &p
}

// onController resolves the controller a plan request runs on: the one it
// names, else the channel's, else the only one (a refusal lists them). With
// several controllers the request then names it, so the plan post shows it
// and the approval rebuilds the plan for it; one controller needs no name.
func (c *Core) onController(req commands.PlanRequest, channel string) (commands.PlanRequest, string, error) {
	ctl, err := c.Cfg.ResolveController(req.Controller, channel)
	if err != nil {
		return req, "", err
	}
	if _, ok := c.runnerNamed(ctl); !ok {
		return req, "", fmt.Errorf("controller %s is configured but the bot has no connection to it; controllers: %s", ctl, strings.Join(c.Cfg.ControllerNames(), ", "))
	}
	if len(c.Cfg.ControllerNames()) > 1 {
		req.Controller = ctl
	}
	return req, ctl, nil
}

// planButtons are a plan's buttons, signed for its hash and channel and
// ending with the plan (P2).
// planID is the id a new plan gets: the planner's (from the hash) unless an
// open plan of another channel or controller holds it, then one derived from
// the hash, the channel and (for another controller) the controller. An
// open plan of this channel and controller with the same id that has not
// expired is returned instead: it is the same plan. One that expired is
// closed here, so the same request makes a fresh plan.
func (c *Core) planID(ctx context.Context, p commands.Plan, channel, ctl string, now time.Time) (string, *storage.Plan, error) {
	id := p.ID
	for i := 0; i < 4; i++ {
		old, err := c.DB.GetPlan(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			return id, nil, nil
		}
		if err != nil {
			return "", nil, err
		}
		if old.State != storage.PlanOpen {
			return id, nil, nil // closed: archived when the new one is stored
		}
		if !old.ExpiresAt.IsZero() && now.After(old.ExpiresAt) {
			if err := c.DB.SetPlanState(ctx, old.ID, storage.PlanExpired); err != nil {
				return "", nil, err
			}
			c.markPlanPost(ctx, old.ID, "⌛ **Expired** — nothing was run. The same request makes a fresh plan.")
			return id, nil, nil
		}
		key := p.Hash + "|" + channel
		if old.ChannelID == channel {
			if !c.sameController(old.Controller, ctl) {
				// The same commands on another controller are another plan:
				// the hash leaves the controller out (it proves the commands).
				key += "|" + ctl
			} else if old.PostID == "" {
				return id, nil, nil
			} else {
				return id, &old, nil
			}
		}
		sum := sha256.Sum256([]byte(key + "|" + strconv.Itoa(i)))
		id = "p-" + hex.EncodeToString(sum[:])[:6]
	}
	return "", nil, fmt.Errorf("no free plan id for %s", p.ID)
}

// sameController reports whether two stored controller names are one; ""
// (a plan from before names) is the main controller.
func (c *Core) sameController(a, b string) bool {
	if a == "" {
		a = c.Cfg.MainControllerName()
	}
	if b == "" {
		b = c.Cfg.MainControllerName()
	}
	return a == b
}

func planButtons(p commands.Plan, channel string, expires time.Time) []Button {
	b := func(name, action, style string) Button {
		return Button{Name: name, Action: action, Plan: p.ID, Style: style, Hash: p.Hash, Channel: channel, Expires: expires}
	}
	if p.NeedsConfirmation {
		return []Button{b("Confirm both plugins and approve", actConfirm, "danger"), b("Cancel", actCancel, "")}
	}
	bs := []Button{b("Approve", actApprove, "primary")}
	if p.Watcher {
		bs = append(bs, b("Approve without watcher", actApproveNW, ""))
	}
	return append(bs, b("Cancel", actCancel, ""))
}

// planMessage is the plan post: the exact commands (P1, P17), and a status
// footer that is patched in place (approved by, launch progress).
func (c *Core) planMessage(p commands.Plan, by, footer string) string {
	var b strings.Builder
	b.WriteString(p.Markdown())
	fmt.Fprintf(&b, "\n\nPlanned by %s · expires %s · approve with `/atvm approve %s` or the buttons below.",
		userRef(by), c.fmtTime(c.now().Add(c.Cfg.Approvals.PlanTTL)), p.ID)
	if footer != "" {
		b.WriteString("\n\n" + footer)
	}
	return b.String()
}

// markPlanPost rewrites a plan post's footer and removes its buttons.
func (c *Core) markPlanPost(ctx context.Context, planID, footer string) {
	rec, err := c.DB.GetPlan(ctx, planID)
	if err != nil || rec.PostID == "" {
		return
	}
	var p commands.Plan
	if json.Unmarshal([]byte(rec.PlanJSON), &p) != nil {
		return
	}
	var b strings.Builder
	b.WriteString(p.Markdown())
	fmt.Fprintf(&b, "\n\nPlanned by %s.\n\n%s", userRef(rec.CreatedBy), footer)
	if err := c.Chat.PatchPost(ctx, rec.PostID, b.String(), map[string]any{}); err != nil {
		c.Log.Warn().Err(err).Str("plan", planID).Msg("patching the plan post")
	}
}

func (c *Core) handleButton(ctx context.Context, in Incoming) Reply {
	a := in.Action
	switch a.Action {
	case actApprove, actApproveNW, actConfirm:
		return c.approve(ctx, in, commands.Approval{User: in.UserID, UserName: in.UserName, Channel: in.ChannelID, PlanID: a.Plan,
			Hash: a.Hash, WithoutWatcher: a.Action == actApproveNW, ConfirmBoth: a.Action == actConfirm})
	case actCancel:
		return c.cancel(ctx, in, a.Plan, false, "")
	}
	c.Metrics.Refused("button")
	return Reply{Ephemeral: "⚠️ Unknown button."}
}

// planRecord turns a stored plan into what the approval rules check.
func planRecord(p storage.Plan) (commands.PlanRecord, commands.Plan, error) {
	var plan commands.Plan
	if err := json.Unmarshal([]byte(p.PlanJSON), &plan); err != nil {
		return commands.PlanRecord{}, plan, fmt.Errorf("stored plan %s unreadable: %w", p.ID, err)
	}
	rec := plan.Record(p.ChannelID, p.CreatedBy, p.CreatedAt)
	rec.CreatedByID = p.CreatedByID
	rec.Hash = p.Hash
	rec.Used = p.State == storage.PlanUsed || p.State == storage.PlanCancelled || p.State == storage.PlanExpired
	rec.Superseded = p.State == storage.PlanSuperseded
	return rec, plan, nil
}

var errNoPlan = errors.New("no plan")
