package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stopSimulated ends the processes that the demo's simulated controller
// left running under dir (the demo's state folder): its runner, template
// and cypress-cloud children run in sessions of their own, as on the real
// controller, so nothing else would stop them. They are known by the
// simulator's root in their environment (ATVMSIM_ROOT, set by the shims and
// passed on to the runner's children), which lies in dir, the demo's own;
// a shell that merely works in that folder is not one of them. Each one's
// process group (the runner's takes its setsid wrapper along) gets SIGTERM,
// and SIGKILL when still there after grace. It returns the process ids it
// found. Without /proc (not Linux) it finds nothing.
func stopSimulated(dir string, grace time.Duration) []int {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	dirs := []string{abs}
	if d, err := filepath.EvalSymlinks(abs); err == nil && d != abs {
		dirs = append(dirs, d)
	}
	found := simulatedProcs(dirs)
	if len(found) == 0 {
		return nil
	}
	signalGroups(found, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for len(simulatedProcs(dirs)) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if left := simulatedProcs(dirs); len(left) > 0 {
		signalGroups(left, syscall.SIGKILL)
		for i := 0; i < 40 && len(simulatedProcs(dirs)) > 0; i++ {
			time.Sleep(50 * time.Millisecond)
		}
	}
	return found
}

// signalGroups signals each process's group, never this process's own.
func signalGroups(pids []int, sig syscall.Signal) {
	own := syscall.Getpgrp()
	done := map[int]bool{}
	for _, pid := range pids {
		pgid, err := syscall.Getpgid(pid)
		switch {
		case err != nil:
		case pgid > 1 && pgid != own && !done[pgid]:
			done[pgid] = true
			_ = syscall.Kill(-pgid, sig)
		case pgid == own:
			_ = syscall.Kill(pid, sig)
		}
	}
}

// simulatedProcs are the live (not zombie) processes whose simulator root
// lies in one of dirs, this one excepted.
func simulatedProcs(dirs []string) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		p := filepath.Join("/proc", e.Name())
		if stat, err := os.ReadFile(filepath.Join(p, "stat")); err != nil || zombie(stat) {
			continue
		}
		env, _ := os.ReadFile(filepath.Join(p, "environ"))
		for _, kv := range strings.Split(string(env), "\x00") {
			if v, ok := strings.CutPrefix(kv, simulatorRootEnv+"="); ok && within(v, dirs) {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}

// zombie reads the state field of /proc/PID/stat (after the command name,
// which may hold spaces and parentheses).
func zombie(stat []byte) bool {
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || strings.HasPrefix(s[i+1:], " Z") || strings.HasPrefix(s[i+1:], " X")
}

// simulatorRootEnv names the simulated root in the environment of every
// process of the simulator.
const simulatorRootEnv = "ATVMSIM_ROOT"

func within(path string, dirs []string) bool {
	for _, dir := range dirs {
		if path == dir || strings.HasPrefix(path, dir+string(filepath.Separator)) {
			return true
		}
	}
	return false
}
