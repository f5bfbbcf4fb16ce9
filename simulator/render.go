package simulator

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// RenderOptions drive an instant, in-process run: the same schedule as the
// live simulator, played without waiting and without child processes.
type RenderOptions struct {
	Root        string    // an installed simulated root
	DisplayRoot string    // root path printed in logs; default Root
	Start       time.Time // simulated start; default now
	// TemplateArgs are cmc-templates.py's arguments; nil skips the template
	// step (the config's specPattern is used as it stands).
	TemplateArgs []string
	Runner       RunnerArgs
	Location     *time.Location // the controller's zone for wall times; default local
	TemplateLog  io.Writer      // the template step's output; default discard
	Log          io.Writer      // the runner's output (the consolidated log)
}

// Render plays a whole run at once into an installed root. It returns the
// template step's exit code when that fails, else the runner's.
func Render(ctx context.Context, o RenderOptions) (int, error) {
	sc, err := LoadScenario(o.Root)
	if err != nil {
		return 2, err
	}
	if o.DisplayRoot == "" {
		o.DisplayRoot = o.Root
	}
	if o.Start.IsZero() {
		o.Start = time.Now()
	}
	if o.TemplateLog == nil {
		o.TemplateLog = io.Discard
	}
	if o.Log == nil || sc.Run.NoConsolidatedLog {
		o.Log = io.Discard
	}
	t := o.Start
	if o.TemplateArgs != nil {
		a, err := ParseTemplateArgs(o.TemplateArgs)
		if err != nil {
			return 2, err
		}
		if code := runTemplate(ctx, o.Root, sc, a, instantClock{}, t, o.TemplateLog, o.TemplateLog); code != 0 {
			return code, nil
		}
		t = t.Add(secs(sc.Template.DurationS, 30) + 20*time.Second)
	}
	c := instantClock{}
	r := &runner{root: o.Root, displayRoot: o.DisplayRoot, sc: sc, args: o.Runner, clock: c, out: o.Log, start: t, loc: o.Location,
		spawn: inProcessSpawn(c), hang: func(context.Context) error { return errHung }}
	code, err := r.run(ctx)
	if err == errHung {
		err = nil
	}
	return code, err
}

// inProcessSpawn plays a cypress-cloud invocation in a goroutine.
func inProcessSpawn(c clock) spawnFunc {
	return func(ctx context.Context, inv invocation, _ string) (io.ReadCloser, func() error, error) {
		plan, err := planInvocation(inv)
		if err != nil {
			return nil, nil, err
		}
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			err := play(ctx, c, pw, plan.acts)
			pw.CloseWithError(err)
			done <- err
		}()
		return pr, func() error { return <-done }, nil
	}
}

// mainRender is `simulate render`: install a scenario into a directory and
// play a whole run there at once, for fixtures and replay tests.
func mainRender(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("simulate render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "", "directory to create the simulated root in")
	scen := fs.String("scenario", "", "scenario file (default: the built-in demo)")
	build := fs.String("build", "sim-run", "--build_name")
	cfg := fs.String("config", GoldConfig, "--config_file")
	categorize := fs.Bool("categorize", false, "--categorize")
	start := fs.String("start", "", "simulated start, RFC 3339 (default now)")
	display := fs.String("display-root", "/root/cdc-e2e-cyp-12.17.4", "root path printed in the log")
	tpl := fs.String("template-args", "", "cmc-templates.py arguments, space separated (empty: skip the template step)")
	if err := fs.Parse(args); err != nil || *root == "" {
		fmt.Fprintln(stderr, "usage: atvmbot simulate render --root DIR [--scenario F] [--build B] [--categorize] [--template-args '…']")
		return 2
	}
	data := DemoScenario()
	if *scen != "" {
		var err error
		if data, err = os.ReadFile(*scen); err != nil {
			fmt.Fprintf(stderr, "simulate render: %v\n", err)
			return 1
		}
	}
	if err := Install(*root, data, ""); err != nil {
		fmt.Fprintf(stderr, "simulate render: %v\n", err)
		return 1
	}
	o := RenderOptions{Root: *root, DisplayRoot: *display, Runner: RunnerArgs{ConfigFile: *cfg, BuildName: *build, Categorize: *categorize}}
	if *start != "" {
		t, err := time.Parse(time.RFC3339, *start)
		if err != nil {
			fmt.Fprintf(stderr, "simulate render: --start: %v\n", err)
			return 2
		}
		o.Start = t
	}
	if *tpl != "" {
		o.TemplateArgs = strings.Fields(*tpl)
	}
	launch, err := os.Create(filepath.Join(*root, StateDir, *build+".launch.log"))
	if err != nil {
		fmt.Fprintf(stderr, "simulate render: %v\n", err)
		return 1
	}
	defer launch.Close()
	logf, err := os.Create(filepath.Join(*root, StateDir, *build+".log"))
	if err != nil {
		fmt.Fprintf(stderr, "simulate render: %v\n", err)
		return 1
	}
	defer logf.Close()
	o.TemplateLog, o.Log = launch, logf
	code, err := Render(context.Background(), o)
	if err != nil {
		fmt.Fprintf(stderr, "simulate render: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "rendered into %s (log %s/%s.log, exit %d)\n", *root, StateDir, *build, code)
	return 0
}
