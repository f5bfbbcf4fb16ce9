package mattermost

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"

	"github.com/atvm/atvmbot/bot"
)

// The crash tests run the bot as a child process of the test binary
// (TestMain switches on crashRoleEnv): a real process with a real SQLite
// file, killed with SIGKILL by a fault point or by the parent, restarted
// until its run is final. The fake Mattermost (fileMM) and the counters of
// the scripted controller live outside the child, so they survive it.
const (
	crashRoleEnv      = "ATVMBOT_CRASH_ROLE"      // "bot"
	crashDirEnv       = "ATVMBOT_CRASH_DIR"       // state.db, script.json, counters
	crashMMEnv        = "ATVMBOT_CRASH_MM"        // the fake server's URL
	crashLaunchEnv    = "ATVMBOT_CRASH_LAUNCH"    // "1": plan+approve when no run exists; "only": then exit
	crashReapproveEnv = "ATVMBOT_CRASH_REAPPROVE" // "1": try to approve again at start
	crashTickEnv      = "ATVMBOT_CRASH_TICK"      // pause between ticks (Go duration)
	crashChartEnv     = "ATVMBOT_CRASH_CHART"     // a request id: ask `status --chart` under it, then exit

	crashChannel    = "crashchannel0000000000000a"
	crashController = "ctl-crash"
	crashSigningKey = "crash-test-signing-key-0123456789abcdef"
	// faultInLaunch is a point of the scripted runner only: the runner has
	// been started on the controller, the bot was not told.
	faultInLaunch = "in-launch"
)

func TestMain(m *testing.M) {
	switch os.Getenv(crashRoleEnv) {
	case "bot":
		os.Exit(crashChild())
	case "poster":
		os.Exit(posterChild())
	}
	os.Exit(m.Run())
}

func crashConfig() config.Config {
	cfg := config.Default()
	cfg.Approvals.Approvers = []string{"qa-lead"}
	return cfg
}

// crashBackOff retries briefly: a bot that cannot post leaves the key
// pending and the next tick tries again.
func crashBackOff() backoff.BackOff {
	return backoff.WithMaxRetries(backoff.NewConstantBackOff(5*time.Millisecond), 4)
}

// crashChild is one bot process: open the state, recover, launch when asked,
// tick until no run is active. Exit 0 means the run is final.
func crashChild() int {
	dir := os.Getenv(crashDirEnv)
	ctx := context.Background()
	log := zerolog.New(os.Stderr).With().Timestamp().Int("pid", os.Getpid()).Logger()
	fail := func(what string, err error) int {
		log.Error().Err(err).Msg(what)
		return 3
	}
	db, err := storage.Open(ctx, filepath.Join(dir, "state.db"), 5*time.Second)
	if err != nil {
		return fail("open storage", err)
	}
	defer db.Close()
	cfg := crashConfig()
	var entries []storage.BlacklistEntry
	for _, b := range cfg.Blacklist {
		entries = append(entries, storage.BlacklistEntry{Machine: b.Machine, Reason: b.Reason})
	}
	if err := db.SeedBlacklist(ctx, entries); err != nil {
		return fail("seed blacklist", err)
	}
	signer, err := NewSigner([]byte(crashSigningKey))
	if err != nil {
		return fail("signer", err)
	}
	mm, err := NewMattermost(ctx, MattermostOptions{URL: os.Getenv(crashMMEnv), Token: "bot-token", TeamName: "it-team",
		PublicURL: "http://127.0.0.1:9", Signer: signer, Log: log, NewBackOff: crashBackOff})
	if err != nil {
		return fail("mattermost", err)
	}
	core := &bot.Core{Cfg: &cfg, DB: db, Chat: mm, Runner: &fileRunner{dir: dir}, Log: log, Version: "vcrash", Channel: crashChannel}
	core.Recover(ctx)
	runs, err := db.RecentRuns(ctx, 1)
	if err != nil {
		return fail("runs", err)
	}
	say := func(user, text string) {
		rep := core.Handle(ctx, bot.Incoming{Source: bot.SourceSlash, UserID: user, UserName: user, ChannelID: crashChannel, Text: text})
		fmt.Fprintf(os.Stderr, "reply to %q: %s\n", text, rep.Ephemeral)
	}
	launch := os.Getenv(crashLaunchEnv)
	switch {
	case launch != "" && len(runs) == 0:
		if open, _ := db.OpenPlans(ctx, crashChannel); len(open) == 0 {
			say("alice", "plan cmc-e2e --containsVm redhat,ubuntu --categorize")
		}
		say("qa-lead", "approve")
		core.Wait()
		if launch == "only" {
			return 0
		}
	case os.Getenv(crashReapproveEnv) == "1":
		say("qa-lead", "approve")
		core.Wait()
	case os.Getenv(crashChartEnv) != "":
		rep := core.Handle(ctx, bot.Incoming{Source: bot.SourceSlash, UserID: "bob", UserName: "bob", ChannelID: crashChannel,
			Text: "status --chart", RequestID: os.Getenv(crashChartEnv)})
		fmt.Fprintf(os.Stderr, "reply to status --chart: %s\n", rep.Ephemeral)
		return 0
	}
	tick, _ := time.ParseDuration(os.Getenv(crashTickEnv))
	for {
		active, err := db.ActiveRuns(ctx)
		if err != nil {
			return fail("active runs", err)
		}
		if len(active) == 0 {
			return 0
		}
		core.Tick(ctx)
		time.Sleep(tick)
	}
}

// fileRunner plays script.json (a crashScript) one status per poll. Its counters are files,
// so a restarted bot continues where the controller's run is, and the test
// sees how often the runner was launched. Runner methods it does not play
// (discovery, adoption) are left to the nil embedded interface: a call
// panics, which the tests would see.
type fileRunner struct {
	bot.Runner
	dir string
}

func (r *fileRunner) Controller() string { return crashController }

func (r *fileRunner) Launch(_ context.Context, _ storage.Run, _ commands.Plan, progress func(string)) (bot.Launched, error) {
	if _, err := bumpCounter(filepath.Join(r.dir, "launches")); err != nil {
		return bot.Launched{}, err
	}
	progress("config")
	progress("template")
	bot.FaultPoint(faultInLaunch)
	progress("verify")
	progress("runner")
	return bot.Launched{ControllerStart: time.Date(2026, 3, 30, 17, 20, 0, 0, time.UTC), RunnerPID: 4242, RunnerStart: "99", ScopeJSON: "{}"}, nil
}

func (r *fileRunner) Poll(context.Context, storage.Run) (bot.Observation, error) {
	b, err := os.ReadFile(filepath.Join(r.dir, "script.json"))
	if err != nil {
		return bot.Observation{}, err
	}
	var script crashScript
	if err := json.Unmarshal(b, &script); err != nil {
		return bot.Observation{}, err
	}
	if _, err := bumpCounter(filepath.Join(r.dir, "polls")); err != nil {
		return bot.Observation{}, err
	}
	// The run's position advances one step a poll, up to the cap the
	// test may set (a run that is slow today).
	pos := readCounter(filepath.Join(r.dir, "pos"))
	if limit, err := os.ReadFile(filepath.Join(r.dir, "cap")); err != nil || pos < atoi(string(limit)) {
		if _, err := bumpCounter(filepath.Join(r.dir, "pos")); err != nil {
			return bot.Observation{}, err
		}
	}
	return bot.Observation{Status: script.statusAt(pos)}, nil
}

func (r *fileRunner) Stop(context.Context, storage.Run) error {
	_, err := bumpCounter(filepath.Join(r.dir, "stops"))
	return err
}

func (r *fileRunner) Cancel(context.Context, storage.Run) error { return nil }

// bumpCounter returns the counter's value and stores value+1 (temp file and
// rename: a kill leaves the old or the new value, never a torn one).
func bumpCounter(path string) (int, error) {
	n := readCounter(path)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(n+1)), 0o600); err != nil {
		return n, err
	}
	return n, os.Rename(tmp, path)
}

func readCounter(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return atoi(string(b))
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// crashScript is a categorized run: each group finishes in turn after
// Phase polls, then the parent's verdict. Flip, when named, is a group
// whose posted PASS turns into FAIL later (W7).
type crashScript struct {
	Groups []crashGroup `json:"groups"`
	Phase  int          `json:"phase"`
	Flip   string       `json:"flip,omitempty"`
}

type crashGroup struct {
	Name    string   `json:"name"`
	Hosts   []string `json:"hosts"`
	Verdict string   `json:"verdict"` // results.HostPass or results.HostFail
}

// statusAt is what the controller shows at the n-th poll.
func (s crashScript) statusAt(n int) results.Status {
	finished := min(n/s.Phase, len(s.Groups))
	// The flipped group changes half a phase after the second group
	// finished: long after its first post was made.
	flipped := s.Flip != "" && n >= 2*s.Phase+s.Phase/2
	started := time.Date(2026, 3, 30, 17, 21, 0, 0, time.UTC)
	st := results.Status{Build: "e2e-crash", Template: "cmc-e2e", State: results.RunRunning, Categorized: true, StartedAt: &started}
	failed := false
	for gi, g := range s.Groups {
		sr := results.Subrun{Name: g.Name, State: results.SubrunRunning, Hosts: g.Hosts, CurrentsURL: "https://currents.example/run/" + g.Name}
		verdict := g.Verdict
		if flipped && g.Name == s.Flip {
			verdict = results.HostFail
		}
		for _, h := range g.Hosts {
			host := results.Host{Name: h, Group: g.Name, Status: results.HostRunning, Tests: 22}
			if gi < finished {
				host.Status = verdict
				if verdict == results.HostFail {
					host.Failures, host.FailedStep, host.Error = 1, "Migrate VM", "AssertionError: migration session failed"
				}
			}
			st.Hosts = append(st.Hosts, host)
		}
		if gi < finished {
			sr.Finished, sr.State = true, results.SubrunCompleted
			if verdict == results.HostFail {
				sr.State, failed = results.SubrunFailed, true
			}
		}
		st.Subruns = append(st.Subruns, sr)
	}
	if finished == len(s.Groups) {
		st.State = results.RunCompleted
		if failed {
			st.State = results.RunFailed
		}
		ended := started.Add(40 * time.Minute)
		st.EndedAt = &ended
	}
	return st
}
