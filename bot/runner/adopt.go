package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/atvm/atvmbot/bot"
	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// The controller's real state is the truth (S1, S2, D15): runs started by
// hand are found there, reported by `status`, adopted by `watch`. The core
// asks through bot.Discoverer; only this package reads a run's view.

// Adoption is what the bot keeps of a run it did not launch, stored once
// in the run's scope (D4).
type Adoption struct {
	By              string    `json:"by,omitempty"` // who asked the bot to watch it; "" = only reported
	At              time.Time `json:"at,omitempty"`
	Live            bool      `json:"live"`
	RunnerPID       int       `json:"runner_pid,omitempty"` // the runner process itself
	Start           time.Time `json:"start,omitempty"`      // controller time; zero = unknown
	LogPath         string    `json:"log_path,omitempty"`
	LastActivity    time.Time `json:"last_activity,omitempty"`
	TemplateSource  string    `json:"template_source,omitempty"` // "" = unknown
	HistoryNote     string    `json:"history_note,omitempty"`
	BotExitFile     bool      `json:"bot_exit_file,omitempty"` // an exit-code file beside the log: an atvmbot launched it
	Evidence        []string  `json:"evidence,omitempty"`
	ScopeNotes      []string  `json:"scope_notes,omitempty"`
	TemplateCommand string    `json:"template_command,omitempty"`
}

// notes are the NOTES lines of a run the bot did not launch.
func (a *Adoption) notes(build string, loc *time.Location) []string {
	at := func(t time.Time) string {
		if t.IsZero() {
			return "an unknown time"
		}
		return t.In(loc).Format("2006-01-02 15:04 MST")
	}
	var out []string
	switch {
	case a.Live && a.By != "":
		out = append(out, fmt.Sprintf("Not launched by the bot: started by hand on the controller at %s (runner pid %d); watched since %s asked.", at(a.Start), a.RunnerPID, userRef(a.By)))
	case a.Live:
		out = append(out, fmt.Sprintf("Not launched by the bot: started by hand on the controller at %s (runner pid %d). The bot is not watching it: /atvm watch %s adopts it.", at(a.Start), a.RunnerPID, build))
	case a.BotExitFile:
		out = append(out, fmt.Sprintf("Not in this bot's records: the controller's most recent run, from %s (last written %s); the exit-code file beside it says an atvmbot launched it.", a.LogPath, at(a.LastActivity)))
	default:
		out = append(out, fmt.Sprintf("Not launched by the bot: the controller's most recent run, from %s (last written %s).", a.LogPath, at(a.LastActivity)))
	}
	if a.TemplateSource != "" {
		out = append(out, "Template command from the "+a.TemplateSource+".")
	} else {
		out = append(out, "Template command unknown: "+a.HistoryNote+".")
	}
	return append(out, a.ScopeNotes...)
}

var _ bot.Discoverer = (*ControllerRunner)(nil)

// Discover implements Discoverer.
func (r *ControllerRunner) Discover(ctx context.Context, liveOnly bool) (controller.Discovery, error) {
	return r.Ctl.Discover(ctx, liveOnly)
}

// AdoptionOf implements Discoverer: the discovered run's identity and start,
// and its scope read once from its own `Extracted specPattern:` (D4).
func (r *ControllerRunner) AdoptionOf(ctx context.Context, d controller.Discovered, by string) (bot.Launched, error) {
	sc, notes, err := r.Ctl.ScopeOf(ctx, d)
	if err != nil {
		return bot.Launched{}, err
	}
	a := &Adoption{By: by, Live: d.Live, RunnerPID: d.ProcPID, Start: d.Start, LogPath: d.LogPath, LastActivity: d.LastActivity,
		TemplateSource: d.TemplateSource, HistoryNote: d.HistoryNote, BotExitFile: d.ExitCode != nil, Evidence: d.Evidence,
		ScopeNotes: notes, TemplateCommand: d.TemplateCommand}
	if by != "" {
		a.At = time.Now().UTC()
	}
	tf := strings.Fields(d.TemplateCommand)
	plan := commands.Plan{Build: d.Build, Template: commands.FlagValue(tf, "--template_name"), ConfigFile: path.Base(d.ConfigFile),
		Plugin: commands.FlagValue(tf, "--use_specified_plugin"), Integration: commands.FlagValue(tf, "--integration_type"), Categorized: d.Categorized,
		TemplateCommand: d.TemplateCommand, RunnerCommand: d.RunnerCommand}
	if d.ConfigFile == "" {
		plan.ConfigFile = ""
	}
	b, err := json.Marshal(runScope{Scope: sc, Plan: plan, Adopted: a})
	if err != nil {
		return bot.Launched{}, err
	}
	l := bot.Launched{ControllerStart: d.Start, RunnerPID: d.RunnerPID, ScopeJSON: string(b)}
	if d.RunnerStart > 0 {
		l.RunnerStart = strconv.FormatUint(d.RunnerStart, 10)
	}
	return l, nil
}

// Snapshot implements Discoverer: one reconstruction from a whole fetch with
// offsets in memory; nothing is stored or mirrored.
func (r *ControllerRunner) Snapshot(ctx context.Context, run storage.Run) (bot.Observation, error) {
	ctl := controller.New(r.Ctl.T, r.Cfg.Controller, r.Cfg.Watch, nil, controller.NewMemoryOffsets(), r.Log)
	rr := ref(run)
	if rr.Start.IsZero() {
		// Start unknown: the listing goes back a week; Reconstruct reads
		// every result (no time filter), the newest per machine winning.
		rr.Start = time.Now().Add(-7 * 24 * time.Hour)
	}
	in, err := ctl.Inspect(ctx, rr)
	if err != nil {
		return bot.Observation{}, err
	}
	fr, err := ctl.Fetch(ctx, rr)
	if err != nil {
		return bot.Observation{}, err
	}
	v := &runView{files: map[string]results.ParsedFile{}, txt: map[string]*results.ReporterTXTStream{}}
	for _, d := range fr.Deltas {
		r.absorb(run, v, d.Path, d.Data, time.Unix(0, d.MtimeNS), true)
	}
	return r.reconstruct(ctx, run, v, in), nil
}

// userRef is how a user is named in a note; @name notifies them.
func userRef(name string) string {
	if name == "" {
		return "someone"
	}
	return "@" + strings.TrimPrefix(name, "@")
}
