package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
)

// PathDialog is where Mattermost sends a submitted plan form.
const PathDialog = "/mm/dialog"

// planCallback is the callback_id of the plan form.
const planCallback = "atvm-plan"

// DialogOptions configures the plan form.
type DialogOptions struct {
	Signer  *Signer
	Handler bot.Handler
	// Form returns the plan form's fields (bot.Core.PlanForm).
	Form func() []bot.FormField
	// Open shows a dialog (Mattermost.OpenDialog).
	Open func(ctx context.Context, req model.OpenDialogRequest) error
	URL  string // <public_url>/mm/dialog
	// TTL is how long an opened form can be submitted; default 30 min.
	TTL     time.Duration
	Log     zerolog.Logger
	Metrics *bot.Metrics
	MaxBody int64         // default 64 KiB
	Timeout time.Duration // handler; default 25 s (the submitter waits)
}

// DialogHandler opens the plan form for `/atvm plan` with no words and
// serves POST PathDialog. A submission carries no token from Mattermost:
// the form's state, signed when it was opened, is its only proof, and it
// binds the user and the channel the form was opened for.
type DialogHandler struct{ o DialogOptions }

// NewDialogHandler returns the handler.
func NewDialogHandler(o DialogOptions) *DialogHandler {
	if o.TTL <= 0 {
		o.TTL = 30 * time.Minute
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 64 << 10
	}
	if o.Timeout <= 0 {
		o.Timeout = 25 * time.Second
	}
	return &DialogHandler{o: o}
}

// OpenDialog shows a dialog to the user whose command gave the trigger id.
func (m *Mattermost) OpenDialog(ctx context.Context, req model.OpenDialogRequest) error {
	resp, err := m.c.OpenInteractiveDialog(ctx, req)
	if err != nil {
		return fmt.Errorf("bot: open dialog (HTTP %d): %w", statusOf(resp), err)
	}
	return nil
}

// isBarePlan: the command is `plan` and nothing else.
func isBarePlan(text string) bool { return strings.EqualFold(strings.TrimSpace(text), "plan") }

// Open shows the plan form to user in channel; triggerID is the command's
// (valid for a few seconds).
func (d *DialogHandler) Open(ctx context.Context, triggerID, user, channel string) error {
	state, err := d.o.Signer.SignDialog(DialogRef{User: user, Channel: channel}, d.o.Signer.now().Add(d.o.TTL))
	if err != nil {
		return err
	}
	return d.o.Open(ctx, model.OpenDialogRequest{TriggerId: triggerID, URL: d.o.URL, Dialog: model.Dialog{
		CallbackId:       planCallback,
		Title:            "Plan an ATVM run",
		IntroductionText: "The same as typing `/atvm plan …`: the plan is posted with its exact commands, and nothing runs until an approver approves it.",
		SubmitLabel:      "Plan",
		State:            state,
		Elements:         dialogElements(d.o.Form()),
	}})
}

// dialogElements turns the form into Mattermost's elements, within its
// length limits.
func dialogElements(fields []bot.FormField) []model.DialogElement {
	els := make([]model.DialogElement, 0, len(fields))
	for _, f := range fields {
		e := model.DialogElement{DisplayName: cut(f.Label, model.DialogElementDisplayNameMaxLength), Name: f.Name, Type: f.Kind,
			HelpText: cut(f.Help, model.DialogElementHelpTextMaxLength), Placeholder: cut(f.Placeholder, model.DialogElementTextMaxLength),
			Default: f.Default, Optional: f.Optional}
		if f.Numeric {
			e.SubType = "number"
		}
		for _, o := range f.Options {
			e.Options = append(e.Options, &model.PostActionOptions{Text: o.Label, Value: o.Value})
		}
		els = append(els, e)
	}
	return els
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	for len(string(r)) > n-len("…") {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// Refusal texts of a submission.
const (
	msgFormExpired = "This form has expired; nothing was done. Type /atvm plan again for a fresh one."
	msgFormInvalid = "This form could not be verified; nothing was done. Type /atvm plan again."
)

func (d *DialogHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := d.o.Log.With().Str("remote", r.RemoteAddr).Str("path", r.URL.Path).Logger()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var req model.SubmitDialogRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, d.o.MaxBody)).Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			d.o.Metrics.Refused("dialog_too_large")
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		d.o.Metrics.Refused("dialog_bad_json")
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if req.Cancelled {
		w.WriteHeader(http.StatusOK)
		return
	}
	ref, err := d.o.Signer.VerifyDialog(req.State)
	if err == nil && (req.CallbackId != planCallback || ref.User != req.UserId || ref.Channel != req.ChannelId) {
		err = fmt.Errorf("%w: submitted by another user, in another channel or for another form", ErrBadContext)
	}
	if err != nil {
		reason, text := "dialog_invalid", msgFormInvalid
		if errors.Is(err, ErrExpired) {
			reason, text = "dialog_expired", msgFormExpired
		}
		d.o.Metrics.Refused(reason)
		log.Warn().Err(err).Str("user_id", req.UserId).Str("channel", req.ChannelId).Msg("plan form refused")
		writeDialogResponse(w, model.SubmitDialogResponse{Error: text})
		return
	}
	values, err := submissionValues(req.Submission)
	if err != nil {
		d.o.Metrics.Refused("dialog_bad_values")
		writeDialogResponse(w, model.SubmitDialogResponse{Error: "The form sent a value of an unexpected kind; nothing was done."})
		return
	}
	in := bot.Incoming{Source: bot.SourceDialog, UserID: req.UserId, ChannelID: req.ChannelId, TeamID: req.TeamId, Form: values}
	d.o.Metrics.Command(in.Source)
	log.Info().Str("user_id", in.UserID).Str("channel", in.ChannelID).Msg("plan form submitted")
	ctx, cancel := context.WithTimeout(r.Context(), d.o.Timeout)
	defer cancel()
	rep := d.o.Handler.Handle(ctx, in)
	writeDialogResponse(w, model.SubmitDialogResponse{Errors: rep.FieldErrors,
		Error: truncateRunes(bot.CleanText(rep.FormError), 1000)})
}

// submissionValues turns a submission's JSON values into strings; a form
// sends text, choices and booleans (numbers from a number field too).
func submissionValues(sub map[string]any) (map[string]string, error) {
	out := make(map[string]string, len(sub))
	for k, v := range sub {
		switch x := v.(type) {
		case nil:
		case string:
			out[k] = x
		case bool:
			out[k] = strconv.FormatBool(x)
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			return nil, fmt.Errorf("field %q: %T", k, v)
		}
	}
	return out, nil
}

func writeDialogResponse(w http.ResponseWriter, resp model.SubmitDialogResponse) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}
