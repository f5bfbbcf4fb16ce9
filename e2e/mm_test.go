package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/bot"
)

// retryMM retries a read against Mattermost while the server is briefly
// unreachable (another test, or this one, may be restarting it).
func retryMM[T any](ctx context.Context, what string, f func() (T, *model.Response, error)) (T, error) {
	var zero T
	var last error
	for attempt := 0; ; attempt++ {
		v, resp, err := f()
		if err == nil {
			return v, nil
		}
		last = err
		if resp != nil && resp.StatusCode > 0 && resp.StatusCode < 500 {
			return zero, fmt.Errorf("%s: %w", what, err)
		}
		select {
		case <-ctx.Done():
			return zero, fmt.Errorf("%s: %w (last: %v)", what, ctx.Err(), last)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// channelPosts is every post of the world's channel, oldest first.
func (w *world) channelPosts(ctx context.Context) ([]*model.Post, error) {
	var all []*model.Post
	seen := map[string]bool{}
	// All of a channel's posts in one answer (the server caps it at 1000):
	// pages of the channel ordered by creation time are cut by offset, and
	// posts created in the same millisecond may then fall on both sides of
	// a cut or on neither.
	since, err := retryMM(ctx, "GetPostsSince", func() (*model.PostList, *model.Response, error) {
		return w.admin.GetPostsSince(ctx, w.channel.Id, 1, false)
	})
	if err != nil {
		return nil, err
	}
	if len(since.Posts) < 1000 {
		for id, p := range since.Posts {
			if p.ChannelId == w.channel.Id && !seen[id] {
				seen[id] = true
				all = append(all, p)
			}
		}
		sort.Slice(all, func(i, j int) bool { return all[i].CreateAt < all[j].CreateAt })
		return all, nil
	}
	for page := 0; page < 50; page++ {
		l, err := retryMM(ctx, "GetPostsForChannel", func() (*model.PostList, *model.Response, error) {
			return w.admin.GetPostsForChannel(ctx, w.channel.Id, page, 200, "", false, true)
		})
		if err != nil {
			return nil, err
		}
		for _, id := range l.Order {
			if p := l.Posts[id]; p != nil && !seen[id] {
				seen[id] = true
				all = append(all, p)
			}
		}
		if len(l.Order) < 200 {
			break
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].CreateAt < all[j].CreateAt })
	return all, nil
}

// botPosts is the bot's posts in the channel, oldest first.
func (w *world) botPosts(ctx context.Context) ([]*model.Post, error) {
	all, err := w.channelPosts(ctx)
	if err != nil {
		return nil, err
	}
	var out []*model.Post
	for _, p := range all {
		if p.UserId == suite.mm["MM_BOT_USER_ID"] && p.DeleteAt == 0 {
			out = append(out, p)
		}
	}
	return out, nil
}

// waitPost waits for a bot post matching cond and returns it.
func (w *world) waitPost(ctx context.Context, what string, d time.Duration, cond func(*model.Post) bool) *model.Post {
	w.t.Helper()
	deadline := time.Now().Add(d)
	for {
		posts, err := w.botPosts(ctx)
		if err == nil {
			for _, p := range posts {
				if cond(p) {
					return p
				}
			}
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("no bot post %s after %s (err %v)", what, d, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// exec runs a slash command as a user through Mattermost's API, so the
// request really flows Mattermost → bot.
func (w *world) exec(ctx context.Context, as *model.Client4, text string) (*model.CommandResponse, error) {
	resp, r, err := untilReachable(ctx, func() (*model.CommandResponse, *model.Response, error) {
		return as.ExecuteCommand(ctx, w.channel.Id, "/"+w.trigger+" "+text)
	})
	if err != nil {
		return nil, fmt.Errorf("execute /%s %q (HTTP %d): %w", w.trigger, clipStr(text, 60), status(r), err)
	}
	return resp, nil
}

// untilReachable retries a call for up to 30 s while the server does not
// answer at all (another package's test may be restarting it); any answer,
// error or not, is final: a request that reached the server is never sent
// twice.
func untilReachable[T any](ctx context.Context, f func() (T, *model.Response, error)) (T, *model.Response, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, r, err := f()
		if err == nil || status(r) != 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return v, r, err
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// press clicks a button of a post as a user.
func press(ctx context.Context, as *model.Client4, postID, action string) error {
	_, r, err := untilReachable(ctx, func() (struct{}, *model.Response, error) {
		r, err := as.DoPostAction(ctx, postID, action)
		return struct{}{}, r, err
	})
	if err != nil {
		return fmt.Errorf("DoPostAction %s on %s (HTTP %d): %w", action, postID, status(r), err)
	}
	return nil
}

func status(r *model.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

// idemKey is a post's idempotency key (props.atvm_idem).
func idemKey(p *model.Post) string {
	k, _ := p.GetProp(bot.PropIdemKey).(string)
	return k
}

// ephemerals collects the ephemeral posts a user receives on its websocket.
type ephemerals struct {
	ws *model.WebSocketClient
	ch chan string
}

func listenEphemerals(t *testing.T, token string) *ephemerals {
	t.Helper()
	u := strings.Replace(suite.mm["MM_URL"], "http", "ws", 1)
	ws, err := model.NewWebSocketClient4(u, token)
	if err != nil {
		t.Fatalf("websocket: %v", err)
	}
	ws.Listen()
	e := &ephemerals{ws: ws, ch: make(chan string, 1024)}
	go func() {
		for ev := range ws.EventChannel {
			if ev.EventType() != model.WebsocketEventEphemeralMessage {
				continue
			}
			raw, _ := ev.GetData()["post"].(string)
			p := &model.Post{}
			if err := modelJSON(raw, p); err == nil {
				e.ch <- p.Message
			}
		}
	}()
	t.Cleanup(ws.Close)
	time.Sleep(300 * time.Millisecond) // events arrive late for a moment after login
	return e
}

// next returns the next ephemeral message, or "" after d.
func (e *ephemerals) next(d time.Duration) string {
	select {
	case m := <-e.ch:
		return m
	case <-time.After(d):
		return ""
	}
}

// drain discards what arrived so far.
func (e *ephemerals) drain() {
	for {
		select {
		case <-e.ch:
		default:
			return
		}
	}
}

func modelJSON(raw string, p *model.Post) error {
	if raw == "" {
		return errors.New("empty")
	}
	return json.Unmarshal([]byte(raw), p)
}

func clipStr(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// httpPost posts a body straight to the bot's listener (as an attacker
// would, bypassing Mattermost).
func httpPost(ctx context.Context, url, contentType, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String(), nil
}
