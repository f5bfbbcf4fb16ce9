package mattermost

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/bot"
)

func TestNewMattermost_GetMeIdentifiesBot(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	if m.BotUserID() != fakeBotID || m.BotUserName() != fakeBotName {
		t.Fatalf("bot = %q %q", m.BotUserID(), m.BotUserName())
	}
	if _, err := NewMattermost(t.Context(), MattermostOptions{URL: f.srv.URL, Token: "wrong"}); err == nil ||
		!strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("wrong token: err = %v", err)
	}
}

func TestCreatePost_W1_ExactlyOnceAfterRetry(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	root := f.addPost(&model.Post{ChannelId: "ch1", UserId: fakeBotID, Message: "plan"})
	f.createFail = []string{"500after"} // created, but the answer is lost
	id, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", RootID: root.Id, Message: "result", IdemKey: "run1/sub1/r1"})
	if err != nil {
		t.Fatal(err)
	}
	posts := f.botPosts()
	if len(posts) != 2 { // the root and exactly one result
		t.Fatalf("%d bot posts, want 2", len(posts))
	}
	if id != posts[1].Id || posts[1].GetProp(bot.PropIdemKey) != "run1/sub1/r1" {
		t.Fatalf("returned %s, stored %+v", id, posts[1])
	}
	if n := f.count("POST posts"); n != 1 {
		t.Fatalf("CreatePost sent %d times, want 1", n)
	}
}

func TestCreatePost_W1_KeyFoundAfterCrashNotSentAgain(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	// Root post keyed before a crash (no thread: the channel is searched).
	old := f.addPost(&model.Post{ChannelId: "ch1", UserId: fakeBotID, Message: "summary"})
	old.AddProp(bot.PropIdemKey, "run2/final/r1")
	// Someone else's post with the same key is not ours.
	other := f.addPost(&model.Post{ChannelId: "ch1", UserId: "alice", Message: "copy"})
	other.AddProp(bot.PropIdemKey, "run2/final/r2")
	id, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", Message: "summary", IdemKey: "run2/final/r1"})
	if err != nil || id != old.Id {
		t.Fatalf("id=%s err=%v, want %s", id, err, old.Id)
	}
	if f.count("POST posts") != 0 {
		t.Fatal("sent again although the key was in the channel")
	}
	id2, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", Message: "summary", IdemKey: "run2/final/r2"})
	if err != nil || id2 == other.Id || f.count("POST posts") != 1 {
		t.Fatalf("alice's post taken for the bot's: id=%s err=%v", id2, err)
	}
}

func TestCreatePost_W1_ThreadsPkeyRaceRetried(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	root := f.addPost(&model.Post{ChannelId: "ch1", UserId: fakeBotID, Message: "plan"})
	f.createFail = []string{"500", "500"}
	if _, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", RootID: root.Id, Message: "reply", IdemKey: "k1"}); err != nil {
		t.Fatal(err)
	}
	if n, p := f.count("POST posts"), len(f.botPosts()); n != 3 || p != 2 {
		t.Fatalf("sent %d times, %d bot posts; want 3 and 2", n, p)
	}
	// Every retry looked for the key first.
	if n := f.count("GET thread"); n != 3 {
		t.Fatalf("thread looked up %d times, want 3", n)
	}
}

func TestCreatePost_UnkeyedPostGetsKeyAndIsNotDuplicated(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	f.createFail = []string{"500after"}
	if _, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", Message: "hello"}); err != nil {
		t.Fatal(err)
	}
	posts := f.botPosts()
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	if k, _ := posts[0].GetProp(bot.PropIdemKey).(string); !strings.HasPrefix(k, "auto:") {
		t.Fatalf("generated key = %q", k)
	}
}

func TestCreatePost_ClientErrorNotRetried(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	f.createFail = []string{"400"}
	_, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", Message: "x", IdemKey: "k"})
	if err == nil || !strings.Contains(err.Error(), "HTTP 400") {
		t.Fatalf("err = %v", err)
	}
	if n := f.count("POST posts"); n != 1 {
		t.Fatalf("400 retried: %d sends", n)
	}
}

func TestCreatePost_GivesUpWhenServerKeepsFailing(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	f.createFail = []string{"500", "500", "500", "500", "500", "500", "500", "500"}
	if _, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", Message: "x", IdemKey: "k"}); err == nil ||
		!strings.Contains(err.Error(), "giving up") {
		t.Fatalf("err = %v", err)
	}
	if len(f.botPosts()) != 0 {
		t.Fatal("a post exists although every create failed")
	}
}

func TestCreatePost_TextCleaned(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	_, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", Message: "a\x00b\r\n\tc\xff",
		Props: map[string]any{"note": "x\x00y", "list": []any{"p\x00q"}}})
	if err != nil {
		t.Fatal(err)
	}
	p := f.botPosts()[0]
	if p.Message != "ab\r\n\tc\uFFFD" {
		t.Fatalf("message = %q", p.Message)
	}
	if p.GetProp("note") != "xy" || p.GetProp("list").([]any)[0] != "pq" {
		t.Fatalf("props = %v", p.GetProps())
	}
	_, err = m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", Message: strings.Repeat("é", bot.MaxMessageRunes+1)})
	if !errors.Is(err, bot.ErrMessageTooLong) {
		t.Fatalf("over-long message: err = %v", err)
	}
	if _, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", Message: strings.Repeat("é", bot.MaxMessageRunes)}); err != nil {
		t.Fatalf("message at the limit refused: %v", err)
	}
}

func TestCreatePost_ButtonsSignedAndVerifiable(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	_, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", Message: "plan p1",
		Buttons: []bot.Button{{Name: "Approve", Action: "approve", Plan: "p1", Style: "primary"},
			{Name: "Cancel", Action: "cancel", Plan: "p1"}}})
	if err != nil {
		t.Fatal(err)
	}
	atts := f.botPosts()[0].Attachments()
	if len(atts) != 1 || len(atts[0].Actions) != 2 {
		t.Fatalf("attachments = %+v", atts)
	}
	a := atts[0].Actions[0]
	if a.Id != "approve" || a.Name != "Approve" || a.Integration.URL != "http://127.0.0.1:9/mm/action" {
		t.Fatalf("action = %+v", a)
	}
	call, err := m.o.Signer.Verify(a.Integration.Context)
	if err != nil || call.Plan != "p1" || call.Action != "approve" {
		t.Fatalf("context does not verify: %+v %v", call, err)
	}
	if d := time.Until(call.Expires); d < 23*time.Hour || d > 25*time.Hour {
		t.Fatalf("expiry in %v, want the 24 h default", d)
	}
	for _, bad := range [][]bot.Button{
		{{Name: "X", Action: "approve_now", Plan: "p1"}},
		{{Name: "A", Action: "a", Plan: "p1"}, {Name: "B", Action: "a", Plan: "p1"}},
	} {
		if _, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", Message: "x", Buttons: bad}); err == nil {
			t.Errorf("buttons %+v accepted", bad)
		}
	}
}

func TestPatchPost_KeepsIdemKeyAndRetries(t *testing.T) {
	f := newFakeMM(t)
	var logs bytes.Buffer
	m := newTestMattermost(t, f, &logs)
	id, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", Message: "v1", IdemKey: "run3/progress",
		Buttons: []bot.Button{{Name: "Cancel", Action: "cancel", Plan: "p3"}}})
	if err != nil {
		t.Fatal(err)
	}
	f.patchFail = []string{"503"}
	if err := m.PatchPost(t.Context(), id, "v2 ~~superseded~~", map[string]any{"superseded_by": "x"}); err != nil {
		t.Fatal(err)
	}
	p := f.botPosts()[0]
	if p.Message != "v2 ~~superseded~~" || p.GetProp("superseded_by") != "x" || p.GetProp(bot.PropIdemKey) != "run3/progress" {
		t.Fatalf("patched post = %q %v", p.Message, p.GetProps())
	}
	if len(p.Attachments()) != 0 {
		t.Fatal("props replaced but buttons kept")
	}
	if err := m.PatchPost(t.Context(), id, "v3", nil); err != nil || f.botPosts()[0].GetProp("superseded_by") != "x" {
		t.Fatalf("nil props changed the props: %v", err)
	}
	if strings.Contains(logs.String(), "bot-token") {
		t.Fatal("token in logs")
	}
}

func TestFindByIdemKey(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	root := f.addPost(&model.Post{ChannelId: "ch1", UserId: fakeBotID, Message: "root"})
	reply := f.addPost(&model.Post{ChannelId: "ch1", RootId: root.Id, UserId: fakeBotID, Message: "r"})
	reply.AddProp(bot.PropIdemKey, "k1")
	deleted := f.addPost(&model.Post{ChannelId: "ch1", RootId: root.Id, UserId: fakeBotID, Message: "", DeleteAt: 5})
	deleted.AddProp(bot.PropIdemKey, "k2")
	tests := []struct {
		root, key string
		want      string
		found     bool
	}{
		{root.Id, "k1", reply.Id, true},
		{root.Id, "k2", "", false}, // deleted
		{root.Id, "k3", "", false},
		{"", "k1", reply.Id, true}, // channel scan sees replies too
	}
	for _, tc := range tests {
		id, ok, err := m.FindByIdemKey(t.Context(), "ch1", tc.root, tc.key, time.Time{})
		if err != nil || ok != tc.found || id != tc.want {
			t.Errorf("Find(%q,%q) = %q %v %v, want %q %v", tc.root, tc.key, id, ok, err, tc.want, tc.found)
		}
	}
	if got := m.PostLink("abc"); got != f.srv.URL+"/it-team/pl/abc" {
		t.Errorf("PostLink = %q", got)
	}
}

// W1 after a long outage: a root post sent before a crash is found however
// many posts came after it, the search going back to when it was first
// tried (not a fixed count of recent posts); a search for a key never sent
// stops at the first page older than that.
func TestFindByIdemKey_W1_BoundedByTimeNotCount(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	tried := time.Now().Add(-2 * time.Hour)
	old := f.addPost(&model.Post{ChannelId: "ch1", UserId: fakeBotID, Message: "root"})
	old.AddProp(bot.PropIdemKey, "run1/root")
	// 600 posts from before the post was tried: a search that did not
	// stop at its bound would read their 3 pages too.
	var ancient []*model.Post
	for i := 0; i < 600; i++ {
		ancient = append(ancient, f.addPost(&model.Post{ChannelId: "ch1", UserId: "alice-id", Message: "before"}))
	}
	f.mu.Lock()
	old.CreateAt = tried.Add(time.Second).UnixMilli()
	for i, p := range ancient {
		p.CreateAt = tried.Add(-time.Hour).UnixMilli() + int64(i)
	}
	f.mu.Unlock()
	for i := 0; i < 1000; i++ {
		f.addPost(&model.Post{ChannelId: "ch1", UserId: "alice-id", Message: "chatter"})
	}
	cases := []struct {
		name     string
		key      string
		since    time.Time
		found    bool
		maxPages int
	}{
		{"found back to when it was tried", "run1/root", tried, true, 6},
		{"the recent window alone misses it", "run1/root", time.Time{}, false, 3},
		{"never sent: stops past the bound", "run1/other", tried, false, 6},
	}
	for _, tc := range cases {
		before := f.count("GET channelposts")
		id, ok, err := m.FindByIdemKey(t.Context(), "ch1", "", tc.key, tc.since)
		pages := f.count("GET channelposts") - before
		if err != nil || ok != tc.found || (ok && id != old.Id) || pages > tc.maxPages {
			t.Errorf("%s: %q %v %v after %d pages; want found=%v within %d pages", tc.name, id, ok, err, pages, tc.found, tc.maxPages)
		}
	}
}

// W1 with a picture: the file is uploaded once and attached in the create
// itself; when the create's answer is lost, the retry finds the post by its
// key: one post, one upload, never a post without its file.
func TestCreatePost_W1_FileAttachedOnce(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	f.mu.Lock()
	f.createFail = []string{"500", "500after"}
	f.mu.Unlock()
	id, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", Message: "final", IdemKey: "run1/final/r0/0",
		Files: []bot.OutFile{{Name: "timeline-b.png", Data: []byte("\x89PNG fake")}}})
	if err != nil {
		t.Fatal(err)
	}
	posts := f.botPosts()
	if len(posts) != 1 || posts[0].Id != id || len(posts[0].FileIds) != 1 {
		t.Fatalf("%d posts (want 1 with one file): %+v", len(posts), posts)
	}
	if n := f.count("POST files"); n != 1 {
		t.Fatalf("%d uploads, want 1", n)
	}
}

// A server that refuses files still gets the post, without them: results
// never wait for a picture.
func TestCreatePost_W1_FilesRefusedPostStillMade(t *testing.T) {
	f := newFakeMM(t)
	m := newTestMattermost(t, f, nil)
	f.mu.Lock()
	f.refuseFiles = true
	f.mu.Unlock()
	if _, err := m.CreatePost(t.Context(), bot.OutPost{ChannelID: "ch1", Message: "final", IdemKey: "run2/final/r0/0",
		Files: []bot.OutFile{{Name: "timeline-b.png", Data: []byte("png")}}}); err != nil {
		t.Fatal(err)
	}
	if posts := f.botPosts(); len(posts) != 1 || len(posts[0].FileIds) != 0 {
		t.Fatalf("posts %+v, want one without files", posts)
	}
}
