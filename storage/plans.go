package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Plan states.
const (
	PlanOpen       = "open"
	PlanSuperseded = "superseded"
	PlanUsed       = "used"
	PlanCancelled  = "cancelled"
	PlanExpired    = "expired"
)

// Plan is a stored plan: what was shown, to whom, and whether it is still open.
type Plan struct {
	ID, Hash, ChannelID, RootID, PostID, Template, Build string
	PlanJSON                                             string // the planner's Plan, as shown
	CreatedBy, CreatedByID                               string // display name; Mattermost user id (D23)
	CreatedAt                                            time.Time
	ExpiresAt                                            time.Time
	State                                                string
	SupersededBy                                         string
	BlacklistVersion                                     int
	Controller                                           string // the controller's configured name; "" = the only one
}

// InsertPlan stores a new open plan and marks every older open plan of the
// same channel and controller superseded by it (P2: a newer plan voids older
// approvals). A plan for another controller stays open: both may run. A
// plan from before names ("") shares every controller's.
// It returns the ids it superseded.
func (db *DB) InsertPlan(ctx context.Context, p Plan) (superseded []string, err error) {
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		superseded, err = queryStrings(ctx, tx, `SELECT id FROM plans WHERE channel_id = ? AND state = 'open' AND id != ?`+sameController, p.ChannelID, p.ID, p.Controller, p.Controller)
		if err != nil {
			return err
		}
		// Plan ids come from the plan's hash: the same request planned again
		// gets the same id. The earlier, closed plan keeps its record under
		// an archived id.
		if _, err := tx.ExecContext(ctx, `UPDATE plans SET id = id || '~' || rowid WHERE id = ? AND state != 'open'`, p.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plans SET state = 'superseded', superseded_by = ? WHERE channel_id = ? AND state = 'open' AND id != ?`+sameController,
			p.ID, p.ChannelID, p.ID, p.Controller, p.Controller); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO plans(id, hash, channel_id, root_id, post_id, template, build, plan_json, created_by, created_at, expires_at, state, blacklist_version, created_by_id, controller)
			VALUES (?,?,?,?,?,?,?,?,?,?,?, 'open', ?, ?, ?)`,
			p.ID, p.Hash, p.ChannelID, p.RootID, p.PostID, p.Template, p.Build, p.PlanJSON, p.CreatedBy, ts(p.CreatedAt), ts(p.ExpiresAt), p.BlacklistVersion, p.CreatedByID, p.Controller)
		return err
	})
	return superseded, err
}

// sameController narrows a plan query to the plans of one controller (the
// two parameters are its name), those from before names included.
const sameController = ` AND (controller = ? OR controller = '' OR ? = '')`

// SetPlanPost records the chat post that shows the plan.
func (db *DB) SetPlanPost(ctx context.Context, planID, postID string) error {
	_, err := db.exec(ctx, `UPDATE plans SET post_id = ? WHERE id = ?`, postID, planID)
	return err
}

const planCols = `id, hash, channel_id, root_id, post_id, template, build, plan_json, created_by, created_at, expires_at, state, superseded_by, blacklist_version, created_by_id, controller`

func scanPlan(s interface{ Scan(...any) error }) (Plan, error) {
	var p Plan
	var created, expires sql.NullString
	err := s.Scan(&p.ID, &p.Hash, &p.ChannelID, &p.RootID, &p.PostID, &p.Template, &p.Build, &p.PlanJSON,
		&p.CreatedBy, &created, &expires, &p.State, &p.SupersededBy, &p.BlacklistVersion, &p.CreatedByID, &p.Controller)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	p.CreatedAt, p.ExpiresAt = parseTS(created), parseTS(expires)
	return p, err
}

// GetPlan returns one plan.
func (db *DB) GetPlan(ctx context.Context, id string) (Plan, error) {
	return scanPlan(db.queryRow(ctx, `SELECT `+planCols+` FROM plans WHERE id = ?`, id))
}

// PlanByPost returns the plan shown in a post (thread replies name no plan).
func (db *DB) PlanByPost(ctx context.Context, postID string) (Plan, error) {
	return scanPlan(db.queryRow(ctx, `SELECT `+planCols+` FROM plans WHERE post_id = ? AND post_id != ''`, postID))
}

// OpenPlans lists a channel's open plans, newest first.
func (db *DB) OpenPlans(ctx context.Context, channelID string) ([]Plan, error) {
	rows, err := db.query(ctx, `SELECT `+planCols+` FROM plans WHERE channel_id = ? AND state = 'open' ORDER BY created_at DESC`, channelID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Plan
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UsePlan atomically moves an open plan to used and records the approval.
// It reports false when the plan was no longer open (already used, superseded,
// cancelled): two clicks at once approve once.
func (db *DB) UsePlan(ctx context.Context, planID, user string, watcher bool) (bool, error) {
	var used bool
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE plans SET state = 'used' WHERE id = ? AND state = 'open'`, planID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		used = n == 1
		if !used {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO approvals(plan_id, user_name, watcher, at, outcome) VALUES (?,?,?,?, 'accepted')`,
			planID, user, watcher, ts(db.now()))
		return err
	})
	return used, err
}

// RecordRefusal keeps a refused approval in the record.
func (db *DB) RecordRefusal(ctx context.Context, planID string, who Actor, reason string) error {
	_, err := db.exec(ctx, `INSERT INTO approvals(plan_id, user_name, user_id, watcher, at, outcome, reason) VALUES (?,?,?,0,?, 'refused', ?)`,
		planID, who.Name, who.ID, ts(db.now()), reason)
	return err
}

// SetPlanState moves a plan to a final state (cancelled, expired).
func (db *DB) SetPlanState(ctx context.Context, planID, state string) error {
	_, err := db.exec(ctx, `UPDATE plans SET state = ? WHERE id = ? AND state = 'open'`, state, planID)
	return err
}
