package main

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/atvm/atvmbot/simulator"
)

// stopSimulated ends the processes that the demo's simulated controller
// left running under dir (the demo's state folder): its runner, template
// and cypress-cloud children run in sessions of their own, as on the real
// controller, so nothing else would stop them. A process is one of them
// when the simulator's root in its environment (ATVMSIM_ROOT, set by the
// shims and passed on to the runner's children) lies in dir, or when it
// works in dir running one of the simulated scripts (a shim still starting
// up, before its environment says so; the runner's setsid wrapper). A
// shell that merely works in that folder is not one of them. Each one's
// process group gets SIGTERM, and SIGKILL when still there after grace.
// It sweeps until none has been seen for a moment, so that one starting
// while it works is stopped too, and returns the process ids it found.
// Without /proc (not Linux) it finds nothing.
func stopSimulated(dir string, grace time.Duration) []int {
	const quiet = 300 * time.Millisecond
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	dirs := []string{abs}
	if d, err := filepath.EvalSymlinks(abs); err == nil && d != abs {
		dirs = append(dirs, d)
	}
	own := syscall.Getpgrp()
	seen := map[int]bool{}
	termed := map[int]time.Time{} // process group → when it got SIGTERM
	start := time.Now()
	lastSeen := start
	for now := start; now.Sub(lastSeen) < quiet && now.Sub(start) < grace+5*time.Second; now = time.Now() {
		for _, pid := range simulatedProcs(dirs) {
			seen[pid], lastSeen = true, now
			pgid, err := syscall.Getpgid(pid)
			switch {
			case err != nil:
			case pgid <= 1 || pgid == own: // never this process's own group
				_ = syscall.Kill(pid, syscall.SIGKILL)
			case termed[pgid].IsZero():
				termed[pgid] = now
				_ = syscall.Kill(-pgid, syscall.SIGTERM)
			case now.Sub(termed[pgid]) >= grace:
				_ = syscall.Kill(-pgid, syscall.SIGKILL)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	found := make([]int, 0, len(seen))
	for pid := range seen {
		found = append(found, pid)
	}
	sort.Ints(found)
	return found
}

// simulatedProcs are the live (not zombie) processes of the simulated
// controller under one of dirs, this one excepted.
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
		if simulatedProc(filepath.Join("/proc", e.Name()), dirs) {
			out = append(out, pid)
		}
	}
	return out
}

func simulatedProc(p string, dirs []string) bool {
	if stat, err := os.ReadFile(filepath.Join(p, "stat")); err != nil || zombie(stat) {
		return false
	}
	env, _ := os.ReadFile(filepath.Join(p, "environ"))
	for _, kv := range strings.Split(string(env), "\x00") {
		if v, ok := strings.CutPrefix(kv, simulatorRootEnv+"="); ok && within(v, dirs) {
			return true
		}
	}
	if cwd, err := os.Readlink(filepath.Join(p, "cwd")); err != nil || !within(cwd, dirs) {
		return false
	}
	argv, _ := os.ReadFile(filepath.Join(p, "cmdline"))
	for _, a := range strings.Split(string(argv), "\x00") {
		if b := filepath.Base(a); b == simulator.TemplateScript || b == simulator.RunnerScript {
			return true
		}
	}
	return false
}

// simulatorRootEnv names the simulated root in the environment of every
// process of the simulator.
const simulatorRootEnv = "ATVMSIM_ROOT"

// zombie reads the state field of /proc/PID/stat (after the command name,
// which may hold spaces and parentheses).
func zombie(stat []byte) bool {
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || strings.HasPrefix(s[i+1:], " Z") || strings.HasPrefix(s[i+1:], " X")
}

func within(path string, dirs []string) bool {
	for _, dir := range dirs {
		if path == dir || strings.HasPrefix(path, dir+string(filepath.Separator)) {
			return true
		}
	}
	return false
}
