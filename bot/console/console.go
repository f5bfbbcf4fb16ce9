// Package console is the chat adapter of `atvmbot demo`: commands from
// stdin or a script, every post and edit printed as it would look in
// Mattermost.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/atvm/atvmbot/bot"
)

// ConsoleOptions configures the console chat adapter.
type ConsoleOptions struct {
	Out     io.Writer
	User    string // who typed the lines; default "operator"
	Channel string // the one channel; default "console"
	Trigger string // slash trigger without "/"; default "atvm"
	Echo    bool   // print each input line before its answer (for scripts)
	// Prompt is printed before each line is read (an interactive terminal,
	// where the typed line is already on screen: leave Echo off). A post
	// printed while the prompt waits comes on a fresh line and the prompt
	// is printed again after it.
	Prompt string
	// FilesDir is where attached files are written (the demo's state
	// folder); empty: they are only named.
	FilesDir string
}

// Console is a Chat that prints every post, patch and private answer to a
// writer in a readable framed form, keeps posts in memory (so
// FindByIdemKey works as on a server) and reads commands from lines:
//
//	/atvm plan …      a command (the text after the trigger, verbatim)
//	plan …, status    a command without the trigger, as in a DM to the bot
//	[Approve] #1      press the button named Approve on post #1
//	# comment         ignored, as are empty lines
//
// Post ids are "#1", "#2", …; PostLink returns the id.
type Console struct {
	o        ConsoleOptions
	mu       sync.Mutex
	n        int
	posts    map[string]*consolePost
	atPrompt bool // the prompt is the last thing printed
}

type consolePost struct {
	id, channel, root string
	message           string
	props             map[string]any
	buttons           []bot.Button
}

var _ bot.Chat = (*Console)(nil)

// NewConsole returns a console adapter writing to o.Out.
func NewConsole(o ConsoleOptions) *Console {
	if o.User == "" {
		o.User = "operator"
	}
	if o.Channel == "" {
		o.Channel = "console"
	}
	if o.Trigger == "" {
		o.Trigger = "atvm"
	}
	return &Console{o: o, posts: map[string]*consolePost{}}
}

// Channel is the console's channel id.
func (c *Console) Channel() string { return c.o.Channel }

// CreatePost prints the post and returns its id; a known key returns the
// earlier post without printing (W1, as on the server).
func (c *Console) CreatePost(ctx context.Context, p bot.OutPost) (string, error) {
	msg, err := bot.CleanMessage(p.Message)
	if err != nil {
		return "", err
	}
	for _, b := range p.Buttons {
		if !bot.IsAlnum(b.Action) {
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
	cp := &consolePost{
		id: "#" + strconv.Itoa(c.n), channel: p.ChannelID, root: p.RootID, message: msg,
		props: bot.CleanProps(p.Props), buttons: append([]bot.Button(nil), p.Buttons...),
	}
	if cp.props == nil {
		cp.props = map[string]any{}
	}
	if p.IdemKey != "" {
		cp.props[bot.PropIdemKey] = p.IdemKey
	}
	c.posts[cp.id] = cp
	head := "post " + cp.id
	if cp.root != "" {
		head += " (reply to " + cp.root + ")"
	}
	body := cp.message
	for _, f := range p.Files {
		body += "\n" + c.attachLocked(f)
	}
	c.printLocked(head, body, cp.buttons)
	return cp.id, nil
}

// attachLocked keeps an attached file: written into FilesDir when set (the
// demo's state folder), and named under the post as Mattermost shows it.
func (c *Console) attachLocked(f bot.OutFile) string {
	name := filepath.Base(f.Name)
	if c.o.FilesDir == "" {
		return fmt.Sprintf("📎 %s (%d bytes)", name, len(f.Data))
	}
	path := filepath.Join(c.o.FilesDir, name)
	if err := os.WriteFile(path, f.Data, 0o644); err != nil {
		return fmt.Sprintf("📎 %s (not written: %v)", name, err)
	}
	return fmt.Sprintf("📎 %s (%d bytes): %s", name, len(f.Data), path)
}

// PatchPost prints the edited post. Non-nil props replace all props and
// remove the buttons, as on Mattermost.
func (c *Console) PatchPost(ctx context.Context, postID, message string, props map[string]any) error {
	msg, err := bot.CleanMessage(message)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cp, ok := c.posts[postID]
	if !ok {
		return fmt.Errorf("bot: console has no post %s", postID)
	}
	old := cp.message
	cp.message = msg
	if props != nil {
		key := cp.props[bot.PropIdemKey]
		cp.props = bot.CleanProps(props)
		if _, has := cp.props[bot.PropIdemKey]; !has && key != nil {
			cp.props[bot.PropIdemKey] = key
		}
		cp.buttons = nil
	}
	c.printLocked("patch "+postID, changedLines(old, cp.message), cp.buttons)
	return nil
}

// changedLines shows an edit the way a reader notices it: the lines that
// are new, with a count of the unchanged ones, so a long post patched with
// one new footer line prints one line.
func changedLines(old, cur string) string {
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
func (c *Console) FindByIdemKey(ctx context.Context, channelID, rootID, key string, _ time.Time) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.findLocked(channelID, rootID, key)
	return id, ok, nil
}

func (c *Console) findLocked(channelID, rootID, key string) (string, bool) {
	for i := 1; i <= c.n; i++ {
		p := c.posts["#"+strconv.Itoa(i)]
		if p == nil || p.props[bot.PropIdemKey] != key || p.channel != channelID {
			continue
		}
		if rootID == "" || p.root == rootID || p.id == rootID {
			return p.id, true
		}
	}
	return "", false
}

// PostLink is the post's console id.
func (c *Console) PostLink(postID string) string { return postID }

// Ephemeral prints an answer only the caller would see.
func (c *Console) Ephemeral(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.printLocked("only you see", bot.CleanText(text), nil)
}

func (c *Console) printLocked(head, body string, buttons []bot.Button) {
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
	c.writeLocked(b.String())
}

// writeLocked prints text; when the prompt was waiting, the text starts on
// a fresh line and the prompt follows it again.
func (c *Console) writeLocked(text string) {
	if c.atPrompt {
		text = "\n" + text + c.o.Prompt
	}
	_, _ = io.WriteString(c.o.Out, text)
}

// Note prints a word from the program around the chat (the demo), framed
// like a post so it is not taken for one.
func (c *Console) Note(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.printLocked("note", text, nil)
}

// prompt prints the prompt, when there is one, before a line is read.
func (c *Console) prompt() {
	if c.o.Prompt == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = io.WriteString(c.o.Out, c.o.Prompt)
	c.atPrompt = true
}

// typed notes that the line waited for has arrived (the terminal moved to
// the next line).
func (c *Console) typed(eof bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if eof && c.atPrompt {
		_, _ = io.WriteString(c.o.Out, "\n")
	}
	c.atPrompt = false
}

// ParseLine turns one input line into an Incoming. ok is false for blank
// and comment lines; err explains a line that is neither a command nor a
// button press. A line without the trigger is a command as typed (the
// bot's answer names an unknown one), as in a direct message to the bot:
// the examples of `help` paste as they are.
func (c *Console) ParseLine(line string) (in bot.Incoming, ok bool, err error) {
	line = strings.TrimSuffix(line, "\r")
	t := strings.TrimSpace(line)
	if t == "" || strings.HasPrefix(t, "#") {
		return bot.Incoming{}, false, nil
	}
	base := bot.Incoming{Source: bot.SourceConsole, UserID: c.o.User, UserName: c.o.User, ChannelID: c.o.Channel}
	trig := "/" + c.o.Trigger
	if t == trig || strings.HasPrefix(t, trig+" ") || strings.HasPrefix(t, trig+"\t") {
		base.Text = strings.TrimPrefix(strings.TrimLeft(line, " \t"), trig)
		base.Text = strings.TrimPrefix(base.Text, " ")
		return base, true, nil
	}
	if strings.HasPrefix(t, "[") {
		end := strings.Index(t, "]")
		if end < 0 {
			return bot.Incoming{}, false, fmt.Errorf("button line: want [Name] #N")
		}
		name, postID := t[1:end], strings.TrimSpace(t[end+1:])
		c.mu.Lock()
		cp := c.posts[postID]
		var btn *bot.Button
		if cp != nil {
			for i := range cp.buttons {
				b := &cp.buttons[i]
				if strings.EqualFold(b.Name, name) || strings.EqualFold(b.Action, name) {
					btn = b
					break
				}
			}
		}
		c.mu.Unlock()
		if cp == nil {
			return bot.Incoming{}, false, fmt.Errorf("no post %q", postID)
		}
		if btn == nil {
			return bot.Incoming{}, false, fmt.Errorf("post %s has no button %q", postID, name)
		}
		base.PostID, base.RootID = cp.id, cp.root
		base.Action = &bot.ActionCall{Plan: btn.Plan, Action: btn.Action}
		return base, true, nil
	}
	if strings.HasPrefix(t, "/") {
		return bot.Incoming{}, false, fmt.Errorf("%s is not this bot's command: type %s or the command alone, e.g. `status`; buttons are [Button] #N",
			strings.Fields(t)[0], trig+" …")
	}
	base.Text = strings.TrimLeftFunc(line, unicode.IsSpace)
	return base, true, nil
}

// Run reads lines from r until EOF or ctx ends, hands each command to h and
// prints its answer. It returns the number of commands handled.
func (c *Console) Run(ctx context.Context, r io.Reader, h bot.Handler) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for {
		c.prompt()
		more := sc.Scan()
		c.typed(!more)
		if !more {
			break
		}
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		if c.handle(ctx, sc.Text(), c.o.Echo, h) {
			n++
		}
	}
	return n, sc.Err()
}

// Send hands one line to h as if the user had typed it, and prints it
// first (nobody typed it, so the terminal does not show it); no prompt. It
// reports whether the line was a command or a button press.
func (c *Console) Send(ctx context.Context, line string, h bot.Handler) bool {
	return c.handle(ctx, line, true, h)
}

// handle parses one line, prints it when echo is on, hands it to h and
// prints the answer.
func (c *Console) handle(ctx context.Context, line string, echo bool, h bot.Handler) bool {
	in, ok, err := c.ParseLine(line)
	if echo && strings.TrimSpace(line) != "" && !strings.HasPrefix(strings.TrimSpace(line), "#") {
		c.mu.Lock()
		c.writeLocked(fmt.Sprintf("@%s › %s\n\n", c.o.User, strings.TrimSpace(bot.CleanText(line))))
		c.mu.Unlock()
	}
	if err != nil {
		c.Ephemeral(err.Error())
		return false
	}
	if !ok {
		return false
	}
	rep := h.Handle(ctx, in)
	if rep.Update != nil && in.PostID != "" {
		if err := c.PatchPost(ctx, in.PostID, rep.Update.Message, rep.Update.Props); err != nil {
			c.Ephemeral(err.Error())
		}
	}
	if rep.Ephemeral != "" {
		c.Ephemeral(rep.Ephemeral)
	}
	return true
}

// How the demo gets its lines, for its banner.
const (
	InputBuiltIn  = iota // the built-in script
	InputLines           // lines on stdin or in a --script file
	InputTerminal        // typed at the prompt (--interactive)
)

// Intro is what the demo says about itself before its first line.
type Intro struct {
	Version     string
	Root, State string   // the simulated controller's root and the state folder
	Speed       float64  // simulated seconds per real second (≥ 1)
	Input       int      // InputBuiltIn, InputLines or InputTerminal
	Script      []string // the command lines of the built-in script
	Prompt      string   // the prompt of InputTerminal
	History     string   // the earlier run the history was seeded with, if any
	Controllers int      // simulated controllers (0 or 1: one)
}

// Banner is the demo's introduction: what it will do, how to read the
// posts, why their times run fast, and what can be typed.
func Banner(in Intro) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	p("atvmbot %s demo — the bot on this machine, with a simulated ATVM controller", in.Version)
	p("  simulated controller: %s", in.Root)
	p("  state (SQLite):       %s", in.State)
	p("")
	p("What happens: plan → approve → a simulated categorized run → one post per group → final summary.")
	p("  1. plan: the bot posts the exact commands it would run, with buttons; nothing runs yet.")
	p("  2. approve: [Approve] launches them on the simulated controller.")
	p("  3. the run: a categorized run plays group after group (two hosts fail alike);")
	p("     the bot watches it and edits its progress post.")
	p("  4. one reply per finished group, in the run's thread.")
	p("  5. the final summary; then `status` answers.")
	if in.Controllers > 1 {
		p("Here with %d simulated controllers, a and b: a plan for each, both approved, and the two", in.Controllers)
		p("runs go at once, each under its own controller's lock and in its own thread.")
	}
	if in.History != "" {
		p("The history already holds one earlier run of the template (%s, recorded, not played),", in.History)
		p("so each failed host is tagged NEW, KNOWN, FLAKY or REGRESSION, and a host fixed since says FIXED.")
	}
	p("Each post prints as Mattermost shows it, under a line \"post #N\"; an edit under \"patch #N\"")
	p("(its new lines only); an answer to you alone under \"only you see\".")
	if in.Speed > 1 {
		p("The controller is simulated at %s× speed: the times in the posts are the simulated", strconv.FormatFloat(in.Speed, 'f', -1, 64))
		p("controller's, and an hour of them passes in %s here.", time.Duration(float64(time.Hour)/in.Speed).Round(100*time.Millisecond))
	}
	p("")
	switch in.Input {
	case InputBuiltIn:
		p("It plays its built-in script:")
		for _, l := range in.Script {
			p("  %s", l)
		}
		p("")
		p("To type your own lines instead, run `atvmbot demo --interactive`, or pipe them on stdin")
		p("(or give --script FILE):")
	case InputLines:
		p("It plays your lines. A line is one of:")
	case InputTerminal:
		p("Type a line at the %q prompt; Ctrl-D ends the demo. A line is one of:", strings.TrimSpace(in.Prompt))
	}
	p("  plan cmc-e2e --containsVm redhat9.6   a command, with or without /atvm")
	p("  [Approve] #1                          press a button of post #1")
	p("  status · runs · queue · help plan     more commands (help lists them all)")
	p("  # …                                   a comment")
	return b.String()
}
