package bot

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// testChat is the core tests' chat: it keeps posts in memory (so
// FindByIdemKey works as on a server) and prints every post and patch the
// way the console adapter does, for tests that read the output. The
// adapters live in packages that import this one, so the core's own tests
// cannot use them.
type testChat struct {
	o     testChatOptions
	mu    sync.Mutex
	n     int
	posts map[string]*testPost
}

type testChatOptions struct {
	Out     io.Writer
	User    string // default "operator"
	Channel string // the one channel; default "console"
}

type testPost struct {
	id, channel, root string
	message           string
	props             map[string]any
	buttons           []Button
	files             []string // attached file names
}

var _ Chat = (*testChat)(nil)

func newTestChat(o testChatOptions) *testChat {
	if o.User == "" {
		o.User = "operator"
	}
	if o.Channel == "" {
		o.Channel = "console"
	}
	return &testChat{o: o, posts: map[string]*testPost{}}
}

// Channel is the chat's one channel id.
func (c *testChat) Channel() string { return c.o.Channel }

// CreatePost prints the post and returns its id ("#1", "#2", …); a known
// key returns the earlier post without printing (W1, as on the server).
func (c *testChat) CreatePost(ctx context.Context, p OutPost) (string, error) {
	msg, err := CleanMessage(p.Message)
	if err != nil {
		return "", err
	}
	for _, b := range p.Buttons {
		if !IsAlnum(b.Action) {
			return "", fmt.Errorf("bot: action id %q: letters and digits only", b.Action)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p.IdemKey != "" {
		if id, ok := c.findLocked(p.ChannelID, p.RootID, p.IdemKey); ok {
			return id, nil
		}
	}
	c.n++
	tp := &testPost{
		id: "#" + strconv.Itoa(c.n), channel: p.ChannelID, root: p.RootID, message: msg,
		props: CleanProps(p.Props), buttons: append([]Button(nil), p.Buttons...),
	}
	if tp.props == nil {
		tp.props = map[string]any{}
	}
	if p.IdemKey != "" {
		tp.props[PropIdemKey] = p.IdemKey
	}
	c.posts[tp.id] = tp
	head := "post " + tp.id
	if tp.root != "" {
		head += " (reply to " + tp.root + ")"
	}
	msgOut := tp.message
	for _, f := range p.Files {
		tp.files = append(tp.files, f.Name)
		msgOut += fmt.Sprintf("\n📎 %s (%d bytes)", f.Name, len(f.Data))
	}
	c.printLocked(head, msgOut, tp.buttons)
	return tp.id, nil
}

// PatchPost prints the edited post. Non-nil props replace all props and
// remove the buttons, as on Mattermost.
func (c *testChat) PatchPost(ctx context.Context, postID, message string, props map[string]any) error {
	msg, err := CleanMessage(message)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	tp, ok := c.posts[postID]
	if !ok {
		return fmt.Errorf("bot: test chat has no post %s", postID)
	}
	old := tp.message
	tp.message = msg
	if props != nil {
		key := tp.props[PropIdemKey]
		tp.props = CleanProps(props)
		if _, has := tp.props[PropIdemKey]; !has && key != nil {
			tp.props[PropIdemKey] = key
		}
		tp.buttons = nil
	}
	c.printLocked("patch "+postID, testChangedLines(old, tp.message), tp.buttons)
	return nil
}

// testChangedLines prints an edit as the console does: the new lines, with
// a count of the unchanged ones.
func testChangedLines(old, cur string) string {
	seen := map[string]int{}
	for _, l := range strings.Split(old, "\n") {
		seen[l]++
	}
	var out []string
	kept := 0
	for _, l := range strings.Split(cur, "\n") {
		if seen[l] > 0 {
			seen[l]--
			if strings.TrimSpace(l) != "" {
				kept++
			}
			continue
		}
		out = append(out, l)
	}
	if kept == 0 {
		return cur
	}
	return fmt.Sprintf("(%d unchanged lines)\n%s", kept, strings.Join(out, "\n"))
}

// FindByIdemKey looks in memory.
func (c *testChat) FindByIdemKey(ctx context.Context, channelID, rootID, key string, _ time.Time) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.findLocked(channelID, rootID, key)
	return id, ok, nil
}

func (c *testChat) findLocked(channelID, rootID, key string) (string, bool) {
	for i := 1; i <= c.n; i++ {
		p := c.posts["#"+strconv.Itoa(i)]
		if p == nil || p.props[PropIdemKey] != key || p.channel != channelID {
			continue
		}
		if rootID == "" || p.root == rootID || p.id == rootID {
			return p.id, true
		}
	}
	return "", false
}

// PostLink is the post's id.
func (c *testChat) PostLink(postID string) string { return postID }

func (c *testChat) printLocked(head, body string, buttons []Button) {
	var b strings.Builder
	b.WriteString("── " + head + " ──\n")
	if body != "" {
		b.WriteString(strings.TrimRight(body, "\n") + "\n")
	}
	if len(buttons) > 0 {
		names := make([]string, len(buttons))
		for i, btn := range buttons {
			names[i] = "[" + btn.Name + "]"
		}
		b.WriteString(strings.Join(names, " ") + "\n")
	}
	b.WriteString("\n")
	if c.o.Out != nil {
		_, _ = io.WriteString(c.o.Out, b.String())
	}
}
