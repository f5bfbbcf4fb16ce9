package bot

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// Runner is what the core needs from the controller side: launching an
// approved plan, observing a run, stopping it. The production Runner
// (runner.ControllerRunner) speaks to the controller; tests use fakes.
type Runner interface {
	// Launch runs the approved plan: config check (P5), template step (P15),
	// verification (P16), then the detached runner. progress is told each
	// step as it starts.
	Launch(ctx context.Context, run storage.Run, plan commands.Plan, progress func(step string)) (Launched, error)
	// Poll fetches what is new on the controller and reconstructs the run.
	Poll(ctx context.Context, run storage.Run) (Observation, error)
	// Stop ends a hung runner cleanly (TERM its group, wait, KILL) (W4).
	Stop(ctx context.Context, run storage.Run) error
	// Cancel stops the runner and a template step still running (W5).
	Cancel(ctx context.Context, run storage.Run) error
	// Controller names the machine, the key of its lock (D15).
	Controller() string
}

// Discoverer is a Runner that also reads the controller's own state (S1,
// S2, D15). runner.ControllerRunner is one; a Runner without it (a test fake)
// knows only the bot's own runs.
type Discoverer interface {
	// Discover reads the controller's own state (S1, S2, D15): live runs
	// and template steps and, unless liveOnly, the most recent historical
	// run, each with its evidence.
	Discover(ctx context.Context, liveOnly bool) (controller.Discovery, error)
	// AdoptionOf is what the bot stores for a discovered run: identity,
	// start and scope, read once (D4). by is who adopts it ("" = report).
	AdoptionOf(ctx context.Context, d controller.Discovered, by string) (Launched, error)
	// Snapshot reconstructs a run once, storing nothing: a discovered run
	// the bot does not watch.
	Snapshot(ctx context.Context, run storage.Run) (Observation, error)
}

// Launched is what a successful launch recorded.
type Launched struct {
	ControllerStart time.Time
	RunnerPID       int
	RunnerStart     string
	ScopeJSON       string
}

// Observation is one poll's view of a run.
type Observation struct {
	Status results.Status
}

// Core answers commands and watches runs. It is the same against the
// console and Mattermost: chat goes through Chat, state through storage.
type Core struct {
	Cfg  *config.Config
	DB   *storage.DB
	Chat Chat
	// Runner is the only controller's Runner; with several controllers,
	// the main one's (Runners holds them all, by configured name).
	Runner  Runner
	Runners map[string]Runner
	Log     zerolog.Logger
	Metrics *Metrics
	Version string
	// Channel is where runs post when a command did not come from a channel.
	Channel string
	Now     func() time.Time

	// Approvers are the approvers' Mattermost user ids, resolved from the
	// configured names at start (ResolveApprovers); nil until then, when
	// the configured entries are taken as ids (the console's users).
	Approvers []string

	mu       sync.Mutex
	launches sync.WaitGroup
	// lastPatch keeps the last text patched into each post, so an
	// unchanged progress post is not edited again every tick.
	lastPatch map[string]string

	ownersMu sync.Mutex
	owners   map[string]*runOwner

	snap snapshotCache
	// settled keeps the answers about runs long ended on the controller.
	settled settledAnswers
	names   nameCache
}

// Handle implements Handler.
func (c *Core) Handle(ctx context.Context, in Incoming) Reply {
	if in.ChannelID == "" {
		in.ChannelID = c.Channel
	}
	if in.Action != nil {
		if in.Action.Action == actRerun {
			return c.rerunPressed(ctx, in, in.Action.Plan)
		}
		return c.handleButton(ctx, in)
	}
	if in.Form != nil {
		return c.planForm(ctx, in)
	}
	cmd, err := commands.Parse(in.Text)
	if err != nil {
		c.Metrics.Refused("parse")
		return Reply{Ephemeral: "⚠️ " + err.Error(), refusal: err}
	}
	if in.UserID == "" && in.Source == SourceConsole {
		in.UserID = in.UserName // the console has no server: its users are their names
	}
	if in.UserID == "" && !readOnly(cmd) {
		c.Metrics.Refused("identity")
		return Reply{Ephemeral: "⛔ The bot cannot tell who sent this command (no user id from the server); nothing was changed."}
	}
	in.UserName = c.displayName(ctx, in.UserID, in.UserName)
	c.Log.Info().Str("cmd", cmd.Name).Str("user_id", in.UserID).Str("user", in.UserName).Str("source", in.Source).Msg("command")
	switch cmd.Name {
	case "plan":
		return c.plan(ctx, in, cmd)
	case "approve":
		return c.approve(ctx, in, commands.Approval{User: in.UserID, UserName: in.UserName, Channel: in.ChannelID, PlanID: cmd.Target,
			WithoutWatcher: cmd.WithoutWatcher, ConfirmBoth: cmd.ConfirmBoth})
	case "cancel":
		return c.cancel(ctx, in, cmd.Target, cmd.Yes, cmd.Controller)
	case "status":
		rep := c.status(ctx, cmd.Target, cmd.Controller)
		if cmd.Chart {
			return c.statusChart(ctx, in, rep)
		}
		return rep
	case "runs":
		return c.runs(ctx, cmd.Controller)
	case "blacklist":
		return c.blacklist(ctx, in, cmd)
	case "unwatch":
		return c.unwatch(ctx, in, cmd.Target, cmd.Controller)
	case "watch":
		return c.watch(ctx, in, cmd.Target, cmd.Controller)
	case "queue":
		return c.queue(ctx, in, cmd.Controller)
	case commands.CmdSchedule:
		return c.schedule(ctx, in, cmd.Schedule)
	case commands.CmdHistory:
		return c.history(ctx, in, cmd)
	case commands.CmdFlaky:
		return c.flaky(ctx, cmd.Days)
	case commands.CmdFailures:
		return c.failures(ctx, cmd.Days)
	case commands.CmdRerun:
		return c.rerun(ctx, in, cmd.Target, cmd.Rerun, cmd.Controller)
	default:
		return Reply{Ephemeral: commands.Help(cmd.Topic)}
	}
}

// Wait blocks until background launches have finished (demo, tests).
func (c *Core) Wait() { c.launches.Wait() }

func (c *Core) now() time.Time {
	if c.Now != nil {
		return c.Now().UTC()
	}
	return time.Now().UTC()
}

// effectiveConfig is the configuration with the maintained blacklist from
// storage (chat changes it; config only seeds it).
func (c *Core) effectiveConfig(ctx context.Context) (*config.Config, error) {
	entries, _, err := c.DB.Blacklist(ctx)
	if err != nil {
		return nil, err
	}
	cfg := *c.Cfg
	cfg.Approvals.Approvers = c.approverIDs()
	cfg.Blacklist = make([]config.BlacklistEntry, 0, len(entries))
	for _, e := range entries {
		cfg.Blacklist = append(cfg.Blacklist, config.BlacklistEntry{Machine: e.Machine, Reason: e.Reason})
	}
	return &cfg, nil
}

func (c *Core) fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.Cfg.Location()).Format("2006-01-02 15:04 MST")
}

// userRef is how a user is named in a post; @name notifies them.
func userRef(name string) string {
	if name == "" {
		return "someone"
	}
	return "@" + strings.TrimPrefix(name, "@")
}

// mentions names each person once: a final summary notifies who planned
// and who approved (edits notify nobody).
func mentions(names ...string) string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		n = strings.TrimPrefix(n, "@")
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, "@"+n)
		}
	}
	return strings.Join(out, " ")
}

func internalError(log zerolog.Logger, what string, err error) Reply {
	log.Error().Err(err).Msg(what)
	return Reply{Ephemeral: "⚠️ " + what + " failed; nothing was changed. The bot's log has the detail."}
}
