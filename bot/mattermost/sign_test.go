package mattermost

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var testKey = []byte("0123456789abcdef-test-signing-key")

func testSigner(t testing.TB, now time.Time) *Signer {
	t.Helper()
	s, err := NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return now }
	return s
}

var signNow = time.Date(2026, 3, 30, 17, 20, 0, 0, time.UTC)

func TestSign_RoundTrip(t *testing.T) {
	s := testSigner(t, signNow)
	exp := signNow.Add(time.Hour)
	c, err := s.Sign("plan-7f3a", "approve", exp)
	if err != nil {
		t.Fatal(err)
	}
	// Through JSON, as it comes back from the server.
	raw, _ := json.Marshal(c)
	var back map[string]any
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	call, err := s.Verify(back)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if call.Plan != "plan-7f3a" || call.Action != "approve" || !call.Expires.Equal(exp.Truncate(time.Second)) {
		t.Fatalf("got %+v", call)
	}
}

func TestSign_RefusesBadIDs(t *testing.T) {
	s := testSigner(t, signNow)
	for _, tc := range []struct{ plan, action string }{
		{"", "approve"}, {"a|b", "approve"}, {"has space", "approve"}, {"p\x00", "approve"},
		{strings.Repeat("p", 129), "approve"}, {"p1", ""}, {"p1", "approve_now"}, {"p1", "approve-now"}, {"p1", "ap prove"},
	} {
		if _, err := s.Sign(tc.plan, tc.action, signNow.Add(time.Hour)); err == nil {
			t.Errorf("Sign(%q, %q) accepted", tc.plan, tc.action)
		}
	}
	if _, err := NewSigner([]byte("short")); err == nil {
		t.Error("NewSigner accepted a 5-byte key")
	}
}

func TestVerify_Refusals(t *testing.T) {
	s := testSigner(t, signNow)
	good, err := s.Sign("p1", "approve", signNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	expired, _ := s.Sign("p1", "approve", signNow.Add(-time.Second))
	other, _ := NewSigner([]byte("another-key-of-sufficient-length"))
	foreign, _ := other.Sign("p1", "approve", signNow.Add(time.Hour))
	with := func(k string, v any) map[string]any {
		c := map[string]any{}
		for kk, vv := range good {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name string
		ctx  map[string]any
		want error
	}{
		{"tampered plan", with("plan", "p2"), ErrBadSignature},
		{"tampered action", with("action", "cancel"), ErrBadSignature},
		{"tampered exp", with("exp", "9999999999"), ErrBadSignature},
		{"tampered sig", with("sig", strings.Repeat("0", 64)), ErrBadSignature},
		{"sig not hex", with("sig", "zz"), ErrBadSignature},
		{"sig short", with("sig", good["sig"].(string)[:62]), ErrBadSignature},
		{"other key", foreign, ErrBadSignature},
		{"expired", expired, ErrExpired},
		{"missing plan", with("plan", nil), ErrBadContext},
		{"missing sig", with("sig", nil), ErrBadContext},
		{"extra field", with("admin", "yes"), ErrBadContext},
		{"exp number", with("exp", float64(signNow.Add(time.Hour).Unix())), ErrBadContext},
		{"exp not canonical", with("exp", "+"+good["exp"].(string)), ErrBadContext},
		{"action not alnum", with("action", "approve_now"), ErrBadContext},
		{"plan with separator", with("plan", "p1|approve"), ErrBadContext},
		{"nil context", nil, ErrBadContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Verify(tc.ctx)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
	// Valid near-misses of the refusals above must pass.
	for _, plan := range []string{"p1", "reboot-redhat8.10-both:3", strings.Repeat("x", 128)} {
		c, err := s.Sign(plan, "approveNoWatch2", signNow.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Verify(c); err != nil {
			t.Errorf("valid context for plan %q refused: %v", plan, err)
		}
	}
}

// FuzzVerifyContext: any JSON context either fails or is exactly what Sign
// would produce for its fields (no forgery, no panic).
func FuzzVerifyContext(f *testing.F) {
	s := testSigner(f, signNow)
	good, _ := s.Sign("p1", "approve", signNow.Add(time.Hour))
	raw, _ := json.Marshal(good)
	f.Add(raw)
	f.Add([]byte(`{"plan":"p1","action":"approve","exp":"1","sig":"00"}`))
	f.Add([]byte(`{"plan":1,"action":[],"exp":null,"sig":{}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c map[string]any
		if json.Unmarshal(data, &c) != nil {
			return
		}
		call, err := s.Verify(c)
		if err != nil {
			return
		}
		again, err := s.Sign(call.Plan, call.Action, call.Expires)
		if err != nil {
			t.Fatalf("verified context cannot be re-signed: %v", err)
		}
		for k, v := range again {
			if c[k] != v {
				t.Fatalf("verified context differs from a signed one at %q: %v vs %v", k, c[k], v)
			}
		}
	})
}
