package mattermost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"
)

// CommandSpec is the custom slash command to register in one team.
type CommandSpec struct {
	TeamID      string
	Trigger     string // without "/", e.g. "atvm"
	URL         string // <public_url>/mm/command
	Hint        string // autocomplete hint, e.g. "plan|approve|status|help …"
	Description string // autocomplete description
	DisplayName string // default "ATVM"
	Username    string // the name command responses show; default "atvm"
}

// ErrRegisterForbidden: the token may not manage slash commands; the exact
// settings to enter by hand have been logged.
var ErrRegisterForbidden = errors.New("bot: not allowed to manage slash commands; register it by hand (settings logged)")

// RegisterCommand creates the command in spec.TeamID, or updates the
// existing command with the same trigger (a trigger is unique per team), and
// returns it; its Token is what the slash endpoint must accept. A custom
// command keeps only auto_complete, hint and description (rich autocomplete
// is for plugins). When forbidden it logs the settings to enter by hand and
// returns ErrRegisterForbidden.
func RegisterCommand(ctx context.Context, c *model.Client4, spec CommandSpec, log zerolog.Logger) (*model.Command, error) {
	if spec.TeamID == "" || spec.Trigger == "" || spec.URL == "" {
		return nil, errors.New("bot: command registration needs team, trigger and URL")
	}
	if spec.DisplayName == "" {
		spec.DisplayName = "ATVM"
	}
	if spec.Username == "" {
		spec.Username = "atvm"
	}
	spec.Trigger = strings.TrimPrefix(spec.Trigger, "/")
	forbidden := func(resp *model.Response, err error) (*model.Command, error) {
		log.Warn().Err(err).Int("status", statusOf(resp)).Str("team_id", spec.TeamID).
			Msg("cannot register the slash command with this token; enter it by hand: " + ManualCommandSettings(spec))
		return nil, ErrRegisterForbidden
	}
	cmds, resp, err := c.ListCommands(ctx, spec.TeamID, true)
	if err != nil {
		if isForbidden(resp) {
			return forbidden(resp, err)
		}
		return nil, fmt.Errorf("bot: list commands (HTTP %d): %w", statusOf(resp), err)
	}
	var cur *model.Command
	for _, cmd := range cmds {
		if cmd.Trigger == spec.Trigger && cmd.DeleteAt == 0 {
			cur = cmd
			break
		}
	}
	if cur == nil {
		cmd := &model.Command{TeamId: spec.TeamID}
		applySpec(cmd, spec)
		created, resp, err := c.CreateCommand(ctx, cmd)
		if err != nil {
			if isForbidden(resp) {
				return forbidden(resp, err)
			}
			return nil, fmt.Errorf("bot: create command /%s (HTTP %d): %w", spec.Trigger, statusOf(resp), err)
		}
		log.Info().Str("trigger", spec.Trigger).Str("team_id", spec.TeamID).Str("url", spec.URL).Msg("slash command created")
		return created, nil
	}
	if cur.URL == spec.URL && cur.Method == model.CommandMethodPost && cur.AutoComplete &&
		cur.AutoCompleteHint == spec.Hint && cur.AutoCompleteDesc == spec.Description {
		log.Info().Str("trigger", spec.Trigger).Str("team_id", spec.TeamID).Msg("slash command already registered")
		return cur, nil
	}
	applySpec(cur, spec)
	updated, resp, err := c.UpdateCommand(ctx, cur)
	if err != nil {
		if isForbidden(resp) {
			return forbidden(resp, err)
		}
		return nil, fmt.Errorf("bot: update command /%s (HTTP %d): %w", spec.Trigger, statusOf(resp), err)
	}
	log.Info().Str("trigger", spec.Trigger).Str("team_id", spec.TeamID).Str("url", spec.URL).Msg("slash command updated")
	return updated, nil
}

func applySpec(cmd *model.Command, spec CommandSpec) {
	cmd.Trigger = spec.Trigger
	cmd.Method = model.CommandMethodPost // "P", not "POST"
	cmd.URL = spec.URL
	cmd.DisplayName = spec.DisplayName
	cmd.Username = spec.Username
	cmd.Description = spec.Description
	cmd.AutoComplete = true
	cmd.AutoCompleteDesc = spec.Description
	cmd.AutoCompleteHint = spec.Hint
}

func isForbidden(resp *model.Response) bool {
	s := statusOf(resp)
	return s == http.StatusForbidden || s == http.StatusUnauthorized
}

// ManualCommandSettings is what an admin enters under Integrations → Slash
// Commands → Add when the bot cannot register the command itself.
func ManualCommandSettings(spec CommandSpec) string {
	return fmt.Sprintf("Title=%q Description=%q Command Trigger Word=%q Request URL=%q Request Method=POST "+
		"Autocomplete=on Autocomplete Hint=%q Autocomplete Description=%q; then give the generated token to the bot "+
		"as ATVMBOT_SLASH_TOKEN, and when the bot's listener is on a private address add it to "+
		"System Console → Developer → AllowedUntrustedInternalConnections",
		orDefault(spec.DisplayName, "ATVM"), spec.Description, strings.TrimPrefix(spec.Trigger, "/"), spec.URL,
		spec.Hint, spec.Description)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// RegisterInTeams registers the command, as the bot, in each named team and
// returns the tokens to accept. Teams where it is forbidden are skipped
// (logged with the manual settings); other errors stop.
func (m *Mattermost) RegisterInTeams(ctx context.Context, teamNames []string, spec CommandSpec) ([]string, error) {
	var tokens []string
	for _, name := range teamNames {
		team, resp, err := m.c.GetTeamByName(ctx, name, "")
		if err != nil {
			return tokens, fmt.Errorf("bot: team %q (HTTP %d): %w", name, statusOf(resp), err)
		}
		s := spec
		s.TeamID = team.Id
		cmd, err := RegisterCommand(ctx, m.c, s, m.o.Log.With().Str("team", name).Logger())
		if errors.Is(err, ErrRegisterForbidden) {
			continue
		}
		if err != nil {
			return tokens, err
		}
		tokens = append(tokens, cmd.Token)
	}
	return tokens, nil
}
