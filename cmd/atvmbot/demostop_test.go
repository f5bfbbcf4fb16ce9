package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stopSimulated stops the whole process group of a process of the
// simulator (known by its root in the environment), children included, and
// of a simulated script still starting up (known by its name and working
// folder), and leaves alone a process that merely works in the demo's
// folder.
func TestStopSimulated_StopsGroupsBySimulatorRoot(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "controller", "atvm")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	// A runner-like group: a shell leader without the marker and its
	// children with it, in a session of its own.
	sim := exec.Command("/bin/sh", "-c", "ATVMSIM_ROOT=$0 sleep 60 & ATVMSIM_ROOT=$0 sleep 60 & wait", root)
	sim.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// A template shim before its exec: its name, in the simulated root.
	shim := exec.Command("/bin/sh", "-c", "sleep 60; :", "./cmc-templates.py")
	shim.Dir = root
	shim.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	bystander := exec.Command("sleep", "60")
	bystander.Dir = root
	for _, c := range []*exec.Cmd{sim, shim, bystander} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	simDone, shimDone := make(chan error, 1), make(chan error, 1)
	go func() { simDone <- sim.Wait() }()
	go func() { shimDone <- shim.Wait() }()
	defer func() { _ = bystander.Process.Kill(); _ = bystander.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for len(simulatedProcs([]string{dir})) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(simulatedProcs([]string{dir})); n != 3 {
		t.Fatalf("%d simulated processes seen, want 3", n)
	}
	if found := stopSimulated(dir, 2*time.Second); len(found) != 3 {
		t.Errorf("found %v, want the 2 children and the shim", found)
	}
	if left := simulatedProcs([]string{dir}); len(left) != 0 {
		t.Errorf("left running: %v", left)
	}
	for name, done := range map[string]chan error{"the runner group's leader": simDone, "the shim": shimDone} {
		select {
		case <-done: // went with its group
		case <-time.After(5 * time.Second):
			t.Errorf("%s is still running", name)
		}
	}
	if err := bystander.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("a process working in the folder was stopped: %v", err)
	}
}

// `atvmbot demo --timeout 2s` gives up with exit 1 and leaves no process of
// its simulated controller behind (they run in sessions of their own). On
// a machine so slow that nothing was started in 2 s, the check proves
// nothing: it is made again with a longer timeout.
func TestDemo_TimeoutStopsTheSimulatedRun(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	if testing.Short() {
		t.Skip("starts a simulated run")
	}
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, timeout := range []string{"2s", "5s", "10s"} {
		dir := t.TempDir()
		cmd := exec.Command(bin, "demo", "--timeout", timeout, "--state", dir)
		cmd.Env = append(os.Environ(), "ATVMBOT_TEST_AS_MAIN=1")
		cmd.Stdin = strings.NewReader("") // no lines: the built-in script
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err = cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(errOut.String(), "gave up after --timeout "+timeout) {
			t.Fatalf("exit %v, want 1\nstderr:\n%s", err, errOut.String())
		}
		left := simulatedProcs([]string{dir})
		if len(left) == 0 { // nor one that was still starting
			time.Sleep(500 * time.Millisecond)
			left = simulatedProcs([]string{dir})
		}
		if len(left) != 0 {
			t.Errorf("--timeout %s: processes of the demo left running: %v", timeout, left)
			stopSimulated(dir, time.Second)
		}
		audit, _ := os.ReadFile(filepath.Join(dir, "controller", "atvm", ".atvmsim", "audit.jsonl"))
		if len(bytes.TrimSpace(audit)) > 0 {
			return // the template (or more) had started: the check above meant something
		}
		t.Logf("--timeout %s: the simulated controller had not been started yet", timeout)
	}
	t.Skip("this machine is too slow to start the simulated controller in 10 s; nothing was checked")
}
