package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/atvm/atvmbot/bot"
	"github.com/atvm/atvmbot/bot/console"
	"github.com/atvm/atvmbot/bot/runner"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/simulator"
	"github.com/atvm/atvmbot/storage"
)

func init() {
	register("demo", func() *cobra.Command {
		var o demoOpts
		cmd := &cobra.Command{
			Use:   "demo",
			Short: "run the bot on embedded defaults: simulated controller, console chat (stdin or --script)",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return exitWith(runDemo(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr()))
			},
		}
		fs := cmd.Flags()
		fs.StringVar(&o.script, "script", "", "play this file of /atvm lines and [Button] #N presses instead of stdin")
		fs.StringVar(&o.state, "state", "", "state folder (SQLite file, simulated controller); default: a new temporary folder")
		fs.StringVar(&o.user, "user", "qa-lead", "the operator's name (an approver in the demo)")
		fs.DurationVar(&o.timeout, "timeout", 3*time.Minute, "give up waiting for the run after this long")
		fs.BoolVar(&o.interactive, "interactive", false, "read /atvm lines typed on the terminal until end of input (Ctrl-D)")
		o.log.register(fs, "warn")
		return cmd
	})
}

type demoOpts struct {
	script, state, user string
	timeout             time.Duration
	interactive         bool
	log                 logFlags
}

// demoScript is played when no input is given (D20): plan → approve → a
// categorized simulated run → per-group posts → final summary → status.
const demoScript = `# The operator asks for a plan; nothing runs yet (P1).
/atvm plan cmc-e2e --containsVm atvm --categorize --build e2e-demo
# An approver presses [Approve] on the plan post.
[Approve] #1
`

func runDemo(ctx context.Context, o demoOpts, stdout, stderr io.Writer) int {
	log, err := o.log.logger(stderr, "demo")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	script, timeout := o.script, o.timeout
	var input io.Reader
	if o.interactive {
		input = os.Stdin
		timeout = 24 * time.Hour
	} else {
		input, err = demoInput(script)
	}
	if err != nil {
		fmt.Fprintf(stderr, "demo: %v\n", err)
		return 2
	}
	dir := o.state
	if dir == "" {
		if dir, err = os.MkdirTemp("", "atvmbot-demo-"); err != nil {
			fmt.Fprintf(stderr, "demo: %v\n", err)
			return 1
		}
		defer os.RemoveAll(dir)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := demo(ctx, dir, o.user, input, stdout, log); err != nil {
		fmt.Fprintf(stderr, "demo: %v\n", err)
		return 1
	}
	return 0
}

// demoInput is the script file, else stdin when it has lines, else the
// built-in script.
func demoInput(script string) (io.Reader, error) {
	if script != "" {
		data, err := os.ReadFile(script)
		return bytes.NewReader(data), err
	}
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice == 0 {
		data, err := io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
		if err == nil && len(bytes.TrimSpace(data)) > 0 {
			return bytes.NewReader(data), nil
		}
	}
	return strings.NewReader(demoScript), nil
}

func demo(ctx context.Context, dir, user string, input io.Reader, out io.Writer, log zerolog.Logger) error {
	root, tmp := filepath.Join(dir, "controller", "atvm"), filepath.Join(dir, "controller", "tmp")
	for _, d := range []string{root, tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	if err := simulator.Install(root, simulator.DemoScenario(), bin); err != nil {
		return fmt.Errorf("installing the simulated controller: %w", err)
	}
	cfg := config.Default()
	cfg.Controller.Transport = "local"
	cfg.Controller.ATVMRoot, cfg.Controller.TmpDir = root, tmp
	cfg.Storage.Path = filepath.Join(dir, "atvmbot.db")
	cfg.Approvals.Approvers = []string{user}
	cfg.Watch.PollInterval = time.Second
	cfg.Watch.SettleDelay = 2 * time.Second
	cfg.Watch.StopWait = 2 * time.Second
	cfg.Watch.HungGrace = 10 * time.Second

	db, err := storage.Open(ctx, cfg.Storage.Path, cfg.Storage.BusyTimeout)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := seedBlacklist(ctx, db, &cfg); err != nil {
		return err
	}
	chat := console.NewConsole(console.ConsoleOptions{Out: out, User: user, Echo: true})
	ctlRunner := runner.NewControllerRunner(controller.NewLocal(log), &cfg, db, filepath.Join(dir, "mirror"), "local", log)
	ctlRunner.Version = versionString()
	core := &bot.Core{Cfg: &cfg, DB: db, Chat: chat, Runner: ctlRunner, Log: log, Version: versionString(), Channel: chat.Channel()}

	fmt.Fprintf(out, "atvmbot %s demo — simulated controller at %s, state in %s\n\n", versionString(), root, dir)
	stopWatch := startWatch(ctx, core, cfg.Watch.PollInterval, log)
	defer stopWatch()
	if _, err := chat.Run(ctx, input, core); err != nil {
		return err
	}
	core.Wait()
	if err := waitIdle(ctx, db); err != nil {
		return err
	}
	core.Tick(ctx) // a last poll settles the lock and the root post
	_, _ = chat.Run(ctx, strings.NewReader("/atvm status\n"), core)
	return nil
}

// waitIdle returns when no run is active any more.
func waitIdle(ctx context.Context, db *storage.DB) error {
	for {
		active, err := db.ActiveRuns(ctx)
		if err != nil {
			return err
		}
		if len(active) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the run did not finish in time (%s is %s)", active[0].Build, active[0].State)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func seedBlacklist(ctx context.Context, db *storage.DB, cfg *config.Config) error {
	entries := make([]storage.BlacklistEntry, 0, len(cfg.Blacklist))
	for _, b := range cfg.Blacklist {
		entries = append(entries, storage.BlacklistEntry{Machine: b.Machine, Reason: b.Reason})
	}
	return db.SeedBlacklist(ctx, entries)
}
