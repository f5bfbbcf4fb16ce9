// Package bot is atvmbot's transport-free core: commands, plans, approvals,
// one owner per run, watch ticks and the posting rules that post each result
// once. It talks to chat only through the small Chat and Handler interfaces
// below and to the controller only through Runner and Discoverer, so it runs
// the same against the console (bot/console) and Mattermost
// (bot/mattermost), and against the controller (bot/runner) or a fake. It
// imports none of them.
package bot

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atvm/atvmbot/commands"
)

// Chat is what the core needs from a chat system (Mattermost or the console).
type Chat interface {
	// CreatePost creates a post authored by the bot and returns its id only
	// once the server has returned it. With an IdemKey the post is created
	// at most once: the key travels in the post's props (PropIdemKey) and a
	// retry first looks for it (W1).
	CreatePost(ctx context.Context, p OutPost) (postID string, err error)
	// PatchPost edits a bot post. A nil props leaves the props alone; a
	// non-nil props REPLACES all of them (buttons vanish unless included).
	// Edits notify nobody: a correction needs a new post (W7).
	PatchPost(ctx context.Context, postID string, message string, props map[string]any) error
	// FindByIdemKey looks for a bot post carrying key, in the thread of
	// rootID, or when rootID is empty among the channel's posts back to
	// since (when the post was first tried; zero: a recent window).
	FindByIdemKey(ctx context.Context, channelID, rootID, key string, since time.Time) (postID string, found bool, err error)
	// PostLink is a permalink to the post, for "superseded by" lines.
	PostLink(postID string) string
}

// OutPost is one post the bot creates.
type OutPost struct {
	ChannelID string
	RootID    string // the thread's root post id; never a reply's id
	Message   string // markdown; NULs are stripped, at most MaxMessageRunes
	Props     map[string]any
	IdemKey   string // e.g. run/sub-run/revision(/part); empty: one is generated
	Buttons   []Button
	// Since is when this key was first tried (a reservation made before a
	// crash): a root post is looked for back to then. Zero: now.
	Since time.Time
	// Files are attached to the post, created with it in one request: a
	// post never shows without them (an upload whose post was never made
	// stays unattached, unseen).
	Files []OutFile
}

// OutFile is one file attached to a post.
type OutFile struct {
	Name string // e.g. timeline-e2e-redhat9.6.png
	Data []byte
}

// Button is one interactive button on a post. Pressing it reaches the
// Handler as an Incoming with Action set to the verified (Plan, Action).
type Button struct {
	Name   string // the label, e.g. "Approve"
	Action string // letters and digits only (Mattermost 404s on others)
	Plan   string // the plan (or run) id the button acts on
	Style  string // "", "primary", "good", "warning", "danger", "success"
	// Hash and Channel bind the button to the plan as shown and where;
	// Expires (when set) ends it with the plan.
	Hash, Channel string
	Expires       time.Time
}

// Incoming is one command from any source: slash, mention, DM, thread reply,
// console, button.
type Incoming struct {
	Source    string // SourceSlash, SourceMention, SourceDM, SourceThread, SourceConsole, SourceButton
	Text      string // the command text after the trigger or mention, verbatim; empty for buttons
	UserID    string
	UserName  string
	ChannelID string
	RootID    string // the thread the command came from, if any
	PostID    string // the post that carried it (the clicked post for buttons)
	// RequestID names one request that came without a post (a slash
	// command's trigger id): a visible answer to it is keyed on it, so the
	// request gets at most one.
	RequestID string
	TeamID    string
	Action    *ActionCall // set only for button presses, already verified
	// Form is a submitted plan form (SourceDialog), field name → value,
	// its origin already verified; Text is then ignored.
	Form map[string]string
}

// Sources of an Incoming.
const (
	SourceSlash   = "slash"
	SourceMention = "mention"
	SourceDM      = "dm"
	SourceThread  = "thread"
	SourceConsole = "console"
	SourceButton  = "button"
	SourceDialog  = "dialog"
	// SourceSchedule: a schedule's fire, acting as the schedule's owner
	// (the plan) and its standing approver (the approval).
	SourceSchedule = "schedule"
)

// ActionCall is a verified button press: the signature over (Plan, Hash,
// Channel, Action, Expires) was checked and had not expired.
type ActionCall struct {
	Plan    string
	Hash    string // the plan hash the button was made for; "" for none
	Channel string // the channel the button was posted in; "" for none
	Action  string
	Expires time.Time
}

// Handler is the core: it answers one Incoming.
type Handler interface {
	Handle(ctx context.Context, in Incoming) Reply
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, in Incoming) Reply

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, in Incoming) Reply { return f(ctx, in) }

// Reply is the handler's answer to the caller.
type Reply struct {
	// Ephemeral is shown only to the caller (slash: through the command's
	// response URL; button: ephemeral_text). Over the websocket the bot
	// cannot post ephemerally (that API is admin-only), so it becomes a
	// thread reply there.
	Ephemeral string
	// Update rewrites the clicked post (buttons only).
	Update *Update
	// FieldErrors (form field → message) and FormError refuse a submitted
	// form; the form stays open to be corrected (forms only).
	FieldErrors map[string]string
	FormError   string

	posted  bool         // a plan was posted (forms: the submission is done)
	refusal error        // why a command was refused, for forms to name the field
	chart   *chartSource // what a status answer can draw (status --chart)
}

// FormField and FormOption describe the plan form a chat may show.
type (
	FormField  = commands.FormField
	FormOption = commands.FormOption
)

// Update rewrites a post from a button answer.
type Update struct {
	Message string
	// Props nil keeps the post's props (and its buttons); non-nil replaces
	// all of them.
	Props map[string]any
}

// PropIdemKey is the post prop that carries the idempotency key.
const PropIdemKey = "atvm_idem"

// MaxMessageRunes is Mattermost's message limit (PostMessageMaxRunesV2);
// longer messages are refused with 400, never truncated by the server.
const MaxMessageRunes = 16383

// ErrMessageTooLong is returned for a message over MaxMessageRunes: the
// caller splits it (D7 keys each part).
var ErrMessageTooLong = errors.New("bot: message longer than 16383 runes: split it")

// CleanText makes text storable: PostgreSQL refuses NUL (the server answers
// 500) and invalid UTF-8.
func CleanText(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

// CleanMessage cleans a message and enforces the length limit.
func CleanMessage(s string) (string, error) {
	s = CleanText(s)
	if utf8.RuneCountInString(s) > MaxMessageRunes {
		return "", ErrMessageTooLong
	}
	return s, nil
}

// CleanProps returns a copy of props with every string cleaned (props are
// stored as jsonb, which refuses \u0000 as well).
func CleanProps(props map[string]any) map[string]any {
	if props == nil {
		return nil
	}
	out := make(map[string]any, len(props))
	for k, v := range props {
		out[CleanText(k)] = cleanValue(v)
	}
	return out
}

func cleanValue(v any) any {
	switch t := v.(type) {
	case string:
		return CleanText(t)
	case map[string]any:
		return CleanProps(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = cleanValue(e)
		}
		return out
	case []string:
		out := make([]string, len(t))
		for i, e := range t {
			out[i] = CleanText(e)
		}
		return out
	default:
		return v
	}
}

// IsAlnum reports whether s is non-empty ASCII letters and digits only.
func IsAlnum(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
