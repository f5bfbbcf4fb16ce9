package mattermost

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
)

// recorder is a Handler that records what it got.
type recorder struct {
	mu    sync.Mutex
	got   []bot.Incoming
	reply bot.Reply
	block chan struct{} // when set, Handle waits on it
	seen  chan bot.Incoming
}

func newRecorder() *recorder { return &recorder{seen: make(chan bot.Incoming, 16)} }

func (r *recorder) Handle(ctx context.Context, in bot.Incoming) bot.Reply {
	r.mu.Lock()
	r.got = append(r.got, in)
	r.mu.Unlock()
	r.seen <- in
	if r.block != nil {
		<-r.block
	}
	return r.reply
}

func (r *recorder) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func slashForm(token, text string) url.Values {
	return url.Values{
		"token": {token}, "team_id": {"team1"}, "team_domain": {"it-team"}, "channel_id": {"ch1"},
		"channel_name": {"it-channel"}, "user_id": {"alice-id"}, "user_name": {"alice"},
		"command": {"/atvm"}, "text": {text}, "root_id": {""}, "trigger_id": {"trig"},
	}
}

func postForm(t *testing.T, h http.Handler, form url.Values, header string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, PathCommand, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestSlash_GoodTokenAcksAndHandlesInBackground(t *testing.T) {
	rec := newRecorder()
	rec.block = make(chan struct{})
	h := NewSlashHandler(SlashOptions{Tokens: []string{"cmd-token"}, Handler: rec, Log: zerolog.Nop()})
	text := "plan --template cmc-e2e\r\n\tx\x00y  "
	start := time.Now()
	w := postForm(t, h, slashForm("cmd-token", text), "Token cmd-token")
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	// The answer came while the handler was still blocked: ack at once.
	if time.Since(start) > 2*time.Second {
		t.Fatal("ack waited for the handler")
	}
	var resp map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp["response_type"] != "ephemeral" || !strings.Contains(resp["text"], "/atvm plan --template cmc-e2e") {
		t.Fatalf("ack = %v", resp)
	}
	in := <-rec.seen
	close(rec.block)
	h.Wait()
	// Verbatim: CR, tab, NUL and trailing spaces reach the handler.
	if in.Text != text || in.Source != bot.SourceSlash || in.UserName != "alice" || in.ChannelID != "ch1" || in.TeamID != "team1" {
		t.Fatalf("incoming = %+v", in)
	}
}

func TestSlash_WrongTokenRefused401HandlerNotCalled(t *testing.T) {
	rec := newRecorder()
	var logs bytes.Buffer
	m := bot.NewMetrics("test")
	h := NewSlashHandler(SlashOptions{Tokens: []string{"cmd-token"}, Handler: rec, Log: zerolog.New(&logs), Metrics: m})
	cases := []struct {
		name, form, header string
	}{
		{"wrong form token", "nope-token", ""},
		{"wrong header token", "cmd-token", "Token nope-token"}, // the header wins
		{"prefix of token", "cmd-tok", ""},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		w := postForm(t, h, slashForm(tc.form, "status"), tc.header)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", tc.name, w.Code)
		}
	}
	h.Wait()
	if rec.calls() != 0 {
		t.Fatalf("handler called %d times", rec.calls())
	}
	if !strings.Contains(logs.String(), "wrong token") || strings.Contains(logs.String(), "nope-token") {
		t.Fatalf("log = %s", logs.String())
	}
	if got := metricValue(t, m, "atvmbot_refusals_total", "slash_token"); got != 4 {
		t.Fatalf("refusals = %v", got)
	}
	// No token configured: fail closed.
	h2 := NewSlashHandler(SlashOptions{Handler: rec, Log: zerolog.Nop()})
	if w := postForm(t, h2, slashForm("", "status"), ""); w.Code != 401 {
		t.Fatalf("no configured token: status %d", w.Code)
	}
	// A token added later (registration) is accepted.
	h2.SetTokens("", "new-token")
	if w := postForm(t, h2, slashForm("new-token", "status"), ""); w.Code != 200 {
		t.Fatalf("after SetTokens: status %d", w.Code)
	}
	h2.Wait()
}

func TestSlash_OversizeBodyAndMethod(t *testing.T) {
	rec := newRecorder()
	h := NewSlashHandler(SlashOptions{Tokens: []string{"t"}, Handler: rec, Log: zerolog.Nop(), MaxBody: 1024})
	// Over the cap: a friendly ephemeral refusal (HTTP 200), never a 413,
	// which Mattermost shows as "returned response 413"; the handler is
	// not called.
	w := postForm(t, h, slashForm("t", strings.Repeat("x", 2048)), "")
	if w.Code != http.StatusOK {
		t.Fatalf("oversize: status %d", w.Code)
	}
	var resp map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("oversize: %v: %s", err, w.Body.String())
	}
	if resp["response_type"] != "ephemeral" || !strings.Contains(resp["text"], "over 1 KiB") || !strings.Contains(resp["text"], "nothing was done") {
		t.Fatalf("oversize answer = %+v", resp)
	}
	if w := postForm(t, h, slashForm("t", strings.Repeat("x", 700)), ""); w.Code != 200 {
		t.Fatalf("under the cap: status %d", w.Code)
	}
	h.Wait()
	if rec.calls() != 1 {
		t.Fatalf("handler calls = %d, want 1", rec.calls())
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, PathCommand+"?token=t&text=x", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET: status %d", w.Code)
	}
}

func TestSlash_BusyRefusedWithEphemeral(t *testing.T) {
	rec := newRecorder()
	rec.block = make(chan struct{})
	h := NewSlashHandler(SlashOptions{Tokens: []string{"t"}, Handler: rec, Log: zerolog.Nop(), MaxInFlight: 1})
	postForm(t, h, slashForm("t", "approve"), "")
	<-rec.seen
	w := postForm(t, h, slashForm("t", "cancel p-abcdef"), "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "busy") || !strings.Contains(w.Body.String(), "nothing was done") {
		t.Fatalf("busy answer: %d %s", w.Code, w.Body)
	}
	// A read is never refused as busy, whatever is in flight (D24's
	// reads-never-wait rule).
	w = postForm(t, h, slashForm("t", "status"), "")
	if strings.Contains(w.Body.String(), "busy") {
		t.Fatalf("a status was refused as busy: %s", w.Body)
	}
	close(rec.block)
	h.Wait()
	if rec.calls() != 2 {
		t.Fatalf("calls = %d, want the first change and the status", rec.calls())
	}
}

func TestSlash_LateReplyThroughResponseURLOnlyOnServer(t *testing.T) {
	var mu sync.Mutex
	var got []string
	mm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.URL.Path+" "+string(b))
		mu.Unlock()
	}))
	defer mm.Close()
	rec := newRecorder()
	rec.reply = bot.Reply{Ephemeral: "plan refused: atvm144-suse15.0 is blacklisted"}
	h := NewSlashHandler(SlashOptions{Tokens: []string{"t"}, Handler: rec, Log: zerolog.Nop(), ServerURL: mm.URL})
	f := slashForm("t", "plan")
	f.Set("response_url", mm.URL+"/hooks/commands/abc")
	postForm(t, h, f, "")
	f.Set("response_url", "http://127.0.0.2:1/hooks/commands/abc") // not the server: never called
	postForm(t, h, f, "")
	h.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || !strings.HasPrefix(got[0], "/hooks/commands/abc ") ||
		!strings.Contains(got[0], `"response_type":"ephemeral"`) || !strings.Contains(got[0], "blacklisted") {
		t.Fatalf("response_url calls = %q", got)
	}
}

func TestSameServer(t *testing.T) {
	for _, tc := range []struct {
		base, u string
		want    bool
	}{
		{"http://127.0.0.1:8065", "http://127.0.0.1:8065/hooks/commands/x", true},
		{"https://chat.example.com/mm/", "https://chat.example.com/mm/hooks/commands/x", true},
		{"https://chat.example.com", "http://chat.example.com/hooks/commands/x", false},
		{"https://chat.example.com", "https://chat.example.com.evil/hooks/commands/x", false},
		{"https://chat.example.com", "https://u:p@chat.example.com/hooks/commands/x", false},
		{"https://chat.example.com", "https://chat.example.com/api/v4/users", false},
		{"", "https://chat.example.com/hooks/commands/x", false},
	} {
		if got := sameServer(tc.base, tc.u); got != tc.want {
			t.Errorf("sameServer(%q, %q) = %v", tc.base, tc.u, got)
		}
	}
}

func TestAckText_Defused(t *testing.T) {
	got := ackText("/atvm", "plan `rm -rf`\n"+strings.Repeat("x", 200))
	if strings.Count(got, "`") != 2 || strings.Contains(got, "\n") || !strings.HasSuffix(got, "…` received.") {
		t.Fatalf("ack = %q", got)
	}
	if got := ackText("/atvm", "  "); got != "⏳ `/atvm` received." {
		t.Fatalf("empty ack = %q", got)
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// An oversized body is not read past the cap: a 10 MiB command costs the
// cap plus one byte (and a read buffer), not 10 MiB.
func TestSlash_D26_OversizeBodyReadBounded(t *testing.T) {
	rec := newRecorder()
	h := NewSlashHandler(SlashOptions{Tokens: []string{"t"}, Handler: rec, Log: zerolog.Nop(), MaxBody: 64 << 10})
	huge := slashForm("t", strings.Repeat("plan cmc-e2e --containsVm x ", 10<<20/28)).Encode()
	body := &countingReader{r: strings.NewReader(huge)}
	req := httptest.NewRequest(http.MethodPost, PathCommand, body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "ephemeral") || !strings.Contains(w.Body.String(), "over 64 KiB") {
		t.Fatalf("status %d: %s", w.Code, w.Body.String())
	}
	if body.n > 64<<10+32<<10 {
		t.Fatalf("read %d bytes of a %d-byte body; the cap is %d", body.n, len(huge), 64<<10)
	}
	h.Wait()
	if rec.calls() != 0 {
		t.Fatalf("handler calls = %d", rec.calls())
	}
}
