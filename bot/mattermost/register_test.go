package mattermost

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"
)

func TestRegisterCommand_CreateThenUpdateThenNoop(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	spec := CommandSpec{TeamID: "team-it-team", Trigger: "/atvm", URL: "http://127.0.0.1:8080/mm/command",
		Hint: "plan|approve|status|help", Description: "ATVM Cypress automation"}
	cmd, err := RegisterCommand(t.Context(), m.Client(), spec, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Token == "" || cmd.Trigger != "atvm" || cmd.Method != model.CommandMethodPost || !cmd.AutoComplete ||
		cmd.AutoCompleteHint != spec.Hint || cmd.AutoCompleteDesc != spec.Description || cmd.URL != spec.URL {
		t.Fatalf("created %+v", cmd)
	}
	spec.URL = "http://127.0.0.1:9090/mm/command"
	cmd2, err := RegisterCommand(t.Context(), m.Client(), spec, zerolog.Nop())
	if err != nil || cmd2.Id != cmd.Id || cmd2.URL != spec.URL || cmd2.Token != cmd.Token {
		t.Fatalf("update: %+v %v", cmd2, err)
	}
	if _, err := RegisterCommand(t.Context(), m.Client(), spec, zerolog.Nop()); err != nil {
		t.Fatal(err)
	}
	if f.count("POST commands") != 1 || f.count("PUT commands") != 1 || len(f.commands) != 1 {
		t.Fatalf("creates=%d updates=%d commands=%d", f.count("POST commands"), f.count("PUT commands"), len(f.commands))
	}
	tokens, err := m.RegisterInTeams(t.Context(), []string{"it-team"}, spec)
	if err != nil || len(tokens) != 1 || tokens[0] != cmd.Token {
		t.Fatalf("RegisterInTeams = %v %v", tokens, err)
	}
}

func TestRegisterCommand_ForbiddenLogsManualSettings(t *testing.T) {
	f := newFakeMM(t)
	f.forbidCmds = true
	var logs bytes.Buffer
	m := newTestMattermost(t, f, &logs)
	spec := CommandSpec{Trigger: "atvm", URL: "https://bot.example.com/mm/command", Hint: "plan|status", Description: "ATVM"}
	tokens, err := m.RegisterInTeams(t.Context(), []string{"it-team"}, spec)
	if err != nil || len(tokens) != 0 {
		t.Fatalf("tokens=%v err=%v", tokens, err)
	}
	spec.TeamID = "t1"
	if _, err := RegisterCommand(t.Context(), m.Client(), spec, zerolog.New(&logs)); !errors.Is(err, ErrRegisterForbidden) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{`Request URL=\"https://bot.example.com/mm/command\"`, "Request Method=POST",
		`Command Trigger Word=\"atvm\"`, `Autocomplete Hint=\"plan|status\"`, "ATVMBOT_SLASH_TOKEN"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}
