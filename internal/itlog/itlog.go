// Package itlog lets integration tests say that they ran against a real
// server, so the test script can print how many sshd, Mattermost and
// end-to-end tests ran (a green run that skipped them all must show it).
package itlog

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// Env names the file the counts are appended to.
const Env = "ATVMBOT_IT_LOG"

var mu sync.Mutex

// Ran records, when the test passes, that t ran against a real kind of
// server: "sshd", "mattermost" or "e2e".
func Ran(t testing.TB, kind string) {
	path := os.Getenv(Env)
	if path == "" {
		return
	}
	t.Cleanup(func() {
		if t.Failed() || t.Skipped() {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return
		}
		defer f.Close()
		fmt.Fprintf(f, "%s %s\n", kind, t.Name())
	})
}

// Require fails t (instead of skipping) when the env var req is "1": CI
// must not pass because a server was missing (D18).
func Require(t testing.TB, req, why string) {
	t.Helper()
	if os.Getenv(req) == "1" {
		t.Fatalf("%s is required here (%s=1): %s", "a real server", req, why)
	}
	t.Skip(why)
}
