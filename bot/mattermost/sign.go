package mattermost

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/atvm/atvmbot/bot"
)

// Mattermost sends button presses to the bot with no signature or token, so
// the only proof that a press belongs to a button the bot made is a MAC the
// bot put in the button's integration.context (the server never shows that
// context to clients).

// Context keys of a signed button. No other key is accepted.
const (
	ctxPlan    = "plan"
	ctxHash    = "hash"    // the plan hash the button was made for (P2)
	ctxChannel = "channel" // the channel the plan was posted in
	ctxAction  = "action"
	ctxExp     = "exp"
	ctxSig     = "sig"
)

// ButtonRef is what a button's signature binds: the plan (id and hash), the
// channel it was posted in and the action.
type ButtonRef struct {
	Plan, Hash, Channel, Action string
}

// Errors of Verify. Each is refused with an ephemeral message.
var (
	ErrBadContext   = errors.New("button context malformed")
	ErrBadSignature = errors.New("button signature invalid")
	ErrExpired      = errors.New("button expired")
)

// MinSigningKey is the shortest signing key accepted, in bytes.
const MinSigningKey = 16

// maxPlanLen bounds a plan id; ids are short tokens made by the planner.
const maxPlanLen = 128

// Signer signs and verifies button contexts with HMAC-SHA256.
type Signer struct {
	key []byte
	now func() time.Time
}

// NewSigner returns a Signer for key (at least MinSigningKey bytes).
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < MinSigningKey {
		return nil, fmt.Errorf("bot: signing key must be at least %d bytes, got %d", MinSigningKey, len(key))
	}
	return &Signer{key: append([]byte(nil), key...), now: time.Now}, nil
}

// validPlan refuses what could make "plan|action|exp" ambiguous or a log
// line misleading: the separator, control characters, over-long ids.
func validPlan(plan string) bool {
	if plan == "" || len(plan) > maxPlanLen {
		return false
	}
	for i := 0; i < len(plan); i++ {
		if c := plan[i]; c < 0x21 || c == 0x7f || c == '|' {
			return false
		}
	}
	return true
}

// validToken is validPlan for the optional fields: empty, or a valid id.
func validToken(s string) bool { return s == "" || validPlan(s) }

func (s *Signer) mac(b ButtonRef, exp string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(b.Plan + "|" + b.Hash + "|" + b.Channel + "|" + b.Action + "|" + exp))
	return m.Sum(nil)
}

// Sign returns the integration.context for a button acting on plan.
func (s *Signer) Sign(plan, action string, expires time.Time) (map[string]any, error) {
	return s.SignButton(ButtonRef{Plan: plan, Action: action}, expires)
}

// SignButton returns the integration.context for a button: the signature
// binds the plan id and hash, the channel, the action and the expiry.
func (s *Signer) SignButton(b ButtonRef, expires time.Time) (map[string]any, error) {
	if !validPlan(b.Plan) {
		return nil, fmt.Errorf("bot: plan id %q: want 1–%d printable characters without '|' or spaces", b.Plan, maxPlanLen)
	}
	if !validToken(b.Hash) || !validToken(b.Channel) {
		return nil, fmt.Errorf("bot: plan hash or channel id not a plain token")
	}
	if !bot.IsAlnum(b.Action) {
		return nil, fmt.Errorf("bot: action id %q: letters and digits only", b.Action)
	}
	// exp as a decimal string: JSON numbers come back as float64.
	exp := strconv.FormatInt(expires.Unix(), 10)
	return map[string]any{
		ctxPlan:    b.Plan,
		ctxHash:    b.Hash,
		ctxChannel: b.Channel,
		ctxAction:  b.Action,
		ctxExp:     exp,
		ctxSig:     hex.EncodeToString(s.mac(b, exp)),
	}, nil
}

// Verify checks a context that came back with a button press: exactly the
// four keys, all strings, a valid plan and alphanumeric action, a matching
// MAC (constant time) and an expiry not yet passed.
func (s *Signer) Verify(c map[string]any) (bot.ActionCall, error) {
	if len(c) != 6 {
		return bot.ActionCall{}, fmt.Errorf("%w: want keys plan, hash, channel, action, exp, sig", ErrBadContext)
	}
	get := func(k string) (string, error) {
		v, ok := c[k]
		if !ok {
			return "", fmt.Errorf("%w: missing %q", ErrBadContext, k)
		}
		str, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%w: %q is not a string", ErrBadContext, k)
		}
		return str, nil
	}
	var vals [6]string
	for i, k := range []string{ctxPlan, ctxHash, ctxChannel, ctxAction, ctxExp, ctxSig} {
		v, err := get(k)
		if err != nil {
			return bot.ActionCall{}, err
		}
		vals[i] = v
	}
	b := ButtonRef{Plan: vals[0], Hash: vals[1], Channel: vals[2], Action: vals[3]}
	exp, sig := vals[4], vals[5]
	if !validPlan(b.Plan) || !validToken(b.Hash) || !validToken(b.Channel) || !bot.IsAlnum(b.Action) {
		return bot.ActionCall{}, fmt.Errorf("%w: bad plan, hash, channel or action id", ErrBadContext)
	}
	expUnix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || exp != strconv.FormatInt(expUnix, 10) { // canonical form only
		return bot.ActionCall{}, fmt.Errorf("%w: bad expiry", ErrBadContext)
	}
	// Compare the canonical lowercase hex in constant time: one accepted
	// spelling per signature.
	want := hex.EncodeToString(s.mac(b, exp))
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return bot.ActionCall{}, ErrBadSignature
	}
	expires := time.Unix(expUnix, 0)
	if !s.now().Before(expires) {
		return bot.ActionCall{}, ErrExpired
	}
	return bot.ActionCall{Plan: b.Plan, Hash: b.Hash, Channel: b.Channel, Action: b.Action, Expires: expires}, nil
}

// DialogRef is what a plan form's state binds: the user it was opened for
// and the channel it was opened in.
type DialogRef struct{ User, Channel string }

// dialogMAC covers "dialog|user|channel|exp": three separators where a
// button's input has four, so no button context verifies as a form state.
func (s *Signer) dialogMAC(d DialogRef, exp string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("dialog|" + d.User + "|" + d.Channel + "|" + exp))
	return m.Sum(nil)
}

// SignDialog returns a plan form's state: "user|channel|exp|sig".
func (s *Signer) SignDialog(d DialogRef, expires time.Time) (string, error) {
	if !validPlan(d.User) || !validPlan(d.Channel) {
		return "", fmt.Errorf("bot: form state needs plain user and channel ids")
	}
	exp := strconv.FormatInt(expires.Unix(), 10)
	return d.User + "|" + d.Channel + "|" + exp + "|" + hex.EncodeToString(s.dialogMAC(d, exp)), nil
}

// VerifyDialog checks a state that came back with a form submission: four
// parts, a matching MAC (constant time) and an expiry not yet passed.
func (s *Signer) VerifyDialog(state string) (DialogRef, error) {
	parts := strings.Split(state, "|")
	if len(parts) != 4 {
		return DialogRef{}, fmt.Errorf("%w: want user|channel|exp|sig", ErrBadContext)
	}
	d, exp, sig := DialogRef{User: parts[0], Channel: parts[1]}, parts[2], parts[3]
	if !validPlan(d.User) || !validPlan(d.Channel) {
		return DialogRef{}, fmt.Errorf("%w: bad user or channel id", ErrBadContext)
	}
	expUnix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || exp != strconv.FormatInt(expUnix, 10) {
		return DialogRef{}, fmt.Errorf("%w: bad expiry", ErrBadContext)
	}
	if !hmac.Equal([]byte(sig), []byte(hex.EncodeToString(s.dialogMAC(d, exp)))) {
		return DialogRef{}, ErrBadSignature
	}
	if !s.now().Before(time.Unix(expUnix, 0)) {
		return DialogRef{}, ErrExpired
	}
	return d, nil
}
