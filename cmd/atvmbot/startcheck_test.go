package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/atvm/atvmbot/bot/mattermost"
	"github.com/atvm/atvmbot/config"
)

// deployDir writes the files of a deployment (secrets, SSH key, known_hosts
// for host) and a config naming them; mmURL is the Mattermost server.
func deployDir(t *testing.T, mmURL, listen, host string) (dir, cfgPath string) {
	t.Helper()
	dir = t.TempDir()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	hostPub, _, _ := ed25519.GenerateKey(rand.Reader)
	hk, _ := ssh.NewPublicKey(hostPub)
	for name, content := range map[string]string{
		"mattermost_token": "abcdefghijklmnopqrstuvwxyz\n",
		"slash_token":      "zyxwvutsrqponmlkjihgfedcba\n",
		"signing_key":      strings.Repeat("k", 64) + "\n",
		"id_ed25519":       string(pem.EncodeToMemory(block)),
		"known_hosts":      knownhosts.Line([]string{host}, hk) + "\n",
		"short_key":        "abc\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := fmt.Sprintf(`mattermost:
  url: %[1]s
  team: qa
  channel: atvm
  listen: %[2]s
  public_url: http://%[2]s
controller:
  transport: ssh
  host: %[3]s
  known_hosts: %[4]s/known_hosts
storage:
  path: %[4]s/state/atvmbot.db
secret_files:
  mattermost_token: %[4]s/mattermost_token
  slash_token: %[4]s/slash_token
  signing_key: %[4]s/signing_key
  ssh_key: %[4]s/id_ed25519
`, mmURL, listen, host, dir)
	cfgPath = filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, cfgPath
}

func TestSigningKeyMinimumMatchesTheSigner(t *testing.T) {
	if config.MinSigningKey != mattermost.MinSigningKey {
		t.Fatalf("config.MinSigningKey %d != mattermost.MinSigningKey %d", config.MinSigningKey, mattermost.MinSigningKey)
	}
}

// Each config serve used to reject only once it ran (or that check-config
// passed) is refused by both, naming the same key, before any network.
func TestCheckConfigAndServe_SameVerdictOnBrokenConfigs(t *testing.T) {
	cases := []struct{ name, from, to, key string }{
		{"signing key too short", "/signing_key", "/short_key", "ATVMBOT_SIGNING_KEY"},
		{"secret file missing", "/mattermost_token", "/nope", "secret_files.mattermost_token"},
		{"ssh key missing", "/id_ed25519", "/nope", "secret_files.ssh_key"},
		{"known_hosts missing", "/known_hosts", "/nope", "controller.known_hosts"},
		{"listen port out of range", "listen: 127.0.0.1:18080", "listen: 0.0.0.0:99999", "mattermost.listen"},
		{"state folder impossible", "/state/atvmbot.db", "/short_key/state/atvmbot.db", "storage.path"},
		{"misspelt key", "  command_trigger", "  comand_trigger", "mattermost.comand_trigger"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, path := deployDir(t, "http://127.0.0.1:1", "127.0.0.1:18080", "ctl.example.com")
			data, _ := os.ReadFile(path)
			text := string(data)
			if tc.name == "misspelt key" {
				text = strings.Replace(text, "  channel: atvm\n", "  channel: atvm\n  comand_trigger: atvm\n", 1)
			} else {
				if !strings.Contains(text, tc.from) {
					t.Fatalf("%q not in the config", tc.from)
				}
				text = strings.Replace(text, tc.from, tc.to, 1)
			}
			os.WriteFile(path, []byte(text), 0o600)

			code, _, errOut := runCLI(t, "check-config", "--config", path)
			if code != 1 || !strings.Contains(errOut, tc.key) || strings.Contains(errOut, "config OK") {
				t.Fatalf("check-config: code %d, want 1 naming %s:\n%s", code, tc.key, errOut)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var o, e bytes.Buffer
			start := time.Now()
			code = serveMain(ctx, []string{"--config", path}, &o, &e)
			if code != 1 || !strings.Contains(e.String(), tc.key) || time.Since(start) > 10*time.Second {
				t.Fatalf("serve: code %d after %v, want 1 at once naming %s:\n%s", code, time.Since(start), tc.key, e.String())
			}
			if _, err := os.Stat(filepath.Join(dir, "state")); err == nil && tc.key != "storage.path" {
				t.Fatal("serve created its state folder for a config it refused")
			}
		})
	}
}
