package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Mattermost sends button presses to the bot with no signature or token, so
// the only proof that a press belongs to a button the bot made is a MAC the
// bot put in the button's integration.context (the server never shows that
// context to clients).

// Context keys of a signed button. No other key is accepted.
const (
	ctxPlan   = "plan"
	ctxAction = "action"
	ctxExp    = "exp"
	ctxSig    = "sig"
)

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

func (s *Signer) mac(plan, action, exp string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(plan + "|" + action + "|" + exp))
	return m.Sum(nil)
}

// Sign returns the integration.context for a button acting on plan.
func (s *Signer) Sign(plan, action string, expires time.Time) (map[string]any, error) {
	if !validPlan(plan) {
		return nil, fmt.Errorf("bot: plan id %q: want 1–%d printable characters without '|' or spaces", plan, maxPlanLen)
	}
	if !isAlnum(action) {
		return nil, fmt.Errorf("bot: action id %q: letters and digits only", action)
	}
	// exp as a decimal string: JSON numbers come back as float64.
	exp := strconv.FormatInt(expires.Unix(), 10)
	return map[string]any{
		ctxPlan:   plan,
		ctxAction: action,
		ctxExp:    exp,
		ctxSig:    hex.EncodeToString(s.mac(plan, action, exp)),
	}, nil
}

// Verify checks a context that came back with a button press: exactly the
// four keys, all strings, a valid plan and alphanumeric action, a matching
// MAC (constant time) and an expiry not yet passed.
func (s *Signer) Verify(c map[string]any) (ActionCall, error) {
	if len(c) != 4 {
		return ActionCall{}, fmt.Errorf("%w: want keys plan, action, exp, sig", ErrBadContext)
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
	var vals [4]string
	for i, k := range []string{ctxPlan, ctxAction, ctxExp, ctxSig} {
		v, err := get(k)
		if err != nil {
			return ActionCall{}, err
		}
		vals[i] = v
	}
	plan, action, exp, sig := vals[0], vals[1], vals[2], vals[3]
	if !validPlan(plan) || !isAlnum(action) {
		return ActionCall{}, fmt.Errorf("%w: bad plan or action id", ErrBadContext)
	}
	expUnix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || exp != strconv.FormatInt(expUnix, 10) { // canonical form only
		return ActionCall{}, fmt.Errorf("%w: bad expiry", ErrBadContext)
	}
	// Compare the canonical lowercase hex in constant time: one accepted
	// spelling per signature.
	want := hex.EncodeToString(s.mac(plan, action, exp))
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return ActionCall{}, ErrBadSignature
	}
	expires := time.Unix(expUnix, 0)
	if !s.now().Before(expires) {
		return ActionCall{}, ErrExpired
	}
	return ActionCall{Plan: plan, Action: action, Expires: expires}, nil
}
