package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
)

// ActionOptions configures the button endpoint.
type ActionOptions struct {
	Signer  *Signer
	Handler bot.Handler
	Log     zerolog.Logger
	Metrics *bot.Metrics
	MaxBody int64 // default 64 KiB
	// Timeout bounds the handler: the clicking user waits for the answer
	// and Mattermost gives up after OutgoingIntegrationRequestsTimeout
	// (30 s by default). Default 25 s.
	Timeout time.Duration
}

// ActionHandler serves POST PathAction: Mattermost's button callbacks carry
// no authentication, so the signed context is verified before the Handler
// sees anything.
type ActionHandler struct{ o ActionOptions }

// NewActionHandler returns the handler.
func NewActionHandler(o ActionOptions) *ActionHandler {
	if o.MaxBody <= 0 {
		o.MaxBody = 64 << 10
	}
	if o.Timeout <= 0 {
		o.Timeout = 25 * time.Second
	}
	return &ActionHandler{o: o}
}

// actionRequest is Mattermost's PostActionIntegrationRequest (the fields used).
type actionRequest struct {
	UserID    string         `json:"user_id"`
	UserName  string         `json:"user_name"`
	ChannelID string         `json:"channel_id"`
	TeamID    string         `json:"team_id"`
	PostID    string         `json:"post_id"`
	Type      string         `json:"type"`
	Context   map[string]any `json:"context"`
}

// actionResponse is Mattermost's PostActionIntegrationResponse.
type actionResponse struct {
	Update        *updatePost `json:"update,omitempty"`
	EphemeralText string      `json:"ephemeral_text,omitempty"`
}

type updatePost struct {
	Message string `json:"message"`
	// Props is absent (nil interface) to keep the post's props; an empty
	// map clears them, which a map field with omitempty could not say.
	Props any `json:"props,omitempty"`
}

// Refusal texts the clicking user sees.
const (
	msgButtonExpired = "This button has expired. Run the command again (e.g. `/atvm status`, or plan again) for a fresh one."
	msgButtonInvalid = "This button could not be verified and was ignored."
)

func (h *ActionHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := h.o.Log.With().Str("remote", r.RemoteAddr).Str("path", r.URL.Path).Logger()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var req actionRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, h.o.MaxBody))
	if err := dec.Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.o.Metrics.Refused("action_too_large")
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		h.o.Metrics.Refused("action_bad_json")
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	call, err := h.o.Signer.Verify(req.Context)
	if err != nil {
		reason, text := "action_invalid", msgButtonInvalid
		if errors.Is(err, ErrExpired) {
			reason, text = "action_expired", msgButtonExpired
		}
		h.o.Metrics.Refused(reason)
		log.Warn().Err(err).Str("user", req.UserName).Str("post", req.PostID).Msg("button refused")
		writeActionResponse(w, actionResponse{EphemeralText: text})
		return
	}
	if call.Channel != "" && call.Channel != req.ChannelID {
		h.o.Metrics.Refused("action_other_channel")
		log.Warn().Str("user_id", req.UserID).Str("post", req.PostID).Msg("button refused: pressed outside the channel it was made for")
		writeActionResponse(w, actionResponse{EphemeralText: msgButtonInvalid})
		return
	}
	in := bot.Incoming{
		Source:    bot.SourceButton,
		UserID:    req.UserID,
		UserName:  req.UserName,
		ChannelID: req.ChannelID,
		PostID:    req.PostID,
		TeamID:    req.TeamID,
		Action:    &call,
	}
	h.o.Metrics.Command(in.Source)
	log.Info().Str("user", in.UserName).Str("plan", call.Plan).Str("action", call.Action).Msg("button pressed")
	ctx, cancel := context.WithTimeout(r.Context(), h.o.Timeout)
	defer cancel()
	rep := h.o.Handler.Handle(ctx, in)
	var resp actionResponse
	resp.EphemeralText = truncateRunes(bot.CleanText(rep.Ephemeral), bot.MaxMessageRunes)
	if rep.Update != nil {
		msg, err := bot.CleanMessage(rep.Update.Message)
		if err != nil {
			msg = truncateRunes(bot.CleanText(rep.Update.Message), bot.MaxMessageRunes)
		}
		resp.Update = &updatePost{Message: msg}
		if rep.Update.Props != nil {
			resp.Update.Props = bot.CleanProps(rep.Update.Props)
		}
	}
	writeActionResponse(w, resp)
}

func writeActionResponse(w http.ResponseWriter, resp actionResponse) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}
