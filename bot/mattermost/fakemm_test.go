package mattermost

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/atvm/atvmbot/bot"
)

// fileMM is a fake Mattermost for the crash tests: it serves exactly the
// REST calls the Mattermost adapter makes (GetMe, CreatePost, PatchPost, GetPost,
// GetPostThread, GetPostsForChannel) and writes its posts to a JSON file on
// every change. It runs in the parent test process, so it outlives every
// bot process the test kills, and a new fileMM on the same file continues
// where the last one stopped.
type fileMM struct {
	t    *testing.T
	srv  *httptest.Server
	path string

	mu       sync.Mutex
	st       fileMMState
	calls    map[string]int
	inflight int
	// creates are when CreatePost requests arrived.
	creates []time.Time
	// createDelay holds a CreatePost this long (createJitter: a random
	// time up to it) before storing it: a bot killed meanwhile leaves a
	// post it never heard back about.
	createDelay  time.Duration
	createJitter bool
	// createFail answers the next n CreatePost calls 503 without storing.
	createFail int
	// failKey makes CreatePost fail 503 (without storing) for posts whose
	// idempotency key has this prefix, while failKeyN > 0.
	failKey  string
	failKeyN int
}

type fileMMState struct {
	Seq   int           `json:"seq"`
	Posts []*model.Post `json:"posts"`
}

func newFileMM(t *testing.T, path string) *fileMM {
	t.Helper()
	f := &fileMM{t: t, path: path, calls: map[string]int{}}
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &f.st); err != nil {
			t.Fatalf("fake mattermost state %s: %v", path, err)
		}
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve)) // 127.0.0.1 only
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fileMM) URL() string { return f.srv.URL }

// save writes the whole state atomically (temp file + rename).
func (f *fileMM) saveLocked() {
	b, err := json.MarshalIndent(&f.st, "", " ")
	if err != nil {
		f.t.Errorf("fake mattermost: %v", err)
		return
	}
	tmp := f.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		f.t.Errorf("fake mattermost: %v", err)
		return
	}
	if err := os.Rename(tmp, f.path); err != nil {
		f.t.Errorf("fake mattermost: %v", err)
	}
}

// posts returns copies of the bot's posts in creation order.
func (f *fileMM) posts() []*model.Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]*model.Post, 0, len(f.st.Posts))
	for _, p := range f.st.Posts {
		if p.UserId == fakeBotID {
			out = append(out, p.Clone())
		}
	}
	return out
}

// set changes the fake's knobs under its lock (handlers read them).
func (f *fileMM) set(change func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change()
}

// firstCreateAfter is when the first CreatePost after t arrived, if any.
func (f *fileMM) firstCreateAfter(t time.Time) (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.creates {
		if c.After(t) {
			return c, true
		}
	}
	return time.Time{}, false
}

func (f *fileMM) count(k string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[k]
}

func (f *fileMM) byIDLocked(id string) *model.Post {
	for _, p := range f.st.Posts {
		if p.Id == id {
			return p
		}
	}
	return nil
}

// waitIdle waits until no request is being served.
func (f *fileMM) waitIdle() {
	for i := 0; i < 1000; i++ {
		f.mu.Lock()
		n := f.inflight
		f.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	f.t.Error("fake mattermost: a request never finished")
}

func (f *fileMM) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.inflight++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
	}()
	if !strings.EqualFold(r.Header.Get("Authorization"), "bearer bot-token") {
		appErr(w, 401, "api.context.session_expired.app_error")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/api/v4")
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method == "GET" && path == "/users/me":
		f.bump("GET me")
		writeJSON(w, 200, &model.User{Id: fakeBotID, Username: fakeBotName, IsBot: true})
	case r.Method == "POST" && path == "/posts":
		f.create(w, r)
	case r.Method == "GET" && len(parts) == 3 && parts[0] == "posts" && parts[2] == "thread":
		f.thread(w, parts[1])
	case r.Method == "GET" && len(parts) == 3 && parts[0] == "channels" && parts[2] == "posts":
		f.channelPosts(w, r, parts[1])
	case r.Method == "GET" && len(parts) == 2 && parts[0] == "posts":
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls["GET post"]++
		if p := f.byIDLocked(parts[1]); p != nil {
			writeJSON(w, 200, p)
			return
		}
		appErr(w, 404, "app.post.get.app_error")
	case r.Method == "PUT" && len(parts) == 3 && parts[0] == "posts" && parts[2] == "patch":
		f.patch(w, r, parts[1])
	case r.Method == "POST" && path == "/files":
		// Uploads are not kept: only their ids, which posts carry.
		f.bump("POST files")
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			appErr(w, 400, "bad multipart")
			return
		}
		var infos []*model.FileInfo
		for _, fhs := range r.MultipartForm.File {
			for _, fh := range fhs {
				infos = append(infos, &model.FileInfo{Id: model.NewId(), Name: fh.Filename, Size: fh.Size})
			}
		}
		writeJSON(w, 201, &model.FileUploadResponse{FileInfos: infos})
	case r.Method == "GET" && len(parts) == 2 && parts[0] == "users":
		// Users are named by their ids here: the crash rig's "alice" is id "alice".
		writeJSON(w, 200, &model.User{Id: parts[1], Username: parts[1]})
	default:
		f.t.Errorf("fake mattermost: unexpected %s %s", r.Method, r.URL.Path)
		appErr(w, 404, "api.context.404.app_error")
	}
}

func (f *fileMM) bump(k string) {
	f.mu.Lock()
	f.calls[k]++
	f.mu.Unlock()
}

func (f *fileMM) create(w http.ResponseWriter, r *http.Request) {
	var p model.Post
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		appErr(w, 400, "api.context.invalid_body_param.app_error")
		return
	}
	f.mu.Lock()
	f.calls["POST posts"]++
	f.creates = append(f.creates, time.Now())
	delay := f.createDelay
	if f.createJitter && delay > 0 {
		delay = time.Duration(rand.Int64N(int64(delay)))
	}
	key, _ := p.GetProp(bot.PropIdemKey).(string)
	fail := f.createFail > 0
	if fail {
		f.createFail--
	} else if f.failKey != "" && f.failKeyN > 0 && strings.HasPrefix(key, f.failKey) {
		f.failKeyN--
		fail = true
	}
	f.mu.Unlock()
	if fail {
		appErr(w, 503, "api.server.unavailable")
		return
	}
	if delay > 0 {
		// The server keeps working after the client is gone, as a real
		// one does once the request is in.
		time.Sleep(delay)
	}
	if p.ChannelId == "" {
		appErr(w, 400, "model.post.is_valid.channel_id.app_error")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.RootId != "" && f.byIDLocked(p.RootId) == nil {
		appErr(w, 400, "api.post.create_post.root_id.app_error")
		return
	}
	f.st.Seq++
	p.Id = fmt.Sprintf("fpost%021d", f.st.Seq)
	p.UserId = fakeBotID
	p.CreateAt = int64(f.st.Seq)
	p.UpdateAt = p.CreateAt
	f.st.Posts = append(f.st.Posts, &p)
	f.saveLocked()
	writeJSON(w, 201, &p)
}

func (f *fileMM) patch(w http.ResponseWriter, r *http.Request, id string) {
	var patch model.PostPatch
	if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
		appErr(w, 400, "api.context.invalid_body_param.app_error")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["PUT patch"]++
	p := f.byIDLocked(id)
	if p == nil {
		appErr(w, 404, "app.post.get.app_error")
		return
	}
	if patch.Message != nil {
		p.Message = *patch.Message
	}
	if patch.Props != nil {
		p.SetProps(*patch.Props)
	}
	p.EditAt = time.Now().UnixMilli()
	f.saveLocked()
	writeJSON(w, 200, p)
}

func (f *fileMM) thread(w http.ResponseWriter, rootID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["GET thread"]++
	root := f.byIDLocked(rootID)
	if root == nil {
		appErr(w, 404, "app.post.get.app_error")
		return
	}
	l := model.NewPostList()
	for _, p := range f.st.Posts {
		if p.Id == rootID || p.RootId == rootID {
			l.AddPost(p)
			l.AddOrder(p.Id)
		}
	}
	writeJSON(w, 200, l)
}

// channelPosts pages newest first, as the server does.
func (f *fileMM) channelPosts(w http.ResponseWriter, r *http.Request, channel string) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 {
		per = 60
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["GET channelposts"]++
	var in []*model.Post
	for _, p := range f.st.Posts {
		if p.ChannelId == channel {
			in = append(in, p)
		}
	}
	sort.SliceStable(in, func(i, j int) bool { return in[i].CreateAt > in[j].CreateAt })
	l := model.NewPostList()
	for i := page * per; i < len(in) && i < (page+1)*per; i++ {
		l.AddPost(in[i])
		l.AddOrder(in[i].Id)
	}
	writeJSON(w, 200, l)
}
