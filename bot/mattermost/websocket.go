package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
)

// Websocket states, as /healthz shows them.
const (
	WSConnecting   = "connecting"
	WSConnected    = "connected"
	WSReconnecting = "reconnecting"
	WSStopped      = "stopped"
)

// WSOptions configures the websocket listener.
type WSOptions struct {
	Handler bot.Handler
	Log     zerolog.Logger
	Metrics *bot.Metrics
	// WSURL defaults to the server URL with ws:// or wss://.
	WSURL string
	// Reconnect backoff, jittered: default 1 s doubling to 5 min.
	MinBackoff, MaxBackoff time.Duration
	// A connection that lived this long resets the backoff; default 1 min.
	StableAfter   time.Duration
	MaxInFlight   int           // handlers at once; default 8
	HandleTimeout time.Duration // per command; default 10 min
	// OnConnect runs after each (re)connection, e.g. to re-sync state
	// missed while disconnected. It must not block for long.
	OnConnect func(ctx context.Context)
	// CatchUpWindow bounds how far back a reconnect looks for posts missed
	// while disconnected; default 15 min. Older ones are not run late.
	CatchUpWindow time.Duration
}

// WSListener turns `posted` events into Incoming: an @mention of the bot, a
// DM to the bot, or a reply in a thread whose root the bot made. It ignores
// the bot's own posts and system messages, reconnects with jittered backoff
// (a new client each time: a closed client must not be reused) and drains
// PingTimeoutChannel so the client's ping watchdog never blocks.
type WSListener struct {
	m     *Mattermost
	o     WSOptions
	state atomic.Value // string
	sem   chan struct{}
	wg    sync.WaitGroup

	mu        sync.Mutex
	rootOwner map[string]bool // root post id → made by the bot

	// Catch-up after a reconnect: the newest post time seen (server ms),
	// and the posts already handled, so each is handled once.
	lastSeen atomic.Int64
	handled  handledPosts
}

// NewWSListener returns a listener for the bot behind m.
func NewWSListener(m *Mattermost, o WSOptions) *WSListener {
	if o.WSURL == "" {
		o.WSURL = wsURL(m.URL())
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	if o.StableAfter <= 0 {
		o.StableAfter = time.Minute
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 8
	}
	if o.HandleTimeout <= 0 {
		o.HandleTimeout = 10 * time.Minute
	}
	if o.CatchUpWindow <= 0 {
		o.CatchUpWindow = 15 * time.Minute
	}
	l := &WSListener{m: m, o: o, sem: make(chan struct{}, o.MaxInFlight), rootOwner: map[string]bool{}}
	l.state.Store(WSConnecting)
	l.lastSeen.Store(m.now().UnixMilli()) // nothing before the listener started is caught up
	return l
}

func wsURL(u string) string {
	switch {
	case strings.HasPrefix(u, "https://"):
		return "wss://" + strings.TrimPrefix(u, "https://")
	case strings.HasPrefix(u, "http://"):
		return "ws://" + strings.TrimPrefix(u, "http://")
	}
	return u
}

// State is connecting, connected, reconnecting or stopped.
func (l *WSListener) State() string { return l.state.Load().(string) }

// HealthCheck reports the websocket state; not critical (slash commands
// and buttons keep working without it).
func (l *WSListener) HealthCheck() HealthCheck {
	return HealthCheck{Name: "websocket", Check: func(context.Context) (string, error) {
		if s := l.State(); s != WSConnected {
			return "", errors.New(s)
		}
		return WSConnected, nil
	}}
}

// Wait blocks until every dispatched handler has returned.
func (l *WSListener) Wait() { l.wg.Wait() }

func (l *WSListener) setState(s string) {
	l.state.Store(s)
	l.o.Metrics.WSState(s == WSConnected)
}

// Run connects and listens until ctx ends, reconnecting as needed.
func (l *WSListener) Run(ctx context.Context) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = l.o.MinBackoff
	b.MaxInterval = l.o.MaxBackoff
	b.RandomizationFactor = 0.5
	b.MaxElapsedTime = 0 // never give up
	b.Reset()
	defer l.setState(WSStopped)
	for {
		start := time.Now()
		err := l.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(start) >= l.o.StableAfter {
			b.Reset()
		}
		l.setState(WSReconnecting)
		l.o.Metrics.WSReconnect()
		wait := b.NextBackOff()
		l.o.Log.Warn().Err(err).Dur("retry_in", wait).Msg("websocket disconnected")
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// session is one connection: it returns when the connection ends.
func (l *WSListener) session(ctx context.Context) error {
	ws, err := model.NewWebSocketClient4(l.o.WSURL, l.m.o.Token)
	if err != nil {
		return err
	}
	ws.Listen()
	defer ws.Close()
	responses := ws.ResponseChannel
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-ws.EventChannel:
			if !ok {
				if ws.ListenError != nil {
					return ws.ListenError
				}
				return errors.New("websocket closed")
			}
			if ev.EventType() == model.WebsocketEventHello {
				l.setState(WSConnected)
				l.o.Log.Info().Str("url", l.o.WSURL).Msg("websocket connected")
				l.startCatchUp(ctx)
				if l.o.OnConnect != nil {
					l.o.OnConnect(ctx)
				}
				continue
			}
			if in, ok := l.classify(ctx, ev); ok {
				l.dispatch(ctx, in)
			}
		case _, ok := <-responses:
			if !ok {
				responses = nil // closed with the connection; EventChannel says so too
			}
		case <-ws.PingTimeoutChannel:
			return errors.New("websocket ping timeout")
		}
	}
}

// eventPost is the part of a `posted` event the listener needs.
type eventPost struct {
	post        *model.Post
	channelType string
	mentions    []string
}

func decodePosted(ev *model.WebSocketEvent) (eventPost, bool) {
	if ev.EventType() != model.WebsocketEventPosted {
		return eventPost{}, false
	}
	data := ev.GetData()
	raw, ok := data["post"].(string) // a JSON string, not an object
	if !ok {
		return eventPost{}, false
	}
	var p model.Post
	if err := json.Unmarshal([]byte(raw), &p); err != nil || p.Id == "" {
		return eventPost{}, false
	}
	ep := eventPost{post: &p}
	ep.channelType, _ = data["channel_type"].(string)
	if m, ok := data["mentions"].(string); ok {
		_ = json.Unmarshal([]byte(m), &ep.mentions)
	}
	return ep, true
}

// classify decides whether a posted event is a command for the bot.
func (l *WSListener) classify(ctx context.Context, ev *model.WebSocketEvent) (bot.Incoming, bool) {
	ep, ok := decodePosted(ev)
	if !ok {
		return bot.Incoming{}, false
	}
	l.noteSeen(ep.post.CreateAt)
	return l.classifyPost(ctx, ep, ev.GetBroadcast().TeamId)
}

// classifyPost decides whether a post is a command for the bot: from a
// live event or from the catch-up after a reconnect.
func (l *WSListener) classifyPost(ctx context.Context, ep eventPost, teamID string) (bot.Incoming, bool) {
	p := ep.post
	if p.UserId == l.m.BotUserID() || p.IsSystemMessage() || p.DeleteAt != 0 {
		return bot.Incoming{}, false
	}
	// Webhook and bot posts are never commands (D23): a webhook may post
	// under any username it likes.
	if truthy(p.GetProp(model.PostPropsFromWebhook)) || truthy(p.GetProp(model.PostPropsFromBot)) || p.UserId == "" {
		return bot.Incoming{}, false
	}
	in := bot.Incoming{
		UserID:    p.UserId,
		ChannelID: p.ChannelId,
		RootID:    p.RootId,
		PostID:    p.Id,
		TeamID:    teamID,
	}
	// No name from the event: sender_name is whatever a webhook chose; the
	// core looks the name up from the user id.
	mentioned := l.mentioned(p.Message, ep.mentions)
	switch {
	case ep.channelType == string(model.ChannelTypeDirect):
		in.Source = bot.SourceDM
	case mentioned:
		in.Source = bot.SourceMention
	case p.RootId != "" && l.botOwnsRoot(ctx, p.RootId):
		in.Source = bot.SourceThread
	default:
		return bot.Incoming{}, false
	}
	in.Text = stripMention(p.Message, l.m.BotUserName())
	return in, true
}

func (l *WSListener) mentioned(msg string, mentions []string) bool {
	for _, id := range mentions {
		if id == l.m.BotUserID() {
			return true
		}
	}
	return findMention(msg, l.m.BotUserName()) >= 0
}

// findMention finds "@name" as a whole word (not "@name2" nor "x@name").
func findMention(msg, name string) int {
	at := "@" + name
	for off := 0; ; {
		i := strings.Index(strings.ToLower(msg[off:]), strings.ToLower(at))
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(at)
		before := i == 0 || !isNameByte(msg[i-1])
		after := end == len(msg) || !isNameByte(msg[end]) || (msg[end] == '.' && (end+1 == len(msg) || !isNameByte(msg[end+1])))
		if before && after {
			return i
		}
		off = i + 1
	}
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// stripMention removes the first @mention of the bot and trims the rest.
func stripMention(msg, name string) string {
	if i := findMention(msg, name); i >= 0 {
		rest := msg[i+1+len(name):]
		rest = strings.TrimPrefix(rest, ":")
		msg = msg[:i] + rest
	}
	return strings.TrimSpace(msg)
}

// botOwnsRoot tells whether the thread's root is a bot post (cached; a
// failed lookup counts as "no" and is not cached).
func (l *WSListener) botOwnsRoot(ctx context.Context, rootID string) bool {
	l.mu.Lock()
	v, ok := l.rootOwner[rootID]
	l.mu.Unlock()
	if ok {
		return v
	}
	root, resp, err := l.m.Client().GetPost(ctx, rootID, "")
	if err != nil {
		l.o.Log.Warn().Err(err).Int("status", statusOf(resp)).Str("root", rootID).Msg("cannot read thread root")
		return false
	}
	mine := root.UserId == l.m.BotUserID()
	l.mu.Lock()
	if len(l.rootOwner) >= 4096 { // bounded: forget everything rather than grow
		l.rootOwner = map[string]bool{}
	}
	l.rootOwner[rootID] = mine
	l.mu.Unlock()
	return mine
}

// dispatch runs the handler without blocking the event loop (which must
// keep draining the client's channels).
func (l *WSListener) dispatch(ctx context.Context, in bot.Incoming) {
	if !l.handled.first(in.PostID) {
		return // a live event and the catch-up both saw it
	}
	l.o.Metrics.Command(in.Source)
	l.o.Log.Info().Str("source", in.Source).Str("user", in.UserName).Str("channel", in.ChannelID).Msg("chat command")
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		if !bot.ReadOnlyText(in.Text) { // reads never wait behind changes
			select {
			case l.sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-l.sem }()
		}
		hctx, cancel := context.WithTimeout(ctx, l.o.HandleTimeout)
		defer cancel()
		rep := l.o.Handler.Handle(hctx, in)
		if rep.Ephemeral == "" {
			return
		}
		// No ephemeral posts for a bot: answer in the command's thread.
		root := in.RootID
		if root == "" {
			root = in.PostID
		}
		msg := truncateRunes(bot.CleanText(rep.Ephemeral), bot.MaxMessageRunes)
		if _, err := l.m.CreatePost(hctx, bot.OutPost{ChannelID: in.ChannelID, RootID: root, Message: msg,
			IdemKey: fmt.Sprintf("reply:%s", in.PostID)}); err != nil {
			l.o.Log.Warn().Err(err).Str("post", in.PostID).Msg("reply not posted")
		}
	}()
}

// truthy reads a post prop that Mattermost stores as "true" or true.
func truthy(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return t == "true"
	}
	return false
}
