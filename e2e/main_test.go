// Package e2e drives the built `atvmbot serve` binary as a separate process
// against a real Mattermost server and a real loopback sshd whose controller
// is the simulator: plan → approve → categorized run → posts, and the same
// under crashes, outages, SSH faults, hostile input and corrupt artifacts.
//
//	scripts/mattermost-up.sh up >/dev/null
//	ATVMBOT_MM_ENV=/tmp/atvmbot-mm-it/mm-it.env ATVMBOT_REQUIRE_E2E=1 go test -count=1 -v ./e2e/
//
// It needs root (the sshd logs in as root, as on the real controller, D16),
// python3 (the simulator's shims) and the Mattermost env file written by
// scripts/mattermost-up.sh. Without them every test skips, unless
// ATVMBOT_REQUIRE_E2E=1 or ATVMBOT_REQUIRE_MM=1 (CI), where a missing server
// fails (D18).
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// suite is what every test shares: the built binary and the servers.
var suite struct {
	repo    string            // the repository root
	bin     string            // the atvmbot binary built for this run
	mm      map[string]string // the Mattermost env file's keys
	mmState string            // the env file's folder (mattermost-up.sh state)
	problem string            // why the suite cannot run, when it cannot
	tmp     string
}

func required() bool {
	return os.Getenv("ATVMBOT_REQUIRE_E2E") == "1" || os.Getenv("ATVMBOT_REQUIRE_MM") == "1"
}

func TestMain(m *testing.M) {
	flag.Parse()
	start := time.Now()
	setup()
	code := m.Run()
	if suite.tmp != "" {
		if code != 0 || os.Getenv("ATVMBOT_E2E_KEEP") == "1" {
			fmt.Fprintf(os.Stderr, "e2e: state, logs and simulated controllers kept in %s\n", suite.tmp)
		} else {
			os.RemoveAll(suite.tmp)
		}
	}
	if suite.problem == "" {
		fmt.Fprintf(os.Stderr, "e2e: suite took %s\n", time.Since(start).Round(time.Second))
	}
	os.Exit(code)
}

// setup finds the servers and builds the binary once; a problem is kept and
// reported by each test (skip, or fail when required).
func setup() {
	repo, err := filepath.Abs("..")
	if err != nil {
		suite.problem = err.Error()
		return
	}
	suite.repo = repo
	if os.Geteuid() != 0 {
		suite.problem = "not root: the controller's sshd logs in as root (D16) and sshd-up.sh needs root"
		return
	}
	if _, err := exec.LookPath("python3"); err != nil {
		suite.problem = "python3 not found: the simulator's shims need it"
		return
	}
	env, err := loadMMEnv(os.Getenv("ATVMBOT_MM_ENV"))
	if err != nil {
		suite.problem = err.Error()
		return
	}
	suite.mm = env
	suite.mmState = filepath.Dir(os.Getenv("ATVMBOT_MM_ENV"))
	if suite.tmp, err = os.MkdirTemp("", "atvmbot-e2e-"); err != nil {
		suite.problem = err.Error()
		return
	}
	// 0755: the bot's state and the simulator live below; sshd's root
	// sessions and the simulator's processes read them.
	_ = os.Chmod(suite.tmp, 0o755)
	suite.bin = filepath.Join(suite.tmp, "atvmbot")
	args := []string{"build", "-trimpath", "-ldflags", "-X main.version=e2e", "-o", suite.bin}
	if os.Getenv("ATVMBOT_E2E_RACE") == "1" {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "./cmd/atvmbot")...)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "CGO_ENABLED="+map[bool]string{true: "1", false: "0"}[os.Getenv("ATVMBOT_E2E_RACE") == "1"])
	t0 := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		suite.problem = fmt.Sprintf("go build ./cmd/atvmbot: %v\n%s", err, out)
		return
	}
	fmt.Fprintf(os.Stderr, "e2e: built atvmbot in %s\n", time.Since(t0).Round(100*time.Millisecond))
}

// need skips or fails t when the suite cannot run.
func need(t *testing.T) {
	t.Helper()
	if suite.problem == "" {
		return
	}
	if required() {
		t.Fatalf("end-to-end servers required (ATVMBOT_REQUIRE_E2E/ATVMBOT_REQUIRE_MM=1): %s", suite.problem)
	}
	t.Skip(suite.problem)
}

func loadMMEnv(path string) (map[string]string, error) {
	if path == "" {
		return nil, fmt.Errorf("ATVMBOT_MM_ENV not set: no real Mattermost server (scripts/mattermost-up.sh up)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ATVMBOT_MM_ENV: %w", err)
	}
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	for _, k := range []string{"MM_URL", "MM_TEAM_ID", "MM_TEAM_NAME", "MM_ADMIN_TOKEN", "MM_ADMIN_USERNAME", "MM_ADMIN_USER_ID",
		"MM_USER_TOKEN", "MM_USER_ID", "MM_USER_USERNAME", "MM_BOT_TOKEN", "MM_BOT_USER_ID", "MM_BOT_USERNAME"} {
		if env[k] == "" {
			return nil, fmt.Errorf("%s: %s missing", path, k)
		}
	}
	u, err := url.Parse(env["MM_URL"])
	if err != nil || u.Hostname() != "127.0.0.1" {
		return nil, fmt.Errorf("MM_URL %q is not a server on 127.0.0.1", env["MM_URL"])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, env["MM_URL"]+"/api/v4/system/ping", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("mattermost at %s is not answering (scripts/mattermost-up.sh up): %w", env["MM_URL"], err)
	}
	resp.Body.Close()
	return env, nil
}
