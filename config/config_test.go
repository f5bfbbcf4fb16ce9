package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoad_ExampleConfigIsValid(t *testing.T) {
	cfg, probs := Load("../config.example.yaml", nil)
	more, _ := cfg.Validate(ModeOffline)
	if all := append(probs, more...); len(all) > 0 {
		t.Fatalf("example config has problems:\n%s", all)
	}
	if cfg.Controller.Host != "atvm-controller.example.com" || cfg.Approvals.Approvers[0] != "qa-lead" {
		t.Fatalf("example values not loaded: %+v", cfg.Controller)
	}
	if cfg.Templates["cmc-e2e"].Short != "e2e" {
		t.Fatal("templates not named in the file must keep their embedded values")
	}
	// For serve, the example is valid exactly when the files it names exist.
	dir := t.TempDir()
	data, err := os.ReadFile("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("/etc/atvmbot/secrets/", dir+"/", "/etc/atvmbot/", dir+"/", "/var/lib/atvmbot/", dir+"/state/").Replace(string(data))
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte(text), 0o600)
	cfg, _ = Load(path, nil)
	missing, _ := cfg.Validate(ModeServe)
	for _, key := range []string{"secret_files.mattermost_token", "secret_files.slash_token", "secret_files.signing_key", "secret_files.ssh_key", "controller.known_hosts"} {
		if !strings.Contains(strings.Join(missing, "\n"), key+" ("+path+" line ") {
			t.Errorf("missing file of %s not reported with its line:\n%s", key, strings.Join(missing, "\n"))
		}
	}
	writeDeployFiles(t, dir)
	cfg, probs = Load(path, nil)
	more, _ = cfg.Validate(ModeServe)
	if all := append(probs, more...); len(all) > 0 {
		t.Fatalf("example config with its files present has problems:\n%s", all)
	}
}

// Every problem is listed at once, each naming its key.
func TestValidate_BrokenConfigListsEveryProblem(t *testing.T) {
	cfg, probs := Load("testdata/broken.yaml", nil)
	if len(probs) != 1 || !strings.Contains(probs[0], "unknown_section") {
		t.Fatalf("load problems = %q; want the unknown key named", probs)
	}
	more, _ := cfg.Validate(ModeServe)
	text := strings.Join(more, "\n")
	for _, key := range []string{
		"mattermost.url", "mattermost.team", "mattermost.channel", "mattermost.listen", "mattermost.public_url",
		"controller.transport", "controller.atvm_root", "controller.config_file", "controller.junit_glob",
		"storage.path", "approvals.approvers[0]", "approvals.plan_ttl", "watch.poll_interval",
		"display.timezone", "blacklist[0].reason", "blacklist[1].machine",
		"templates.cmc-systemOS.default_plugin", "templates.cmc-systemOS.default_flags[0]",
		EnvMattermostToken, EnvSlashToken, EnvSigningKey,
	} {
		if !strings.Contains(text, key+":") && !strings.Contains(text, key+" (testdata/broken.yaml line ") {
			t.Errorf("no problem names %s; got:\n%s", key, text)
		}
	}
}

func TestLoad_EnvOverrides(t *testing.T) {
	cfg, probs := Load("", []string{
		"ATVMBOT_CONTROLLER_HOST=ctl.example.com",
		"ATVMBOT_CONTROLLER_PORT=2222",
		"ATVMBOT_WATCH_POLL_INTERVAL=5s",
		"ATVMBOT_APPROVALS_APPROVERS=alice, bob",
		"ATVMBOT_CONTROLLER_USE_SYSTEMD=true",
		"ATVMBOT_CONTROLLER_HOSTNAME=typo",
		"ATVMBOT_CONFIG=/etc/atvmbot/config.yaml",
		"ATVMBOT_CONTROLLER_PORT_X=1",
		"ATVMBOT_WATCH_HUNG_GRACE=soon",
	})
	c := cfg.Controller
	if c.Host != "ctl.example.com" || c.Port != 2222 || !c.UseSystemd || cfg.Watch.PollInterval != 5*time.Second ||
		len(cfg.Approvals.Approvers) != 2 || cfg.Approvals.Approvers[1] != "bob" {
		t.Fatalf("overrides not applied: %+v %+v", c, cfg.Approvals)
	}
	text := strings.Join(probs, "\n")
	if strings.Contains(text, "ATVMBOT_CONFIG") {
		t.Errorf("ATVMBOT_CONFIG is not a setting and must not be reported:\n%s", text)
	}
	for _, want := range []string{"ATVMBOT_CONTROLLER_HOSTNAME: not a known setting", "ATVMBOT_CONTROLLER_PORT_X: not a known setting", "ATVMBOT_WATCH_HUNG_GRACE: want a duration"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing problem %q in:\n%s", want, text)
		}
	}
}

func TestSecrets_FromEnvAndFilesNeverPrinted(t *testing.T) {
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "tok")
	os.WriteFile(tokFile, []byte("s3cret-from-file\n"), 0o600)
	cfg, _ := Load("", []string{
		"ATVMBOT_MATTERMOST_TOKEN_FILE=" + tokFile,
		"ATVMBOT_SLASH_TOKEN=s3cret-slash",
		"ATVMBOT_SIGNING_KEY=s3cret-sign",
		"ATVMBOT_SSH_KEY=/keys/id",
	})
	if cfg.Secrets.MattermostToken != "s3cret-from-file" || cfg.Secrets.SlashToken != "s3cret-slash" || cfg.Secrets.SSHKeyPath != "/keys/id" {
		t.Fatalf("secrets = %+v", cfg.Secrets)
	}
	out := cfg.MaskedYAML()
	for _, s := range []string{"s3cret", "/keys/id"} {
		if strings.Contains(out, s) {
			t.Fatalf("masked output shows %q:\n%s", s, out)
		}
	}
	if !strings.Contains(out, EnvSlashToken+": set (from environment)") {
		t.Fatalf("masked output should say the slash token is set:\n%s", out)
	}
}

// Secrets in the YAML file itself are refused: only paths may be there.
func TestLoad_SecretValueInYAMLRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte("mattermost:\n  token: abc\n"), 0o600)
	_, probs := Load(path, nil)
	if len(probs) == 0 || !strings.Contains(probs[0], "token") {
		t.Fatalf("problems = %q", probs)
	}
}

func TestDefaults_P4_GoldConfigAndP12Blacklist(t *testing.T) {
	cfg := Default()
	if cfg.Controller.ConfigFile != "cypress.atvm-config-gold.ts" {
		t.Fatalf("default config file = %q", cfg.Controller.ConfigFile)
	}
	if len(cfg.Blacklist) != 8 {
		t.Fatalf("blacklist has %d entries, want the operators' 8", len(cfg.Blacklist))
	}
	if r, ok := cfg.IsBlacklisted("atvm144-suse15.0"); !ok || r != "CRASHES WHEN CREATING MIGRATION SESSION - BUG" {
		t.Fatalf("atvm144-suse15.0: %q %v", r, ok)
	}
	if n := len(cfg.Templates["cmc-e2e"].StaticFlow); n != 22 {
		t.Fatalf("cmc-e2e static flow has %d steps, want 22 (S8)", n)
	}
	probs, _ := cfg.Validate(ModeOffline)
	if len(probs) > 0 {
		t.Fatalf("embedded defaults invalid offline: %s", probs)
	}
}
