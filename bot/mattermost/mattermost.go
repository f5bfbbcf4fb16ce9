// Package mattermost is atvmbot's Mattermost adapter: bot.Chat over the REST
// API with the bot's token, the websocket for mentions, DMs and thread
// replies, the HTTP listener for the /atvm slash command and button actions
// (with /healthz and /metrics beside them), button signing, and command
// registration. It hands every command to a bot.Handler (the core) and
// records what it does in bot.Metrics.
package mattermost

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
)

// MattermostOptions configures the Mattermost adapter.
type MattermostOptions struct {
	URL      string // the server, e.g. https://chat.example.com
	Token    string // the bot's access token (never logged)
	TeamName string // for permalinks; empty: /_redirect/pl/<id>

	// PublicURL is how the server reaches the bot's listener; buttons call
	// PublicURL + PathAction. Signer signs their context; ButtonTTL is
	// how long a button stays valid (default 24 h).
	PublicURL string
	Signer    *Signer
	ButtonTTL time.Duration

	Log        zerolog.Logger
	Metrics    *bot.Metrics
	HTTPClient *http.Client // default: 30 s timeout

	// NewBackOff is the retry policy of one post operation; default
	// exponential with jitter, 0.5 s → 10 s, giving up after 2 min.
	NewBackOff func() backoff.BackOff
	// FindPages is how many pages of 200 recent channel posts
	// FindByIdemKey reads for a root post when it is not told since when
	// to look; default 3.
	FindPages int
}

// Mattermost implements Chat over the REST API with the bot's own token, so
// every durable post is bot-authored and editable later (a slash-command
// response is authored by the invoking user and cannot be).
type Mattermost struct {
	o   MattermostOptions
	c   *model.Client4
	me  *model.User
	now func() time.Time
}

var _ bot.Chat = (*Mattermost)(nil)

// NewMattermost connects as the bot: GetMe checks the token and tells the
// bot its own user id (to ignore its own posts and to find its keys).
func NewMattermost(ctx context.Context, o MattermostOptions) (*Mattermost, error) {
	if o.URL == "" || o.Token == "" {
		return nil, errors.New("bot: mattermost url and token are required")
	}
	if o.ButtonTTL <= 0 {
		o.ButtonTTL = 24 * time.Hour
	}
	if o.FindPages <= 0 {
		o.FindPages = 3
	}
	if o.NewBackOff == nil {
		o.NewBackOff = defaultPostBackOff
	}
	o.URL = strings.TrimSuffix(o.URL, "/")
	o.PublicURL = strings.TrimSuffix(o.PublicURL, "/")
	c := model.NewAPIv4Client(o.URL)
	c.SetToken(o.Token)
	if o.HTTPClient != nil {
		c.HTTPClient = o.HTTPClient
	} else {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	me, resp, err := c.GetMe(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("bot: GetMe on %s (HTTP %d): %w", o.URL, statusOf(resp), err)
	}
	o.Log.Info().Str("bot_user", me.Username).Str("bot_user_id", me.Id).Bool("is_bot", me.IsBot).Msg("connected to mattermost")
	return &Mattermost{o: o, c: c, me: me, now: time.Now}, nil
}

func defaultPostBackOff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 500 * time.Millisecond
	b.MaxInterval = 10 * time.Second
	b.MaxElapsedTime = 2 * time.Minute
	return b
}

// BotUserID is the bot's own user id.
func (m *Mattermost) BotUserID() string { return m.me.Id }

// BotUserName is the bot's username (without "@").
func (m *Mattermost) BotUserName() string { return m.me.Username }

// Client is the underlying REST client (authenticated as the bot).
func (m *Mattermost) Client() *model.Client4 { return m.c }

// URL is the server URL.
func (m *Mattermost) URL() string { return m.o.URL }

func statusOf(r *model.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

// retryable: the request may not have been processed (network error, 5xx
// such as the threads_pkey race on a fresh thread, 429).
func retryable(r *model.Response) bool {
	s := statusOf(r)
	return s == 0 || s >= 500 || s == http.StatusTooManyRequests
}

// throttled is a 429 answer with the wait the server asked for.
type throttled struct {
	err  error
	wait time.Duration
}

func (t *throttled) Error() string { return t.err.Error() }
func (t *throttled) Unwrap() error { return t.err }

// maxRetryAfter bounds a server-asked wait: a bad header never stalls the
// bot longer than this per attempt.
const maxRetryAfter = 2 * time.Minute

// retryErr marks a retryable error; a 429 carries the server's wait
// (Retry-After in seconds or as an HTTP date, else Mattermost's
// X-Ratelimit-Reset in seconds), which the retry honours.
func retryErr(err error, resp *model.Response, now time.Time) error {
	if statusOf(resp) != http.StatusTooManyRequests || resp.Header == nil {
		return err
	}
	var wait time.Duration
	if v := strings.TrimSpace(resp.Header.Get("Retry-After")); v != "" {
		if n, perr := strconv.Atoi(v); perr == nil && n >= 0 {
			wait = time.Duration(n) * time.Second
		} else if at, perr := http.ParseTime(v); perr == nil {
			wait = at.Sub(now)
		}
	} else if v := strings.TrimSpace(resp.Header.Get("X-Ratelimit-Reset")); v != "" {
		if n, perr := strconv.Atoi(v); perr == nil && n >= 0 {
			wait = time.Duration(n) * time.Second
		}
	}
	if wait <= 0 {
		return err
	}
	return &throttled{err: err, wait: min(wait, maxRetryAfter)}
}

// retry runs op until it succeeds, fails permanently or the policy gives up.
// A 429's asked-for wait replaces a shorter backoff step.
func (m *Mattermost) retry(ctx context.Context, what string, op func(attempt int) error) error {
	b := backoff.WithContext(m.o.NewBackOff(), ctx)
	b.Reset()
	for attempt := 0; ; attempt++ {
		err := op(attempt)
		if err == nil {
			return nil
		}
		var perm *backoff.PermanentError
		if errors.As(err, &perm) {
			return perm.Err
		}
		wait := b.NextBackOff()
		if wait == backoff.Stop {
			if ctx.Err() != nil {
				return fmt.Errorf("%s: %w (last error: %v)", what, ctx.Err(), err)
			}
			return fmt.Errorf("%s: giving up after %d attempts: %w", what, attempt+1, err)
		}
		var th *throttled
		if errors.As(err, &th) && th.wait > wait {
			wait = th.wait
		}
		m.o.Log.Warn().Err(err).Int("attempt", attempt+1).Dur("wait", wait).Msg(what + ": retrying")
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w (last error: %v)", what, ctx.Err(), err)
		case <-t.C:
		}
	}
}

// CreatePost creates the post exactly once per idempotency key (W1): a
// caller-given key may have been sent before a crash, so it is looked for
// first; after any failure that may have reached the server the key is
// looked for again before resending. The id is returned only when the
// server returned the post (or it was found).
func (m *Mattermost) CreatePost(ctx context.Context, p bot.OutPost) (string, error) {
	post, err := m.buildPost(p)
	if err != nil {
		return "", err
	}
	key := post.GetProp(bot.PropIdemKey).(string)
	log := m.o.Log.With().Str("idem", key).Str("channel", p.ChannelID).Logger()
	since := p.Since
	if since.IsZero() {
		since = m.now()
	}
	var id string
	err = m.retry(ctx, "create post", func(attempt int) error {
		if attempt > 0 || p.IdemKey != "" {
			found, ok, err := m.FindByIdemKey(ctx, p.ChannelID, p.RootID, key, since)
			if err != nil {
				return err // FindByIdemKey marks permanent ones
			}
			if ok {
				log.Info().Str("post", found).Int("attempt", attempt).Msg("post already created: not sending again")
				id = found
				return nil
			}
		}
		if len(p.Files) > 0 && len(post.FileIds) == 0 {
			// Uploaded once the post is known not to exist, and attached in
			// the create itself: the post never shows without its files; a
			// retry of the create reuses the ids.
			ids, err := m.upload(ctx, p.ChannelID, p.Files)
			if err != nil {
				// The post's words matter more than its picture: a server
				// that refuses files (attachments off, no permission) still
				// gets the post, without them.
				log.Warn().Err(err).Msg("files not uploaded; posting without them")
				p.Files = nil
			} else {
				post.FileIds = ids
				bot.FaultPoint(bot.FaultAfterUpload)
			}
		}
		start := time.Now()
		created, resp, err := m.c.CreatePost(ctx, post)
		m.o.Metrics.ObservePost("create", start, err)
		if err != nil {
			err = fmt.Errorf("create post (HTTP %d): %w", statusOf(resp), err)
			if !retryable(resp) {
				return backoff.Permanent(err)
			}
			return retryErr(err, resp, m.now())
		}
		id = created.Id
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// upload stores files in the channel and returns their ids.
func (m *Mattermost) upload(ctx context.Context, channelID string, files []bot.OutFile) ([]string, error) {
	var ids []string
	for _, f := range files {
		var id string
		err := m.retry(ctx, "upload file", func(int) error {
			start := time.Now()
			res, resp, err := m.c.UploadFile(ctx, f.Data, channelID, f.Name)
			m.o.Metrics.ObservePost("upload", start, err)
			if err != nil {
				err = fmt.Errorf("upload %s (HTTP %d): %w", f.Name, statusOf(resp), err)
				if !retryable(resp) {
					return backoff.Permanent(err)
				}
				return retryErr(err, resp, m.now())
			}
			if len(res.FileInfos) != 1 {
				return backoff.Permanent(fmt.Errorf("upload %s: %d file infos in the answer", f.Name, len(res.FileInfos)))
			}
			id = res.FileInfos[0].Id
			return nil
		})
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// buildPost validates and assembles the post: cleaned text, the key in the
// props, buttons as a signed attachment.
func (m *Mattermost) buildPost(p bot.OutPost) (*model.Post, error) {
	if p.ChannelID == "" {
		return nil, errors.New("bot: post without channel")
	}
	msg, err := bot.CleanMessage(p.Message)
	if err != nil {
		return nil, err
	}
	props := bot.CleanProps(p.Props)
	if props == nil {
		props = map[string]any{}
	}
	key := bot.CleanText(p.IdemKey)
	if key == "" {
		// Every post gets a key, so a retry after a lost answer never
		// duplicates even posts nobody keyed.
		key = "auto:" + randomHex(12)
	}
	props[bot.PropIdemKey] = key
	if len(p.Buttons) > 0 && (m.o.Signer == nil || m.o.PublicURL == "") {
		// No signer or no address for presses: the post goes out without
		// buttons (its text names the commands that do the same), never not
		// at all — a result post must not wait for a button.
		m.o.Log.Warn().Str("idem", key).Msg("buttons need a signer and the listener's public URL; posting without them")
		p.Buttons = nil
	}
	if len(p.Buttons) > 0 {
		att, err := m.buttonAttachment(p.Buttons)
		if err != nil {
			return nil, err
		}
		switch old := props["attachments"].(type) {
		case nil:
			props["attachments"] = []*model.MessageAttachment{att}
		case []*model.MessageAttachment:
			props["attachments"] = append(old, att)
		case []any:
			props["attachments"] = append(old, att)
		default:
			return nil, fmt.Errorf("bot: props.attachments has type %T, cannot add buttons", old)
		}
	}
	post := &model.Post{ChannelId: p.ChannelID, RootId: p.RootID, Message: msg}
	post.SetProps(props)
	return post, nil
}

func (m *Mattermost) buttonAttachment(buttons []bot.Button) (*model.MessageAttachment, error) {
	if m.o.Signer == nil || m.o.PublicURL == "" {
		return nil, errors.New("bot: buttons need a signer and the listener's public URL")
	}
	exp := m.now().Add(m.o.ButtonTTL)
	seen := map[string]bool{}
	att := &model.MessageAttachment{Fallback: "buttons"}
	for _, b := range buttons {
		if seen[b.Action] {
			return nil, fmt.Errorf("bot: two buttons with action %q on one post", b.Action)
		}
		seen[b.Action] = true
		bexp := exp
		if !b.Expires.IsZero() && b.Expires.Before(bexp) {
			bexp = b.Expires // a plan's buttons end with the plan
		}
		sig, err := m.o.Signer.SignButton(ButtonRef{Plan: b.Plan, Hash: b.Hash, Channel: b.Channel, Action: b.Action}, bexp)
		if err != nil {
			return nil, err
		}
		att.Actions = append(att.Actions, &model.PostAction{
			Id:    b.Action, // Mattermost: [A-Za-z0-9]+ or a silent 404
			Type:  model.PostActionTypeButton,
			Name:  b.Name,
			Style: b.Style,
			Integration: &model.PostActionIntegration{
				URL:     m.o.PublicURL + PathAction,
				Context: sig,
			},
		})
	}
	return att, nil
}

// PatchPost edits a bot post. With props, the idempotency key is carried
// over when the caller left it out, so FindByIdemKey still finds the post.
func (m *Mattermost) PatchPost(ctx context.Context, postID, message string, props map[string]any) error {
	msg, err := bot.CleanMessage(message)
	if err != nil {
		return err
	}
	patch := &model.PostPatch{Message: &msg}
	if props != nil {
		np := bot.CleanProps(props)
		if _, ok := np[bot.PropIdemKey]; !ok {
			old, resp, err := m.c.GetPost(ctx, postID, "")
			if err != nil {
				return fmt.Errorf("patch post %s: read props (HTTP %d): %w", postID, statusOf(resp), err)
			}
			if k, ok := old.GetProp(bot.PropIdemKey).(string); ok {
				np[bot.PropIdemKey] = k
			}
		}
		si := model.StringInterface(np)
		patch.Props = &si
	}
	return m.retry(ctx, "patch post", func(int) error {
		start := time.Now()
		_, resp, err := m.c.PatchPost(ctx, postID, patch)
		m.o.Metrics.ObservePost("patch", start, err)
		if err != nil {
			err = fmt.Errorf("patch post %s (HTTP %d): %w", postID, statusOf(resp), err)
			if !retryable(resp) {
				return backoff.Permanent(err)
			}
			return retryErr(err, resp, m.now())
		}
		return nil
	})
}

// PostLink is the post's permalink.
func (m *Mattermost) PostLink(postID string) string {
	if m.o.TeamName != "" {
		return m.o.URL + "/" + m.o.TeamName + "/pl/" + postID
	}
	return m.o.URL + "/_redirect/pl/" + postID
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go ≥ 1.24)
	return hex.EncodeToString(b)
}
