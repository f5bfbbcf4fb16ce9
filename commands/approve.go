package commands

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/atvm/atvmbot/config"
)

// DefaultPlanTTL applies when approvals.plan_ttl is not set.
const DefaultPlanTTL = 30 * time.Minute

// PlanRecord is a plan as stored: enough to check an approval against it.
type PlanRecord struct {
	ID          string      `json:"id"`
	Channel     string      `json:"channel"`
	Hash        string      `json:"hash"`
	Build       string      `json:"build"`
	Request     PlanRequest `json:"request"`
	CreatedBy   string      `json:"created_by"`              // display name
	CreatedByID string      `json:"created_by_id,omitempty"` // who: the Mattermost user id (D23)
	CreatedAt   time.Time   `json:"created_at"`
	Superseded  bool        `json:"superseded"`
	Used        bool        `json:"used"`
	// NeedsConfirmation mirrors Plan.NeedsConfirmation (P11).
	NeedsConfirmation bool `json:"needs_confirmation"`
}

// Record makes the stored form of a freshly built plan.
func (p Plan) Record(channel, user string, now time.Time) PlanRecord {
	return PlanRecord{ID: p.ID, Channel: channel, Hash: p.Hash, Build: p.Build, Request: p.Request,
		CreatedBy: user, CreatedAt: now, NeedsConfirmation: p.NeedsConfirmation}
}

// Open reports whether the plan can still be approved as far as its flags
// go (expiry is judged by CheckApproval, with the clock).
func (r PlanRecord) Open() bool { return !r.Used && !r.Superseded }

// Approval is one `approve` (typed or a button).
type Approval struct {
	User     string `json:"user"`                // who: the Mattermost user id (D23)
	UserName string `json:"user_name,omitempty"` // for messages only
	Channel  string `json:"channel"`
	PlanID   string `json:"plan_id"`
	// Hash is the plan hash the approver was shown (carried by a button);
	// empty for a typed approve, which names the plan by ID.
	Hash           string `json:"hash,omitempty"`
	WithoutWatcher bool   `json:"without_watcher"`
	ConfirmBoth    bool   `json:"confirm_both"`
}

// Watcher is whether the approved run is watched: `approve` watches,
// `approve without watcher` does not (P3, D8), nor a plan made with
// --no-watcher.
func (a Approval) Watcher(p Plan) bool { return p.Watcher && !a.WithoutWatcher }

// Refusal reasons of CheckApproval and the cancel checks.
const (
	RefuseNoApprovers   = "no-approvers"
	RefuseNotApprover   = "not-approver"
	RefuseWrongPlan     = "wrong-plan"
	RefuseOtherChannel  = "other-channel"
	RefuseUsed          = "used"
	RefuseSuperseded    = "superseded"
	RefuseExpired       = "expired"
	RefuseChanged       = "changed"
	RefuseNowInvalid    = "now-invalid"
	RefuseNeedsConfirm  = "needs-confirmation"
	RefuseNeedsYes      = "needs-yes"
	RefuseNoOpenPlan    = "no-open-plan"
	RefuseSeveralPlans  = "several-open-plans"
	RefuseUnknownPlanID = "unknown-plan"
)

// ApprovalError is why an approval (or a cancel) is void. Code is one of the
// Refuse… constants; Msg is for chat.
type ApprovalError struct {
	Code string
	Msg  string
}

func (e *ApprovalError) Error() string { return e.Msg }

func refuse(code, format string, a ...any) *ApprovalError {
	return &ApprovalError{Code: code, Msg: fmt.Sprintf(format, a...)}
}

// IsApprover reports whether user is on the approvers list. An empty list
// means nobody (D14: fail closed). Names compare without '@' and case.
func IsApprover(user string, cfg *config.Config) bool {
	u := strings.ToLower(strings.TrimPrefix(user, "@"))
	if u == "" {
		return false
	}
	for _, a := range cfg.Approvals.Approvers {
		if strings.ToLower(strings.TrimPrefix(a, "@")) == u {
			return true
		}
	}
	return false
}

func checkApprover(user string, cfg *config.Config) *ApprovalError {
	if len(cfg.Approvals.Approvers) == 0 {
		return refuse(RefuseNoApprovers, "nobody may approve: approvals.approvers is empty (fail closed)")
	}
	if !IsApprover(user, cfg) {
		return refuse(RefuseNotApprover, "you are not on the approvers list")
	}
	return nil
}

// CheckApproval says whether an approval launches the plan it names (P1–P3,
// P11, D14). It rebuilds the plan from the stored request with the current
// config: if the blacklist, the config or the planner changed what would
// run, the hash differs and the approval is void (P2). nil means approved.
func CheckApproval(a Approval, p PlanRecord, now time.Time, cfg *config.Config) error {
	_, err := Approve(a, p, now, cfg)
	return err
}

// Approve is CheckApproval that also returns the plan to launch: rebuilt
// from the stored request and proven equal to what was shown (same hash).
// The run is watched when a.Watcher(plan) is true.
func Approve(a Approval, p PlanRecord, now time.Time, cfg *config.Config) (Plan, error) {
	if err := checkApprover(a.User, cfg); err != nil {
		if err.Code == RefuseNotApprover && a.UserName != "" {
			err.Msg = fmt.Sprintf("@%s is not on the approvers list", strings.TrimPrefix(a.UserName, "@"))
		}
		return Plan{}, err
	}
	if a.PlanID != "" && !strings.EqualFold(a.PlanID, p.ID) {
		return Plan{}, refuse(RefuseWrongPlan, "the approval names %s but the plan is %s", a.PlanID, p.ID)
	}
	if a.Channel != "" && p.Channel != "" && a.Channel != p.Channel {
		return Plan{}, refuse(RefuseOtherChannel, "plan %s was made in another channel; approve it there", p.ID)
	}
	if p.Used {
		return Plan{}, refuse(RefuseUsed, "plan %s was already approved and used; make a new plan to run it again", p.ID)
	}
	if p.Superseded {
		return Plan{}, refuse(RefuseSuperseded, "plan %s was superseded by a newer plan; approve the newer one", p.ID)
	}
	ttl := cfg.Approvals.PlanTTL
	if ttl <= 0 {
		ttl = DefaultPlanTTL
	}
	if age := now.Sub(p.CreatedAt); age > ttl {
		return Plan{}, refuse(RefuseExpired, "plan %s expired (made %s ago; plans are valid for %s); make it again", p.ID, age.Round(time.Second), ttl)
	}
	if a.Hash != "" && a.Hash != p.Hash {
		return Plan{}, refuse(RefuseChanged, "plan %s changed after it was shown; look at the new plan and approve that", p.ID)
	}
	fresh, err := BuildPlan(p.Request, cfg)
	if err != nil {
		return Plan{}, refuse(RefuseNowInvalid, "plan %s is no longer valid: %v", p.ID, err)
	}
	if fresh.Hash != p.Hash {
		return Plan{}, refuse(RefuseChanged, "plan %s changed since it was shown (the blacklist or the config changed); the new plan is %s: look at it and approve that", p.ID, fresh.ID)
	}
	if (p.NeedsConfirmation || fresh.NeedsConfirmation) && !a.ConfirmBoth {
		return Plan{}, refuse(RefuseNeedsConfirm, "%s\nTo run it anyway: `/atvm approve %s --confirm-both`", WarningRebootBoth, p.ID)
	}
	return fresh, nil
}

// PickPlan chooses the plan an approval means: the named one, or the only
// open plan of the channel. With several open it lists them. open is the
// channel's plans; used and superseded ones are ignored.
func PickPlan(open []PlanRecord, named string) (PlanRecord, error) {
	var live []PlanRecord
	for _, r := range open {
		if r.Open() {
			live = append(live, r)
		}
	}
	if named != "" {
		for _, r := range open {
			if strings.EqualFold(r.ID, named) {
				return r, nil
			}
		}
		return PlanRecord{}, refuse(RefuseUnknownPlanID, "there is no plan %s in this channel", named)
	}
	switch len(live) {
	case 0:
		return PlanRecord{}, refuse(RefuseNoOpenPlan, "there is no open plan in this channel; make one with `/atvm plan <template> …`")
	case 1:
		return live[0], nil
	}
	sort.SliceStable(live, func(i, j int) bool { return live[i].CreatedAt.After(live[j].CreatedAt) })
	var b strings.Builder
	fmt.Fprintf(&b, "%d plans are open in this channel; name one:", len(live))
	for _, r := range live {
		fmt.Fprintf(&b, "\n- `/atvm approve %s` — %s (by @%s)", r.ID, r.Build, r.CreatedBy)
	}
	return PlanRecord{}, refuse(RefuseSeveralPlans, "%s", b.String())
}

// Supersedes reports whether a newer plan makes an older one void (P2): in
// the same channel, by the same person or for the same build.
func Supersedes(newer, older PlanRecord) bool {
	return newer.ID != older.ID && older.Open() && newer.Channel == older.Channel &&
		!newer.CreatedAt.Before(older.CreatedAt) &&
		(sameAuthor(newer, older) || newer.Build == older.Build)
}

// sameAuthor compares authors by user id when both have one (D23).
func sameAuthor(a, b PlanRecord) bool {
	if a.CreatedByID != "" && b.CreatedByID != "" {
		return a.CreatedByID == b.CreatedByID
	}
	return strings.EqualFold(a.CreatedBy, b.CreatedBy)
}

// CheckCancelRun says whether user may cancel a running run (D14): an
// approver, with an explicit confirmation (`--yes` or the button).
func CheckCancelRun(user string, yes bool, cfg *config.Config) error {
	if err := checkApprover(user, cfg); err != nil {
		return err
	}
	if !yes {
		return refuse(RefuseNeedsYes, "cancelling a running run stops the runner on the controller; confirm with `/atvm cancel BUILD --yes`")
	}
	return nil
}

// CheckCancelPlan says whether user may drop an open plan: its author or an
// approver.
func CheckCancelPlan(user string, p PlanRecord, cfg *config.Config) error {
	author := p.CreatedByID
	if author == "" {
		author = p.CreatedBy
	}
	if strings.EqualFold(strings.TrimPrefix(user, "@"), strings.TrimPrefix(author, "@")) {
		return nil
	}
	if err := checkApprover(user, cfg); err != nil {
		return refuse(err.Code, "only the plan's author (@%s) or an approver may cancel plan %s", strings.TrimPrefix(p.CreatedBy, "@"), p.ID)
	}
	return nil
}
