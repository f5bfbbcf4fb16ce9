package console

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/atvm/atvmbot/bot"
	"github.com/atvm/atvmbot/commands"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from golden:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

// scriptCore is a tiny stand-in core: a plan post with buttons, a reply,
// an edit, and private answers.
type scriptCore struct{ chat *Console }

func (s scriptCore) Handle(ctx context.Context, in bot.Incoming) bot.Reply {
	if in.Action != nil {
		_, _ = s.chat.CreatePost(ctx, bot.OutPost{ChannelID: in.ChannelID, RootID: in.PostID,
			Message: "🚀 Launching **" + in.Action.Plan + "** (approved by @" + in.UserName + ")", IdemKey: "launch/" + in.Action.Plan})
		return bot.Reply{Update: &bot.Update{Message: "Plan " + in.Action.Plan + " — approved", Props: map[string]any{}}}
	}
	switch strings.Fields(in.Text + " x")[0] {
	case "plan":
		_, _ = s.chat.CreatePost(ctx, bot.OutPost{ChannelID: in.ChannelID, IdemKey: "plan/p1",
			Message: "**Plan p1** for `reboot-redhat8.10-both`\n```\npython3 ./cmc-templates.py --template_name cmc-reboot\n```",
			Buttons: []bot.Button{{Name: "Approve", Action: "approve", Plan: "p1"}, {Name: "Approve without watcher", Action: "approveNoWatch", Plan: "p1"}, {Name: "Cancel", Action: "cancel", Plan: "p1"}}})
		return bot.Reply{}
	case "status":
		return bot.Reply{Ephemeral: "Nothing is running."}
	}
	return bot.Reply{Ephemeral: "unknown command: " + in.Text}
}

func TestConsole_RendersPostsPatchesAndEphemerals(t *testing.T) {
	var out bytes.Buffer
	c := NewConsole(ConsoleOptions{Out: &out, User: "alice", Echo: true})
	script := strings.Join([]string{
		"# a demo script",
		"/atvm plan --template cmc-reboot --containsVm redhat",
		"/atvm plan --template cmc-reboot --containsVm redhat", // same key: posted once
		"",
		"[Approve] #1",
		"[Approve] #1", // buttons are gone after the update
		"/atvm status",
		"hello there",
		"[Nope] #9",
	}, "\n")
	n, err := c.Run(t.Context(), strings.NewReader(script), scriptCore{chat: c})
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Fatalf("handled %d commands, want 5", n)
	}
	got := out.String()
	if strings.Count(got, "── post #1 ──") != 1 || !strings.Contains(got, "── post #2 (reply to #1) ──") ||
		!strings.Contains(got, "── patch #1 ──\nPlan p1 — approved\n\n") || !strings.Contains(got, "Nothing is running.") {
		t.Fatalf("output:\n%s", got)
	}
	checkGolden(t, "console_session.golden", out.Bytes())
}

func TestConsole_ParseLine(t *testing.T) {
	c := NewConsole(ConsoleOptions{Out: &bytes.Buffer{}, User: "op"})
	id, _ := c.CreatePost(t.Context(), bot.OutPost{ChannelID: "console", Message: "plan", Buttons: []bot.Button{{Name: "Approve", Action: "approve", Plan: "p7"}}})
	tests := []struct {
		line     string
		ok       bool
		err      bool
		text     string
		plan     string
		rootPost string
	}{
		{line: "/atvm status", ok: true, text: "status"},
		{line: "/atvm  plan\t--x ", ok: true, text: " plan\t--x "},
		{line: "/atvm", ok: true, text: ""},
		{line: "  /atvm status\r", ok: true, text: "status"},
		{line: "/atvmx status", err: true},
		{line: "/other status", err: true},
		{line: "status", ok: true, text: "status"},
		{line: "  plan cmc-systemOS --randomize 3\r", ok: true, text: "plan cmc-systemOS --randomize 3"},
		{line: "help plan", ok: true, text: "help plan"},
		{line: "hello there", ok: true, text: "hello there"}, // the bot names an unknown command
		{line: "", ok: false},
		{line: "   # note", ok: false},
		{line: "[Approve] " + id, ok: true, plan: "p7", rootPost: id},
		{line: "[approve] " + id, ok: true, plan: "p7", rootPost: id},
		{line: "[Approve] #99", err: true},
		{line: "[Approve " + id, err: true},
		{line: "[Cancel] " + id, err: true},
		{line: "atvm status", ok: true, text: "atvm status"},
	}
	for _, tc := range tests {
		in, ok, err := c.ParseLine(tc.line)
		if (err != nil) != tc.err || ok != tc.ok {
			t.Errorf("%q: ok=%v err=%v", tc.line, ok, err)
			continue
		}
		if !ok {
			continue
		}
		if in.Source != bot.SourceConsole || in.UserName != "op" || in.ChannelID != "console" {
			t.Errorf("%q: %+v", tc.line, in)
		}
		if tc.plan != "" {
			if in.Action == nil || in.Action.Plan != tc.plan || in.Action.Action != "approve" || in.PostID != tc.rootPost {
				t.Errorf("%q: action %+v post %q", tc.line, in.Action, in.PostID)
			}
		} else if in.Text != tc.text || in.Action != nil {
			t.Errorf("%q: text %q, want %q", tc.line, in.Text, tc.text)
		}
	}
}

func TestConsole_W1_FindByIdemKeyAndPatch(t *testing.T) {
	var out bytes.Buffer
	c := NewConsole(ConsoleOptions{Out: &out})
	ctx := t.Context()
	root, _ := c.CreatePost(ctx, bot.OutPost{ChannelID: "console", Message: "progress", IdemKey: "run1/progress"})
	reply, _ := c.CreatePost(ctx, bot.OutPost{ChannelID: "console", RootID: root, Message: "group 1", IdemKey: "run1/g1/r1"})
	again, _ := c.CreatePost(ctx, bot.OutPost{ChannelID: "console", RootID: root, Message: "group 1", IdemKey: "run1/g1/r1"})
	if again != reply || strings.Count(out.String(), "group 1") != 1 {
		t.Fatalf("keyed post printed twice:\n%s", out.String())
	}
	if id, ok, _ := c.FindByIdemKey(ctx, "console", root, "run1/g1/r1", time.Time{}); !ok || id != reply {
		t.Fatalf("find in thread = %q %v", id, ok)
	}
	if _, ok, _ := c.FindByIdemKey(ctx, "other", "", "run1/g1/r1", time.Time{}); ok {
		t.Fatal("found in another channel")
	}
	if err := c.PatchPost(ctx, root, "progress: done", map[string]any{"x": 1}); err != nil {
		t.Fatal(err)
	}
	if id, ok, _ := c.FindByIdemKey(ctx, "console", "", "run1/progress", time.Time{}); !ok || id != root {
		t.Fatal("patch with props lost the key")
	}
	if err := c.PatchPost(ctx, "#42", "x", nil); err == nil {
		t.Fatal("patched a missing post")
	}
	if c.PostLink(root) != root {
		t.Fatal("PostLink")
	}
}

func FuzzConsoleParseLine(f *testing.F) {
	for _, s := range []string{"/atvm plan --template cmc-e2e", "[Approve] #1", "# c", "", "[", "[]", "/atvm\x00", "[Approve] #1 extra"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c := NewConsole(ConsoleOptions{Out: &bytes.Buffer{}})
		_, _ = c.CreatePost(t.Context(), bot.OutPost{ChannelID: "console", Message: "p", Buttons: []bot.Button{{Name: "Approve", Action: "approve", Plan: "p1"}}})
		in, ok, err := c.ParseLine(line)
		if err != nil && ok {
			t.Fatal("ok with an error")
		}
		if tl := strings.TrimSpace(line); ok && in.Action == nil && strings.HasPrefix(tl, "/") && !strings.HasPrefix(tl, "/atvm") {
			t.Fatalf("%q, another bot's slash command, became a command", line)
		}
		if tl := strings.TrimSpace(line); ok && in.Action == nil && !strings.HasPrefix(tl, "/atvm") &&
			(in.Text != strings.TrimLeftFunc(strings.TrimSuffix(line, "\r"), unicode.IsSpace) || strings.HasPrefix(tl, "#") || strings.HasPrefix(tl, "[")) {
			t.Fatalf("%q became the command %q", line, in.Text)
		}
		if ok && in.Action != nil && (in.Action.Plan != "p1" || in.PostID != "#1") {
			t.Fatalf("%q pressed %+v on %q", line, in.Action, in.PostID)
		}
	})
}

// The demo's banner says what it will do, how to read the posts, why their
// times run fast, and what can be typed, for each way of giving it lines.
func TestConsole_DemoBanner(t *testing.T) {
	var all bytes.Buffer
	for _, in := range []Intro{
		{Input: InputBuiltIn, Script: []string{"/atvm plan cmc-e2e --containsVm atvm --categorize --build e2e-demo", "[Approve] #1"}},
		{Input: InputLines},
		{Input: InputTerminal, Prompt: "atvm> ", Speed: 1},
	} {
		in.Version, in.Root, in.State = "v1.2.3", "/tmp/demo/controller/atvm", "/tmp/demo"
		if in.Speed == 0 {
			in.Speed = 300
		}
		b := Banner(in)
		for _, want := range []string{"plan → approve → a simulated categorized run → one post per group → final summary",
			"with or without /atvm", "[Approve] #1"} {
			if !strings.Contains(b, want) {
				t.Errorf("input %d: banner lacks %q", in.Input, want)
			}
		}
		if fast := strings.Contains(b, "300× speed"); fast != (in.Speed == 300) {
			t.Errorf("input %d: speed said %v at %v×", in.Input, fast, in.Speed)
		}
		all.WriteString(b + "----\n")
	}
	checkGolden(t, "demo_banner.golden", all.Bytes())
}

// With a prompt, each read is preceded by it and the typed line is not
// echoed (the terminal shows it); a post printed while the prompt waits
// starts on a fresh line and the prompt follows it again; end of input
// ends the prompt's line.
func TestConsole_PromptSession(t *testing.T) {
	var out bytes.Buffer
	c := NewConsole(ConsoleOptions{Out: &out, User: "alice", Prompt: "atvm> "})
	script := strings.Join([]string{"plan --template cmc-reboot --containsVm redhat", "[Approve] #1", "", "status", "/other x"}, "\n")
	n, err := c.Run(t.Context(), strings.NewReader(script), scriptCore{chat: c})
	if err != nil || n != 3 {
		t.Fatalf("handled %d, err %v", n, err)
	}
	c.Send(t.Context(), "/atvm status", scriptCore{chat: c}) // shown, no prompt
	c.prompt()                                               // waiting for a line, as at a terminal, when a post comes
	_, _ = c.CreatePost(t.Context(), bot.OutPost{ChannelID: "console", RootID: "#1", Message: "group 1 done"})
	c.typed(true)
	got := out.String()
	if strings.Count(got, "@alice ›") != 1 || !strings.HasPrefix(got, "atvm> ── post #1 ──") ||
		!strings.HasSuffix(got, "atvm> \n── post #3 (reply to #1) ──\ngroup 1 done\n\natvm> \n") {
		t.Fatalf("session:\n%s", got)
	}
	checkGolden(t, "console_prompt.golden", out.Bytes())
}

// helpExamples are the example lines of every command's help.
func helpExamples() []string {
	var out []string
	for _, name := range commands.CommandNames {
		// The examples are the lines of the code block after "Example".
		_, ex, _ := strings.Cut(commands.Help(name), "Example")
		in := false
		for _, l := range strings.Split(ex, "\n")[1:] {
			switch {
			case strings.HasPrefix(l, "```"):
				in = !in
			case in && strings.TrimSpace(l) != "":
				out = append(out, strings.TrimSpace(l))
			}
		}
	}
	return out
}

// Every example of the help, pasted as it is, is a command.
func TestConsole_HelpExamplesAreCommands(t *testing.T) {
	c := NewConsole(ConsoleOptions{Out: &bytes.Buffer{}})
	ex := helpExamples()
	if len(ex) < 15 {
		t.Fatalf("only %d examples found: %q", len(ex), ex)
	}
	for _, line := range ex {
		in, ok, err := c.ParseLine(line)
		if err != nil || !ok || in.Text != strings.TrimPrefix(line, "/atvm ") || in.Action != nil {
			t.Errorf("%q: ok=%v err=%v text %q", line, ok, err, in.Text)
		}
	}
}
