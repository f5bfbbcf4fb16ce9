package controller

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/atvm/atvmbot/results"
)

// Discovered is a run found on the controller itself, launched by the bot
// or not (S1, S2): a live runner process, or a runner log in the tmp dir.
// Every command it carries is redacted (D17).
type Discovered struct {
	Build       string
	Live        bool
	Categorized bool
	ConfigFile  string

	// Live runs: the run's identity (D16). RunnerPID is the runner's
	// process group leader when that leader is the runner or a wrapper
	// above it (as for the bot's own runs), else the runner itself.
	RunnerPID   int
	RunnerStart uint64
	ProcPID     int               // the runner process itself
	CIBuildID   string            // --ci-build-id of the current batch's cypress-cloud child
	Children    []results.Process // live cypress-cloud children
	Defunct     int               // zombie children (count as gone, D3)
	StartSource string            // how Start was measured

	Start         time.Time // controller time the runner started; zero = unknown
	LastActivity  time.Time // the runner log's last write; zero = no log
	RunnerCommand string
	LogPath       string // the runner's log: its stdout, else <tmp>/<build>.log
	LaunchLog     bool   // <tmp>/<build>.launch.log exists (the template step's output, P15)
	ExitCode      *int   // <tmp>/<build>.exit, written beside the log by the bot's runs (D16)
	SpecPattern   []string

	// TemplateCommand is the template command that preceded the runner in
	// the shell history, "" when unknown (D17: no older line is taken).
	TemplateCommand string
	TemplateSource  string // e.g. "shell history ~/.bash_history"; "" = unknown
	HistoryNote     string // why the template command is unknown

	Evidence []string // what the finding rests on, one fact per item
}

// Discovery is what the controller says runs, or ran last.
type Discovery struct {
	Now       time.Time
	Root      string            // the ATVM root as the controller resolves it
	Live      []Discovered      // live runners in the ATVM tree, oldest first
	Templates []results.Process // live template steps in the ATVM tree
	// Recent is the most recent historical run, only when nothing is live.
	Recent *Discovered
	// Candidates are every historical run considered, newest first.
	Candidates []Discovered
	// Unattributed counts runner processes whose working directory could
	// not be read (another user's): they are not counted as this tree's.
	Unattributed int
	History      string // the history file read
}

// Busy reports whether anything of a run is live on the controller: a
// runner or a template step (D15 holds the controller through the
// template step, which runs for minutes before any runner shows).
func (d Discovery) Busy() bool { return len(d.Live) > 0 || len(d.Templates) > 0 }

// Find returns the live run of build, else its historical candidate.
func (d Discovery) Find(build string) (Discovered, bool) {
	for _, l := range d.Live {
		if l.Build == build {
			return l, true
		}
	}
	for _, h := range d.Candidates {
		if h.Build == build {
			return h, true
		}
	}
	return Discovered{}, false
}

// Discover reads the controller's own state in one round trip: live runner
// processes of the ATVM tree first and, unless liveOnly, the runner logs of
// the tmp dir, the login's shell history and the artifacts' times, to name
// the most recent historical run when nothing is live (S1, S2).
func (c *Controller) Discover(ctx context.Context, liveOnly bool) (Discovery, error) {
	mode := "all"
	if liveOnly {
		mode = "live"
	}
	tmp := c.Cfg.TmpDir
	if tmp == "" {
		tmp = "/tmp"
	}
	hist := c.Cfg.ShellHistory
	if hist == "" {
		hist = "~/.bash_history"
	}
	jdir, _ := path.Split(c.abs(c.Cfg.JUnitGlob))
	res, err := c.sh(ctx, discoverScript, nil, c.Cfg.ATVMRoot, mode, baseName(c.Cfg.TemplateScript), baseName(c.Cfg.RunnerScript),
		tmp, hist, path.Clean(jdir), c.abs(c.Cfg.ReporterDir))
	if err != nil {
		return Discovery{}, fmt.Errorf("discover: %w", err)
	}
	d, err := ParseDiscovery(res.Stdout, DiscoverOptions{TemplateScript: baseName(c.Cfg.TemplateScript), RunnerScript: baseName(c.Cfg.RunnerScript), TmpDir: tmp})
	if err != nil {
		return d, fmt.Errorf("discover: %w", err)
	}
	if d.Unattributed > 0 {
		c.Log.Warn().Int("processes", d.Unattributed).Msg("runner processes whose working directory cannot be read were not counted")
	}
	return d, nil
}

// DiscoverOptions are the names ParseDiscovery looks for.
type DiscoverOptions struct {
	TemplateScript string // cmc-templates.py
	RunnerScript   string // run-sorry-cypress.py
	TmpDir         string
}

// proc is one process of the table with what /proc said of it.
type proc struct {
	results.Process
	PGID       int
	Start      uint64 // /proc start time, clock ticks since boot
	GroupStart uint64 // its group leader's
	Cwd        string
	Stdout     string
}

// ParseDiscovery reads discoverScript's output. It never fails on a
// malformed line (skipped); only a missing controller clock is an error.
func ParseDiscovery(out []byte, opt DiscoverOptions) (Discovery, error) {
	if opt.RunnerScript == "" {
		opt.RunnerScript = "run-sorry-cypress.py"
	}
	if opt.TemplateScript == "" {
		opt.TemplateScript = "cmc-templates.py"
	}
	sec := sections(out)
	var d Discovery
	var err error
	if d.Now, err = parseEpoch(first(sec, "clock")); err != nil {
		return d, fmt.Errorf("controller clock: %w", err)
	}
	d.Root = first(sec, "root")
	uptime, _ := strconv.ParseFloat(strings.Fields(first(sec, "uptime") + " x")[0], 64)
	hz, _ := strconv.ParseFloat(first(sec, "hz"), 64)
	if hz <= 0 {
		hz = 100
	}
	procs := parseProcs(first(sec, "ps"), first(sec, "procs"))
	startOf := func(p proc) (time.Time, string) {
		if p.Start > 0 && uptime > 0 {
			since := uptime - float64(p.Start)/hz
			if since >= 0 {
				return d.Now.Add(-time.Duration(since * float64(time.Second))).Truncate(10 * time.Millisecond), "/proc start time"
			}
		}
		return d.Now.Add(-time.Duration(p.ElapsedS) * time.Second).Truncate(time.Second), "ps etimes"
	}
	hist := parseHistory(first(sec, "history"))
	d.History = hist.file
	d.Live, d.Templates, d.Unattributed = liveRuns(procs, d.Root, opt, startOf)
	for i := range d.Live {
		attachHistory(&d.Live[i], hist, opt)
	}
	d.Candidates = historical(first(sec, "logs"), hist, opt, d.Live)
	if len(d.Live) == 0 && len(d.Candidates) > 0 {
		r := d.Candidates[0]
		addArtifactEvidence(&r, first(sec, "artifacts"))
		d.Candidates[0] = r
		d.Recent = &r
	}
	return d, nil
}

// parseProcs joins the ps table with the per-process /proc lines.
func parseProcs(psText, procText string) map[int]*proc {
	out := map[int]*proc{}
	for _, l := range strings.Split(psText, "\n") {
		f := strings.Fields(l)
		if len(f) < 6 {
			continue
		}
		pid, e1 := strconv.Atoi(f[0])
		ppid, e2 := strconv.Atoi(f[1])
		pgid, e3 := strconv.Atoi(f[2])
		et, e4 := strconv.ParseInt(f[4], 10, 64)
		if e1 != nil || e2 != nil || e3 != nil || e4 != nil || pid <= 0 {
			continue
		}
		out[pid] = &proc{Process: results.Process{PID: pid, PPID: ppid, Stat: f[3], ElapsedS: et, Args: Redact(strings.Join(f[5:], " "))}, PGID: pgid}
	}
	for _, l := range strings.Split(procText, "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 6 || f[0] != "proc" {
			continue
		}
		pid, _ := strconv.Atoi(f[1])
		p := out[pid]
		if p == nil {
			continue
		}
		p.Start, _ = strconv.ParseUint(f[2], 10, 64)
		p.GroupStart, _ = strconv.ParseUint(f[3], 10, 64)
		p.Cwd, p.Stdout = f[4], f[5]
	}
	return out
}

// scriptCall reports whether args run script: `python3 ./script …` (any
// python, any path) or the script itself. A shell that merely names it
// in its -c text (the bot's own wrapper, this discovery) does not.
func scriptCall(args, script string) bool {
	f := strings.Fields(args)
	if len(f) == 0 || script == "" {
		return false
	}
	if path.Base(f[0]) == script {
		return true
	}
	return len(f) > 1 && strings.HasPrefix(path.Base(f[0]), "python") && path.Base(f[1]) == script
}

// liveRuns finds the runner processes of the ATVM tree, one run per
// topmost runner, and the live template steps.
func liveRuns(procs map[int]*proc, root string, opt DiscoverOptions, startOf func(proc) (time.Time, string)) (runs []Discovered, templates []results.Process, unattributed int) {
	inTree := func(p *proc) bool { return root != "" && p.Cwd == root }
	isRunner := func(p *proc) bool { return !p.Defunct() && scriptCall(p.Args, opt.RunnerScript) }
	pids := make([]int, 0, len(procs))
	for pid := range procs {
		pids = append(pids, pid)
	}
	sort.Ints(pids)
	ancestor := func(p *proc, pred func(*proc) bool) *proc {
		for i, cur := 0, p.PPID; i < 64 && cur > 1; i++ {
			q := procs[cur]
			if q == nil {
				return nil
			}
			if pred(q) {
				return q
			}
			cur = q.PPID
		}
		return nil
	}
	for _, pid := range pids {
		p := procs[pid]
		if !p.Defunct() && scriptCall(p.Args, opt.TemplateScript) && inTree(p) {
			templates = append(templates, p.Process)
		}
		if !isRunner(p) {
			continue
		}
		if p.Cwd == "" {
			unattributed++
			continue
		}
		if !inTree(p) || ancestor(p, isRunner) != nil {
			continue // another tree's run, or a runner's own re-exec
		}
		runs = append(runs, liveRun(p, procs, opt, startOf))
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].Start.Before(runs[j].Start) })
	return runs, templates, unattributed
}

func liveRun(p *proc, procs map[int]*proc, opt DiscoverOptions, startOf func(proc) (time.Time, string)) Discovered {
	args := strings.Fields(p.Args)
	r := Discovered{Build: flagValue(args, "--build_name"), Live: true, Categorized: hasFlag(args, "--categorize"),
		ConfigFile: flagValue(args, "--config_file"), ProcPID: p.PID, RunnerPID: p.PID, RunnerStart: p.Start, RunnerCommand: p.Args}
	r.Start, r.StartSource = startOf(*p)
	// The process group is what a stop signals (D16). Its leader is the
	// identity when it is a wrapper above the runner (as for the bot's own
	// runs); when the leader is gone (`nohup … &` from a shell that has
	// exited) the group holds only the run: (pgid, unknown start). A leader
	// that is some other live process (an interactive shell) is never
	// signalled: the runner itself is the identity.
	if g := procs[p.PGID]; p.PGID > 1 && p.PGID != p.PID {
		switch {
		case g == nil:
			r.RunnerPID, r.RunnerStart = p.PGID, 0
		case p.GroupStart > 0 && g.Start == p.GroupStart:
			for cur, i := p.PPID, 0; i < 64 && cur > 1; i++ {
				if cur == g.PID {
					r.RunnerPID, r.RunnerStart = g.PID, g.Start
					break
				}
				q := procs[cur]
				if q == nil {
					break
				}
				cur = q.PPID
			}
		}
	}
	var kids []results.Process
	all := make([]results.Process, 0, len(procs))
	for _, q := range procs {
		all = append(all, q.Process)
	}
	for _, k := range descendants(all, p.PID) {
		switch {
		case k.Defunct():
			r.Defunct++
		case strings.Contains(k.Args, "cypress-cloud"):
			kids = append(kids, k)
		}
	}
	sort.Slice(kids, func(i, j int) bool { return kids[i].ElapsedS < kids[j].ElapsedS })
	r.Children = kids
	for _, k := range kids {
		if id := flagValue(strings.Fields(k.Args), "--ci-build-id"); id != "" {
			r.CIBuildID = id // the youngest child runs the current batch
			break
		}
	}
	r.LogPath = path.Join(tmpOr(opt.TmpDir), r.Build+".log")
	if strings.HasPrefix(p.Stdout, "/") {
		r.LogPath = p.Stdout
	}
	r.Evidence = append(r.Evidence, fmt.Sprintf("runner pid %d in the process table: %s", p.PID, p.Args))
	if r.RunnerPID != p.PID {
		r.Evidence = append(r.Evidence, fmt.Sprintf("it runs in process group %d", r.RunnerPID))
	}
	r.Evidence = append(r.Evidence, "started "+r.Start.UTC().Format(time.RFC3339)+" ("+r.StartSource+")", "log "+r.LogPath)
	if r.CIBuildID != "" {
		r.Evidence = append(r.Evidence, fmt.Sprintf("cypress-cloud child %d, --ci-build-id %s", r.Children[0].PID, r.CIBuildID))
	} else {
		r.Evidence = append(r.Evidence, "no live cypress-cloud child")
	}
	if r.Defunct > 0 {
		r.Evidence = append(r.Evidence, fmt.Sprintf("%d defunct child(ren)", r.Defunct))
	}
	return r
}

func tmpOr(dir string) string {
	if dir == "" {
		return "/tmp"
	}
	return dir
}

// flagValue is the value of --name V or --name=V in fields, "" if absent.
func flagValue(f []string, name string) string {
	for i, a := range f {
		a = unquote(a)
		if a == name && i+1 < len(f) {
			return unquote(f[i+1])
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

func hasFlag(f []string, name string) bool {
	for _, a := range f {
		if unquote(a) == name {
			return true
		}
	}
	return false
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// addArtifactEvidence names the newest artifacts, the third source S2 lists.
func addArtifactEvidence(r *Discovered, text string) {
	for _, l := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(l, "\t")
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		t, err := parseEpoch(v)
		if err != nil {
			continue
		}
		what := map[string]string{"junit": "newest JUnit XML", "reporter": "newest reporter file"}[k]
		if what != "" {
			r.Evidence = append(r.Evidence, what+" "+t.UTC().Format(time.RFC3339))
		}
	}
}
