package controller

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/atvm/atvmbot/results"
)

// Inspection is what the controller's process table says of a run.
type Inspection struct {
	Now          time.Time         // controller clock
	RunnerAlive  bool              // the (pid, start time) of the run is alive and not a zombie
	RunnerStat   string            // its state letter(s), "" when gone
	CypressCloud []results.Process // live cypress-cloud processes under the runner
	Defunct      []results.Process // zombie processes under the runner (count as finished, D3)
	Children     []results.Process // every live process under the runner
	ExitCode     *int              // from the exit-code file beside the log, when written
	LogSize      int64             // the runner log's size, -1 when absent
	LogMtime     time.Time         // its last change (controller time)
	PS           []results.Process // the whole process table, secrets redacted (D17)
}

// Inspect reads, in one round trip, the runner's /proc entry, the whole
// process table, the exit-code file and the log's size and mtime.
func (c *Controller) Inspect(ctx context.Context, run RunRef) (Inspection, error) {
	p := c.paths(run.Build)
	ctx, cancel := withTimeout(ctx, "inspect", c.Cfg.InspectTimeout, defaultInspectTimeout)
	defer cancel()
	res, err := c.sh(ctx, inspectScript, nil, strconv.Itoa(run.RunnerPID), p.Exit, p.Log)
	if err != nil {
		return Inspection{}, fmt.Errorf("inspect: %w", err)
	}
	return parseInspection(res.Stdout, run)
}

func parseInspection(out []byte, run RunRef) (Inspection, error) {
	sec := sections(out)
	var in Inspection
	var err error
	if in.Now, err = parseEpoch(first(sec, "clock")); err != nil {
		return in, fmt.Errorf("inspect: controller clock: %w", err)
	}
	if st, start, ok := parseProcStat(first(sec, "stat")); ok && run.RunnerPID > 1 &&
		(run.RunnerStart == 0 || start == run.RunnerStart) && !strings.HasPrefix(st, "Z") {
		in.RunnerAlive, in.RunnerStat = true, st
	}
	if s := first(sec, "exit"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			in.ExitCode = &n
		}
	}
	in.LogSize = -1
	if f := strings.Fields(first(sec, "log")); len(f) == 2 {
		if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			in.LogSize = n
		}
		if t, err := parseEpoch(f[1]); err == nil {
			in.LogMtime = t
		}
	}
	ps := results.ParsePS([]byte(first(sec, "ps")))
	for i := range ps {
		ps[i].Args = Redact(ps[i].Args)
	}
	in.PS = ps
	if in.RunnerAlive {
		for _, pr := range descendants(ps, run.RunnerPID) {
			switch {
			case pr.Defunct():
				in.Defunct = append(in.Defunct, pr)
			default:
				in.Children = append(in.Children, pr)
				if strings.Contains(pr.Args, "cypress-cloud") {
					in.CypressCloud = append(in.CypressCloud, pr)
				}
			}
		}
	}
	return in, nil
}

// parseProcStat returns the state and start time of a /proc/PID/stat line.
// comm may hold spaces and ')': cut after the last ") ".
func parseProcStat(line string) (state string, start uint64, ok bool) {
	i := strings.LastIndex(line, ") ")
	if i < 0 {
		return "", 0, false
	}
	f := strings.Fields(line[i+2:])
	if len(f) < 20 {
		return "", 0, false
	}
	start, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return "", 0, false
	}
	return f[0], start, true
}

// descendants are the processes below pid in the PPID tree.
func descendants(ps []results.Process, pid int) []results.Process {
	kids := map[int][]results.Process{}
	for _, p := range ps {
		kids[p.PPID] = append(kids[p.PPID], p)
	}
	var out []results.Process
	queue := []int{pid}
	seen := map[int]bool{pid: true}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, k := range kids[cur] {
			if !seen[k.PID] {
				seen[k.PID] = true
				out = append(out, k)
				queue = append(queue, k.PID)
			}
		}
	}
	return out
}

// Hung applies D3/W4 to an inspection: the whole recorded scope has
// finished (the caller's reading of the log: the last group's
// "🏁 Recorded Run:", no spec running), no live cypress-cloud child (a
// defunct one counts as gone), no log growth for grace, and the runner is
// still alive. It says why not when it is not.
func (in Inspection) Hung(scopeFinished bool, grace time.Duration) (bool, string) {
	switch {
	case !in.RunnerAlive:
		return false, "runner not alive"
	case !scopeFinished:
		return false, "recorded scope not finished"
	case len(in.CypressCloud) > 0:
		return false, fmt.Sprintf("cypress-cloud child %d still running", in.CypressCloud[0].PID)
	case in.LogSize >= 0 && in.Now.Sub(in.LogMtime) < grace:
		return false, fmt.Sprintf("log grew %s ago", in.Now.Sub(in.LogMtime).Round(time.Second))
	}
	return true, fmt.Sprintf("runner lingers after the upload with %d defunct child(ren)", len(in.Defunct))
}

// StopResult says how a process group ended.
type StopResult string

// Stop outcomes.
const (
	StopGone    StopResult = "gone"    // nothing was running
	StopTerm    StopResult = "term"    // ended after SIGTERM
	StopKill    StopResult = "kill"    // needed SIGKILL
	StopNotOurs StopResult = "notours" // the pid now belongs to another process: left alone
)

// Stop ends the run's runner: SIGTERM to its process group, wait
// Watch.StopWait, then SIGKILL, from a separate session (root logins ignore
// session signals). The (pid, start time) is checked first.
func (c *Controller) Stop(ctx context.Context, run RunRef) (StopResult, error) {
	ctx, cancel := c.stopContext(ctx, "stop")
	defer cancel()
	r, err := c.stopGroup(ctx, run.RunnerPID, run.RunnerStart)
	detail := fmt.Sprintf("runner pid %d: %s", run.RunnerPID, r)
	if err != nil {
		detail += ": " + err.Error()
	}
	rctx, rcancel := detached(ctx, "record of the stop")
	defer rcancel()
	if rerr := c.record(rctx, run, StepStop, err == nil && r != StopNotOurs, detail); rerr != nil && err == nil {
		err = rerr
	}
	return r, err
}

func (c *Controller) stopGroup(ctx context.Context, pid int, start uint64) (StopResult, error) {
	if pid <= 1 {
		return StopGone, nil
	}
	wait := int(c.Watch.StopWait / time.Second)
	if wait < 1 {
		wait = 1
	}
	st := ""
	if start > 0 {
		st = strconv.FormatUint(start, 10)
	}
	res, err := c.sh(ctx, stopScript, nil, strconv.Itoa(pid), st, strconv.Itoa(wait))
	if err != nil {
		return "", fmt.Errorf("stop pid %d: %w", pid, err)
	}
	switch r := keyValues(res.Stdout)["result"]; r {
	case "gone", "term", "kill", "notours":
		return StopResult(r), nil
	default:
		return "", fmt.Errorf("stop pid %d: process group still alive after SIGKILL (%q)", pid, r)
	}
}

// Cancel stops the run (W5): a template step still running and the runner,
// and records the cancel. The caller marks the run CANCELLED and posts no
// result. A launch in progress stops before its next step.
func (c *Controller) Cancel(ctx context.Context, run RunRef) error {
	c.setCancelled(run.Build, true)
	ctx, cancel := c.stopContext(ctx, "cancel")
	defer cancel()
	var notes []string
	note, err := c.stopTemplate(ctx, c.paths(run.Build))
	if err != nil {
		return fmt.Errorf("cancel: template step: %w", err)
	}
	if note != "" {
		notes = append(notes, note)
	}
	if run.RunnerPID > 1 {
		r, err := c.stopGroup(ctx, run.RunnerPID, run.RunnerStart)
		if err != nil {
			return fmt.Errorf("cancel: runner: %w", err)
		}
		notes = append(notes, fmt.Sprintf("runner pid %d: %s", run.RunnerPID, r))
	}
	if len(notes) == 0 {
		notes = append(notes, "nothing was running")
	}
	return c.record(ctx, run, StepCancel, true, "CANCELLED; "+strings.Join(notes, "; "))
}

// stopContext bounds a stop or cancel: its own timeout on top of the TERM
// to KILL wait it includes.
func (c *Controller) stopContext(ctx context.Context, op string) (context.Context, context.CancelFunc) {
	d := c.Cfg.StopTimeout
	if d <= 0 {
		d = defaultStopTimeout
	}
	return withTimeout(ctx, op, d+c.Watch.StopWait, 0)
}

// stopTemplate stops the template step's process group, from the pid file
// the template script keeps; "" when none is running.
func (c *Controller) stopTemplate(ctx context.Context, p runPaths) (string, error) {
	res, err := c.run(ctx, []string{"cat", p.TemplatePID}, RunOpts{})
	if err != nil {
		return "", err
	}
	f := strings.Fields(string(res.Stdout))
	if res.ExitCode != 0 || len(f) < 1 {
		return "", nil
	}
	pid, _ := strconv.Atoi(f[0])
	var start uint64
	if len(f) > 1 {
		start, _ = strconv.ParseUint(f[1], 10, 64)
	}
	r, err := c.stopGroup(ctx, pid, start)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("template pid %d: %s", pid, r), nil
}

// Active lists the live template and runner processes on the controller,
// whatever their build: the bot asks the controller first (D15, S2).
func (c *Controller) Active(ctx context.Context) ([]results.Process, error) {
	res, err := c.run(ctx, []string{"ps", "-ww", "-eo", "pid,ppid,stat,etimes,args"}, RunOpts{})
	if err != nil {
		return nil, err
	}
	tpl, runner := baseName(c.Cfg.TemplateScript), baseName(c.Cfg.RunnerScript)
	var out []results.Process
	for _, p := range results.ParsePS(res.Stdout) {
		if p.Defunct() {
			continue
		}
		if (tpl != "" && strings.Contains(p.Args, tpl)) || (runner != "" && strings.Contains(p.Args, runner)) {
			p.Args = Redact(p.Args)
			out = append(out, p)
		}
	}
	return out, nil
}

func baseName(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}
