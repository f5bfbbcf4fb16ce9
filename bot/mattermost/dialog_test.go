package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
	"github.com/atvm/atvmbot/config"
)

// planForm is the form of the default configuration.
func planForm() []bot.FormField {
	cfg := config.Default()
	return (&bot.Core{Cfg: &cfg}).PlanForm()
}

func postDialog(t *testing.T, h http.Handler, req model.SubmitDialogRequest) model.SubmitDialogResponse {
	t.Helper()
	body, _ := json.Marshal(req)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, PathDialog, strings.NewReader(string(body))))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var resp model.SubmitDialogResponse
	_ = json.Unmarshal(w.Body.Bytes(), &resp)
	return resp
}

// D23: a submission is acted on only with the state the bot signed for
// that user and channel, before it expired; the acting user is the user id
// Mattermost sent.
func TestDialog_D23_OnlyASignedUnexpiredStateForItsUser(t *testing.T) {
	s := testSigner(t, signNow)
	good, _ := s.SignDialog(DialogRef{User: "alice-id", Channel: "ch1"}, signNow.Add(time.Minute))
	expired, _ := s.SignDialog(DialogRef{User: "alice-id", Channel: "ch1"}, signNow.Add(-time.Second))
	other, _ := testSigner(t, signNow).SignDialog(DialogRef{User: "alice-id", Channel: "ch1"}, signNow.Add(time.Minute))
	otherKey, _ := NewSigner([]byte("another key of sixteen bytes or more"))
	forged, _ := otherKey.SignDialog(DialogRef{User: "alice-id", Channel: "ch1"}, signNow.Add(time.Minute))
	button, _ := s.SignButton(ButtonRef{Plan: "alice-id", Hash: "ch1", Channel: "x", Action: "approve"}, signNow.Add(time.Minute))
	buttonJSON, _ := json.Marshal(button)
	cases := []struct {
		name, state, user, channel, callback string
		ok                                   bool
		refusal                              string
	}{
		{"signed, in time, its user and channel", good, "alice-id", "ch1", planCallback, true, ""},
		{"the same key gives the same state", other, "alice-id", "ch1", planCallback, true, ""},
		{"expired", expired, "alice-id", "ch1", planCallback, false, "expired"},
		{"signed with another key", forged, "alice-id", "ch1", planCallback, false, "could not be verified"},
		{"submitted by another user", good, "mallory-id", "ch1", planCallback, false, "could not be verified"},
		{"submitted in another channel", good, "alice-id", "ch2", planCallback, false, "could not be verified"},
		{"another form's callback", good, "alice-id", "ch1", "other", false, "could not be verified"},
		{"signature changed", good[:len(good)-1] + "0", "alice-id", "ch1", planCallback, false, "could not be verified"},
		{"a button's signed context", string(buttonJSON), "alice-id", "ch1", planCallback, false, "could not be verified"},
		{"no state", "", "alice-id", "ch1", planCallback, false, "could not be verified"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := newRecorder()
			h := NewDialogHandler(DialogOptions{Signer: s, Handler: rec, Log: zerolog.Nop()})
			resp := postDialog(t, h, model.SubmitDialogRequest{CallbackId: c.callback, State: c.state, UserId: c.user, ChannelId: c.channel,
				TeamId: "team1", Submission: map[string]any{"template": "cmc-e2e", "categorize": true, "count": float64(3), "plugin": nil}})
			if !c.ok {
				if !strings.Contains(resp.Error, c.refusal) || rec.calls() != 0 {
					t.Fatalf("response %+v, handler calls %d; want refused with %q and nothing done", resp, rec.calls(), c.refusal)
				}
				return
			}
			in := <-rec.seen
			want := map[string]string{"template": "cmc-e2e", "categorize": "true", "count": "3"}
			if in.Source != bot.SourceDialog || in.UserID != c.user || in.ChannelID != "ch1" || len(in.Form) != len(want) {
				t.Fatalf("incoming %+v", in)
			}
			for k, v := range want {
				if in.Form[k] != v {
					t.Fatalf("form[%s] = %q, want %q", k, in.Form[k], v)
				}
			}
			if resp.Error != "" || resp.Errors != nil {
				t.Fatalf("response %+v", resp)
			}
		})
	}
}

// The handler's refusals go back per field, so the form stays open.
func TestDialog_FieldErrorsReachTheForm(t *testing.T) {
	s := testSigner(t, signNow)
	state, _ := s.SignDialog(DialogRef{User: "alice-id", Channel: "ch1"}, signNow.Add(time.Minute))
	rec := newRecorder()
	rec.reply = bot.Reply{FieldErrors: map[string]string{"vms": "blacklisted, so not run: atvm144-suse15.0"}}
	h := NewDialogHandler(DialogOptions{Signer: s, Handler: rec, Log: zerolog.Nop()})
	resp := postDialog(t, h, model.SubmitDialogRequest{CallbackId: planCallback, State: state, UserId: "alice-id", ChannelId: "ch1",
		Submission: map[string]any{"vms": "atvm144-suse15.0"}})
	if resp.Errors["vms"] != rec.reply.FieldErrors["vms"] || resp.Error != "" {
		t.Fatalf("response %+v", resp)
	}
	// A cancelled form is acknowledged and nothing is done.
	resp = postDialog(t, h, model.SubmitDialogRequest{Cancelled: true, State: state, UserId: "alice-id", ChannelId: "ch1"})
	if rec.calls() != 1 || resp.Error != "" {
		t.Fatalf("cancel reached the handler or failed: %+v", resp)
	}
}

// `/atvm plan` with no words opens the form (valid for Mattermost) instead
// of answering the usage; when it cannot be opened the usage is answered.
func TestSlash_BarePlanOpensTheForm(t *testing.T) {
	s := testSigner(t, signNow)
	for _, c := range []struct {
		name, text string
		openErr    error
		opened     bool
	}{
		{"bare plan", " Plan ", nil, true},
		{"plan with words is typed as usual", "plan cmc-e2e --randomize 2", nil, false},
		{"the form cannot be opened", "plan", errors.New("trigger expired"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []model.OpenDialogRequest
			rec := newRecorder()
			dlg := NewDialogHandler(DialogOptions{Signer: s, Handler: rec, Log: zerolog.Nop(), Form: planForm, URL: "http://bot" + PathDialog,
				Open: func(_ context.Context, req model.OpenDialogRequest) error { got = append(got, req); return c.openErr }})
			h := NewSlashHandler(SlashOptions{Tokens: []string{"tok"}, Handler: rec, Log: zerolog.Nop(), Dialog: dlg})
			w := postForm(t, h, slashForm("tok", c.text), "")
			h.Wait()
			if c.opened != strings.Contains(w.Body.String(), "form is open") || c.opened != (rec.calls() == 0) {
				t.Fatalf("opened=%v: answer %s, handler calls %d", c.opened, w.Body, rec.calls())
			}
			if !c.opened {
				return
			}
			req := got[0]
			if err := req.IsValid(); err != nil {
				t.Fatalf("Mattermost would refuse the dialog: %v", err)
			}
			if req.TriggerId != "trig" || req.URL != "http://bot"+PathDialog {
				t.Fatalf("request %+v", req)
			}
			if ref, err := s.VerifyDialog(req.Dialog.State); err != nil || ref != (DialogRef{User: "alice-id", Channel: "ch1"}) {
				t.Fatalf("state %+v %v", ref, err)
			}
		})
	}
}
