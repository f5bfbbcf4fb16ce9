package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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
			Long: "Run the bot on this machine with a simulated ATVM controller (300× speed) and a console chat\n" +
				"that prints every post as Mattermost would show it. With no input it plays its built-in\n" +
				"script: plan → approve → a simulated categorized run → one post per group → final summary.\n" +
				"A line is a command, with or without /atvm (`plan cmc-e2e --containsVm redhat9.6`,\n" +
				"`status`, `help plan`), a button press (`[Approve] #1`) or a # comment. On any exit the\n" +
				"demo stops the processes its simulated controller started.",
			Example: "  atvmbot demo\n" +
				"  atvmbot demo --interactive\n" +
				"  printf 'plan cmc-systemOS --randomize 3\\n[Approve] #1\\n' | atvmbot demo",
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return exitWith(runDemo(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr()))
			},
		}
		fs := cmd.Flags()
		fs.StringVar(&o.script, "script", "", "play the lines of this file (commands, [Button] #N presses) instead of stdin")
		fs.StringVar(&o.state, "state", "", "state folder (SQLite file, simulated controller); default: a new temporary folder")
		fs.StringVar(&o.user, "user", "qa-lead", "the operator's name (an approver in the demo)")
		fs.DurationVar(&o.timeout, "timeout", 3*time.Minute, "give up waiting for the run after this long")
		fs.BoolVar(&o.interactive, "interactive", false, "type lines at an \"atvm> \" prompt until end of input (Ctrl-D); no --timeout")
		fs.IntVar(&o.controllers, "controllers", 1, "simulated controllers: 1, or 2 (a and b: two runs at once, each on its own)")
		o.log.register(fs, "warn")
		return cmd
	})
}

type demoOpts struct {
	script, state, user string
	timeout             time.Duration
	interactive         bool
	controllers         int
	log                 logFlags
}

// demoScript is played when no input is given (D20): plan → approve → a
// categorized simulated run → per-group posts → final summary → status.
const demoScript = `# The operator asks for a plan; nothing runs yet (P1).
/atvm plan cmc-e2e --containsVm atvm --categorize --build e2e-demo
# An approver presses [Approve] on the plan post.
[Approve] #1
`

// demoScript2 is the built-in script with two controllers: a
// plan for each, both approved, two runs at once, each on its own
// controller under its own lock and in its own thread.
const demoScript2 = `# Two controllers, a and b: one plan for each; nothing runs yet (P1).
/atvm plan cmc-e2e --containsVm atvm --categorize --build e2e-demo-a --controller a
/atvm plan cmc-e2e --containsVm atvm --categorize --build e2e-demo-b --controller b
# An approver presses [Approve] on both plan posts: the runs go at once.
[Approve] #1
[Approve] #2
`

func runDemo(ctx context.Context, o demoOpts, stdout, stderr io.Writer) int {
	log, err := o.log.logger(stderr, "demo")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	timeout := o.timeout
	if o.controllers != 1 && o.controllers != 2 {
		fmt.Fprintf(stderr, "demo: --controllers %d: the demo plays 1 or 2 simulated controllers\n", o.controllers)
		return 2
	}
	ui := demoUI{input: console.InputLines, echo: true, controllers: o.controllers}
	var input io.Reader
	if o.interactive {
		input = os.Stdin
		timeout = 24 * time.Hour
		ui = demoUI{input: console.InputTerminal, prompt: demoPrompt, controllers: o.controllers}
	} else {
		var builtIn bool
		input, builtIn, err = demoInput(o.script, o.controllers)
		if builtIn {
			ui.input = console.InputBuiltIn
		}
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
		// The state folder goes at the end; the pictures the posts carry
		// (the run's timeline) stay for the operator to open.
		if ui.files, err = os.MkdirTemp("", "atvmbot-demo-pictures-"); err != nil {
			fmt.Fprintf(stderr, "demo: %v\n", err)
			return 1
		}
	}
	// Ctrl-C or a TERM ends the demo like its timeout: through demo's
	// clean-up, which stops the simulated controller's processes.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := demoWith(tctx, dir, o.user, input, stdout, log, ui); err != nil {
		switch {
		case ctx.Err() != nil:
			fmt.Fprintln(stderr, "demo: interrupted; nothing of the simulated controller is left running")
		case tctx.Err() != nil:
			fmt.Fprintf(stderr, "demo: gave up after --timeout %s: %v; nothing of the simulated controller is left running\n", timeout, err)
		default:
			fmt.Fprintf(stderr, "demo: %v\n", err)
		}
		return 1
	}
	return 0
}

// demoPrompt is the prompt of --interactive.
const demoPrompt = "atvm> "

// demoInput is the script file, else stdin when it has lines, else the
// built-in script (builtIn).
func demoInput(script string, controllers int) (r io.Reader, builtIn bool, err error) {
	if script != "" {
		data, err := os.ReadFile(script)
		return bytes.NewReader(data), false, err
	}
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice == 0 {
		data, err := io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
		if err == nil && len(bytes.TrimSpace(data)) > 0 {
			return bytes.NewReader(data), false, nil
		}
	}
	return strings.NewReader(builtInScript(controllers)), true, nil
}

// builtInScript is the script played without input: demoScript, or with
// two controllers demoScript2.
func builtInScript(controllers int) string {
	if controllers == 2 {
		return demoScript2
	}
	return demoScript
}

// demoUI is how the console meets the operator: the banner's input mode,
// and echo (lines from a file) or a prompt (a terminal, which echoes).
type demoUI struct {
	input  int
	echo   bool
	prompt string
	// files is where attached pictures are written; empty: the state folder.
	files string
	// controllers is how many simulated controllers play (1 or 2).
	controllers int
}

// demo plays input as a script of lines (echoed).
func demo(ctx context.Context, dir, user string, input io.Reader, out io.Writer, log zerolog.Logger) error {
	return demoWith(ctx, dir, user, input, out, log, demoUI{input: console.InputLines, echo: true})
}

func demoWith(ctx context.Context, dir, user string, input io.Reader, out io.Writer, log zerolog.Logger, ui demoUI) error {
	started := time.Now()
	names := []string{""}
	if ui.controllers == 2 {
		names = []string{"a", "b"}
	}
	// Each controller's simulated tree: dir/controller (one), or
	// dir/controller-a and dir/controller-b.
	roots, tmps := map[string]string{}, map[string]string{}
	for _, n := range names {
		base := filepath.Join(dir, "controller")
		if n != "" {
			base += "-" + n
		}
		roots[n], tmps[n] = filepath.Join(base, "atvm"), filepath.Join(base, "tmp")
		for _, d := range []string{roots[n], tmps[n]} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
		}
	}
	root := roots[names[0]]
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	scenario := simulator.DemoScenario()
	sc, err := simulator.ParseScenario(scenario)
	if err != nil {
		return fmt.Errorf("the demo scenario: %w", err)
	}
	speed := max(sc.Speed, 1)
	for _, n := range names {
		if err := simulator.Install(roots[n], scenario, bin); err != nil {
			return fmt.Errorf("installing the simulated controller: %w", err)
		}
	}
	// The runner and the template run in sessions of their own, as on the
	// real controller, so they would outlive the demo: whatever its end,
	// the demo stops what its simulated controller started.
	defer stopSimulated(dir, 2*time.Second)
	cfg := config.Default()
	cfg.Controller.Transport = "local"
	cfg.Controller.ATVMRoot, cfg.Controller.TmpDir = root, tmps[names[0]]
	if len(names) > 1 {
		cfg.Controllers = map[string]config.ControllerEntry{}
		for _, n := range names {
			c := cfg.Controller
			c.ATVMRoot, c.TmpDir = roots[n], tmps[n]
			cfg.Controllers[n] = config.ControllerEntry{Controller: c}
		}
	}
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
	if err := seedHistory(ctx, db, time.Now()); err != nil {
		return err
	}
	chat := console.NewConsole(console.ConsoleOptions{Out: out, User: user, Echo: ui.echo, Prompt: ui.prompt, FilesDir: cmp.Or(ui.files, dir)})
	core := &bot.Core{Cfg: &cfg, DB: db, Chat: chat, Log: log, Version: versionString(), Channel: chat.Channel()}
	if len(names) > 1 {
		ctls, err := dialControllers(ctx, &cfg, db, log)
		if err != nil {
			return err
		}
		defer ctls.close()
		for _, r := range ctls.byName {
			r.Version = versionString()
		}
		core.Runners = ctls.runners()
	} else {
		ctlRunner := runner.NewControllerRunner(controller.NewLocal(log), &cfg, db, filepath.Join(dir, "mirror"), "local", log)
		ctlRunner.Version = versionString()
		core.Runner = ctlRunner
	}
	// A launch in hand when the demo ends stops with ctx; waiting for it
	// (not for ever) lets the clean-up see all it started.
	defer waitAtMost(core.Wait, 5*time.Second)

	shown := root
	if len(names) > 1 {
		shown = filepath.Join(dir, "controller-{a,b}", "atvm")
	}
	fmt.Fprintln(out, console.Banner(console.Intro{Version: versionString(), Root: shown, State: dir, Speed: speed,
		Input: ui.input, Script: scriptLines(builtInScript(ui.controllers)), Prompt: ui.prompt, History: demoEarlierBuild,
		Controllers: len(names)}))
	stopWatch := startWatch(ctx, core, cfg.Watch.PollInterval, log)
	defer stopWatch()
	if err := runChat(ctx, chat, input, core); err != nil {
		return err
	}
	core.Wait()
	if err := waitIdle(ctx, db); err != nil {
		return err
	}
	core.Tick(ctx) // a last poll settles the lock and the root post
	chat.Send(ctx, "/atvm status", core)
	if runs, _ := db.RecentRuns(ctx, 1); len(runs) > 0 {
		what := "The run was"
		if len(names) > 1 {
			what = "The runs were"
		}
		chat.Note(fmt.Sprintf("%s simulated at %s× speed: the times in the posts are the simulated\ncontroller's; the whole demo took %s here.",
			what, strconv.FormatFloat(speed, 'f', -1, 64), time.Since(started).Round(time.Second)))
	}
	return nil
}

// runChat reads the lines until they end or ctx does: a terminal that
// waits for a line must not hold the demo past its end.
func runChat(ctx context.Context, chat *console.Console, input io.Reader, core *bot.Core) error {
	done := make(chan error, 1)
	go func() {
		_, err := chat.Run(ctx, input, core)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		// A command in hand ends with ctx; a read from a terminal does not.
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
		return ctx.Err()
	}
}

// waitAtMost calls wait and returns when it does, or after d.
func waitAtMost(wait func(), d time.Duration) {
	done := make(chan struct{})
	go func() { wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// scriptLines are a script's command lines, comments left out.
func scriptLines(script string) []string {
	var out []string
	for _, l := range strings.Split(script, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
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
