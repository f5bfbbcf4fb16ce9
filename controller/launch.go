package controller

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/atvm/atvmbot/results"
)

// LaunchSpec is an approved plan, as the controller needs it.
type LaunchSpec struct {
	RunID         string   // registered by the bot before the launch (D8)
	Build         string   // build name
	TemplateArgv  []string // the exact template command of the plan (P17)
	RunnerArgv    []string // the exact runner command of the plan
	ConfigFile    string   // relative to the ATVM root, or absolute (P4, P5)
	RequestedVMs  []string // --specify_vms; empty for broad selectors
	BroadSelector bool     // --containsVm / --randomize: the template chooses
	Blacklist     []string // machines that must not be in a broad scope (P12)
	// TemplateTail, when set, gets the launch log's last lines every
	// TailEvery while the template step runs (it may take many minutes).
	TemplateTail func(tail string) `json:"-"`
}

// Scope is what verification found and the run keeps (D4): later views of
// the run use it, never the live config a categorized runner rewrites.
type Scope struct {
	VMs         []string          `json:"vms"`
	SpecPattern []string          `json:"spec_pattern"`
	Specs       map[string][]byte `json:"specs"` // spec path → bytes
	ConfigFile  string            `json:"config_file"`
	Config      []byte            `json:"config,omitempty"` // the config's bytes at verification: its env block gates TEST FLOW (D4)
}

// LaunchResult is a started run.
type LaunchResult struct {
	Run             RunRef
	Scope           Scope
	TemplateCommand string // the template command as shown in the plan, no remote wrapper (P17)
	LaunchLog       string // /tmp/<build>.launch.log
	RunnerLog       string // /tmp/<build>.log
}

// LaunchError is a refused or failed launch: the run ends LAUNCH_FAILED
// with Reason. Nothing after Step ran.
type LaunchError struct {
	Step      string
	Reason    string
	Missing   []string // P16: requested VMs not in the spec set / files missing
	Extra     []string // P16: VMs in the spec set that were not requested
	LogTail   string   // P15: the launch log's tail when the template step failed
	Cancelled bool
}

func (e *LaunchError) Error() string {
	s := "launch stopped at " + e.Step + ": " + e.Reason
	if e.LogTail != "" {
		s += "\n--- launch log tail ---\n" + e.LogTail
	}
	return s
}

// ErrAlreadyRunning refuses a second launch of a running build.
var ErrAlreadyRunning = errors.New("build is already running")

// Is matches errCancelled and ErrAlreadyRunning.
func (e *LaunchError) Is(target error) bool {
	return (target == errCancelled && e.Cancelled) || (target == ErrAlreadyRunning && e.Step == StepPreflight && strings.Contains(e.Reason, "already running"))
}

func (s LaunchSpec) check() error {
	if !buildName.MatchString(s.Build) {
		return fmt.Errorf("build name %q: want letters, digits, . _ -", s.Build)
	}
	if len(s.TemplateArgv) == 0 || len(s.RunnerArgv) == 0 {
		return errors.New("launch needs both the template and the runner command")
	}
	if s.ConfigFile == "" {
		return errors.New("launch needs the config file")
	}
	if !s.BroadSelector && len(s.RequestedVMs) == 0 {
		return errors.New("launch needs the requested VMs, or a broad selector")
	}
	for _, a := range append(append([]string{}, s.TemplateArgv...), s.RunnerArgv...) {
		if strings.IndexByte(a, 0) >= 0 {
			return ErrNUL
		}
	}
	return nil
}

// Launch runs the approved plan in the order P15 sets: config check (P5),
// template step (synchronous, /tmp/<build>.launch.log), verification (P16),
// then the detached runner. Each step is an event; the first failure stops
// everything after it.
func (c *Controller) Launch(ctx context.Context, spec LaunchSpec) (LaunchResult, error) {
	if err := spec.check(); err != nil {
		return LaunchResult{}, err
	}
	c.setCancelled(spec.Build, false)
	defer c.setCancelled(spec.Build, false)
	p := c.paths(spec.Build)
	run := RunRef{ID: spec.RunID, Build: spec.Build}
	out := LaunchResult{LaunchLog: p.LaunchLog, RunnerLog: p.Log}
	out.TemplateCommand, _ = QuoteArgv(spec.TemplateArgv)
	cfgPath := c.abs(spec.ConfigFile)

	fail := func(step string, le *LaunchError) (LaunchResult, error) {
		le.Step, le.Reason = step, Redact(le.Reason) // it is posted (D17)
		// The reason is recorded even when the caller's context has ended.
		rctx, cancel := detached(ctx, "record of the "+step+" failure")
		defer cancel()
		if err := c.record(rctx, run, step, false, le.Reason); err != nil {
			return out, errors.Join(le, err)
		}
		return out, le
	}

	// 1. Clock, duplicate build, config file: one round trip.
	pf, err := c.preflight(ctx, cfgPath, p)
	if isTimeout(err) {
		return fail(StepPreflight, &LaunchError{Reason: err.Error()})
	}
	if err != nil {
		return out, fmt.Errorf("launch preflight: %w", err)
	}
	run.Start = pf.clock
	if err := c.record(ctx, run, StepClock, true, formatEpoch(pf.clock)); err != nil {
		return out, err
	}
	if !pf.rootPresent {
		return fail(StepPreflight, &LaunchError{Reason: "the ATVM root " + c.Cfg.ATVMRoot + " does not exist on the controller"})
	}
	if why := pf.running(spec.Build); why != "" {
		return fail(StepPreflight, &LaunchError{Reason: "build " + spec.Build + " is already running: " + why})
	}
	if !pf.configPresent {
		// P5: stop at once and name the file; no other file is looked for.
		return fail(StepConfig, &LaunchError{Reason: "config file " + cfgPath + " is missing on the controller"})
	}
	if err := c.record(ctx, run, StepConfig, true, cfgPath); err != nil {
		return out, err
	}
	// D5: offsets are per run and start over at each launch.
	if err := c.resetOffsets(ctx, run.ID); err != nil {
		return out, err
	}
	if c.isCancelled(spec.Build) || ctx.Err() != nil {
		return fail(StepTemplate, &LaunchError{Reason: "cancelled before the template step", Cancelled: true})
	}

	// 2. Template step, synchronous.
	if err := c.record(ctx, run, StepTemplate, true, "started: "+out.TemplateCommand); err != nil {
		return out, err
	}
	rc, tail, err := c.runTemplate(ctx, spec, p)
	if c.isCancelled(spec.Build) {
		return fail(StepTemplate, &LaunchError{Reason: "cancelled during the template step", Cancelled: true, LogTail: tail})
	}
	if isTimeout(err) {
		// the error names the step and its deadline
		return fail(StepTemplate, &LaunchError{Reason: err.Error() + "; the template process was stopped", LogTail: tail})
	}
	if err != nil {
		return fail(StepTemplate, &LaunchError{Reason: "template step: " + err.Error()})
	}
	if rc != 0 {
		return fail(StepTemplate, &LaunchError{Reason: fmt.Sprintf("template command exited %d; output in %s", rc, p.LaunchLog), LogTail: tail})
	}
	if err := c.record(ctx, run, StepTemplate, true, "exit 0; output in "+p.LaunchLog); err != nil {
		return out, err
	}

	// 3. Verification (P16, D4).
	vctx, cancel := withTimeout(ctx, "verification", c.Cfg.StepTimeout, defaultStepTimeout)
	scope, le, err := c.verify(vctx, spec, cfgPath, run.Start)
	cancel()
	if isTimeout(err) {
		return fail(StepVerify, &LaunchError{Reason: err.Error()})
	}
	if err != nil {
		return out, fmt.Errorf("verification: %w", err)
	}
	if le != nil {
		return fail(StepVerify, le)
	}
	out.Scope = scope
	if err := c.record(ctx, run, StepVerify, true, fmt.Sprintf("%d VMs: %s", len(scope.VMs), strings.Join(scope.VMs, ", "))); err != nil {
		return out, err
	}
	if c.isCancelled(spec.Build) || ctx.Err() != nil {
		return fail(StepRunner, &LaunchError{Reason: "cancelled before the runner started", Cancelled: true})
	}

	// 4. The runner, detached.
	pid, start, err := c.startRunner(ctx, spec.RunnerArgv, p, spec.Build)
	if err != nil {
		return fail(StepRunner, &LaunchError{Reason: err.Error()})
	}
	run.RunnerPID, run.RunnerStart = pid, start
	out.Run = run
	if err := c.record(ctx, run, StepRunner, true, fmt.Sprintf("pid %d (start %d); log %s", pid, start, p.Log)); err != nil {
		return out, err
	}
	return out, nil
}

type preflight struct {
	clock         time.Time
	rootPresent   bool
	configPresent bool
	pidFiles      []pidFile
	ps            []results.Process
	cwd           map[int]string // working folder of processes naming a build; "" when unreadable
	root          string
}

// pidFile is one of the build's pid files and what /proc says of its pid.
type pidFile struct {
	path, line, start, state string
}

func (c *Controller) preflight(ctx context.Context, cfgPath string, p runPaths) (preflight, error) {
	ctx, cancel := withTimeout(ctx, "launch preflight", c.Cfg.StepTimeout, defaultStepTimeout)
	defer cancel()
	res, err := c.sh(ctx, preflightScript, nil, c.Cfg.ATVMRoot, cfgPath, p.PID, p.TemplatePID)
	if err != nil {
		return preflight{}, err
	}
	sec := sections(res.Stdout)
	var pf preflight
	if pf.clock, err = parseEpoch(lastLine([]byte(first(sec, "")))); err != nil {
		return pf, fmt.Errorf("controller clock: %w", err)
	}
	pf.rootPresent = first(sec, "root") == "present"
	pf.configPresent = first(sec, "config") == "present"
	for _, body := range sec["pidfile"] {
		l := strings.Split(body, "\n")
		for len(l) < 4 {
			l = append(l, "")
		}
		pf.pidFiles = append(pf.pidFiles, pidFile{path: l[0], line: strings.TrimSpace(l[1]), start: strings.TrimSpace(l[2]), state: strings.TrimSpace(l[3])})
	}
	pf.ps = results.ParsePS([]byte(first(sec, "ps")))
	pf.root = c.Cfg.ATVMRoot
	pf.cwd = map[int]string{}
	for _, l := range strings.Split(first(sec, "cwd"), "\n") {
		pid, dir, _ := strings.Cut(strings.TrimSpace(l), " ")
		if n, err := strconv.Atoi(pid); err == nil {
			pf.cwd[n] = strings.TrimSpace(dir)
		}
	}
	return pf, nil
}

// running says why the build counts as running, or "" when it does not: a
// live process named in one of its pid files with the recorded start time,
// or a runner or template process carrying the build name.
func (pf preflight) running(build string) string {
	for _, f := range pf.pidFiles {
		fs := strings.Fields(f.line)
		if len(fs) == 0 || f.start == "" || f.state == "" || strings.HasPrefix(f.state, "Z") {
			continue
		}
		if len(fs) > 1 && fs[1] != f.start {
			continue // pid reused by another process
		}
		return fmt.Sprintf("pid %s from %s is alive", fs[0], f.path)
	}
	for _, pr := range pf.ps {
		if pr.Defunct() {
			continue
		}
		if argHasValue(pr.Args, "--build_name", build) || argHasValue(pr.Args, "--ci-build-id", build) {
			// A runner is started in its ATVM tree: one that runs in
			// another tree on this machine is another controller's.
			if dir := pf.cwd[pr.PID]; dir != "" && pf.root != "" && path.Clean(dir) != path.Clean(pf.root) {
				continue
			}
			return fmt.Sprintf("process %d runs %q", pr.PID, Redact(truncate(pr.Args, 160)))
		}
	}
	return ""
}

// argHasValue reports "flag value" or "flag=value" among the words of args.
func argHasValue(args, flag, value string) bool {
	f := strings.Fields(args)
	for i, w := range f {
		if w == flag+"="+value || (w == flag && i+1 < len(f) && f[i+1] == value) {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// runTemplate runs the template step under its own deadline, tailing the
// launch log meanwhile when the spec asks for it. On expiry the template's
// process group is stopped (it runs in a session of its own, which the
// transport's kill does not reach) and the log's tail is returned.
func (c *Controller) runTemplate(ctx context.Context, spec LaunchSpec, p runPaths) (int, string, error) {
	tctx, cancel := withTimeout(ctx, "template step", c.Cfg.TemplateTimeout, defaultTemplateTimeout)
	defer cancel()
	if spec.TemplateTail != nil {
		stop := make(chan struct{})
		defer close(stop)
		go c.tailLaunchLog(tctx, p, spec.TemplateTail, stop)
	}
	args := append([]string{c.Cfg.ATVMRoot, p.LaunchLog, p.TemplatePID}, spec.TemplateArgv...)
	res, err := c.sh(tctx, templateScript, nil, args...)
	if err != nil {
		if isTimeout(err) || ctx.Err() != nil {
			dctx, dcancel := detached(ctx, "stop of the template step")
			defer dcancel()
			if _, serr := c.stopTemplate(dctx, p); serr != nil {
				err = fmt.Errorf("%w (and stopping it: %v)", err, serr)
			}
			tail, _ := c.launchTail(dctx, p)
			return 0, tail, err
		}
		return 0, "", err
	}
	sec := sections(res.Stdout)
	tail := Redact(tailLines(strings.Join(sec["tail"], "\n"), 40))
	rcLine := lastLine([]byte(strings.TrimSpace(first(sec, ""))))
	rc, err := strconv.Atoi(strings.TrimPrefix(rcLine, "rc="))
	if err != nil || !strings.HasPrefix(rcLine, "rc=") {
		return 0, tail, fmt.Errorf("unexpected template step output %q", truncate(rcLine, 200))
	}
	return rc, tail, nil
}

// tailLaunchLog hands the launch log's tail to f every TailEvery until stop.
func (c *Controller) tailLaunchLog(ctx context.Context, p runPaths, f func(string), stop <-chan struct{}) {
	every := c.TailEvery
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	last := ""
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if tail, err := c.launchTail(ctx, p); err == nil && tail != last {
			last = tail
			f(tail)
		}
	}
}

// launchTail reads the launch log's last lines, redacted (D17).
func (c *Controller) launchTail(ctx context.Context, p runPaths) (string, error) {
	ctx, cancel := withTimeout(ctx, "launch log tail", c.Cfg.CommandTimeout, defaultCommandTimeout)
	defer cancel()
	res, err := c.run(ctx, []string{"tail", "-c", "6000", "--", p.LaunchLog}, RunOpts{})
	if err != nil {
		return "", err
	}
	return Redact(tailLines(string(res.Stdout), 40)), nil
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (c *Controller) startRunner(ctx context.Context, argv []string, p runPaths, build string) (int, uint64, error) {
	mode := "setsid"
	if c.Cfg.UseSystemd {
		mode = "systemd"
	}
	unit := "atvm-runner-" + build
	args := append([]string{c.Cfg.ATVMRoot, p.Log, p.Exit, p.PID, mode, unit}, argv...)
	ctx, cancel := withTimeout(ctx, "runner start", c.Cfg.StepTimeout, defaultStepTimeout)
	defer cancel()
	res, err := c.sh(ctx, runnerScript, nil, args...)
	if err != nil {
		return 0, 0, err
	}
	kv := keyValues(res.Stdout)
	if e := kv["error"]; e != "" {
		return 0, 0, errors.New("runner start: " + e)
	}
	pid, err := strconv.Atoi(kv["pid"])
	if err != nil || pid <= 1 {
		return 0, 0, fmt.Errorf("runner start: no pid in %q", truncate(string(res.Stdout), 200))
	}
	start, _ := strconv.ParseUint(kv["start"], 10, 64) // empty when it already exited
	return pid, start, nil
}

// keyValues reads "key=value" lines; later lines win.
func keyValues(out []byte) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), "="); ok {
			m[k] = v
		}
	}
	return m
}

func (c *Controller) setCancelled(build string, v bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancelled == nil {
		c.cancelled = map[string]bool{}
	}
	if v {
		c.cancelled[build] = true
	} else {
		delete(c.cancelled, build)
	}
}

func (c *Controller) isCancelled(build string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cancelled[build]
}

func isTimeout(err error) bool {
	var te *TimeoutError
	return errors.As(err, &te)
}
