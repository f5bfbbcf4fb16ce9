package mattermost

import (
	"context"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/bot"
)

// FindByIdemKey looks for a live bot post carrying key: in rootID's whole
// thread (GetPostThread), or for a root post in the channel's pages of 200,
// newest first, back to since (less findSlack for the clocks' skew), or
// FindPages pages when since is zero. (`posts?since=` is no exactly-once
// check: it is capped and keyed on update time.)
func (m *Mattermost) FindByIdemKey(ctx context.Context, channelID, rootID, key string, since time.Time) (string, bool, error) {
	start := time.Now()
	id, ok, err := m.findByIdemKey(ctx, channelID, rootID, key, since)
	m.o.Metrics.ObservePost("find", start, err)
	return id, ok, err
}

// findSlack allows for the bot's and the server's clocks disagreeing.
const findSlack = 10 * time.Minute

// maxFindPages bounds a search back to since (a bot down for months in a
// busy channel): 100 pages of 200 posts.
const maxFindPages = 100

func (m *Mattermost) findByIdemKey(ctx context.Context, channelID, rootID, key string, since time.Time) (string, bool, error) {
	check := func(l *model.PostList, resp *model.Response, err error) (string, bool, error) {
		if err != nil {
			err = fmt.Errorf("find post by key (HTTP %d): %w", statusOf(resp), err)
			if !retryable(resp) {
				return "", false, backoff.Permanent(err)
			}
			return "", false, retryErr(err, resp, m.now())
		}
		for _, id := range l.Order {
			if p := l.Posts[id]; p != nil && m.isMine(p, key) {
				return p.Id, true, nil
			}
		}
		for _, p := range l.Posts { // Order may omit the root
			if m.isMine(p, key) {
				return p.Id, true, nil
			}
		}
		return "", false, nil
	}
	if rootID != "" {
		return check(m.c.GetPostThread(ctx, rootID, "", false))
	}
	pages, floor := m.o.FindPages, int64(0)
	if !since.IsZero() {
		pages, floor = maxFindPages, since.Add(-findSlack).UnixMilli()
	}
	for page := 0; page < pages; page++ {
		l, resp, err := m.c.GetPostsForChannel(ctx, channelID, page, 200, "", false, false)
		id, ok, err := check(l, resp, err)
		if err != nil || ok {
			return id, ok, err
		}
		if len(l.Order) < 200 {
			return "", false, nil
		}
		oldest := int64(-1)
		for _, p := range l.Posts {
			if oldest < 0 || p.CreateAt < oldest {
				oldest = p.CreateAt
			}
		}
		if floor > 0 && oldest < floor {
			return "", false, nil // this page reaches back before the post was first tried
		}
	}
	if floor > 0 {
		m.o.Log.Warn().Str("idem", key).Int("pages", pages).Msg("post not found within the search bound")
	}
	return "", false, nil
}

func (m *Mattermost) isMine(p *model.Post, key string) bool {
	k, _ := p.GetProp(bot.PropIdemKey).(string)
	return k == key && p.UserId == m.me.Id && p.DeleteAt == 0
}
