package mattermost

import (
	"context"
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/bot"
)

var _ bot.Directory = (*Mattermost)(nil)

// UserName implements Directory: the username of a user id, from the server.
func (m *Mattermost) UserName(ctx context.Context, userID string) (string, error) {
	u, resp, err := m.c.GetUser(ctx, userID, "")
	if err != nil {
		return "", fmt.Errorf("bot: GetUser %s (HTTP %d): %w", userID, statusOf(resp), err)
	}
	return u.Username, nil
}

// UserIDs implements Directory: each entry is a username (with or without
// "@") or already a user id; missing lists those the server does not know.
func (m *Mattermost) UserIDs(ctx context.Context, names []string) (map[string]string, []string, error) {
	out := map[string]string{}
	var byName []string
	var missing []string
	for _, n := range names {
		n = strings.TrimPrefix(strings.TrimSpace(n), "@")
		if n == "" {
			continue
		}
		if model.IsValidId(n) {
			// A 26-character id; a username of that shape is looked up too.
			if u, _, err := m.c.GetUser(ctx, n, ""); err == nil {
				out[n] = u.Id
				continue
			}
		}
		byName = append(byName, n)
	}
	if len(byName) > 0 {
		users, resp, err := m.c.GetUsersByUsernames(ctx, byName)
		if err != nil {
			return nil, nil, fmt.Errorf("bot: GetUsersByUsernames (HTTP %d): %w", statusOf(resp), err)
		}
		found := map[string]string{}
		for _, u := range users {
			found[strings.ToLower(u.Username)] = u.Id
		}
		for _, n := range byName {
			if id := found[strings.ToLower(n)]; id != "" {
				out[n] = id
			} else {
				missing = append(missing, n)
			}
		}
	}
	return out, missing, nil
}
