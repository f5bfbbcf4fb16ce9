package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// The controller's real state is the truth (S1, S2, D15): runs started by
// hand are found there, reported by `status`, adopted by `watch`, and hold
// the controller against approvals like the bot's own runs.

// discovererOf is a Runner's view of its controller's own state, nil when
// it has none.
func discovererOf(rn Runner) Discoverer {
	d, _ := rn.(Discoverer)
	return d
}

// discoveredRun is the storage shape of a run discovered on rn's
// controller; ID "" until adopted.
func (c *Core) discoveredRun(ctx context.Context, rn Runner, d controller.Discovered, by string) (storage.Run, error) {
	l, err := discovererOf(rn).AdoptionOf(ctx, d, by)
	if err != nil {
		return storage.Run{}, err
	}
	return storage.Run{Build: d.Build, Controller: rn.Controller(), Template: commands.FlagValue(strings.Fields(d.TemplateCommand), "--template_name"),
		Categorized: d.Categorized, Adopted: true, State: results.RunRunning, ControllerStart: l.ControllerStart,
		RunnerPID: l.RunnerPID, RunnerStart: l.RunnerStart, ScopeJSON: l.ScopeJSON}, nil
}

// controllerStatus answers `status` from the controller when the bot has
// no active run of its own (S1, S2): a live run first, else the most
// recent one. ok is false when the bot's own record is the answer: the
// controller's most recent run is the bot's latest run, or the controller
// names no run.
func (c *Core) controllerStatus(ctx context.Context, rn Runner, build string, latest *storage.Run) (Reply, bool) {
	disc := discovererOf(rn)
	if disc == nil {
		return Reply{}, false
	}
	d, err := disc.Discover(ctx, false)
	if err != nil {
		c.Log.Warn().Err(err).Msg("status: the controller did not answer")
		if latest == nil {
			return Reply{Ephemeral: "⚠️ The controller did not answer, and the bot has no run of its own to show. Try again shortly."}, true
		}
		return Reply{}, false
	}
	var pick *controller.Discovered
	switch {
	case build != "":
		if x, ok := d.Find(build); ok {
			pick = &x
		}
	case len(d.Live) > 0:
		pick = &d.Live[len(d.Live)-1]
	default:
		pick = d.Recent
	}
	if pick == nil || (latest != nil && !pick.Live && sameFinishedRun(*latest, *pick)) {
		return Reply{}, false
	}
	// A run that ended long ago reads the same until its log is written
	// again: its answer is kept, and asked again only when that changes.
	settledKey := ""
	if !pick.Live && !pick.LastActivity.IsZero() && c.now().Sub(pick.LastActivity) > settledAfter {
		settledKey = fmt.Sprintf("%s|%d|%s", pick.Build, pick.LastActivity.UnixNano(), pick.LogPath)
		if latest != nil {
			settledKey += "|" + latest.ID + "|" + latest.State
		}
		if rep, ok := c.settled.get(settledKey); ok {
			return rep, true
		}
	}
	run, err := c.discoveredRun(ctx, rn, *pick, "")
	if err != nil {
		return internalError(c.Log, "reading the discovered run", err), true
	}
	run.ID = "discovered-" + pick.Build
	obs, err := disc.Snapshot(ctx, run)
	if err != nil {
		return internalError(c.Log, "reading the discovered run", err), true
	}
	st := obs.Status
	if pick.Live && latest != nil && latest.Build == pick.Build && !storage.Active(latest.State) {
		st.Notes = append(st.Notes, fmt.Sprintf("The bot recorded its own run of this build as %s, yet a runner of it is alive on the controller.", latest.State))
	}
	st.Version = c.Version
	opt := c.renderOpts(results.Live, "")
	// A run started by hand is tagged from the history like the bot's own:
	// its template and start are known from the controller.
	opt.Tags = c.tagsFor(ctx, run, st)
	parts := results.RenderMarkdown(st, opt)
	msg := parts[0]
	if len(parts) > 1 {
		msg += fmt.Sprintf("\n\n_(%d more part(s) not shown.)_", len(parts)-1)
	}
	// Not the bot's run: it has no thread, so a chart goes where it was asked.
	rep := Reply{Ephemeral: msg, chart: &chartSource{st: st}}
	if settledKey != "" {
		c.settled.put(settledKey, rep)
	}
	return rep, true
}

// settledAfter: a run whose log has not been written for this long has
// ended and its artifacts have settled.
const settledAfter = 10 * time.Minute

// settledAnswers keeps the status answers of runs long ended on the
// controller, by build and log write time: `status` with nothing running
// asks the controller only what changed (a small bounded map).
type settledAnswers struct {
	mu sync.Mutex
	m  map[string]Reply
}

func (s *settledAnswers) get(key string) (Reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[key]
	return r, ok
}

func (s *settledAnswers) put(key string, r Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= 16 {
		s.m = map[string]Reply{}
	}
	s.m[key] = r
}

// sameFinishedRun: the controller's historical run is the bot's own latest
// run when it has the build and was last written before that run ended
// (plus a settle margin).
func sameFinishedRun(r storage.Run, d controller.Discovered) bool {
	return r.Build == d.Build && (r.EndedAt.IsZero() || !d.LastActivity.After(r.EndedAt.Add(2*time.Minute)))
}

// liveOn says what, besides the bot's own active runs, is live on a
// runner's controller: an approval is refused while it is (D15). "" = free.
func (c *Core) liveOn(ctx context.Context, rn Runner) (string, error) {
	disc, _ := rn.(Discoverer)
	if disc == nil {
		return "", nil
	}
	d, err := disc.Discover(ctx, true)
	if err != nil {
		return "", err
	}
	active, err := c.DB.ActiveRuns(ctx)
	if err != nil {
		return "", err
	}
	for _, r := range active {
		if r.Controller == rn.Controller() {
			return "", nil // the lock names it: ApproveAndCreateRun refuses with its holder
		}
	}
	if len(d.Live) > 0 {
		return c.holderMessage(ctx, rn, d.Live[0]), nil
	}
	if len(d.Templates) > 0 {
		t := d.Templates[0]
		return fmt.Sprintf("the controller is busy: a template step is running there (pid %d, for %s), started by hand: `%s`. One run at a time per controller.",
			t.PID, (time.Duration(t.ElapsedS) * time.Second).String(), t.Args), nil
	}
	return "", nil
}

// holderMessage names who started a live run, when, its build and where
// its status is (D15).
func (c *Core) holderMessage(ctx context.Context, rn Runner, l controller.Discovered) string {
	who := "started by hand on the controller"
	link := fmt.Sprintf("`/atvm status %s`", l.Build)
	if r, err := c.DB.RunByRunner(ctx, rn.Controller(), l.RunnerPID, ""); err == nil && r.Build == l.Build {
		who = fmt.Sprintf("launched by the bot (approved by %s; recorded as %s)", userRef(r.ApprovedBy), r.State)
		if r.RootPostID != "" {
			link = c.Chat.PostLink(r.RootPostID) + " or " + link
		}
	}
	return fmt.Sprintf("the controller is busy: `%s` %s at %s (runner pid %d) — see %s. One run at a time per controller; `/atvm watch %s` follows it.",
		l.Build, who, c.fmtTime(l.Start), l.ProcPID, link, l.Build)
}

// watch adopts a run live on the controller, or resumes posting for one
// of the bot's own runs: from then on it is polled and posted like the
// bot's own runs, each post once. With several controllers every one is
// asked unless ctl names one.
func (c *Core) watch(ctx context.Context, in Incoming, build, ctl string) Reply {
	asked, refused := c.runnersAsked(ctl)
	if refused != nil {
		return *refused
	}
	own, err := c.activeRunsOf(ctx, build, ctl)
	if err != nil {
		return internalError(c.Log, "finding the run", err)
	}
	if len(own) > 1 {
		return *c.onSeveral(own, "watch "+build)
	}
	if len(own) == 1 {
		run := own[0]
		if run.Watcher {
			return Reply{Ephemeral: fmt.Sprintf("The bot is already watching `%s`; `/atvm status %s` answers now.", build, build)}
		}
		var reply Reply
		err := c.withRun(ctx, run.ID, func(_ *runOwner, cur storage.Run) {
			if !storage.Active(cur.State) {
				reply = Reply{Ephemeral: fmt.Sprintf("⚠️ `%s` has ended (%s).", build, cur.State)}
				return
			}
			on := true
			if err := c.DB.UpdateRun(ctx, run.ID, storage.RunUpdate{Watcher: &on}); err != nil {
				reply = internalError(c.Log, "watching", err)
				return
			}
			_ = c.DB.Audit(ctx, actor(in), "watch", run.ID)
			reply = Reply{Ephemeral: fmt.Sprintf("Watching `%s` again: progress and results follow in its thread.", build)}
		})
		if err != nil {
			return internalError(c.Log, "watching", err)
		}
		return reply
	}
	if len(asked) > 1 {
		return c.watchAny(ctx, in, build, asked)
	}
	rn := asked[0].rn
	disc := discovererOf(rn)
	if disc == nil {
		return Reply{Ephemeral: fmt.Sprintf("No active run of `%s` is known, and this bot cannot look at the controller.", build)}
	}
	d, err := disc.Discover(ctx, false)
	if err != nil {
		c.Log.Warn().Err(err).Msg("watch: the controller did not answer")
		return Reply{Ephemeral: "⚠️ The controller did not answer; nothing was adopted. Try again shortly."}
	}
	var live *controller.Discovered
	for i := range d.Live {
		if d.Live[i].Build == build {
			live = &d.Live[i]
		}
	}
	if live == nil {
		if h, ok := d.Find(build); ok {
			return Reply{Ephemeral: fmt.Sprintf("`%s` is not running on the controller (its log was last written %s); `/atvm status %s` shows how it ended.", build, c.fmtTime(h.LastActivity), build)}
		}
		names := make([]string, 0, len(d.Live))
		for _, l := range d.Live {
			names = append(names, "`"+l.Build+"`")
		}
		if len(names) == 0 {
			names = append(names, "nothing")
		}
		return Reply{Ephemeral: fmt.Sprintf("No run of `%s` is live on the controller. Live now: %s.", build, strings.Join(names, ", "))}
	}
	return c.adopt(ctx, in, rn, *live, "the controller")
}

// adopt records a run live on rn's controller as watched, holding that
// controller's lock (D15); where names the controller in the reply.
func (c *Core) adopt(ctx context.Context, in Incoming, rn Runner, live controller.Discovered, where string) Reply {
	build := live.Build
	run, err := c.discoveredRun(ctx, rn, live, in.UserName)
	if err != nil {
		return internalError(c.Log, "reading the run to adopt", err)
	}
	// PlannedBy names who asked for the run: the final summary notifies them.
	run.ID, run.Watcher, run.PlannedBy, run.ChannelID = c.newRunID(build, rn, c.now()), true, in.UserName, in.ChannelID
	run.PlannedByID = in.UserID
	err = c.DB.CreateRunLocked(ctx, run, in.UserName)
	var locked *storage.ErrLocked
	switch {
	case errors.As(err, &locked):
		c.Metrics.Refused("watch")
		return Reply{Ephemeral: "⛔ Not adopted: " + c.busyMessage(ctx, locked)}
	case err != nil:
		return internalError(c.Log, "recording the adopted run", err)
	}
	_ = c.DB.Audit(ctx, actor(in), "adopt", fmt.Sprintf("%s %s runner pid %d", run.ID, build, live.ProcPID))
	c.Log.Info().Str("run", run.ID).Str("build", build).Str("controller", run.Controller).Int("pid", live.ProcPID).Str("user", in.UserName).Msg("adopted a run started on the controller")
	c.ensureRoot(ctx, run, results.Status{Build: build, Template: run.Template, State: results.RunRunning, Categorized: run.Categorized})
	return Reply{Ephemeral: fmt.Sprintf("Watching `%s`, started by hand on %s at %s: progress and each result follow in this channel, once each.", build, where, c.fmtTime(live.Start))}
}

// clearStaleLocks mends locks no active run holds (D15): the watch loop
// runs it every tick, so a stale lock never outlives a poll.
func (c *Core) clearStaleLocks(ctx context.Context) {
	freed, err := c.DB.ReleaseStaleLocks(ctx)
	if err != nil {
		c.Log.Warn().Err(err).Msg("releasing stale locks")
		return
	}
	for _, id := range freed {
		c.Log.Info().Str("run", id).Msg("released a stale controller lock")
	}
}
