package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/storage"
)

// Who acts is the user id the server supplies with a request (D23): the
// slash form's user_id, the action request's user_id, a posted event's
// user_id. Names are looked up from the id for display only, so a webhook
// that overrides its username, or a user who takes an approver's former
// name, gains nothing.

// Directory is what the core needs to turn ids into names and configured
// names into ids. The Mattermost adapter implements it; a chat without one
// (the console) names its users by their ids.
type Directory interface {
	// UserName returns the username of a user id.
	UserName(ctx context.Context, userID string) (string, error)
	// UserIDs resolves usernames (or ids) to user ids; missing lists the
	// entries that name no user.
	UserIDs(ctx context.Context, names []string) (ids map[string]string, missing []string, err error)
}

// ResolveApprovers turns the configured approvers (usernames or ids) into
// user ids. It returns the entries that name no user: they approve nothing.
func (c *Core) ResolveApprovers(ctx context.Context) (missing []string, err error) {
	dir, ok := c.Chat.(Directory)
	if !ok {
		c.setApprovers(c.Cfg.Approvals.Approvers)
		return nil, nil
	}
	ids, missing, err := dir.UserIDs(ctx, c.Cfg.Approvals.Approvers)
	if err != nil {
		return nil, fmt.Errorf("resolving approvals.approvers: %w", err)
	}
	out := make([]string, 0, len(ids))
	for _, a := range c.Cfg.Approvals.Approvers {
		if id := ids[strings.TrimPrefix(a, "@")]; id != "" {
			out = append(out, id)
		}
	}
	c.setApprovers(out)
	for _, m := range missing {
		c.Log.Warn().Str("approver", m).Msg("approvals.approvers names no Mattermost user; it approves nothing")
	}
	return missing, nil
}

func (c *Core) setApprovers(ids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Approvers = append([]string{}, ids...)
}

// approverIDs are the ids an approval is checked against.
func (c *Core) approverIDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Approvers == nil {
		return c.Cfg.Approvals.Approvers
	}
	return c.Approvers
}

// isApprover reports whether a user id may approve.
func (c *Core) isApprover(userID string) bool {
	if userID == "" {
		return false
	}
	for _, id := range c.approverIDs() {
		if strings.EqualFold(strings.TrimPrefix(id, "@"), userID) {
			return true
		}
	}
	return false
}

// displayName is a user's name for posts: from the server when it can say,
// else the name the request carried.
func (c *Core) displayName(ctx context.Context, userID, fallback string) string {
	dir, ok := c.Chat.(Directory)
	if !ok || userID == "" {
		return fallback
	}
	if n, ok := c.names.get(userID); ok {
		return n
	}
	n, err := dir.UserName(ctx, userID)
	if err != nil || n == "" {
		c.Log.Warn().Err(err).Str("user_id", userID).Msg("cannot look up a user's name")
		return fallback
	}
	c.names.put(userID, n)
	return n
}

// actor is who acted, for the audit log.
func actor(in Incoming) storage.Actor { return storage.Actor{ID: in.UserID, Name: in.UserName} }

// nameCache keeps user id → name (bounded).
type nameCache struct {
	mu sync.Mutex
	m  map[string]string
}

func (n *nameCache) get(id string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	v, ok := n.m[id]
	return v, ok
}

func (n *nameCache) put(id, name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil || len(n.m) >= 4096 {
		n.m = map[string]string{}
	}
	n.m[id] = name
}

// readOnly tells commands that change nothing: they are answered for anyone
// and never wait in line behind work that changes something. A chart is a
// visible post made on someone's behalf, so it needs to know who (D23).
func readOnly(cmd commands.Command) bool {
	switch cmd.Name {
	case "status", commands.CmdHistory:
		return !cmd.Chart
	case "runs", "queue", "help", commands.CmdFlaky, commands.CmdFailures, "":
		return true
	case "blacklist":
		return cmd.Action == "" || cmd.Action == commands.BlacklistList
	}
	return false
}

// ReadOnlyText tells the transports whether a command text is a read: they
// never refuse reads as busy.
func ReadOnlyText(text string) bool {
	cmd, err := commands.Parse(text)
	return err != nil || readOnly(cmd) // a refusal changes nothing either
}
