package mattermost

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
)

// SlashOptions configures the /atvm endpoint.
type SlashOptions struct {
	// Tokens are the accepted command tokens: the one configured by hand
	// and/or the one RegisterCommand got back. None accepted: every call
	// is refused (fail closed).
	Tokens  []string
	Handler bot.Handler
	Log     zerolog.Logger
	Metrics *bot.Metrics

	MaxBody       int64         // request body cap; default 64 KiB
	MaxInFlight   int           // handlers running at once; default 8
	HandleTimeout time.Duration // per command; default 10 min
	// BaseContext is the parent of the handlers' contexts (they outlive the
	// HTTP request); default context.Background().
	BaseContext context.Context

	// ServerURL is the Mattermost server's URL. A handler's Reply.Ephemeral
	// goes to the command's response_url only when that URL is on this
	// server (never to an address a request named); empty: never sent.
	ServerURL  string
	HTTPClient *http.Client // for response_url; default a 30 s client
	// Dialog, when set, answers `/atvm plan` with no words with the plan
	// form instead of the usage.
	Dialog *DialogHandler
}

// SlashHandler serves POST PathCommand: it checks the command token in
// constant time, answers 200 at once with an ephemeral acknowledgement
// (Mattermost waits at most OutgoingIntegrationRequestsTimeout) and runs the
// Handler in the background.
type SlashHandler struct {
	o      SlashOptions
	tokens atomic.Pointer[[][]byte]
	sem    chan struct{}
	wg     sync.WaitGroup
}

// NewSlashHandler returns the handler.
func NewSlashHandler(o SlashOptions) *SlashHandler {
	if o.MaxBody <= 0 {
		o.MaxBody = 64 << 10
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 8
	}
	if o.HandleTimeout <= 0 {
		o.HandleTimeout = 10 * time.Minute
	}
	if o.BaseContext == nil {
		o.BaseContext = context.Background()
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	h := &SlashHandler{o: o, sem: make(chan struct{}, o.MaxInFlight)}
	h.SetTokens(o.Tokens...)
	return h
}

// SetTokens replaces the accepted tokens (e.g. after RegisterCommand).
// Empty strings are ignored.
func (h *SlashHandler) SetTokens(tokens ...string) {
	var ts [][]byte
	for _, t := range tokens {
		if t != "" {
			ts = append(ts, []byte(t))
		}
	}
	h.tokens.Store(&ts)
}

// Wait blocks until every background handler has returned.
func (h *SlashHandler) Wait() { h.wg.Wait() }

// tokenOK compares against every accepted token without stopping early.
func (h *SlashHandler) tokenOK(got string) bool {
	ok := 0
	for _, t := range *h.tokens.Load() {
		ok |= subtle.ConstantTimeCompare([]byte(got), t)
	}
	return ok == 1
}

func (h *SlashHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := h.o.Log.With().Str("remote", r.RemoteAddr).Str("path", r.URL.Path).Logger()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	// At most MaxBody+1 bytes are read: one more than the cap tells an
	// oversized command apart without buffering the rest of it. It is
	// answered with an ephemeral refusal (HTTP 200): Mattermost shows any
	// other status as a bare "returned response 413". The token cannot be
	// checked in a body that was not read whole, so the answer says nothing
	// but that the text is too long.
	body, err := io.ReadAll(io.LimitReader(r.Body, h.o.MaxBody+1))
	if err != nil {
		h.o.Metrics.Refused("slash_bad_form")
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if int64(len(body)) > h.o.MaxBody {
		h.o.Metrics.Refused("slash_too_large")
		log.Warn().Int64("limit", h.o.MaxBody).Msg("slash command body too large")
		writeCommandResponse(w, tooLargeText(h.o.MaxBody))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseForm(); err != nil {
		h.o.Metrics.Refused("slash_bad_form")
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	f := r.PostForm
	tok := f.Get("token")
	if a := r.Header.Get("Authorization"); a != "" {
		tok = strings.TrimPrefix(a, "Token ")
	}
	if !h.tokenOK(tok) {
		h.o.Metrics.Refused("slash_token")
		// Never the token itself: who called, from where.
		log.Warn().Str("user", f.Get("user_name")).Str("team", f.Get("team_domain")).
			Bool("token_given", tok != "").Msg("slash command refused: wrong token")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	in := bot.Incoming{
		Source:    bot.SourceSlash,
		Text:      f.Get("text"), // verbatim: CR, tabs, NUL included
		UserID:    f.Get("user_id"),
		UserName:  f.Get("user_name"),
		ChannelID: f.Get("channel_id"),
		RootID:    f.Get("root_id"),
		TeamID:    f.Get("team_id"),
		// Unique to each execution of the command: a chart it asks for is
		// posted once under it.
		RequestID: f.Get("trigger_id"),
	}
	command := f.Get("command")
	if command == "" {
		command = "/atvm"
	}
	if h.o.Dialog != nil && isBarePlan(in.Text) && f.Get("trigger_id") != "" {
		// The trigger id is good for a few seconds: open the form now,
		// before answering. If it cannot be shown, the usage is answered.
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		err := h.o.Dialog.Open(ctx, f.Get("trigger_id"), in.UserID, in.ChannelID)
		cancel()
		if err == nil {
			h.o.Metrics.Command(in.Source)
			log.Info().Str("user_id", in.UserID).Str("channel", in.ChannelID).Msg("plan form opened")
			writeCommandResponse(w, "📝 The plan form is open. Submitting it posts the plan; nothing runs until it is approved.")
			return
		}
		log.Warn().Err(err).Msg("plan form not opened; answering with the usage")
	}
	// Reads (status, help, runs, queue, …) never wait in line behind work
	// that changes something, and are never refused as busy.
	limited := !bot.ReadOnlyText(in.Text)
	if limited {
		select {
		case h.sem <- struct{}{}:
		default:
			h.o.Metrics.Refused("slash_busy")
			log.Warn().Str("user_id", in.UserID).Msg("slash command refused: too many changes in flight")
			writeCommandResponse(w, fmt.Sprintf("⏳ The bot is busy with %d other commands that change something; nothing was done. Try again in a few seconds (status, help, runs and queue always answer).", cap(h.sem)))
			return
		}
	}
	h.o.Metrics.Command(in.Source)
	log.Info().Str("user", in.UserName).Str("channel", in.ChannelID).Int("text_len", len(in.Text)).Msg("slash command")
	responseURL := f.Get("response_url")
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		if limited {
			defer func() { <-h.sem }()
		}
		ctx, cancel := context.WithTimeout(h.o.BaseContext, h.o.HandleTimeout)
		defer cancel()
		rep := h.o.Handler.Handle(ctx, in)
		if rep.Ephemeral != "" {
			h.deliver(ctx, log, responseURL, rep.Ephemeral)
		}
	}()
	writeCommandResponse(w, ackText(command, in.Text))
}

// tooLargeText refuses a command text over the request cap.
func tooLargeText(limit int64) string {
	return fmt.Sprintf("⚠️ That command is over %d KiB, far longer than any `/atvm` command; nothing was done. "+
		"Type the command again without the pasted text (`/atvm help` lists the commands).", limit>>10)
}

// ackText is the immediate ephemeral answer; the text is echoed shortened
// and defused (no backticks or control characters to break the markdown).
func ackText(command, text string) string {
	t := []rune(strings.TrimSpace(text))
	for i, c := range t {
		if c < 0x20 || c == 0x7f || c == '`' {
			t[i] = ' '
		}
	}
	s := string(t)
	if len(t) > 80 {
		s = string(t[:80]) + "…"
	}
	if s == "" {
		return "⏳ `" + command + "` received."
	}
	return "⏳ `" + command + " " + s + "` received."
}

func writeCommandResponse(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"response_type": "ephemeral", "text": text})
}

// deliver sends a late ephemeral answer through the command's response_url
// (at most 5 uses within 30 min, posted as the invoking user, seen only by
// them).
func (h *SlashHandler) deliver(ctx context.Context, log zerolog.Logger, responseURL, text string) {
	if !sameServer(h.o.ServerURL, responseURL) {
		log.Warn().Msg("slash reply not delivered: response_url missing or not on the configured server")
		return
	}
	text = truncateRunes(bot.CleanText(text), bot.MaxMessageRunes)
	body, _ := json.Marshal(map[string]string{"response_type": "ephemeral", "text": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
	if err != nil {
		log.Warn().Err(err).Msg("slash reply not delivered")
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.o.HTTPClient.Do(req)
	if err != nil {
		log.Warn().Err(err).Msg("slash reply not delivered")
		return
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		log.Warn().Int("status", resp.StatusCode).Msg("slash reply refused by server")
	}
}

// sameServer reports whether u is a command webhook on the server at base.
func sameServer(base, u string) bool {
	if base == "" || u == "" {
		return false
	}
	b, err1 := url.Parse(base)
	p, err2 := url.Parse(u)
	if err1 != nil || err2 != nil {
		return false
	}
	prefix := strings.TrimSuffix(b.Path, "/") + "/hooks/commands/"
	return p.Scheme == b.Scheme && p.Host == b.Host && strings.HasPrefix(p.Path, prefix) && p.User == nil
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	const more = "\n…(truncated)"
	return string(r[:n-len([]rune(more))]) + more
}
