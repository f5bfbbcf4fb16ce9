package controller

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/crypto/ssh"
)

func runDoctor(t *testing.T, e *env, mutate func(o *DoctorOptions)) []Check {
	t.Helper()
	o := DoctorOptions{Cfg: e.cfg, ClockTolerance: 5 * time.Second, Log: zerolog.Nop()}
	if e.tg.sshd != nil {
		o.KeyPath = e.tg.sshd.env["SSH_KEY"]
	}
	if mutate != nil {
		mutate(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return Doctor(ctx, o)
}

func failed(checks []Check) []Check {
	var out []Check
	for _, c := range checks {
		if !c.OK && !c.Skipped {
			out = append(out, c)
		}
	}
	return out
}

func onlyFailure(t *testing.T, checks []Check, name, fix string) {
	t.Helper()
	f := failed(checks)
	if len(f) != 1 || !strings.Contains(f[0].Name, name) || !strings.Contains(f[0].Fix, fix) {
		t.Fatalf("want only %q failing with a fix naming %q; got %+v", name, fix, checks)
	}
}

// A working controller passes every line, over local and over SSH as root
// and as a non-root user.
func TestDoctor_ControllerAllGood(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			checks := runDoctor(t, e, nil)
			if f := failed(checks); len(f) > 0 {
				t.Fatalf("failures: %+v", f)
			}
			var names []string
			for _, c := range checks {
				names = append(names, c.Name)
			}
			all := strings.Join(names, "\n")
			for _, want := range []string{"ATVM root", "config file", "template script", "runner script", "python3", "sees the automation's processes", "clocks"} {
				if !strings.Contains(all, want) {
					t.Errorf("no %q line in:\n%s", want, all)
				}
			}
			if tg.sshd != nil && !strings.Contains(all, "host key known") {
				t.Errorf("no host key line:\n%s", all)
			}
		})
	}
}

func TestDoctor_MissingATVMRoot(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			checks := runDoctor(t, e, func(o *DoctorOptions) { o.Cfg.ATVMRoot = "/nonexistent/cdc-e2e" })
			onlyFailure(t, checks, "ATVM root /nonexistent/cdc-e2e", "controller.atvm_root")
		})
	}
}

func TestDoctor_MissingRunnerScript(t *testing.T) {
	e := newEnv(t, target{name: "local"})
	os.Remove(filepath.Join(e.root, "run-sorry-cypress.py"))
	onlyFailure(t, runDoctor(t, e, nil), "runner script", "controller.runner_script")
}

func TestDoctor_ClockTolerance(t *testing.T) {
	e := newEnv(t, target{name: "local"})
	checks := runDoctor(t, e, func(o *DoctorOptions) { o.Now = func() time.Time { return time.Now().Add(-10 * time.Minute) } })
	onlyFailure(t, checks, "clocks", "NTP")
}

func TestDoctor_UnknownHostKey(t *testing.T) {
	for _, tg := range sshTargets(t)[:1] {
		e := newEnv(t, tg)
		empty := filepath.Join(t.TempDir(), "known_hosts")
		os.WriteFile(empty, nil, 0o600)
		checks := runDoctor(t, e, func(o *DoctorOptions) { o.Cfg.KnownHosts = empty })
		onlyFailure(t, checks, "host key known", "ssh-keyscan -p "+tg.sshd.env["SSH_PORT"]+" "+tg.sshd.env["SSH_HOST"])
	}
}

func TestDoctor_WrongLogin(t *testing.T) {
	for _, tg := range sshTargets(t)[:1] {
		e := newEnv(t, tg)
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		block, err := ssh.MarshalPrivateKey(priv, "")
		if err != nil {
			t.Fatal(err)
		}
		other := filepath.Join(t.TempDir(), "id_other")
		os.WriteFile(other, pem.EncodeToMemory(block), 0o600)
		checks := runDoctor(t, e, func(o *DoctorOptions) { o.KeyPath = other })
		onlyFailure(t, checks, "login as", "authorized_keys")
	}
}

func TestDoctor_Unreachable(t *testing.T) {
	e := newEnv(t, target{name: "local"})
	cfg := e.cfg
	cfg.Transport, cfg.Host, cfg.Port, cfg.ConnectTimeout = "ssh", "127.0.0.1", 1, 2*time.Second
	checks := runDoctor(t, e, func(o *DoctorOptions) { o.Cfg = cfg })
	onlyFailure(t, checks, "TCP 127.0.0.1:1", "controller.port")
}

// A non-root login that does not own the tree cannot see which runs are
// the automation's.
func TestDoctor_ProcessesOfAnotherUser(t *testing.T) {
	for _, tg := range sshTargets(t) {
		if tg.user() == "root" {
			continue
		}
		e := newEnv(t, tg)
		if err := os.Lchown(e.root, 0, 0); err != nil {
			t.Fatal(err)
		}
		onlyFailure(t, runDoctor(t, e, nil), "sees the automation's processes", "controller.user to root")
	}
}
