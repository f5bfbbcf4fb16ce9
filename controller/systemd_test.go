package controller

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// systemdStubs stand in for systemd on the test controller: systemd-run
// records its argv (NUL-separated) and starts the unit's command detached,
// as systemd would, keeping its pid for `systemctl show -p MainPID`.
var systemdStubs = map[string]string{
	"systemd-run": `#!/bin/sh
d=$(dirname "$0")
printf '%s\0' "$@" > "$d/systemd-run.argv"
unit= wd=
while [ $# -gt 0 ]; do
  case $1 in
    --unit=*) unit=${1#--unit=} ;;
    --working-directory=*) wd=${1#--working-directory=} ;;
    --setenv=*) export "${1#--setenv=}" ;;
    --*) ;;
    *) break ;;
  esac
  shift
done
cd "$wd" || exit 1
setsid nohup "$@" > /dev/null 2>&1 < /dev/null &
echo $! > "$d/$unit.mainpid"
`,
	"systemctl": `#!/bin/sh
for a; do unit=$a; done
cat "$(dirname "$0")/$unit.mainpid"
`,
}

// With use_systemd the runner starts as a transient unit: systemd-run gets
// the unit's options and a shell whose $0 is the log and whose arguments
// are the exit file and the runner argv, so the runner really runs, writes
// its log, and its exit code lands in the exit file beside the log (D16).
func TestRunner_D16_SystemdUnitRunsRunner(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			stubs := e.stubs(t, systemdStubs)
			e.c.Cfg.UseSystemd = true
			e.scenario(t, "runner", map[string]any{"seconds": 0.5, "exit": 3})
			spec := e.spec("e2e-systemd", "atvm9-debian12.5")
			res, err := e.c.Launch(ctxT(t), spec)
			if err != nil {
				t.Fatal(err)
			}
			e.stopAfter(t, res.Run)

			raw, err := os.ReadFile(filepath.Join(stubs, "systemd-run.argv"))
			if err != nil {
				t.Fatalf("systemd-run was not called: %v", err)
			}
			argv := strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00")
			logP, exitP := filepath.Join(e.tmp, spec.Build+".log"), filepath.Join(e.tmp, spec.Build+".exit")
			wantOpts := []string{"--unit=atvm-runner-" + spec.Build, "--collect", "--quiet", "--working-directory=" + e.root,
				"--setenv=PYTHONUNBUFFERED=1", "/bin/sh", "-c"}
			if len(argv) < len(wantOpts)+1 || !reflect.DeepEqual(argv[:len(wantOpts)], wantOpts) {
				t.Fatalf("systemd-run argv %q: want it to start with %q", argv, wantOpts)
			}
			if got, want := argv[len(wantOpts)+1:], append([]string{logP, exitP}, spec.RunnerArgv...); !reflect.DeepEqual(got, want) {
				t.Errorf("the unit's shell gets %q, want $0 = the log, then the exit file and the runner argv %q", got, want)
			}

			e.waitFor(t, "the runner to finish", 30*time.Second, func() bool {
				in, err := e.c.Inspect(ctxT(t), res.Run)
				return err == nil && !in.RunnerAlive && in.ExitCode != nil
			})
			ex, err := os.ReadFile(exitP)
			if err != nil || strings.TrimSpace(string(ex)) != "3" {
				t.Errorf("exit file %q (%v): want the runner's exit code 3", ex, err)
			}
			var ran bool
			for _, a := range e.audit(t) {
				if a.Prog == "runner" {
					ran = reflect.DeepEqual(a.Argv[1:], spec.RunnerArgv[2:]) && a.Cwd == e.root
				}
			}
			if !ran {
				t.Errorf("the runner did not run with its argv in the ATVM root: %+v", e.audit(t))
			}
			if log, _ := os.ReadFile(logP); !bytes.Contains(log, []byte("🏁 Recorded Run:")) {
				t.Errorf("runner log %q: the unit's output did not reach it", log)
			}
			if _, err := os.Stat(filepath.Join(e.root, "runner")); err == nil {
				t.Error("a file named runner was written in the ATVM root: the wrapper's arguments are shifted")
			}
		})
	}
}
