package mattermost

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"
)

const (
	fakeBotID   = "botuserid0000000000000000a"
	fakeBotName = "atvm-bot"
)

// fakeMM is a small in-memory Mattermost REST API: the calls the adapter
// makes, with failure injection.
type fakeMM struct {
	t   *testing.T
	srv *httptest.Server

	mu    sync.Mutex
	posts map[string]*model.Post
	seq   int
	calls map[string]int // "METHOD /route-kind" → count
	// createFail: what the next CreatePost calls do, popped in order:
	// "500" fails without creating (threads_pkey race), "500after"
	// creates then fails (the answer is lost), "400" refuses.
	createFail  []string
	patchFail   []string
	commands    []*model.Command
	forbidCmds  bool
	createAt    []time.Time // when each POST /posts arrived
	lastAt      int64       // the newest post's CreateAt
	channels    []*model.Channel
	refuseFiles bool   // uploads answered 501 (attachments disabled)
	retryAfter  string // the Retry-After header of a "429"
	rateReset   string // the X-Ratelimit-Reset header of a "429"
}

func newFakeMM(t *testing.T) *fakeMM {
	f := &fakeMM{t: t, posts: map[string]*model.Post{}, calls: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeMM) count(k string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[k]
}

func (f *fakeMM) botPosts() []*model.Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*model.Post
	for _, p := range f.posts {
		if p.UserId == fakeBotID {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreateAt < out[j].CreateAt })
	return out
}

func (f *fakeMM) addPost(p *model.Post) *model.Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addPostLocked(p)
}

func (f *fakeMM) addPostLocked(p *model.Post) *model.Post {
	f.seq++
	p.Id = fmt.Sprintf("post%022d", f.seq)
	// Server time, strictly increasing.
	p.CreateAt = max(time.Now().UnixMilli(), f.lastAt+1)
	f.lastAt = p.CreateAt
	f.posts[p.Id] = p
	return p
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func appErr(w http.ResponseWriter, code int, id string) {
	writeJSON(w, code, map[string]any{"id": id, "message": id, "status_code": code})
}

func (f *fakeMM) serve(w http.ResponseWriter, r *http.Request) {
	if a := strings.ToLower(r.Header.Get("Authorization")); a != "bearer bot-token" && a != "bearer admin-token" {
		appErr(w, 401, "api.context.session_expired.app_error")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/api/v4")
	parts := strings.Split(strings.Trim(path, "/"), "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	key := r.Method + " " + parts[0]
	switch {
	case r.Method == "GET" && path == "/users/me":
		f.calls["GET me"]++
		writeJSON(w, 200, &model.User{Id: fakeBotID, Username: fakeBotName, IsBot: true})
	case r.Method == "POST" && path == "/posts":
		f.calls["POST posts"]++
		f.createAt = append(f.createAt, time.Now())
		var p model.Post
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			appErr(w, 400, "bad json")
			return
		}
		mode := ""
		if len(f.createFail) > 0 {
			mode, f.createFail = f.createFail[0], f.createFail[1:]
		}
		switch mode {
		case "500":
			appErr(w, 500, "store.sql_post.save.app_error threads_pkey")
			return
		case "429":
			if f.retryAfter != "" {
				w.Header().Set("Retry-After", f.retryAfter)
			}
			if f.rateReset != "" {
				w.Header().Set("X-Ratelimit-Reset", f.rateReset)
			}
			appErr(w, 429, "api.context.rate_limited")
			return
		case "400":
			appErr(w, 400, "model.post.is_valid.message_length.app_error")
			return
		}
		p.UserId = fakeBotID
		f.addPostLocked(&p)
		if mode == "500after" {
			appErr(w, 500, "lost answer")
			return
		}
		writeJSON(w, 201, &p)
	case r.Method == "GET" && len(parts) == 3 && parts[0] == "posts" && parts[2] == "thread":
		f.calls["GET thread"]++
		root := f.posts[parts[1]]
		if root == nil {
			appErr(w, 404, "not found")
			return
		}
		l := model.NewPostList()
		for _, p := range f.posts {
			if p.Id == root.Id || p.RootId == root.Id {
				l.AddPost(p)
				l.AddOrder(p.Id)
			}
		}
		writeJSON(w, 200, l)
	case r.Method == "POST" && path == "/files":
		f.calls["POST files"]++
		if f.refuseFiles {
			appErr(w, 501, "api.file.attachments.disabled.app_error")
			return
		}
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			appErr(w, 400, "bad multipart")
			return
		}
		var infos []*model.FileInfo
		for _, fhs := range r.MultipartForm.File {
			for _, fh := range fhs {
				f.seq++
				infos = append(infos, &model.FileInfo{Id: fmt.Sprintf("file%022d", f.seq), Name: fh.Filename, Size: fh.Size})
			}
		}
		writeJSON(w, 201, &model.FileUploadResponse{FileInfos: infos})
	case r.Method == "GET" && len(parts) == 3 && parts[0] == "users" && parts[2] == "channels":
		f.calls["GET userchannels"]++
		writeJSON(w, 200, f.channels)
	case r.Method == "GET" && len(parts) == 3 && parts[0] == "channels" && parts[2] == "posts":
		f.calls["GET channelposts"]++
		// Newest first, in pages (page, per_page), or all since a time.
		q := r.URL.Query()
		since, _ := strconv.ParseInt(q.Get("since"), 10, 64)
		var in []*model.Post
		for _, p := range f.posts {
			if p.ChannelId == parts[1] && max(p.CreateAt, p.UpdateAt) >= since {
				in = append(in, p)
			}
		}
		sort.Slice(in, func(i, j int) bool { return in[i].CreateAt > in[j].CreateAt })
		if q.Get("since") == "" {
			page, _ := strconv.Atoi(q.Get("page"))
			per, err := strconv.Atoi(q.Get("per_page"))
			if err != nil || per <= 0 {
				per = 60
			}
			in = in[min(len(in), page*per):min(len(in), (page+1)*per)]
		}
		l := model.NewPostList()
		for _, p := range in {
			l.AddPost(p)
			l.AddOrder(p.Id)
		}
		writeJSON(w, 200, l)
	case r.Method == "GET" && len(parts) == 2 && parts[0] == "posts":
		f.calls["GET post"]++
		if p := f.posts[parts[1]]; p != nil {
			writeJSON(w, 200, p)
			return
		}
		appErr(w, 404, "not found")
	case r.Method == "PUT" && len(parts) == 3 && parts[0] == "posts" && parts[2] == "patch":
		f.calls["PUT patch"]++
		if len(f.patchFail) > 0 {
			f.patchFail = f.patchFail[1:]
			appErr(w, 503, "unavailable")
			return
		}
		p := f.posts[parts[1]]
		if p == nil {
			appErr(w, 404, "not found")
			return
		}
		var patch model.PostPatch
		_ = json.NewDecoder(r.Body).Decode(&patch)
		if patch.Message != nil {
			p.Message = *patch.Message
		}
		if patch.Props != nil {
			p.SetProps(*patch.Props)
		}
		writeJSON(w, 200, p)
	case parts[0] == "commands" || (parts[0] == "teams" && len(parts) == 3 && parts[1] == "name"):
		f.serveCommands(w, r, parts)
	default:
		f.t.Errorf("fake mattermost: unexpected %s %s", r.Method, r.URL.Path)
		appErr(w, 404, key)
	}
}

func (f *fakeMM) serveCommands(w http.ResponseWriter, r *http.Request, parts []string) {
	if parts[0] == "teams" {
		writeJSON(w, 200, &model.Team{Id: "team-" + parts[2], Name: parts[2]})
		return
	}
	if f.forbidCmds {
		appErr(w, 403, "api.context.permissions.app_error")
		return
	}
	switch r.Method {
	case "GET":
		f.calls["GET commands"]++
		var out []*model.Command
		for _, c := range f.commands {
			if c.TeamId == r.URL.Query().Get("team_id") {
				out = append(out, c)
			}
		}
		writeJSON(w, 200, out)
	case "POST":
		f.calls["POST commands"]++
		var c model.Command
		_ = json.NewDecoder(r.Body).Decode(&c)
		c.Id = fmt.Sprintf("cmd%d", len(f.commands)+1)
		c.Token = "token-" + c.Id
		f.commands = append(f.commands, &c)
		writeJSON(w, 201, &c)
	case "PUT":
		f.calls["PUT commands"]++
		var c model.Command
		_ = json.NewDecoder(r.Body).Decode(&c)
		for i, old := range f.commands {
			if old.Id == c.Id {
				c.Token = old.Token
				f.commands[i] = &c
			}
		}
		writeJSON(w, 200, &c)
	}
}

// fastBackOff retries quickly in tests.
func fastBackOff() backoff.BackOff {
	return backoff.WithMaxRetries(backoff.NewConstantBackOff(time.Millisecond), 6)
}

func newTestMattermost(t *testing.T, f *fakeMM, log io.Writer) *Mattermost {
	t.Helper()
	if log == nil {
		log = io.Discard
	}
	m, err := NewMattermost(t.Context(), MattermostOptions{
		URL: f.srv.URL, Token: "bot-token", TeamName: "it-team",
		PublicURL: "http://127.0.0.1:9/", Signer: testSigner(t, time.Now()),
		Log: zerolog.New(log), NewBackOff: fastBackOff,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
