package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/atvm/atvmbot/config"
)

func readRepoFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The unit passes `systemd-analyze verify` (with this test binary standing
// in for the installed one) and hands the bot every secret it needs.
func TestDeploy_SystemdUnitVerifies(t *testing.T) {
	unit := readRepoFile(t, "deploy/atvmbot.service")
	for _, want := range []string{"DynamicUser=yes", "StateDirectory=atvmbot", "NoNewPrivileges=yes", "ProtectSystem=strict",
		"Environment=" + config.EnvMattermostToken + "_FILE=%d/", "Environment=" + config.EnvSlashToken + "_FILE=%d/",
		"Environment=" + config.EnvSigningKey + "_FILE=%d/", "Environment=" + config.EnvSSHKey + "=%d/"} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q", want)
		}
	}
	if n := strings.Count(unit, "\nLoadCredential="); n != 4 {
		t.Errorf("%d LoadCredential lines, want 4", n)
	}
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed: the unit's syntax is not verified here")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "atvmbot.service")
	os.WriteFile(path, []byte(strings.ReplaceAll(unit, "/usr/local/bin/atvmbot", self)), 0o644)
	out, err := exec.Command(sa, "verify", path).CombinedOutput()
	var ours []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "atvmbot.service") {
			ours = append(ours, l)
		}
	}
	if err != nil || len(ours) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

var fromLine = regexp.MustCompile(`(?m)^FROM\s+(\S+)`)

// Bases fully qualified and pinned, build caches, labels, health check.
func TestDeploy_Dockerfile(t *testing.T) {
	df := readRepoFile(t, "Dockerfile")
	froms := fromLine.FindAllStringSubmatch(df, -1)
	if len(froms) < 2 {
		t.Fatalf("%d FROM lines", len(froms))
	}
	pinned := regexp.MustCompile(`^[a-z0-9.-]+\.[a-z]+/[^@\s]+:[^@\s]+@sha256:[0-9a-f]{64}$`)
	for _, m := range froms {
		if !pinned.MatchString(m[1]) {
			t.Errorf("base %q is not registry/name:tag@sha256:digest", m[1])
		}
	}
	for _, want := range []string{"--mount=type=cache,target=/root/.cache/go-build", "--mount=type=cache,target=/go/pkg/mod",
		"org.opencontainers.image.source", "org.opencontainers.image.version", "HEALTHCHECK", "--format docker", "USER 65532"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	lint, err := exec.LookPath("dockerfile-utils")
	if err != nil {
		t.Skip("dockerfile-utils not installed (npm install -g dockerfile-utils): no lint run")
	}
	if out, err := exec.Command(lint, "lint", filepath.Join("..", "..", "Dockerfile")).CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("dockerfile-utils lint: %v\n%s", err, out)
	}
}

// The context leaves tests and test data out, but keeps what the binary
// embeds.
func TestDeploy_DockerignoreKeepsOnlyTheBuild(t *testing.T) {
	ign := readRepoFile(t, ".dockerignore")
	for _, want := range []string{"\n*\n", "**/testdata\n", "**/*_test.go\n", "!go.mod\n", "!go.sum\n"} {
		if !strings.Contains(ign, want) {
			t.Errorf(".dockerignore lacks %q", strings.TrimSpace(want))
		}
	}
	// Every package the binary needs is let in; every embedded test-data
	// file is let back in.
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}} {{.Dir}} {{join .EmbedFiles \",\"}}{{end}}", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || !strings.HasPrefix(f[0], "github.com/atvm/atvmbot") {
			continue
		}
		rel, _ := filepath.Rel(root, f[1])
		top := strings.Split(rel, string(filepath.Separator))[0]
		if !strings.Contains(ign, "!"+top+"/\n") {
			t.Errorf("package %s (%s) is not let into the build context", f[0], top)
		}
		if len(f) == 3 {
			for _, e := range strings.Split(f[2], ",") {
				if p := filepath.ToSlash(filepath.Join(rel, e)); strings.Contains(p, "testdata/") && !strings.Contains(ign, "!"+p+"\n") {
					t.Errorf("embedded %s is excluded with the test data", p)
				}
			}
		}
	}
}

var readmeYAML = regexp.MustCompile("(?s)## Deployment\n.*?```yaml\n(.*?)```")

// The README's deployment steps, followed as far as this machine allows:
// the files they create and the config they show pass check-config.
func TestDeploy_ReadmeStepsGiveAValidConfig(t *testing.T) {
	m := readmeYAML.FindStringSubmatch(readRepoFile(t, "README.md"))
	if m == nil {
		t.Fatal("no yaml block in the README's Deployment section")
	}
	var lines []string
	for _, l := range strings.Split(m[1], "\n") {
		lines = append(lines, strings.TrimPrefix(l, "   "))
	}
	dir := t.TempDir()
	etc := filepath.Join(dir, "etc", "atvmbot")
	os.MkdirAll(filepath.Join(etc, "secrets"), 0o700)
	text := strings.ReplaceAll(strings.Join(lines, "\n"), "/etc/atvmbot/", etc+"/")
	text += "storage:\n  path: " + filepath.Join(dir, "var", "lib", "atvmbot", "atvmbot.db") + "\n"
	cfgPath := filepath.Join(etc, "config.yaml")
	os.WriteFile(cfgPath, []byte(text), 0o644)

	// Steps 2-5: the token files, the signing key, the SSH key, known_hosts.
	key := make([]byte, 32)
	rand.Read(key)
	os.WriteFile(filepath.Join(etc, "secrets", "mattermost_token"), []byte("abcdefghijklmnopqrstuvwxyz\n"), 0o600)
	os.WriteFile(filepath.Join(etc, "secrets", "slash_token"), []byte("zyxwvutsrqponmlkjihgfedcba\n"), 0o600)
	os.WriteFile(filepath.Join(etc, "secrets", "signing_key"), []byte(hex.EncodeToString(key)+"\n"), 0o600)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, _ := ssh.MarshalPrivateKey(priv, "atvmbot")
	os.WriteFile(filepath.Join(etc, "secrets", "id_ed25519"), pem.EncodeToMemory(block), 0o600)
	hostPub, _, _ := ed25519.GenerateKey(rand.Reader)
	hk, _ := ssh.NewPublicKey(hostPub)
	os.WriteFile(filepath.Join(etc, "known_hosts"), []byte(knownhosts.Line([]string{"atvm-controller.example.com"}, hk)+"\n"), 0o644)

	code, out, errOut := runCLI(t, "check-config", "--config", cfgPath)
	if code != 0 || !strings.Contains(errOut, "config OK") {
		t.Fatalf("check-config on the README's config: %d\n%s\n%s", code, errOut, out)
	}
}
