package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atvm/atvmbot/bot/mattermost"
	"github.com/atvm/atvmbot/config"
)

type fakeChatDoctor []mattermost.DoctorCheck

func (f fakeChatDoctor) Doctor(context.Context) []mattermost.DoctorCheck { return f }

// doctorDeployment is a deployment on the controller itself (local
// transport) with an ATVM tree holding what the doctor looks for.
func doctorDeployment(t *testing.T) (dir, cfgPath string) {
	dir, cfgPath = deployDir(t, "http://127.0.0.1:1", freePort(t), "ctl.example.com")
	root := filepath.Join(dir, "atvm")
	os.MkdirAll(root, 0o755)
	for _, f := range []string{"cmc-templates.py", "run-sorry-cypress.py", "cypress.atvm-config-gold.ts"} {
		os.WriteFile(filepath.Join(root, f), []byte("#\n"), 0o755)
	}
	data, _ := os.ReadFile(cfgPath)
	text := strings.Replace(string(data), "  transport: ssh\n", "  transport: local\n  atvm_root: "+root+"\n", 1)
	os.WriteFile(cfgPath, []byte(text), 0o600)
	return dir, cfgPath
}

func withChat(t *testing.T, checks ...mattermost.DoctorCheck) {
	old := newChatDoctor
	newChatDoctor = func(*config.Config) chatDoctor { return fakeChatDoctor(checks) }
	t.Cleanup(func() { newChatDoctor = old })
}

func TestDoctor_AllGoodExitsZero(t *testing.T) {
	withChat(t, mattermost.DoctorCheck{Name: "Mattermost token accepted (GetMe)", OK: true})
	_, path := doctorDeployment(t)
	code, out, errOut := runCLI(t, "doctor", "--config", path)
	if code != 0 {
		t.Fatalf("code %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"✓ config valid", "✓ secrets present and valid", "✓ state folder", "✓ Mattermost token accepted", "✓ controller: ATVM root", "✓ controller: runner script", "✓ clocks", "all "} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

// Each broken piece gives a precise ✗ line with its fix, and exit 1.
func TestDoctor_FailuresNamedWithFix(t *testing.T) {
	withChat(t, mattermost.DoctorCheck{Name: "bot is a member of channel ~atvm", Fix: "/invite @atvmbot ~atvm"})
	dir, path := doctorDeployment(t)
	os.Remove(filepath.Join(dir, "atvm", "cmc-templates.py"))
	os.WriteFile(filepath.Join(dir, "signing_key"), []byte("short\n"), 0o600)
	code, out, _ := runCLI(t, "doctor", "--config", path)
	if code != 1 {
		t.Fatalf("code %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{
		"✓ config valid",
		"✗ secrets present and valid\n    ATVMBOT_SIGNING_KEY: the signing key is 5 bytes",
		"✗ bot is a member of channel ~atvm\n    fix: /invite @atvmbot ~atvm",
		"✗ controller: template script " + filepath.Join(dir, "atvm") + "/cmc-templates.py: missing\n    fix: check controller.template_script",
		"3 of ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}
