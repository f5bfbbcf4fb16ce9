package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/atvm/atvmbot/bot/mattermost"
)

var (
	readmeControllersYAML = regexp.MustCompile("(?s)### Several controllers\n.*?```yaml\n(.*?)```")
	singleBlock           = regexp.MustCompile(`(?s)\ncontroller:\n.*?\n(storage:)`)
)

// withControllers replaces the single controller block of the config at
// path by block.
func withControllers(t *testing.T, path, block string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !singleBlock.Match(data) {
		t.Fatalf("no controller block in:\n%s", data)
	}
	text := singleBlock.ReplaceAllLiteralString(string(data), "\n"+block+"storage:")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// check-config checks each controller of the README's example and names
// each in its verdict.
func TestCheckConfig_C21_EachControllerNamed(t *testing.T) {
	m := readmeControllersYAML.FindStringSubmatch(readRepoFile(t, "README.md"))
	if m == nil {
		t.Fatal("no yaml block in the README's Several controllers section")
	}
	dir, path := deployDir(t, "http://127.0.0.1:1", freePort(t), "atvm-controller.example.com")
	block := strings.NewReplacer("/etc/atvmbot/secrets/", dir+"/", "/etc/atvmbot/", dir+"/").Replace(m[1])
	withControllers(t, path, block)
	key, _ := os.ReadFile(filepath.Join(dir, "id_ed25519"))
	os.WriteFile(filepath.Join(dir, "id_ed25519_lab2"), key, 0o600)

	code, out, errOut := runCLI(t, "check-config", "--config", path)
	if code != 0 {
		t.Fatalf("code %d:\n%s", code, errOut)
	}
	for _, want := range []string{
		"controller lab1: ssh root@atvm-controller.example.com:22 (shared key); root /root/cdc-e2e-cyp-12.17.4; channels atvm-automation: OK\n",
		"controller lab2: ssh root@atvm-controller2.example.com:22 (own key); root /root/cdc-e2e-cyp-12.17.4; channels atvm-lab2; 1 more blacklisted: OK\n",
		"config OK",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("no %q in:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "controllers are configured") {
		t.Errorf("several controllers are served each on its own; no warning:\n%s", errOut)
	}
	if !strings.Contains(out, "controllers:\n") || strings.Contains(out, "\ncontroller:\n") {
		t.Errorf("effective config should show controllers: only:\n%s", out)
	}

	os.Remove(filepath.Join(dir, "id_ed25519_lab2"))
	code, _, errOut = runCLI(t, "check-config", "--config", path)
	for _, want := range []string{"controller lab1: ", "; channels atvm-automation: OK\n", "1 more blacklisted: 1 problem(s), listed below\n", "  - controllers.lab2.ssh_key (" + path + " line "} {
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("code %d; no %q in:\n%s", code, want, errOut)
		}
	}
}

// doctor checks every controller and names each in its lines and fixes.
func TestDoctor_C21_EachControllerChecked(t *testing.T) {
	withChat(t, mattermost.DoctorCheck{Name: "Mattermost token accepted (GetMe)", OK: true})
	dir, path := doctorDeployment(t)
	root1, root2 := filepath.Join(dir, "atvm"), filepath.Join(dir, "atvm2")
	os.MkdirAll(root2, 0o755)
	for _, f := range []string{"run-sorry-cypress.py", "cypress.atvm-config-gold.ts"} {
		os.WriteFile(filepath.Join(root2, f), []byte("#\n"), 0o755)
	}
	withControllers(t, path, "controllers:\n  lab1:\n    transport: local\n    atvm_root: "+root1+
		"\n  lab2:\n    transport: local\n    atvm_root: "+root2+"\n")

	code, out, _ := runCLI(t, "doctor", "--config", path)
	if code != 1 {
		t.Fatalf("code %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{
		"✓ controller lab1: local transport",
		"✓ controller lab1: ATVM root " + root1,
		"✓ controller lab1: template script",
		"✓ clocks: controller lab1 vs this machine",
		"✓ controller lab2: ATVM root " + root2,
		"✗ controller lab2: template script " + root2 + "/cmc-templates.py: missing\n    fix: check controllers.lab2.template_script",
		"✓ clocks: controller lab2 vs this machine",
		"1 of ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if i, j := strings.Index(out, "controller lab1:"), strings.Index(out, "controller lab2:"); i < 0 || j < i {
		t.Errorf("controllers not in name order:\n%s", out)
	}
}
