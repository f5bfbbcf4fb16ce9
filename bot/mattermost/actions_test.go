package mattermost

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
)

func postAction(t *testing.T, h http.Handler, ctx map[string]any) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"user_id": "alice-id", "user_name": "alice", "channel_id": "ch1", "team_id": "team1",
		"post_id": "post1", "trigger_id": "trig", "type": "button", "context": ctx,
	})
	req := httptest.NewRequest(http.MethodPost, PathAction, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var resp map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &resp)
	return w.Code, resp
}

func TestAction_GoodSignatureReachesHandler(t *testing.T) {
	s := testSigner(t, signNow)
	rec := newRecorder()
	rec.reply = bot.Reply{Ephemeral: "approved", Update: &bot.Update{Message: "plan p1 — approved by @alice", Props: map[string]any{}}}
	h := NewActionHandler(ActionOptions{Signer: s, Handler: rec, Log: zerolog.Nop()})
	c, _ := s.Sign("p1", "approve", signNow.Add(time.Hour))
	code, resp := postAction(t, h, c)
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	in := <-rec.seen
	if in.Source != bot.SourceButton || in.Action == nil || in.Action.Plan != "p1" || in.Action.Action != "approve" ||
		in.UserName != "alice" || in.PostID != "post1" || in.ChannelID != "ch1" {
		t.Fatalf("incoming = %+v action=%+v", in, in.Action)
	}
	upd, _ := resp["update"].(map[string]any)
	if resp["ephemeral_text"] != "approved" || upd["message"] != "plan p1 — approved by @alice" {
		t.Fatalf("response = %v", resp)
	}
	// An empty props map is sent (clears the buttons); nil would keep them.
	if p, ok := upd["props"].(map[string]any); !ok || len(p) != 0 {
		t.Fatalf("update props = %#v", upd["props"])
	}
	rec.reply = bot.Reply{Update: &bot.Update{Message: "kept"}}
	_, resp = postAction(t, h, c)
	<-rec.seen
	if upd := resp["update"].(map[string]any); upd["props"] != nil {
		t.Fatalf("nil props sent: %v", upd)
	}
}

func TestAction_RefusedWithEphemeral(t *testing.T) {
	s := testSigner(t, signNow)
	good, _ := s.Sign("p1", "approve", signNow.Add(time.Hour))
	expired, _ := s.Sign("p1", "approve", signNow.Add(-time.Minute))
	mod := func(k, v string) map[string]any {
		c := map[string]any{}
		for kk, vv := range good {
			c[kk] = vv
		}
		c[k] = v
		return c
	}
	tests := []struct {
		name string
		ctx  map[string]any
		want string
	}{
		{"bad sig", mod("sig", strings.Repeat("ab", 32)), msgButtonInvalid},
		{"expired", expired, msgButtonExpired},
		{"tampered plan", mod("plan", "p2"), msgButtonInvalid},
		{"tampered action", mod("action", "approveNoWatch"), msgButtonInvalid},
		{"non-alnum action id", mod("action", "approve-now"), msgButtonInvalid},
		{"no context", nil, msgButtonInvalid},
	}
	m := bot.NewMetrics("test")
	rec := newRecorder()
	h := NewActionHandler(ActionOptions{Signer: s, Handler: rec, Log: zerolog.Nop(), Metrics: m})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, resp := postAction(t, h, tc.ctx)
			if code != 200 || resp["ephemeral_text"] != tc.want || resp["update"] != nil {
				t.Fatalf("got %d %v", code, resp)
			}
		})
	}
	if rec.calls() != 0 {
		t.Fatalf("handler called %d times", rec.calls())
	}
	if metricValue(t, m, "atvmbot_refusals_total", "action_invalid") != 5 || metricValue(t, m, "atvmbot_refusals_total", "action_expired") != 1 {
		t.Fatal("refusals not counted")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, PathAction, strings.NewReader("{not json")))
	if w.Code != 400 {
		t.Fatalf("bad json: %d", w.Code)
	}
}
