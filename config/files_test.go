package config

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// writeDeployFiles writes the files a deployment names: the three secrets,
// an SSH key and a known_hosts entry for the example controller.
func writeDeployFiles(t *testing.T, dir string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	hostPub, _, _ := ed25519.GenerateKey(rand.Reader)
	hk, err := ssh.NewPublicKey(hostPub)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"mattermost_token": "abcdefghijklmnopqrstuvwxyz\n",
		"slash_token":      "zyxwvutsrqponmlkjihgfedcba\n",
		"signing_key":      strings.Repeat("k", 64) + "\n",
		"id_ed25519":       string(pem.EncodeToMemory(block)),
		"known_hosts":      knownhosts.Line([]string{"atvm-controller.example.com"}, hk) + "\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// Each file check names its key, with the line of the file when it has one.
func TestValidate_LocalFilesChecked(t *testing.T) {
	dir := t.TempDir()
	writeDeployFiles(t, dir)
	base := func() string {
		return `mattermost:
  url: http://127.0.0.1:8065
  team: qa
  channel: atvm
  listen: 127.0.0.1:8080
  public_url: http://127.0.0.1:8080
controller:
  host: atvm-controller.example.com
  known_hosts: ` + dir + `/known_hosts
storage:
  path: ` + dir + `/state/atvmbot.db
secret_files:
  mattermost_token: ` + dir + `/mattermost_token
  slash_token: ` + dir + `/slash_token
  signing_key: ` + dir + `/signing_key
  ssh_key: ` + dir + `/id_ed25519
`
	}
	os.WriteFile(filepath.Join(dir, "short_key"), []byte("abc\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "not_a_key"), []byte("hello\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "a_file"), []byte("x"), 0o600)
	cases := []struct {
		name, from, to, want string
	}{
		{"ok", "", "", ""},
		{"short signing key", dir + "/signing_key", dir + "/short_key", "ATVMBOT_SIGNING_KEY: the signing key is 3 bytes"},
		{"missing secret file", dir + "/slash_token", dir + "/nope", "secret_files.slash_token (C line 14): cannot read the secret file"},
		{"ssh key garbage", dir + "/id_ed25519", dir + "/not_a_key", "secret_files.ssh_key (C line 16): " + dir + "/not_a_key is not an SSH private key"},
		{"known_hosts missing", dir + "/known_hosts", dir + "/nope", "controller.known_hosts (C line 9): cannot read"},
		{"listen port range", "127.0.0.1:8080\n  public", "0.0.0.0:99999\n  public", "mattermost.listen (C line 5): want a port 1-65535"},
		{"state folder under a file", dir + "/state/atvmbot.db", dir + "/a_file/state/atvmbot.db", "storage.path (C line 11): " + dir + "/a_file is not a folder"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			text := base()
			if tc.from != "" {
				text = strings.Replace(text, tc.from, tc.to, 1)
			}
			os.WriteFile(path, []byte(text), 0o600)
			cfg, probs := Load(path, nil)
			more, _ := cfg.Validate(ModeServe)
			got := strings.ReplaceAll(strings.Join(append(probs, more...), "\n"), path, "C")
			if tc.want == "" {
				if got != "" {
					t.Fatalf("problems:\n%s", got)
				}
				return
			}
			if !strings.Contains(got, tc.want) {
				t.Fatalf("want %q in:\n%s", tc.want, got)
			}
		})
	}
}

// A misspelt key gets a "did you mean", its full path and its line.
func TestLoad_MisspeltKeyDidYouMean(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte("mattermost:\n  team: qa\n  comand_trigger: atvm\nwatch:\n  pol_interval: 5s\n"), 0o600)
	_, probs := Load(path, []string{"ATVMBOT_CONTROLLER_HSOT=x"})
	got := strings.Join(probs, "\n")
	for _, want := range []string{
		"mattermost.comand_trigger: not a known key (did you mean command_trigger?) (" + path + " line 3)",
		"watch.pol_interval: not a known key (did you mean poll_interval?) (" + path + " line 5)",
		"ATVMBOT_CONTROLLER_HSOT: not a known setting (did you mean ATVMBOT_CONTROLLER_HOST?)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q in:\n%s", want, got)
		}
	}
}
