package mattermost

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/internal/itlog"
)

// doctorStub is a Mattermost answering the reads the doctor makes.
type doctorStub struct {
	token        string
	inChannel    bool
	commandURL   string // "" = no command registered
	listDenied   bool
	channelRoles string
	approvers    []string // nil: the default list
}

func (s *doctorStub) server(t *testing.T) *httptest.Server {
	roles := model.MakeDefaultRoles()
	write := func(w http.ResponseWriter, code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	deny := func(w http.ResponseWriter, code int) {
		write(w, code, map[string]any{"id": "api.context.err", "message": http.StatusText(code), "status_code": code})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/api/v4")
		if p == "/system/ping" {
			write(w, 200, map[string]string{"status": "OK"})
			return
		}
		if !strings.EqualFold(r.Header.Get("Authorization"), "Bearer "+s.token) {
			deny(w, 401)
			return
		}
		switch {
		case p == "/users/me":
			write(w, 200, model.User{Id: "bot1", Username: "atvmbot", IsBot: true, Roles: "system_user"})
		case p == "/teams/name/qa":
			write(w, 200, model.Team{Id: "team1", Name: "qa"})
		case p == "/teams/team1/members/bot1":
			write(w, 200, model.TeamMember{TeamId: "team1", UserId: "bot1", SchemeUser: true})
		case p == "/teams/team1/channels/name/atvm":
			write(w, 200, model.Channel{Id: "ch1", Name: "atvm", TeamId: "team1"})
		case p == "/channels/ch1/members/bot1":
			if !s.inChannel {
				deny(w, 404)
				return
			}
			write(w, 200, model.ChannelMember{ChannelId: "ch1", UserId: "bot1", Roles: s.channelRoles, SchemeUser: s.channelRoles == ""})
		case p == "/users/usernames":
			var names []string
			_ = json.NewDecoder(r.Body).Decode(&names)
			var out []*model.User
			for _, n := range names {
				if n == "qa-lead" {
					out = append(out, &model.User{Id: "u-lead", Username: n})
				}
			}
			write(w, 200, out)
		case p == "/roles/names":
			var names []string
			_ = json.NewDecoder(r.Body).Decode(&names)
			var out []*model.Role
			for _, n := range names {
				if rl, ok := roles[n]; ok {
					out = append(out, rl)
				} else if n == "channel_readonly" {
					out = append(out, &model.Role{Name: n, Permissions: []string{model.PermissionReadChannel.Id}})
				}
			}
			write(w, 200, out)
		case p == "/commands":
			if s.listDenied {
				deny(w, 403)
				return
			}
			var cmds []*model.Command
			if s.commandURL != "" {
				cmds = append(cmds, &model.Command{Id: "c1", TeamId: "team1", Trigger: "atvm", URL: s.commandURL, Method: model.CommandMethodPost})
			}
			write(w, 200, cmds)
		default:
			deny(w, 404)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func runMMDoctor(t *testing.T, url, token string, mod func(*MattermostDoctorOptions)) []DoctorCheck {
	t.Helper()
	o := MattermostDoctorOptions{URL: url, Token: token, Team: "qa", Channel: "atvm", PublicURL: "http://bot.example:8080", Trigger: "atvm",
		Approvers: []string{"qa-lead"}}
	if mod != nil {
		mod(&o)
	}
	return NewMattermostDoctor(o).Doctor(context.Background())
}

func failedChecks(cs []DoctorCheck) []DoctorCheck {
	var out []DoctorCheck
	for _, c := range cs {
		if !c.OK && !c.Skipped {
			out = append(out, c)
		}
	}
	return out
}

func TestMattermostDoctor_Stub(t *testing.T) {
	cases := []struct {
		name              string
		stub              doctorStub
		token             string
		wantFail, wantFix string // "" = every line passes
	}{
		{"all good", doctorStub{inChannel: true, commandURL: "http://bot.example:8080/mm/command"}, "good", "", ""},
		{"not registered yet", doctorStub{inChannel: true}, "good", "", ""},
		{"wrong token", doctorStub{inChannel: true}, "bad", "token accepted", "Create New Token"},
		{"not in channel", doctorStub{commandURL: "http://bot.example:8080/mm/command"}, "good", "member of channel ~atvm", "/invite @atvmbot ~atvm"},
		{"command points elsewhere", doctorStub{inChannel: true, commandURL: "http://old.example/mm/command"}, "good", "slash command /atvm", `Request URL="http://bot.example:8080/mm/command"`},
		{"cannot list commands", doctorStub{inChannel: true, listDenied: true}, "good", "slash command /atvm", "Integrations → Slash Commands → Add"},
		{"read-only channel", doctorStub{inChannel: true, channelRoles: "channel_readonly"}, "good", "may post and edit", "Permissions"},
		// D23: approvals are checked by user id; a name that matches nobody approves nothing.
		{"unknown approver", doctorStub{inChannel: true, approvers: []string{"qa-lead", "qa-laed"}}, "good", "approvers name Mattermost users", "correct the usernames"},
		{"no approvers", doctorStub{inChannel: true, approvers: []string{}}, "good", "approvers name Mattermost users", "list the approvers"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.stub.token = "good"
			srv := tc.stub.server(t)
			checks := runMMDoctor(t, srv.URL, tc.token, func(o *MattermostDoctorOptions) {
				if tc.stub.approvers != nil {
					o.Approvers = tc.stub.approvers
				}
			})
			f := failedChecks(checks)
			if tc.wantFail == "" {
				if len(f) > 0 {
					t.Fatalf("failures: %+v", f)
				}
				return
			}
			if len(f) != 1 || !strings.Contains(f[0].Name, tc.wantFail) || !strings.Contains(f[0].Fix, tc.wantFix) {
				t.Fatalf("want one failure %q with fix %q; got %+v", tc.wantFail, tc.wantFix, checks)
			}
		})
	}
}

func TestMattermostDoctor_ServerDown(t *testing.T) {
	checks := runMMDoctor(t, "http://127.0.0.1:1", "x", nil)
	f := failedChecks(checks)
	if len(f) != 1 || !strings.Contains(f[0].Name, "Mattermost answers") || !strings.Contains(f[0].Fix, "mattermost.url") {
		t.Fatalf("%+v", checks)
	}
	if len(checks) != 6 {
		t.Fatalf("later checks not listed as skipped: %+v", checks)
	}
}

// Against the real server of the test suite (ATVMBOT_MM_ENV).
func TestIntegration_MattermostDoctor(t *testing.T) {
	env := loadMMEnv(t)
	itlog.Ran(t, "mattermost")
	ctx := context.Background()
	admin := model.NewAPIv4Client(env["MM_URL"])
	admin.SetToken(env["MM_ADMIN_TOKEN"])
	ch, _, err := admin.GetChannel(ctx, env["MM_CHANNEL_ID"])
	if err != nil {
		t.Fatal(err)
	}
	bot, _, err := admin.GetUserByUsername(ctx, env["MM_BOT_USERNAME"], "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := admin.AddChannelMember(ctx, ch.Id, bot.Id); err != nil {
		t.Fatal(err)
	}
	public := "http://127.0.0.1:18099"
	if _, err := RegisterCommand(ctx, admin, CommandSpec{TeamID: env["MM_TEAM_ID"], Trigger: "atvmdoc", URL: public + PathCommand}, zerolog.Nop()); err != nil {
		t.Fatal(err)
	}
	opts := func(o *MattermostDoctorOptions) {
		o.Team, o.Channel, o.PublicURL, o.Trigger = env["MM_TEAM_NAME"], ch.Name, public, "atvmdoc"
		o.ManualConfigured = true // the bot token may lack the right to list commands
		o.Approvers = []string{env["MM_ADMIN_USERNAME"], env["MM_ADMIN_USER_ID"]}
	}
	checks := runMMDoctor(t, env["MM_URL"], env["MM_BOT_TOKEN"], opts)
	for _, c := range checks {
		t.Logf("ok=%v skipped=%v %s: %s", c.OK, c.Skipped, c.Name, c.Detail)
	}
	if f := failedChecks(checks); len(f) > 0 {
		t.Fatalf("failures against the test server: %+v", f)
	}
	checks = runMMDoctor(t, env["MM_URL"], "wrongtokenwrongtokenwrongt", opts)
	if f := failedChecks(checks); len(f) != 1 || !strings.Contains(f[0].Name, "token accepted") {
		t.Fatalf("wrong token: %+v", checks)
	}
	checks = runMMDoctor(t, env["MM_URL"], env["MM_BOT_TOKEN"], func(o *MattermostDoctorOptions) { opts(o); o.Channel = "no-such-channel-here" })
	if f := failedChecks(checks); len(f) != 1 || !strings.Contains(f[0].Name, "member of channel") {
		t.Fatalf("unknown channel: %+v", checks)
	}
	// D23: an approver that names no user of the server approves nothing.
	checks = runMMDoctor(t, env["MM_URL"], env["MM_BOT_TOKEN"], func(o *MattermostDoctorOptions) {
		opts(o)
		o.Approvers = append(o.Approvers, "no-such-approver-"+env["MM_TEAM_ID"][:6])
	})
	if f := failedChecks(checks); len(f) != 1 || !strings.Contains(f[0].Detail, "no-such-approver") {
		t.Fatalf("unknown approver: %+v", checks)
	}
}
