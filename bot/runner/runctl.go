// Package runner is the production bot.Runner: it launches approved plans
// on the controller, and it alone holds each run's fetched view (the log
// parser, parsed artifacts, the mirror on disk) that polls, snapshots and
// adoption reconstruct the run from. The core reaches it only through the
// bot.Runner and bot.Discoverer interfaces.
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// ControllerRunner is the production Runner: the controller package for
// the machine, the results package for the truth. What it fetched is kept
// in a mirror folder beside the state file, so a restarted bot rebuilds
// its view without fetching anything twice (offsets persist in storage).
type ControllerRunner struct {
	Ctl       *controller.Controller
	Cfg       *config.Config
	DB        *storage.DB
	MirrorDir string
	Name      string // the controller's name, the key of its lock
	Log       zerolog.Logger
	Version   string

	mu    sync.Mutex
	views map[string]*runView
	sink  *eventSink
}

// runScope is what the bot stores at launch (D4): the controller's scope
// and the plan it came from.
type runScope struct {
	Scope   controller.Scope `json:"scope"`
	Plan    commands.Plan    `json:"plan"`
	Adopted *Adoption        `json:"adopted,omitempty"` // a run found on the controller, not launched by the bot
}

// runView is one run's fetched state. mu guards it: the run's owner is the
// only caller, and mu makes that so even for a caller that forgot.
type runView struct {
	mu          sync.Mutex
	log         *results.RunLogParser
	logMtime    time.Time
	launch      []byte
	files       map[string]results.ParsedFile
	txt         map[string]*results.ReporterTXTStream // transcripts, read as they arrive
	scope       *runScope                             // the stored scope, decoded once
	notes       []string                              // fetch anomalies of the run (caps hit)
	notesLoaded bool
	// gen changes whenever the view does; memo answers a poll that found
	// nothing new without rebuilding every host (the clock's effects aside).
	gen  uint64
	memo results.Memo
}

// NewControllerRunner wires a controller to storage: events and offsets are
// recorded in the state file (D19: controller declares, cmd/bot wires).
func NewControllerRunner(t controller.Transport, cfg *config.Config, db *storage.DB, mirrorDir, name string, log zerolog.Logger) *ControllerRunner {
	sink := &eventSink{db: db, progress: map[string]func(string){}}
	r := &ControllerRunner{Cfg: cfg, DB: db, MirrorDir: mirrorDir, Name: name, Log: log, views: map[string]*runView{}, sink: sink}
	r.Ctl = controller.New(t, cfg.Controller, cfg.Watch, sink, offsetStore{db}, log)
	return r
}

// Controller implements Runner.
func (r *ControllerRunner) Controller() string { return r.Name }

// Launch implements Runner.
func (r *ControllerRunner) Launch(ctx context.Context, run storage.Run, plan commands.Plan, progress func(string)) (bot.Launched, error) {
	bl, _, err := r.DB.Blacklist(ctx)
	if err != nil {
		return bot.Launched{}, err
	}
	names := launchBlacklist(r.Cfg, plan, bl)
	r.sink.set(run.ID, progress)
	defer r.sink.set(run.ID, nil)
	res, err := r.Ctl.Launch(ctx, controller.LaunchSpec{
		RunID: run.ID, Build: plan.Build, TemplateArgv: plan.TemplateArgv, RunnerArgv: plan.RunnerArgv,
		ConfigFile: plan.ConfigFile, RequestedVMs: plan.RequestedVMs, BroadSelector: len(plan.RequestedVMs) == 0, Blacklist: names,
	})
	if err != nil {
		return bot.Launched{}, err
	}
	scope, _ := json.Marshal(runScope{Scope: res.Scope, Plan: plan})
	_ = os.RemoveAll(r.mirror(run.ID)) // a new run starts clean (W6, D5)
	return bot.Launched{ControllerStart: res.Run.Start, RunnerPID: res.Run.RunnerPID,
		RunnerStart: strconv.FormatUint(res.Run.RunnerStart, 10), ScopeJSON: string(scope)}, nil
}

// launchBlacklist is what a launch's scope must not hold (P12): the
// maintained blacklist and, for a plan on a named controller, that
// controller's own additions, as the plan was made with them.
func launchBlacklist(cfg *config.Config, plan commands.Plan, bl []storage.BlacklistEntry) []string {
	names := make([]string, 0, len(bl))
	for _, e := range bl {
		names = append(names, e.Machine)
	}
	if e, ok := cfg.ControllerNamed(plan.Controller); ok && plan.Controller != "" {
		for _, b := range e.Blacklist {
			names = append(names, b.Machine)
		}
	}
	return names
}

func ref(run storage.Run) controller.RunRef {
	start, _ := strconv.ParseUint(run.RunnerStart, 10, 64)
	return controller.RunRef{ID: run.ID, Build: run.Build, Start: run.ControllerStart, RunnerPID: run.RunnerPID, RunnerStart: start}
}

// Stop implements Runner.
func (r *ControllerRunner) Stop(ctx context.Context, run storage.Run) error {
	_, err := r.Ctl.Stop(ctx, ref(run))
	return err
}

// Cancel implements Runner.
func (r *ControllerRunner) Cancel(ctx context.Context, run storage.Run) error {
	return r.Ctl.Cancel(ctx, ref(run))
}

// Poll implements Runner: fetch what is new, inspect the processes, and
// reconstruct the run from everything fetched since its start.
func (r *ControllerRunner) Poll(ctx context.Context, run storage.Run) (bot.Observation, error) {
	rr := ref(run)
	v, err := r.view(ctx, run)
	if err != nil {
		return bot.Observation{}, err
	}
	// Processes first, bytes second: a runner seen alive may finish after
	// the fetch (still RUNNING, settled next poll), but a runner seen gone
	// has written all it ever will before the fetch reads it. The other
	// order judged a run that ended between the two reads on a short log:
	// a false TERMINATED.
	in, err := r.Ctl.Inspect(ctx, rr)
	if err != nil {
		return bot.Observation{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	// The bytes stream into the run's mirror (never whole in memory); the
	// view reads them back from there, and only then are the offsets
	// committed (D5): bytes that were not applied are fetched again.
	m := &controller.Mirror{Dir: r.mirror(run.ID)}
	fr, err := r.Ctl.FetchTo(ctx, rr, m)
	if errors.Is(err, controller.ErrMirrorBehind) {
		r.Log.Warn().Str("run", run.ID).Err(err).Msg("mirror behind the offsets; fetching the run again")
		r.resetRun(ctx, run.ID)
		return bot.Observation{}, err
	}
	if err != nil {
		return bot.Observation{}, err
	}
	if err := r.apply(run, v, m, fr.Deltas); err != nil {
		// The view may hold part of this poll: rebuild it from the start.
		r.resetRun(ctx, run.ID)
		return bot.Observation{}, err
	}
	if err := r.Ctl.CommitOffsets(ctx, run.ID, fr.Offsets); err != nil {
		// Applied but not recorded: the next poll would apply the same bytes
		// twice to this view, so it is rebuilt from the mirror instead.
		r.Forget(run.ID)
		return bot.Observation{}, err
	}
	obs := r.reconstruct(ctx, run, v, in)
	obs.Status.Notes = append(obs.Status.Notes, r.fetchNotes(ctx, run.ID, v, fr.Notes)...)
	return obs, nil
}

// fetchNotes are the run's fetch anomalies (a file over its cap), kept for
// every later post, not only the poll that met them: the view keeps them,
// and a rebuilt view reads them back from the run's events.
func (r *ControllerRunner) fetchNotes(ctx context.Context, runID string, v *runView, fresh []string) []string {
	if !v.notesLoaded {
		v.notesLoaded = true
		if evs, err := r.DB.Events(ctx, runID); err == nil {
			for _, e := range evs {
				if e.Kind == controller.StepFetch && strings.HasPrefix(e.Detail, "failed: ") {
					v.addNote(strings.TrimPrefix(e.Detail, "failed: "))
				}
			}
		}
	}
	for _, n := range fresh {
		v.addNote(n)
	}
	return v.notes
}

func (v *runView) addNote(n string) {
	for _, have := range v.notes {
		if have == n {
			return
		}
	}
	v.notes = append(v.notes, n)
}

// resetRun forgets a run's view, offsets and mirror: the next poll fetches
// it again from the start.
func (r *ControllerRunner) resetRun(ctx context.Context, runID string) {
	r.Forget(runID)
	if err := r.DB.ResetOffsets(ctx, runID); err != nil {
		r.Log.Error().Err(err).Str("run", runID).Msg("resetting fetch offsets")
	}
	_ = os.RemoveAll(r.mirror(runID))
}

// Forget drops a finished run's view (its mirror stays on disk).
func (r *ControllerRunner) Forget(runID string) {
	r.mu.Lock()
	delete(r.views, runID)
	r.mu.Unlock()
}

// reconstruct rebuilds the run from its fetched view and a process snapshot.
func (r *ControllerRunner) reconstruct(ctx context.Context, run storage.Run, v *runView, in controller.Inspection) bot.Observation {
	// The stored scope never changes after the launch: read and decoded
	// once per view, not on every poll (it holds every generated spec).
	scp := v.scope
	if scp == nil {
		raw := run.ScopeJSON // a run not stored yet carries its own
		if raw == "" {
			raw, _ = r.DB.RunScope(ctx, run.ID)
		}
		scp = &runScope{}
		_ = json.Unmarshal([]byte(raw), scp)
		if raw != "" {
			v.scope = scp // kept once stored (the launch stores it before the first poll)
			v.gen++
		}
	}
	sc := *scp
	urls, _ := r.DB.CurrentsURLs(ctx, run.ID)
	meta := results.Meta{
		Build: run.Build, RunStart: run.ControllerStart, Now: in.Now, Template: sc.Plan.Template, Plugin: sc.Plan.Plugin,
		Categorized: run.Categorized, InstallOnly: sc.Plan.InstallOnly, RequestedVMs: sc.Scope.VMs,
		TemplateCommand: sc.Plan.TemplateCommand, RunnerCommand: sc.Plan.RunnerCommand, ConfigFile: sc.Plan.ConfigFile, Config: sc.Scope.Config,
		Processes: runnerProcesses(in), HungGrace: r.Cfg.Watch.HungGrace, SettleDelay: r.Cfg.Watch.SettleDelay, Version: r.Version,
		Layout: r.layout(),
	}
	for _, s := range sc.Plan.Skipped {
		meta.Skipped = append(meta.Skipped, results.Skip{Name: s.Name, Reason: s.Reason})
	}
	// The template's static flow only when no spec can be read (S8, D10).
	if t, ok := r.Cfg.Templates[meta.Template]; ok && len(t.StaticFlow) > 0 {
		meta.StaticFlow = t.StaticFlow
	} else {
		meta.StaticFlow = r.Cfg.GenericFlow
	}
	for _, u := range urls {
		meta.PostedURLs = append(meta.PostedURLs, u.URL)
	}
	arts := results.Artifacts{LaunchLog: v.launch, LogModTime: v.logMtime}
	if v.log != nil {
		facts := v.log.Facts()
		arts.RunLog = &facts
	}
	for _, pf := range v.files {
		arts.Parsed = append(arts.Parsed, pf)
	}
	// The stored scope's specs drive TEST FLOW (D4), never the live config.
	for p, data := range sc.Scope.Specs {
		arts.Files = append(arts.Files, results.File{Path: p, ModTime: run.ControllerStart, Data: data})
	}
	st := v.memo.Reconstruct(v.gen, meta, arts)
	if sc.Adopted != nil { // a run the bot did not launch says so, and where its command came from
		st.Notes = append(sc.Adopted.notes(run.Build, r.Cfg.Location()), st.Notes...)
	}
	return bot.Observation{Status: st}
}

// runnerProcesses is the process snapshot Reconstruct judges the run by;
// with the runner gone it is empty rather than nil (a snapshot was taken).
func runnerProcesses(in controller.Inspection) []results.Process {
	if in.PS == nil {
		return []results.Process{}
	}
	return in.PS
}

// eventSink records controller events in storage and tells the launch's
// progress callback.
type eventSink struct {
	db       *storage.DB
	mu       sync.Mutex
	progress map[string]func(string)
}

func (s *eventSink) set(runID string, f func(string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == nil {
		delete(s.progress, runID)
		return
	}
	s.progress[runID] = f
}

func (s *eventSink) RecordEvent(ctx context.Context, e controller.Event) error {
	s.mu.Lock()
	f := s.progress[e.RunID]
	s.mu.Unlock()
	if f != nil && e.OK {
		f(e.Step)
	}
	detail := e.Detail
	if !e.OK {
		detail = "failed: " + detail
	}
	return s.db.AddEvent(ctx, e.RunID, e.Step, detail)
}

// offsetStore keeps controller fetch offsets in storage (D5).
type offsetStore struct{ db *storage.DB }

func (o offsetStore) LoadOffsets(ctx context.Context, runID string) (map[string]controller.FileOffset, error) {
	stored, err := o.db.Offsets(ctx, runID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]controller.FileOffset, len(stored))
	for p, s := range stored {
		out[p] = controller.FileOffset{Size: s.Size, MtimeNS: s.Offset}
	}
	return out, nil
}

func (o offsetStore) SaveOffsets(ctx context.Context, runID string, changed map[string]controller.FileOffset) error {
	m := make(map[string]storage.Offset, len(changed))
	for p, c := range changed {
		// Offset carries the mtime in nanoseconds: the controller's pair is (size, mtime).
		m[p] = storage.Offset{Offset: c.MtimeNS, Size: c.Size}
	}
	return o.db.SaveOffsets(ctx, runID, m)
}

func (o offsetStore) ResetOffsets(ctx context.Context, runID string) error {
	return o.db.ResetOffsets(ctx, runID)
}
