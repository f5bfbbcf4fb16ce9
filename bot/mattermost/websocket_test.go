package mattermost

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
)

func postedEvent(p *model.Post, channelType string, mentions []string) *model.WebSocketEvent {
	ev := model.NewWebSocketEvent(model.WebsocketEventPosted, "team1", p.ChannelId, "", nil, "")
	raw, _ := json.Marshal(p)
	data := map[string]any{"post": string(raw), "channel_type": channelType, "sender_name": "@alice"}
	if mentions != nil {
		m, _ := json.Marshal(mentions)
		data["mentions"] = string(m)
	}
	return ev.SetData(data)
}

func TestWS_ClassifyPostedEvents(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	botRoot := f.addPost(&model.Post{ChannelId: "ch1", UserId: fakeBotID, Message: "plan p1"})
	aliceRoot := f.addPost(&model.Post{ChannelId: "ch1", UserId: "alice-id", Message: "lunch?"})
	l := NewWSListener(m, WSOptions{Log: zerolog.Nop()})
	p := func(msg, root string) *model.Post {
		return &model.Post{Id: "p" + msg[:1], ChannelId: "ch1", UserId: "alice-id", Message: msg, RootId: root}
	}
	tests := []struct {
		name     string
		ev       *model.WebSocketEvent
		source   string // "" = ignored
		text     string
		mentions []string
	}{
		{"mention by id list", postedEvent(p("@atvm-bot status", ""), "O", []string{fakeBotID}), bot.SourceMention, "status", nil},
		{"mention in text", postedEvent(p("hey @atvm-bot: plan --template cmc-e2e", ""), "O", nil), bot.SourceMention, "hey  plan --template cmc-e2e", nil},
		{"dm", postedEvent(p("status", ""), "D", nil), bot.SourceDM, "status", nil},
		{"reply in bot thread", postedEvent(p("approve", botRoot.Id), "O", nil), bot.SourceThread, "approve", nil},
		{"reply in alice thread", postedEvent(p("sure", aliceRoot.Id), "O", nil), "", "", nil},
		{"plain channel post", postedEvent(p("status", ""), "O", nil), "", "", nil},
		{"other bot name", postedEvent(p("@atvm-bot2 status", ""), "O", nil), "", "", nil},
		{"email-like", postedEvent(p("mail x@atvm-bot status", ""), "O", nil), "", "", nil},
		{"own post", postedEvent(&model.Post{Id: "o1", ChannelId: "ch1", UserId: fakeBotID, Message: "@atvm-bot loop"}, "D", nil), "", "", nil},
		{"system message", postedEvent(&model.Post{Id: "s1", ChannelId: "ch1", UserId: "alice-id", Type: model.PostTypeJoinChannel, Message: "@atvm-bot joined"}, "O", nil), "", "", nil},
		{"not posted", model.NewWebSocketEvent(model.WebsocketEventTyping, "", "ch1", "", nil, ""), "", "", nil},
		// D23: a webhook posting as an approver's name, or another bot, is never a command.
		{"webhook with override_username", postedEvent(withProps(p("@atvm-bot approve", ""), map[string]any{"from_webhook": "true", "override_username": "admin"}), "O", []string{fakeBotID}), "", "", nil},
		{"other bot", postedEvent(withProps(p("@atvm-bot approve", ""), map[string]any{"from_bot": "true"}), "O", []string{fakeBotID}), "", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, ok := l.classify(t.Context(), tc.ev)
			if tc.source == "" {
				if ok {
					t.Fatalf("not ignored: %+v", in)
				}
				return
			}
			if !ok || in.Source != tc.source || in.Text != tc.text || in.UserID != "alice-id" || in.UserName != "" || in.TeamID != "team1" {
				t.Fatalf("got %v %+v", ok, in)
			}
		})
	}
	// The thread owner lookup is cached.
	before := f.count("GET post")
	l.classify(t.Context(), postedEvent(p("again", botRoot.Id), "O", nil))
	if f.count("GET post") != before {
		t.Fatal("root owner not cached")
	}
}

func TestFindMention(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		want int
	}{
		{"@atvm-bot", 0}, {"hi @ATVM-bot.", 3}, {"@atvm-bot, status", 0}, {"@atvm-bot.x", -1},
		{"@atvm-bots", -1}, {"a@atvm-bot", -1}, {"@atvm-bot2 @atvm-bot", 11}, {"", -1},
	} {
		if got := findMention(tc.msg, "atvm-bot"); got != tc.want {
			t.Errorf("findMention(%q) = %d, want %d", tc.msg, got, tc.want)
		}
	}
}

// fakeWS is a websocket endpoint that greets with hello, forwards queued
// events, and can drop every connection.
type fakeWS struct {
	up      websocket.Upgrader
	conns   atomic.Int32
	mu      sync.Mutex
	current *websocket.Conn
	events  chan []byte
	down    atomic.Bool // refuse connections (an outage)
}

func (f *fakeWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.down.Load() {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	c, err := f.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.conns.Add(1)
	f.mu.Lock()
	f.current = c
	f.mu.Unlock()
	closed := make(chan struct{})
	go func() { // read the auth challenge and anything else until closed
		defer close(closed)
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}()
	hello, _ := model.NewWebSocketEvent(model.WebsocketEventHello, "", "", "", nil, "").ToJSON()
	_ = c.WriteMessage(websocket.TextMessage, hello)
	for {
		select {
		case ev := <-f.events:
			if err := c.WriteMessage(websocket.TextMessage, ev); err != nil {
				return
			}
		case <-closed: // a hijacked request's context never ends: watch the conn
			return
		}
	}
}

func (f *fakeWS) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.current != nil {
		f.current.Close()
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWS_ReconnectsWithNewClientAndDispatches(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	ws := &fakeWS{events: make(chan []byte, 4)}
	wsSrv := httptest.NewServer(ws)
	defer wsSrv.Close()
	rec := newRecorder()
	rec.reply = bot.Reply{Ephemeral: "Nothing is running."}
	metrics := bot.NewMetrics("test")
	var connects atomic.Int32
	l := NewWSListener(m, WSOptions{Handler: rec, Log: zerolog.Nop(), Metrics: metrics,
		WSURL: "ws" + strings.TrimPrefix(wsSrv.URL, "http"), MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		OnConnect: func(context.Context) { connects.Add(1) }})
	if l.State() != WSConnecting {
		t.Fatalf("initial state %s", l.State())
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	waitFor(t, "connected", func() bool { return l.State() == WSConnected })
	if _, err := l.HealthCheck().Check(ctx); err != nil {
		t.Fatalf("health while connected: %v", err)
	}

	ws.drop()
	waitFor(t, "second connection", func() bool { return ws.conns.Load() == 2 && l.State() == WSConnected })
	if connects.Load() != 2 || metricValue(t, metrics, "atvmbot_websocket_reconnects_total", "") != 1 {
		t.Fatalf("connects %d, reconnects metric %v", connects.Load(), metricValue(t, metrics, "atvmbot_websocket_reconnects_total", ""))
	}
	cmdPost := f.addPost(&model.Post{ChannelId: "ch1", UserId: "alice-id", Message: "@atvm-bot status"})
	ev, _ := postedEvent(cmdPost, "O", nil).ToJSON()
	ws.events <- ev
	in := <-rec.seen
	if in.Source != bot.SourceMention || in.Text != "status" || in.PostID != cmdPost.Id {
		t.Fatalf("incoming %+v", in)
	}
	l.Wait()
	// The answer went into the command's thread as a bot post.
	waitFor(t, "reply post", func() bool { return len(f.botPosts()) == 1 })
	if r := f.botPosts()[0]; r.RootId != cmdPost.Id || r.Message != "Nothing is running." {
		t.Fatalf("reply %+v", r)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if l.State() != WSStopped || connects.Load() != 2 {
		t.Fatalf("state %s, connects %d", l.State(), connects.Load())
	}
	if _, err := l.HealthCheck().Check(t.Context()); err == nil {
		t.Fatal("healthy while stopped")
	}
}

// FuzzDecodePosted: any event payload is decoded or ignored, never a panic,
// and a mention found is stripped from the text.
func FuzzDecodePosted(f *testing.F) {
	f.Add(`{"id":"p1","user_id":"u","channel_id":"c","message":"@atvm-bot status"}`, "O", `["botuserid0000000000000000a"]`)
	f.Add(`{"id":"p1","message":"hi @ATVM-BOT."}`, "D", ``)
	f.Add(`not json`, "", `[1,2]`)
	f.Add(`{"id":""}`, "P", `null`)
	f.Fuzz(func(t *testing.T, post, channelType, mentions string) {
		ev := model.NewWebSocketEvent(model.WebsocketEventPosted, "", "c", "", nil, "").
			SetData(map[string]any{"post": post, "channel_type": channelType, "mentions": mentions})
		ep, ok := decodePosted(ev)
		if !ok {
			return
		}
		if ep.post.Id == "" {
			t.Fatal("post without id accepted")
		}
		out := stripMention(ep.post.Message, fakeBotName)
		if findMention(ep.post.Message, fakeBotName) >= 0 && len(out) >= len(ep.post.Message) {
			t.Fatalf("mention not stripped: %q → %q", ep.post.Message, out)
		}
	})
}

func withProps(p *model.Post, props map[string]any) *model.Post {
	p.SetProps(props)
	return p
}

// W1 across a websocket outage: a mention, a DM and a reply in a bot
// thread posted while the websocket was down are handled once each after
// it reconnects; one also delivered live after the reconnect is still
// handled once; a post handled before the outage is not handled again;
// someone else's chatter is not a command.
func TestWS_W1_CatchUpAfterReconnectHandlesEachOnce(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	f.mu.Lock()
	f.channels = []*model.Channel{{Id: "ch1", Type: model.ChannelTypeOpen, TeamId: "team1"}, {Id: "dm1", Type: model.ChannelTypeDirect}}
	f.mu.Unlock()
	ws := &fakeWS{events: make(chan []byte, 4)}
	wsSrv := httptest.NewServer(ws)
	defer wsSrv.Close()
	rec := newRecorder()
	l := NewWSListener(m, WSOptions{Handler: rec, Log: zerolog.Nop(), Metrics: bot.NewMetrics("test"),
		WSURL: "ws" + strings.TrimPrefix(wsSrv.URL, "http"), MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	waitFor(t, "connected", func() bool { return l.State() == WSConnected })

	before := f.addPost(&model.Post{ChannelId: "ch1", UserId: "alice-id", Message: "@atvm-bot runs"})
	ev, _ := postedEvent(before, "O", nil).ToJSON()
	ws.events <- ev
	if in := <-rec.seen; in.PostID != before.Id {
		t.Fatalf("live: %+v", in)
	}

	ws.down.Store(true)
	ws.drop()
	waitFor(t, "disconnected", func() bool { return l.State() == WSReconnecting })
	thread := f.addPost(&model.Post{ChannelId: "ch1", UserId: fakeBotID, Message: "a run's progress"})
	missed := []*model.Post{
		f.addPost(&model.Post{ChannelId: "ch1", UserId: "alice-id", Message: "@atvm-bot status"}),
		f.addPost(&model.Post{ChannelId: "dm1", UserId: "bob-id", Message: "queue"}),
		f.addPost(&model.Post{ChannelId: "ch1", UserId: "carol-id", RootId: thread.Id, Message: "cancel"}),
	}
	f.addPost(&model.Post{ChannelId: "ch1", UserId: "dave-id", Message: "lunch?"})
	ws.down.Store(false)
	waitFor(t, "reconnected", func() bool { return l.State() == WSConnected })
	// The first missed post also arrives live (a server replaying it).
	ev, _ = postedEvent(missed[0], "O", nil).ToJSON()
	ws.events <- ev
	got := map[string]string{}
	var order []string
	for range missed {
		select {
		case in := <-rec.seen:
			got[in.PostID] = in.Source
			order = append(order, in.PostID+" "+in.Source)
		case <-time.After(5 * time.Second):
			t.Fatalf("handled %q, want the %d missed posts %s %s %s", order, len(missed), missed[0].Id, missed[1].Id, missed[2].Id)
		}
	}
	want := map[string]string{missed[0].Id: bot.SourceMention, missed[1].Id: bot.SourceDM, missed[2].Id: bot.SourceThread}
	for id, src := range want {
		if got[id] != src {
			t.Fatalf("handled %v, want %v", got, want)
		}
	}
	// Events are handled in order: once a later live post is handled, the
	// replayed one has been judged too.
	sentinel := f.addPost(&model.Post{ChannelId: "ch1", UserId: "alice-id", Message: "@atvm-bot help"})
	ev, _ = postedEvent(sentinel, "O", nil).ToJSON()
	ws.events <- ev
	for in := range rec.seen {
		if in.PostID == sentinel.Id {
			break
		}
		t.Fatalf("handled again: %+v", in)
	}
	l.Wait()
	if n := rec.calls(); n != 2+len(missed) {
		t.Fatalf("%d commands handled, want %d (each once)", n, 2+len(missed))
	}
	cancel()
	<-done
}
