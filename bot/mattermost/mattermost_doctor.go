package mattermost

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// DoctorCheck is one line of the deployment checklist (`atvmbot doctor`).
type DoctorCheck struct {
	Name    string
	OK      bool
	Skipped bool   // not checked (an earlier check failed, or the token may not look)
	Detail  string // what was found
	Fix     string // what to do, when not OK
}

// MattermostDoctorOptions name the deployment to check.
type MattermostDoctorOptions struct {
	URL, Token       string
	Team, Channel    string // names, as in the config
	PublicURL        string // where Mattermost reaches the bot
	Trigger          string // slash trigger without "/"
	Hint, Desc       string // autocomplete strings, for the settings to enter by hand
	HTTPClient       *http.Client
	RequestTimeout   time.Duration // per call; default 15 s
	ManualConfigured bool          // ATVMBOT_SLASH_TOKEN is set (a command entered by hand)
	Approvers        []string      // approvals.approvers: usernames or user ids
}

// MattermostDoctor checks the Mattermost side of a deployment: the server
// answers, the token is accepted, the bot is in the team and the channel
// and may post and edit there, the slash command points at the bot. It
// only reads.
type MattermostDoctor struct{ o MattermostDoctorOptions }

// NewMattermostDoctor returns the checker.
func NewMattermostDoctor(o MattermostDoctorOptions) *MattermostDoctor {
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 15 * time.Second
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: o.RequestTimeout}
	}
	o.URL = strings.TrimSuffix(o.URL, "/")
	o.PublicURL = strings.TrimSuffix(o.PublicURL, "/")
	o.Trigger = strings.TrimPrefix(o.Trigger, "/")
	return &MattermostDoctor{o: o}
}

// Doctor runs the checks in order; a failed one skips those that need it.
func (d *MattermostDoctor) Doctor(ctx context.Context) []DoctorCheck {
	o := d.o
	c := model.NewAPIv4Client(o.URL)
	c.HTTPClient = o.HTTPClient
	c.SetToken(o.Token)
	var out []DoctorCheck
	skip := func(names ...string) []DoctorCheck {
		for _, n := range names {
			out = append(out, DoctorCheck{Name: n, Skipped: true, Detail: "not checked: an earlier check failed"})
		}
		return out
	}
	nTeam, nChan, nPost, nCmd := "bot is a member of team "+o.Team, "bot is a member of channel ~"+o.Channel,
		"bot may post and edit in ~"+o.Channel, "slash command /"+o.Trigger

	if _, resp, err := c.GetPing(ctx); err != nil {
		out = append(out, DoctorCheck{Name: "Mattermost answers at " + o.URL, Detail: fmt.Sprintf("HTTP %d: %v", statusOf(resp), err),
			Fix: fmt.Sprintf("check mattermost.url and that this machine reaches it: `curl -s %s/api/v4/system/ping`", o.URL)})
		return skip("Mattermost token accepted (GetMe)", nTeam, nChan, nPost, nCmd)
	}
	out = append(out, DoctorCheck{Name: "Mattermost answers at " + o.URL, OK: true})

	me, resp, err := c.GetMe(ctx, "")
	if err != nil {
		out = append(out, DoctorCheck{Name: "Mattermost token accepted (GetMe)", Detail: fmt.Sprintf("HTTP %d: %v", statusOf(resp), err),
			Fix: "create a token (System Console → Integrations → Bot Accounts → the bot → Create New Token) and put it in the file of secret_files.mattermost_token (or ATVMBOT_MATTERMOST_TOKEN)"})
		return skip(nTeam, nChan, nPost, nCmd)
	}
	kind := "bot account"
	if !me.IsBot {
		kind = "a user account, not a bot account"
	}
	out = append(out, DoctorCheck{Name: "Mattermost token accepted (GetMe)", OK: true, Detail: "@" + me.Username + ", " + kind})
	out = append(out, d.approvers(ctx, c))

	team, resp, err := c.GetTeamByName(ctx, o.Team, "")
	var tm *model.TeamMember
	if err == nil {
		tm, resp, err = c.GetTeamMember(ctx, team.Id, me.Id, "")
	}
	if err != nil || tm.DeleteAt != 0 {
		detail := "removed from the team"
		if err != nil {
			detail = fmt.Sprintf("HTTP %d: %v", statusOf(resp), err)
		}
		out = append(out, DoctorCheck{Name: nTeam, Detail: detail,
			Fix: fmt.Sprintf("check mattermost.team (the team's name in its URL) and add @%s to it (System Console → User Management → Teams → %s → Add Members)", me.Username, o.Team)})
		return skip(nChan, nPost, nCmd)
	}
	out = append(out, DoctorCheck{Name: nTeam, OK: true})

	ch, resp, err := c.GetChannelByName(ctx, o.Channel, team.Id, "")
	var cm *model.ChannelMember
	if err == nil {
		cm, resp, err = c.GetChannelMember(ctx, ch.Id, me.Id, "")
	}
	switch {
	case err != nil:
		out = append(out, DoctorCheck{Name: nChan, Detail: fmt.Sprintf("HTTP %d: %v", statusOf(resp), err),
			Fix: fmt.Sprintf("check mattermost.channel (the channel's name in its URL) and type `/invite @%s ~%s` in it", me.Username, o.Channel)})
		out = append(out, d.command(ctx, c, team.Id))
		return skip(nPost)
	case ch.DeleteAt != 0:
		out = append(out, DoctorCheck{Name: nChan, Detail: "the channel is archived", Fix: "unarchive it, or name another in mattermost.channel"})
		out = append(out, d.command(ctx, c, team.Id))
		return skip(nPost)
	}
	out = append(out, DoctorCheck{Name: nChan, OK: true})
	out = append(out, d.canPost(ctx, c, me, tm, cm, nPost))
	return append(out, d.command(ctx, c, team.Id))
}

// canPost reads the permissions of every role the bot holds there; it does
// not post.
func (d *MattermostDoctor) canPost(ctx context.Context, c *model.Client4, me *model.User, tm *model.TeamMember, cm *model.ChannelMember, name string) DoctorCheck {
	roles := strings.Fields(me.Roles + " " + tm.Roles + " " + cm.Roles)
	if tm.SchemeUser {
		roles = append(roles, model.TeamUserRoleId)
	}
	if tm.SchemeAdmin {
		roles = append(roles, model.TeamAdminRoleId)
	}
	if cm.SchemeUser {
		roles = append(roles, model.ChannelUserRoleId)
	}
	if cm.SchemeAdmin {
		roles = append(roles, model.ChannelAdminRoleId)
	}
	got, resp, err := c.GetRolesByNames(ctx, roles)
	if err != nil {
		return DoctorCheck{Name: name, Skipped: true, Detail: fmt.Sprintf("cannot read the bot's roles (HTTP %d): %v", statusOf(resp), err)}
	}
	perms := map[string]bool{}
	for _, r := range got {
		for _, p := range r.Permissions {
			perms[p] = true
		}
	}
	var missing []string
	for _, p := range []string{model.PermissionCreatePost.Id, model.PermissionEditPost.Id} {
		if !perms[p] && !perms[model.PermissionManageSystem.Id] {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return DoctorCheck{Name: name, Detail: fmt.Sprintf("roles %s lack %s", strings.Join(roles, " "), strings.Join(missing, ", ")),
			Fix: "give the bot's roles those permissions (System Console → User Management → Permissions), or lift the channel's moderation"}
	}
	return DoctorCheck{Name: name, OK: true, Detail: "roles " + strings.Join(roles, " ")}
}

// command finds the team's slash command with the trigger and compares its
// URL and method with what the bot serves.
func (d *MattermostDoctor) command(ctx context.Context, c *model.Client4, teamID string) DoctorCheck {
	o := d.o
	name := "slash command /" + o.Trigger
	want := o.PublicURL + PathCommand
	settings := ManualCommandSettings(CommandSpec{Trigger: o.Trigger, URL: want, Hint: o.Hint, Description: o.Desc})
	cmds, resp, err := c.ListCommands(ctx, teamID, true)
	if err != nil {
		if isForbidden(resp) {
			ck := DoctorCheck{Name: name, Skipped: true, Detail: "this token may not list slash commands, so serve cannot register it either"}
			if o.ManualConfigured {
				ck.Detail += "; check by hand under Integrations → Slash Commands: " + settings
			} else {
				ck.Skipped, ck.Fix = false, "enter it by hand under Integrations → Slash Commands → Add: "+settings
			}
			return ck
		}
		return DoctorCheck{Name: name, Detail: fmt.Sprintf("HTTP %d: %v", statusOf(resp), err), Fix: "enter it by hand: " + settings}
	}
	for _, cmd := range cmds {
		if cmd.Trigger != o.Trigger || cmd.DeleteAt != 0 {
			continue
		}
		if cmd.URL == want && cmd.Method == model.CommandMethodPost {
			return DoctorCheck{Name: name, OK: true, Detail: "POST " + cmd.URL}
		}
		return DoctorCheck{Name: name, Detail: fmt.Sprintf("registered with %s %s, want POST %s", methodName(cmd.Method), cmd.URL, want),
			Fix: "serve updates it at start when its token may; otherwise edit it under Integrations → Slash Commands: " + settings}
	}
	return DoctorCheck{Name: name, OK: true, Detail: "not registered yet: serve registers it at start (this token may)"}
}

func methodName(m string) string {
	if m == model.CommandMethodGet {
		return "GET"
	}
	return "POST"
}

// approvers checks that every configured approver names a Mattermost user:
// approvals are checked against user ids, and a name that matches nobody
// approves nothing.
func (d *MattermostDoctor) approvers(ctx context.Context, c *model.Client4) DoctorCheck {
	name := "approvals.approvers name Mattermost users"
	if len(d.o.Approvers) == 0 {
		return DoctorCheck{Name: name, Detail: "the list is empty: nobody may approve a plan (fail closed)",
			Fix: "list the approvers' usernames under approvals.approvers"}
	}
	m := &Mattermost{c: c}
	ids, missing, err := m.UserIDs(ctx, d.o.Approvers)
	if err != nil {
		return DoctorCheck{Name: name, Skipped: true, Detail: err.Error()}
	}
	if len(missing) > 0 {
		return DoctorCheck{Name: name, Detail: "no such user: " + strings.Join(missing, ", "),
			Fix: "correct the usernames under approvals.approvers (they approve nothing as they are)"}
	}
	return DoctorCheck{Name: name, OK: true, Detail: fmt.Sprintf("%d approver(s), checked by user id", len(ids))}
}
