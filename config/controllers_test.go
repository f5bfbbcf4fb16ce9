package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func loadText(t *testing.T, text string, environ ...string) (Config, Problems) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return Load(path, environ)
}

const twoControllers = `
controllers:
  lab1:
    host: ctl1.example.com
    channels: [qa-lab1]
  lab2:
    host: ctl2.example.com
    port: 2222
    atvm_root: /opt/atvm
    config_file: cypress.lab2-gold.ts
    ssh_key: /keys/lab2
    channels: [qa-lab2, 4xq7mz1c9pbd3y6nkwe8rtfsga]
    blacklist:
      - machine: atvm9-lab2only
        reason: DISK FULL
`

// An old configuration with the single controller: block loads unchanged,
// as one controller named default.
func TestConfig_C21_OldSingleBlockLoadsAsDefault(t *testing.T) {
	old, probs := Load("../config.example.yaml", nil)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if got := old.ControllerNames(); !reflect.DeepEqual(got, []string{"default"}) {
		t.Fatalf("names = %v", got)
	}
	e, ok := old.ControllerNamed("default")
	if !ok || e.Controller.Host != "atvm-controller.example.com" || !reflect.DeepEqual(e.Controller, old.Controller) {
		t.Fatalf("default controller = %+v", e)
	}
	if len(old.Controllers) != 0 {
		t.Fatalf("the single block must not fill controllers: %v", old.Controllers)
	}
	if probs, _ := old.Validate(ModeOffline); len(probs) > 0 {
		t.Fatal(probs)
	}
	for _, in := range [][]string{{"", ""}, {"", "any-channel"}, {"default", ""}} {
		if name, err := old.ResolveController(in[0], in[1]); err != nil || name != "default" {
			t.Errorf("resolve %q: %q %v", in, name, err)
		}
	}
	// The embedded defaults are the same single controller.
	def := Default()
	if def.MainControllerName() != "default" || def.SSHKeyPathFor("default") != "" {
		t.Fatal("embedded defaults lost their controller")
	}
}

func TestConfig_C21_ControllersMap(t *testing.T) {
	cfg, probs := loadText(t, twoControllers, "ATVMBOT_SSH_KEY=/keys/shared")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if probs, _ := cfg.Validate(ModeOffline); len(probs) > 0 {
		t.Fatal(probs)
	}
	if got := cfg.ControllerNames(); !reflect.DeepEqual(got, []string{"lab1", "lab2"}) {
		t.Fatalf("names = %v", got)
	}
	lab1, _ := cfg.ControllerNamed("lab1")
	lab2, _ := cfg.ControllerNamed("lab2")
	// Keys left out keep the embedded defaults, per controller.
	if lab1.Port != 22 || lab1.ATVMRoot != DefaultATVMRoot || lab1.ConfigFile != DefaultConfigFile || lab1.ConnectTimeout != 15*time.Second {
		t.Fatalf("lab1 lost its defaults: %+v", lab1.Controller)
	}
	if lab2.Host != "ctl2.example.com" || lab2.Port != 2222 || lab2.ATVMRoot != "/opt/atvm" || lab2.ConfigFile != "cypress.lab2-gold.ts" || lab2.User != "root" {
		t.Fatalf("lab2 = %+v", lab2.Controller)
	}
	// cfg.Controller stays the one controller existing callers drive.
	if cfg.MainControllerName() != "lab1" || cfg.Controller.Host != "ctl1.example.com" {
		t.Fatalf("main = %s %+v", cfg.MainControllerName(), cfg.Controller)
	}
	if cfg.SSHKeyPathFor("lab1") != "/keys/shared" || cfg.SSHKeyPathFor("lab2") != "/keys/lab2" {
		t.Fatalf("keys: %q %q", cfg.SSHKeyPathFor("lab1"), cfg.SSHKeyPathFor("lab2"))
	}
	bl1, bl2 := cfg.BlacklistFor("lab1"), cfg.BlacklistFor("lab2")
	if len(bl1) != 8 || len(bl2) != 9 {
		t.Fatalf("blacklists: %d %d", len(bl1), len(bl2))
	}
	if !reflect.DeepEqual(bl1, cfg.Blacklist) || !reflect.DeepEqual(bl2[:8], cfg.Blacklist) || bl2[8].Machine != "atvm9-lab2only" {
		t.Fatalf("want the shared list as it is, then the additions: %v", bl2)
	}
	out := cfg.MaskedYAML()
	if strings.Contains(out, "\ncontroller:") || !strings.Contains(out, "controllers:") || !strings.Contains(out, "controllers.lab2.ssh_key: NOT READABLE") {
		t.Fatalf("masked output:\n%s", out)
	}
}

func TestConfig_C21_ResolveController(t *testing.T) {
	cfg, _ := loadText(t, twoControllers)
	for _, tc := range []struct {
		id, explicit string
		channel      []string
		want, err    string
	}{
		{id: "named wins over channel", explicit: "lab1", channel: []string{"qa-lab2"}, want: "lab1"},
		{id: "channel name", channel: []string{"qa-lab2"}, want: "lab2"},
		{id: "channel id", channel: []string{"4xq7mz1c9pbd3y6nkwe8rtfsga", "town-square"}, want: "lab2"},
		{id: "no default lists names", channel: []string{"town-square"}, err: "several controllers and this channel has none by default; name one with --controller: lab1, lab2"},
		{id: "no channel", err: "name one with --controller: lab1, lab2"},
		{id: "unknown with hint", explicit: "lab3", err: "unknown controller lab3; controllers: lab1, lab2 (did you mean lab1?)"},
		{id: "unsafe name not echoed", explicit: "Lab`1`", err: "that is not a controller name; controllers: lab1, lab2"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			got, err := cfg.ResolveController(tc.explicit, tc.channel...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %q, %v; want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// Each mistake is refused naming its key.
func TestConfig_C21_ControllersErrors(t *testing.T) {
	for _, tc := range []struct {
		id, yaml string
		env      []string
		load     string // a problem of Load
		validate string // a problem of Validate(ModeServe)
	}{
		{id: "C21-both-forms", yaml: "controller:\n  host: a\ncontrollers:\n  lab1:\n    host: b\n",
			load: "controller (FILE line 1): the single controller: block and controllers: are both set"},
		{id: "C21-env-single-with-map", yaml: "controllers:\n  lab1:\n    host: b\n", env: []string{"ATVMBOT_CONTROLLER_HOST=a"},
			load: "ATVMBOT_CONTROLLER_HOST: the single controller: block and controllers: are both set"},
		{id: "C21-bad-name", yaml: "controllers:\n  Lab_1:\n    host: b\n",
			load: "controllers.Lab_1 (FILE line 2): controller names are 1-32 lower-case letters"},
		{id: "C21-long-name", yaml: "controllers:\n  " + strings.Repeat("a", 33) + ":\n    host: b\n",
			load: "controller names are 1-32"},
		{id: "C21-unknown-key", yaml: "controllers:\n  lab1:\n    hots: b\n",
			load: "controllers.lab1.hots: not a known key (did you mean host?) (FILE line 3)"},
		{id: "C21-bad-type", yaml: "controllers:\n  lab1:\n    port: many\n",
			load: "FILE line 3: cannot unmarshal"},
		{id: "C21-not-a-mapping", yaml: "controllers:\n  lab1: ctl.example.com\n",
			load: "FILE line 2: a controller is a mapping"},
		{id: "C21-channel-twice", yaml: "controllers:\n  lab1:\n    channels: [qa]\n  lab2:\n    channels: [qa]\n",
			validate: "controllers.lab2.channels[0] (FILE line 5): channel qa is also in controllers.lab1.channels"},
		{id: "C21-channel-repeated", yaml: "controllers:\n  lab1:\n    channels: [qa, qa]\n",
			validate: "controllers.lab1.channels[1] (FILE line 3): qa is listed twice"},
		{id: "C21-channel-shape", yaml: "controllers:\n  lab1:\n    channels: [\"Town Square\"]\n",
			validate: "controllers.lab1.channels[0] (FILE line 3): \"Town Square\" is not a channel name or ID"},
		{id: "C21-blacklist-addition", yaml: "controllers:\n  lab1:\n    blacklist:\n      - machine: atvm6-centos6.0\n        reason: again\n      - machine: x y\n        reason: \"\"\n",
			validate: "controllers.lab1.blacklist[0].machine (FILE line 4): atvm6-centos6.0 is already in the shared blacklist"},
		{id: "C21-blacklist-addition-reason", yaml: "controllers:\n  lab1:\n    blacklist:\n      - machine: atvm7-x\n        reason: \"\"\n",
			validate: "controllers.lab1.blacklist[0].reason (FILE line 5): is empty"},
		{id: "C21-per-controller-keys", yaml: "controllers:\n  lab1:\n    port: 0\n    atvm_root: rel\n    keepalive: 0s\n",
			validate: "controllers.lab1.port (FILE line 3): want 1-65535, got 0"},
		{id: "C21-per-controller-keepalive", yaml: "controllers:\n  lab1:\n    keepalive: 0s\n",
			validate: "controllers.lab1.keepalive (FILE line 3): must be a positive duration"},
		{id: "C21-key-missing", yaml: "controllers:\n  lab1:\n    host: a\n",
			validate: "controllers.lab1.ssh_key (FILE line 2): is not set, nor the shared ATVMBOT_SSH_KEY"},
		{id: "C21-own-key-unreadable", yaml: "controllers:\n  lab1:\n    host: a\n    ssh_key: /nonexistent/key\n",
			validate: "controllers.lab1.ssh_key (FILE line 4): cannot read the SSH private key /nonexistent/key"},
		{id: "C21-known-hosts-per-controller", yaml: "controllers:\n  lab1:\n    host: a\n  lab2:\n    host: b\n    known_hosts: /nonexistent/kh\n",
			validate: "controllers.lab2.known_hosts (FILE line 6): cannot read /nonexistent/kh"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(path, []byte(tc.yaml), 0o600)
			cfg, probs := Load(path, tc.env)
			want, got := tc.load, strings.Join(probs, "\n")
			if tc.validate != "" {
				if len(probs) > 0 {
					t.Fatalf("load problems: %s", probs)
				}
				more, _ := cfg.Validate(ModeServe)
				want, got = tc.validate, strings.Join(more, "\n")
			}
			want = strings.ReplaceAll(want, "FILE", path)
			if !strings.Contains(got, want) {
				t.Fatalf("want a problem %q; got:\n%s", want, got)
			}
		})
	}
}

// Controllers may share settings through a YAML anchor and merge key.
func TestConfig_C21_MergeKeySharesSettings(t *testing.T) {
	cfg, probs := loadText(t, "controllers:\n  lab1: &base\n    host: ctl1.example.com\n    port: 2200\n    atvm_root: /opt/atvm\n  lab2:\n    <<: *base\n    host: ctl2.example.com\n")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	lab2, _ := cfg.ControllerNamed("lab2")
	if lab2.Host != "ctl2.example.com" || lab2.Port != 2200 || lab2.ATVMRoot != "/opt/atvm" || lab2.User != "root" {
		t.Fatalf("lab2 = %+v", lab2.Controller)
	}
}

// Several controllers are served each on its own: serve no longer warns
// that one of them runs every plan.
func TestConfig_C21_SeveralControllersServeWithoutWarning(t *testing.T) {
	cfg, _ := loadText(t, twoControllers)
	_, warns := cfg.Validate(ModeServe)
	if strings.Contains(strings.Join(warns, "\n"), "controllers are configured") {
		t.Fatalf("warnings: %s", warns)
	}
}

// exampleWithControllers is config.example.yaml with its single controller
// block replaced by the commented two-controller example.
func exampleWithControllers(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	skip, found := false, false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case line == "controller:":
			skip = true
		case skip && line == "":
			skip = false
		case strings.HasPrefix(line, "#controllers:") || found && strings.HasPrefix(line, "#  "):
			found = true
			out = append(out, line[1:])
			continue
		}
		if !skip {
			out = append(out, line)
		}
	}
	if !found {
		t.Fatal("config.example.yaml has no commented controllers: example")
	}
	return strings.Join(out, "\n")
}

func TestConfig_C21_ExampleTwoControllersIsValid(t *testing.T) {
	dir := t.TempDir()
	text := strings.NewReplacer("/etc/atvmbot/secrets/", dir+"/", "/etc/atvmbot/", dir+"/", "/var/lib/atvmbot/", dir+"/state/").Replace(exampleWithControllers(t))
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte(text), 0o600)
	writeDeployFiles(t, dir)
	cfg, probs := Load(path, nil)
	more, _ := cfg.Validate(ModeServe)
	if !strings.Contains(strings.Join(more, "\n"), "controllers.lab2.ssh_key") {
		t.Fatalf("lab2's missing key not reported: %s", more)
	}
	key, _ := os.ReadFile(filepath.Join(dir, "id_ed25519"))
	os.WriteFile(filepath.Join(dir, "id_ed25519_lab2"), key, 0o600)
	more, _ = cfg.Validate(ModeServe)
	if all := append(probs, more...); len(all) > 0 {
		t.Fatalf("two-controller example has problems:\n%s", all)
	}
	if got := cfg.ControllerNames(); !reflect.DeepEqual(got, []string{"lab1", "lab2"}) {
		t.Fatalf("names = %v", got)
	}
	if name, err := cfg.ResolveController("", "atvm-lab2"); err != nil || name != "lab2" {
		t.Fatalf("channel default: %q %v", name, err)
	}
	if len(cfg.BlacklistFor("lab2")) != len(cfg.Blacklist)+1 {
		t.Fatal("lab2's blacklist addition not applied")
	}
}
