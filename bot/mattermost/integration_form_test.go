package mattermost

// The plan form and autocomplete against the real Mattermost server of
// integration_test.go (same ATVMBOT_MM_ENV). Each test registers its own
// trigger and deletes it, so it can share the server with other runs.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/internal/itlog"
	"github.com/atvm/atvmbot/storage"
)

func uniqueTrigger(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// What Mattermost keeps of a custom command's autocomplete. If this starts
// failing because the tree is kept, the bot can register one (README,
// "What autocomplete shows").
func TestIntegration_AutocompleteTreeIsNotKept(t *testing.T) {
	env := loadMMEnv(t)
	itlog.Ran(t, "mattermost")
	ctx := t.Context()
	admin := model.NewAPIv4Client(env["MM_URL"])
	admin.SetToken(env["MM_ADMIN_TOKEN"])
	alice := model.NewAPIv4Client(env["MM_URL"])
	alice.SetToken(env["MM_USER_TOKEN"])
	trigger := uniqueTrigger(t, "acq")
	tree := model.NewAutocompleteData(trigger, "[command]", "ATVM automation")
	tree.AddCommand(model.NewAutocompleteData("plan", "TEMPLATE", "Plan a run"))
	tree.AddCommand(model.NewAutocompleteData("status", "[BUILD]", "Status of a run"))
	created, _, err := admin.CreateCommand(ctx, &model.Command{TeamId: env["MM_TEAM_ID"], Trigger: trigger, Method: model.CommandMethodPost,
		URL: "http://127.0.0.1:9" + PathCommand, AutoComplete: true, AutoCompleteHint: "plan | status", AutoCompleteDesc: "probe",
		AutocompleteData: tree})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.DeleteCommand(context.Background(), created.Id) })
	got, _, err := admin.GetCommandById(ctx, created.Id)
	if err != nil {
		t.Fatal(err)
	}
	if got.AutocompleteData != nil || got.AutoCompleteHint != "plan | status" || got.AutoCompleteDesc != "probe" {
		t.Fatalf("stored: tree %+v, hint %q, desc %q", got.AutocompleteData, got.AutoCompleteHint, got.AutoCompleteDesc)
	}
	for _, c := range []struct {
		input string
		want  int
	}{
		{"/" + trigger[:len(trigger)-1], 1}, // the trigger word with its hint
		{"/" + trigger + " ", 0},            // nothing after it
		{"/" + trigger + " pl", 0},
	} {
		sugg, _, err := alice.ListCommandAutocompleteSuggestions(ctx, c.input, env["MM_TEAM_ID"])
		if err != nil {
			t.Fatal(err)
		}
		if len(sugg) != c.want || (c.want == 1 && (sugg[0].Complete != trigger || sugg[0].Hint != "plan | status")) {
			t.Fatalf("suggestions for %q: %+v, want %d", c.input, sugg, c.want)
		}
	}
}

// P1, D23: `/atvm plan` with no words, typed by alice, opens the form in
// her client; her submission posts exactly the plan its words make, and a
// refused one answers on the field.
func TestIntegration_PlanFormPostsThePlanOfItsWords(t *testing.T) {
	env := loadMMEnv(t)
	itlog.Ran(t, "mattermost")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	log := zerolog.New(zerolog.NewTestWriter(t)).With().Timestamp().Logger()
	channel := env["MM_CHANNEL_ID"]

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + ln.Addr().String()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	signer, _ := NewSigner(key)
	m, err := NewMattermost(ctx, MattermostOptions{URL: env["MM_URL"], Token: env["MM_BOT_TOKEN"], TeamName: env["MM_TEAM_NAME"],
		PublicURL: public, Signer: signer, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "state.db"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := config.Default()
	var entries []storage.BlacklistEntry
	for _, b := range cfg.Blacklist {
		entries = append(entries, storage.BlacklistEntry{Machine: b.Machine, Reason: b.Reason})
	}
	if err := db.SeedBlacklist(ctx, entries); err != nil {
		t.Fatal(err)
	}
	core := &bot.Core{Cfg: &cfg, DB: db, Chat: m, Runner: &listRunner{}, Log: log, Version: "it", Channel: channel}
	dialog := NewDialogHandler(DialogOptions{Signer: signer, Handler: core, Form: core.PlanForm, Open: m.OpenDialog,
		URL: public + PathDialog, Log: log})
	slash := NewSlashHandler(SlashOptions{Handler: core, Log: log, ServerURL: env["MM_URL"], BaseContext: ctx, Dialog: dialog})
	go func() { _ = Serve(ctx, ln, NewMux(ServerOptions{Slash: slash, Dialog: dialog, Version: "it"}), log) }()
	defer slash.Wait()

	admin := model.NewAPIv4Client(env["MM_URL"])
	admin.SetToken(env["MM_ADMIN_TOKEN"])
	alice := model.NewAPIv4Client(env["MM_URL"])
	alice.SetToken(env["MM_USER_TOKEN"])
	trigger := uniqueTrigger(t, "atvmform")
	cmd, err := RegisterCommand(ctx, admin, CommandSpec{TeamID: env["MM_TEAM_ID"], Trigger: trigger, URL: public + PathCommand,
		Hint: commands.AutocompleteHint, Description: commands.AutocompleteDescription}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.DeleteCommand(context.Background(), cmd.Id) })
	slash.SetTokens(cmd.Token)

	// The form reaches alice's client as an open_dialog event.
	aws, err := model.NewWebSocketClient4(wsURL(env["MM_URL"]), env["MM_USER_TOKEN"])
	if err != nil {
		t.Fatal(err)
	}
	aws.Listen()
	defer aws.Close()
	time.Sleep(300 * time.Millisecond) // events arrive late for a moment after login
	resp, _, err := alice.ExecuteCommand(ctx, channel, "/"+trigger+" plan")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp.Text, "form is open") {
		t.Fatalf("command answer %+v", resp)
	}
	var opened model.OpenDialogRequest
	for deadline := time.After(10 * time.Second); opened.URL == ""; {
		select {
		case ev, ok := <-aws.EventChannel:
			if !ok {
				t.Fatal("alice's websocket closed")
			}
			if ev.EventType() != model.WebsocketEventOpenDialog {
				continue
			}
			s, _ := ev.GetData()["dialog"].(string)
			if err := json.Unmarshal([]byte(s), &opened); err != nil {
				t.Fatalf("open_dialog event: %v", err)
			}
		case <-deadline:
			t.Fatal("no open_dialog event reached alice")
		}
	}
	if opened.URL != public+PathDialog || opened.Dialog.CallbackId != planCallback || len(opened.Dialog.Elements) != len(core.PlanForm()) {
		t.Fatalf("opened %+v", opened)
	}
	submit := func(sub map[string]any) *model.SubmitDialogResponse {
		t.Helper()
		r, _, err := alice.SubmitInteractiveDialog(ctx, model.SubmitDialogRequest{URL: opened.URL, CallbackId: opened.Dialog.CallbackId,
			State: opened.Dialog.State, ChannelId: channel, TeamId: env["MM_TEAM_ID"], Submission: sub})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// D23: a state the bot did not sign is refused, and nothing is planned.
	forged := opened
	forged.Dialog.State = strings.TrimRight(opened.Dialog.State, "0123456789abcdef") + strings.Repeat("0", 64)
	r, _, err := alice.SubmitInteractiveDialog(ctx, model.SubmitDialogRequest{URL: forged.URL, CallbackId: forged.Dialog.CallbackId,
		State: forged.Dialog.State, ChannelId: channel, TeamId: env["MM_TEAM_ID"],
		Submission: map[string]any{"template": "cmc-e2e", "selector": "randomize", "count": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Error, "could not be verified") {
		t.Fatalf("forged state: %+v", r)
	}
	if plans, _ := db.OpenPlans(ctx, channel); len(plans) != 0 {
		t.Fatalf("a forged form planned: %+v", plans)
	}

	// P13: a blacklisted machine named exactly is refused on its field.
	r = submit(map[string]any{"template": "cmc-e2e", "selector": "specify_vms", "vms": "atvm144-suse15.0", "watcher": true})
	if !strings.Contains(r.Errors[commands.FieldVMs], "atvm144-suse15.0") {
		t.Fatalf("blacklisted machine: %+v", r)
	}

	// A unique name part keeps this plan apart from other runs' plans.
	part := uniqueTrigger(t, "it")
	form := map[string]any{"template": "cmc-reboot", "selector": "containsVm", "vms": "redhat9.6, " + part,
		"plugin": "fc", "categorize": true, "watcher": false, "test_partition": true}
	if r := submit(form); r.Error != "" || r.Errors != nil {
		t.Fatalf("submission refused: %+v", r)
	}
	words := "plan cmc-reboot --containsVm redhat9.6," + part + " --use_specified_plugin fc --categorize --no-watcher"
	parsed, err := commands.Parse(words)
	if err != nil {
		t.Fatal(err)
	}
	// The planner's configuration: the blacklist as storage keeps it.
	kept, _, err := db.Blacklist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	effective := cfg
	effective.Blacklist = nil
	for _, e := range kept {
		effective.Blacklist = append(effective.Blacklist, config.BlacklistEntry{Machine: e.Machine, Reason: e.Reason})
	}
	want, err := commands.BuildPlan(*parsed.Plan, &effective)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.GetPlan(ctx, want.ID)
	if err != nil || stored.Hash != want.Hash || stored.CreatedByID != env["MM_USER_ID"] {
		t.Fatalf("stored plan %+v (%v); want hash %s by alice's id", stored, err, want.Hash)
	}
	post, _, err := admin.GetPost(ctx, stored.PostID, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(post.Message, want.Markdown()) || post.ChannelId != channel || len(post.Attachments()) == 0 {
		t.Fatalf("plan post differs from the plan of %q:\n%s\nwant prefix:\n%s", words, post.Message, want.Markdown())
	}
	// The same words typed: the very same plan, already open.
	if _, _, err := alice.ExecuteCommand(ctx, channel, "/"+trigger+" "+words); err != nil {
		t.Fatal(err)
	}
	slash.Wait()
	plans, err := db.OpenPlans(ctx, channel)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 1 || plans[0].ID != want.ID {
		t.Fatalf("open plans after typing the same words: %+v", plans)
	}
}
