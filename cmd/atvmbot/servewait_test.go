package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer is a log sink read while serve writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func shortWaits(t *testing.T) {
	oi, om := mmWaitInitial, mmWaitMax
	mmWaitInitial, mmWaitMax = 50*time.Millisecond, 200*time.Millisecond
	t.Cleanup(func() { mmWaitInitial, mmWaitMax = oi, om })
}

// A config check-config accepts starts serve: with Mattermost not up yet,
// serve listens, /healthz says it waits for Mattermost, each try is logged,
// and a stop signal ends it cleanly.
func TestServe_AcceptedConfigStartsAndWaitsForMattermost(t *testing.T) {
	shortWaits(t)
	listen := freePort(t)
	_, path := deployDir(t, "http://127.0.0.1:1", listen, "ctl.example.com")
	if code, _, errOut := runCLI(t, "check-config", "--config", path); code != 0 {
		t.Fatalf("check-config: %d\n%s", code, errOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan int, 1)
	go func() { done <- serveMain(ctx, []string{"--config", path}, io.Discard, &logs) }()

	var body string
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + listen + "/healthz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			if resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(body, "waiting for Mattermost") &&
				strings.Count(logs.String(), "waiting for Mattermost") >= 2 {
				break
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited (%d) instead of waiting:\n%s", code, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no waiting state; last /healthz %q\nlogs:\n%s", body, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	var rep struct {
		Status string
		Checks []struct {
			Name   string
			OK     bool
			Detail string
		}
	}
	if err := json.Unmarshal([]byte(body), &rep); err != nil || rep.Status != "fail" {
		t.Fatalf("/healthz %q: %v", body, err)
	}
	if !strings.Contains(logs.String(), `"try":2`) {
		t.Errorf("tries not numbered in the log:\n%s", logs.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d after stop:\n%s", code, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// mmStub answers GetMe with failures first, then the bot user; any other
// call 404s, so serve stops at the team lookup, past the wait.
func mmStub(t *testing.T, failFirst int, status int) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v4/users/me" {
			if int(calls.Add(1)) <= failFirst {
				w.WriteHeader(status)
				io.WriteString(w, `{"id":"api.error","message":"not now","status_code":`+itoa(status)+`}`)
				return
			}
			io.WriteString(w, `{"id":"bot1","username":"atvmbot","is_bot":true}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"id":"store.sql_team.get_by_name.app_error","message":"no team","status_code":404}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestServe_WaitsThroughServerErrorsThenGoesOn(t *testing.T) {
	shortWaits(t)
	srv, calls := mmStub(t, 3, http.StatusServiceUnavailable)
	_, path := deployDir(t, srv.URL, freePort(t), "ctl.example.com")
	var logs syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code := serveMain(ctx, []string{"--config", path}, io.Discard, &logs)
	if code != 1 || calls.Load() != 4 || !strings.Contains(logs.String(), `mattermost team \"qa\"`) {
		t.Fatalf("code %d after %d GetMe calls, want 1 at the team lookup after 4:\n%s", code, calls.Load(), logs.String())
	}
	if n := strings.Count(logs.String(), "waiting for Mattermost"); n != 3 {
		t.Fatalf("%d tries logged, want 3:\n%s", n, logs.String())
	}
}

func TestServe_RefusedTokenIsNotRetried(t *testing.T) {
	shortWaits(t)
	srv, calls := mmStub(t, 100, http.StatusUnauthorized)
	_, path := deployDir(t, srv.URL, freePort(t), "ctl.example.com")
	var logs syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code := serveMain(ctx, []string{"--config", path}, io.Discard, &logs)
	if code != 1 || calls.Load() != 1 || !strings.Contains(logs.String(), "token was refused") {
		t.Fatalf("code %d after %d calls:\n%s", code, calls.Load(), logs.String())
	}
	if strings.Contains(logs.String(), "abcdefghijklmnopqrstuvwxyz") {
		t.Fatal("the token was logged")
	}
}
