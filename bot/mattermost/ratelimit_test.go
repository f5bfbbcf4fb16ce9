package mattermost

import (
	"net/http"
	"testing"
	"time"

	"github.com/atvm/atvmbot/bot"
)

// A 429 is retried after the wait the server asked for, not the (here
// 1 ms) backoff step: Retry-After in seconds or as an HTTP date, else
// Mattermost's X-Ratelimit-Reset. The post is created once.
func TestCreatePost_W1_HonoursRetryAfter(t *testing.T) {
	cases := []struct {
		name              string
		retryAfter, reset func() string
		minGap            time.Duration
	}{
		{"Retry-After seconds", func() string { return "1" }, nil, time.Second},
		{"Retry-After date", func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) }, nil, time.Second},
		{"X-Ratelimit-Reset", nil, func() string { return "1" }, time.Second},
		{"no hint: the backoff step", nil, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeMM(t)
			m := newTestMattermost(t, f, nil)
			f.mu.Lock()
			f.createFail = []string{"429"}
			if tc.retryAfter != nil {
				f.retryAfter = tc.retryAfter()
			}
			if tc.reset != nil {
				f.rateReset = tc.reset()
			}
			f.mu.Unlock()
			if _, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "chan", Message: "hello", IdemKey: "k-429"}); err != nil {
				t.Fatal(err)
			}
			f.mu.Lock()
			at := append([]time.Time(nil), f.createAt...)
			f.mu.Unlock()
			if posts := f.botPosts(); len(at) != 2 || len(posts) != 1 {
				t.Fatalf("%d create calls, %d posts; want 2 calls, 1 post", len(at), len(posts))
			}
			gap := at[1].Sub(at[0])
			if gap < tc.minGap {
				t.Fatalf("retried after %s, the server asked for %s", gap, tc.minGap)
			}
			if tc.minGap == 0 && gap > 500*time.Millisecond {
				t.Fatalf("retried after %s without a hint; the backoff step is 1 ms", gap)
			}
		})
	}
}
