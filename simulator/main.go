package simulator

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Environment the shims and the runner pass to the processes they start.
const (
	envRoot        = "ATVMSIM_ROOT"         // the simulated root (the shim's directory)
	envArgv        = "ATVMSIM_ARGV"         // the shim's argv as JSON, for the audit
	envSpeed       = "ATVMSIM_SPEED"        // overrides the scenario's speed
	envDisplayRoot = "ATVMSIM_DISPLAY_ROOT" // root path printed in logs; default the real root
	envClock       = "ATVMSIM_CLOCK"        // child: the parent's clock
	envStart       = "ATVMSIM_START"        // child: its simulated start, unix ns
)

// Main is `atvmbot simulate <install|template|runner|cypress-cloud|render|audit> …`.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: atvmbot simulate install|template|runner|cypress-cloud|render|audit [flags]")
		return 2
	}
	switch args[0] {
	case "install":
		return mainInstall(args[1:], stdout, stderr)
	case "template":
		return mainTemplate(args[1:], stdout, stderr)
	case "runner":
		return mainRunner(args[1:], stdout, stderr)
	case "cypress-cloud":
		return mainCloud(args[1:], stdout, stderr)
	case "render":
		return mainRender(args[1:], stdout, stderr)
	case "audit":
		return mainAudit(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "simulate: unknown command %q\n", args[0])
	return 2
}

func mainInstall(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("simulate install", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "", "directory of the simulated ATVM root (created)")
	scen := fs.String("scenario", "", "scenario file (YAML or JSON); default the built-in demo")
	bin := fs.String("bin", "", "atvmbot binary the shims call (default: this executable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *root == "" {
		fmt.Fprintln(stderr, "simulate install: --root is required")
		return 2
	}
	data := DemoScenario()
	if *scen != "" {
		var err error
		if data, err = os.ReadFile(*scen); err != nil {
			fmt.Fprintf(stderr, "simulate install: %v\n", err)
			return 1
		}
	}
	if err := Install(*root, data, *bin); err != nil {
		fmt.Fprintf(stderr, "simulate install: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "simulated ATVM root ready: %s\n", *root)
	return 0
}

// shimContext is what a shim invocation knows: its root, scenario, and the
// argv to audit.
func shimContext(script string, args []string, stderr io.Writer) (string, *Scenario, bool) {
	root := os.Getenv(envRoot)
	cwd, _ := os.Getwd()
	if root == "" {
		root = cwd
	}
	argv := append([]string{"python3", "./" + script}, args...)
	if raw := os.Getenv(envArgv); raw != "" {
		var a []string
		if json.Unmarshal([]byte(raw), &a) == nil {
			argv = a
		}
	}
	// Every invocation is recorded first, whatever follows (D18's audit).
	if err := appendAudit(root, AuditEntry{Time: time.Now(), Cwd: cwd, Argv: argv}); err != nil {
		fmt.Fprintf(stderr, "%s: simulator audit: %v\n", script, err)
		return "", nil, false
	}
	sc, err := LoadScenario(root)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", script, err)
		return "", nil, false
	}
	if v, err := strconv.ParseFloat(os.Getenv(envSpeed), 64); err == nil && v > 0 {
		sc.Speed = v
	}
	return root, sc, true
}

func displayRoot(root string) string { return nz(os.Getenv(envDisplayRoot), root) }

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
}

func mainTemplate(args []string, stdout, stderr io.Writer) int {
	root, sc, ok := shimContext(TemplateScript, args, stderr)
	if !ok {
		return 2
	}
	a, err := ParseTemplateArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "usage: cmc-templates.py --template_name T --config_file F [options]\ncmc-templates.py: error: %v\n", err)
		return 2
	}
	ctx, stop := signalContext()
	defer stop()
	now := time.Now()
	return runTemplate(ctx, root, sc, a, realClock{anchorReal: now, anchorSim: now, speed: sc.speed()}, now, stdout, stderr)
}

// ParseRunnerArgs reads run-sorry-cypress.py's command line.
func ParseRunnerArgs(args []string) (RunnerArgs, error) {
	var a RunnerArgs
	for i := 0; i < len(args); i++ {
		name, val, hasVal := strings.Cut(args[i], "=")
		switch name {
		case "--config_file", "--build_name":
			if !hasVal {
				if i+1 >= len(args) {
					return a, fmt.Errorf("argument %s: expected one argument", name)
				}
				i++
				val = args[i]
			}
			if name == "--config_file" {
				a.ConfigFile = val
			} else {
				a.BuildName = val
			}
		case "--categorize":
			a.Categorize = true
		default:
			return a, fmt.Errorf("unrecognized arguments: %s", args[i])
		}
	}
	if a.ConfigFile == "" || a.BuildName == "" {
		return a, errors.New("the following arguments are required: --config_file, --build_name")
	}
	return a, nil
}

func mainRunner(args []string, stdout, stderr io.Writer) int {
	root, sc, ok := shimContext(RunnerScript, args, stderr)
	if !ok {
		return 2
	}
	a, err := ParseRunnerArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "usage: run-sorry-cypress.py --config_file F --build_name B [--categorize]\nrun-sorry-cypress.py: error: %v\n", err)
		return 2
	}
	bin, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "run-sorry-cypress.py: %v\n", err)
		return 1
	}
	ctx, stop := signalContext()
	defer stop()
	now := time.Now()
	c := realClock{anchorReal: now, anchorSim: now, speed: sc.speed()}
	out := stdout
	if sc.Run.NoConsolidatedLog {
		out = io.Discard
	}
	r := &runner{root: root, displayRoot: displayRoot(root), sc: sc, args: a, clock: c, out: out, start: now,
		spawn: processSpawn(bin, root, displayRoot(root), c),
		hang:  func(ctx context.Context) error { <-ctx.Done(); return errHung }}
	code, err := r.run(ctx)
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "run-sorry-cypress.py: %v\n", err)
	}
	return code
}

// processSpawn starts the cypress-cloud child as a process whose command
// line reads like the real one (`… cypress-cloud run … --ci-build-id B-g`).
func processSpawn(bin, root, display string, c realClock) spawnFunc {
	return func(ctx context.Context, inv invocation, key string) (io.ReadCloser, func() error, error) {
		cmd := exec.CommandContext(ctx, bin)
		cmd.Args = []string{"npm exec", "simulate", "cypress-cloud", "run", "--config-file", inv.configFile,
			"--key", key, "--ci-build-id", inv.buildID}
		cmd.Dir = root
		cmd.Env = append(os.Environ(), envRoot+"="+root, envDisplayRoot+"="+display, envClock+"="+c.encode(),
			envStart+"="+strconv.FormatInt(inv.start.UnixNano(), 10))
		cmd.Stderr = os.Stderr
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = 5 * time.Second
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, nil, err
		}
		return out, cmd.Wait, nil
	}
}

func mainCloud(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprintln(stderr, "cypress-cloud: usage: cypress-cloud run --config-file F --ci-build-id ID [--key K]")
		return 2
	}
	var configFile, buildID string
	for i := 1; i+1 < len(args); i++ {
		switch args[i] {
		case "--config-file":
			configFile = args[i+1]
		case "--ci-build-id":
			buildID = args[i+1]
		}
	}
	root := os.Getenv(envRoot)
	c, err := decodeClock(os.Getenv(envClock))
	start, serr := strconv.ParseInt(os.Getenv(envStart), 10, 64)
	if root == "" || err != nil || serr != nil || configFile == "" || buildID == "" {
		fmt.Fprintln(stderr, "cypress-cloud: must be started by the simulated runner")
		return 2
	}
	sc, err := LoadScenario(root)
	if err != nil {
		fmt.Fprintf(stderr, "cypress-cloud: %v\n", err)
		return 1
	}
	// A zombie shows its comm in ps ("[npm exec cypres] <defunct>", as on the
	// operators' controller); the live process shows its argv.
	_ = os.WriteFile("/proc/self/comm", []byte("npm exec cypres"), 0)
	ctx, stop := signalContext()
	defer stop()
	go exitWithParent(stop)
	plan, err := planInvocation(invocation{root: root, displayRoot: displayRoot(root), sc: sc, configFile: configFile,
		buildID: buildID, start: time.Unix(0, start)})
	if err != nil {
		fmt.Fprintf(stderr, "cypress-cloud: %v\n", err)
		return 1
	}
	if err := play(ctx, c, stdout, plan.acts); err != nil {
		if ctx.Err() != nil {
			return 143
		}
		fmt.Fprintf(stderr, "cypress-cloud: %v\n", err)
		return 1
	}
	return 0
}

// exitWithParent stops the child when its runner is gone, so a killed
// runner leaves nothing behind in tests.
func exitWithParent(stop func()) {
	ppid := os.Getppid()
	for range time.Tick(300 * time.Millisecond) {
		if os.Getppid() != ppid {
			stop()
			return
		}
	}
}

func mainAudit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("simulate audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "", "simulated ATVM root")
	if err := fs.Parse(args); err != nil || *root == "" {
		fmt.Fprintln(stderr, "simulate audit: --root is required")
		return 2
	}
	entries, err := ReadAudit(*root)
	if err != nil {
		fmt.Fprintf(stderr, "simulate audit: %v\n", err)
		return 1
	}
	for _, e := range entries {
		fmt.Fprintf(stdout, "%s  %s\n", e.Time.Format(time.RFC3339), e.Command())
	}
	return 0
}
