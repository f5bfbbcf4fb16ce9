package mattermost

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/atvm/atvmbot/bot"
)

// catchUpSlack re-reads a little before the newest post seen: server
// times of posts arriving together may be out of order.
const catchUpSlack = 2 * time.Second

// noteSeen records a post's creation time as seen.
func (l *WSListener) noteSeen(createAt int64) {
	for {
		cur := l.lastSeen.Load()
		if createAt <= cur || l.lastSeen.CompareAndSwap(cur, createAt) {
			return
		}
	}
}

// startCatchUp handles, after a (re)connection, the mentions, DMs and
// thread replies posted while the websocket was down: each post of the
// bot's channels since the newest one seen (at most CatchUpWindow back),
// oldest first, through the same classification as a live event. It runs
// beside the event loop; a post seen both ways is handled once.
func (l *WSListener) startCatchUp(ctx context.Context) {
	since := time.UnixMilli(l.lastSeen.Load()).Add(-catchUpSlack)
	if floor := l.m.now().Add(-l.o.CatchUpWindow); since.Before(floor) {
		since = floor
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		cctx, cancel := context.WithTimeout(ctx, time.Minute)
		missed, err := l.catchUp(cctx, since)
		cancel()
		if err != nil {
			l.o.Log.Warn().Err(err).Time("since", since).Msg("websocket catch-up incomplete")
		}
		// Handled on the listener's context, as live events are: the
		// catch-up's own deadline is for reading, not for the commands.
		n := 0
		for _, in := range missed {
			if !l.handled.has(in.PostID) {
				n++
				l.dispatch(ctx, in)
			}
		}
		if n > 0 {
			l.o.Log.Info().Int("posts", n).Time("since", since).Msg("handled posts missed while disconnected")
		}
	}()
}

// catchUp lists the commands among the posts since since, oldest first.
func (l *WSListener) catchUp(ctx context.Context, since time.Time) ([]bot.Incoming, error) {
	chans, resp, err := l.m.Client().GetChannelsForUserWithLastDeleteAt(ctx, l.m.BotUserID(), 0)
	if err != nil {
		return nil, retryErr(err, resp, l.m.now())
	}
	type missed struct {
		ep   eventPost
		team string
	}
	var all []missed
	var firstErr error
	for _, ch := range chans {
		if ch.DeleteAt != 0 {
			continue
		}
		list, _, err := l.m.Client().GetPostsSince(ctx, ch.Id, since.UnixMilli(), false)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		for _, p := range list.Posts {
			if p.CreateAt < since.UnixMilli() { // edited since, posted before
				continue
			}
			all = append(all, missed{ep: eventPost{post: p, channelType: string(ch.Type)}, team: ch.TeamId})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i].ep.post, all[j].ep.post
		if a.CreateAt != b.CreateAt {
			return a.CreateAt < b.CreateAt
		}
		return a.Id < b.Id
	})
	var out []bot.Incoming
	for _, m := range all {
		l.noteSeen(m.ep.post.CreateAt)
		if in, ok := l.classifyPost(ctx, m.ep, m.team); ok {
			out = append(out, in)
		}
	}
	return out, firstErr
}

// handledPosts remembers the posts already handled (bounded: the oldest
// are forgotten, far older than any catch-up window).
type handledPosts struct {
	mu    sync.Mutex
	ids   map[string]struct{}
	order []string
}

const maxHandledPosts = 4096

// first records id and reports whether it was new.
func (h *handledPosts) first(id string) bool {
	if id == "" {
		return true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.ids[id]; ok {
		return false
	}
	if h.ids == nil {
		h.ids = map[string]struct{}{}
	}
	if len(h.order) >= maxHandledPosts {
		delete(h.ids, h.order[0])
		h.order = h.order[1:]
	}
	h.ids[id] = struct{}{}
	h.order = append(h.order, id)
	return true
}

func (h *handledPosts) has(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.ids[id]
	return ok
}
