package simulator

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the simulator: the shims installed by these
// tests exec it with "simulate …", as they exec atvmbot in production.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "simulate" {
		os.Exit(Main(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func needPython(t *testing.T) {
	t.Helper()
	// D18: an integration test that cannot run fails; it never skips silently.
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatalf("python3 is required to run the simulator's shims: %v", err)
	}
}

func installLive(t *testing.T, scenario string) string {
	t.Helper()
	needPython(t)
	data, err := os.ReadFile(filepath.Join("testdata", scenario))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := Install(root, data, ""); err != nil {
		t.Fatal(err)
	}
	return root
}

// shimCmd runs a shim the way the controller does: python3 ./script … in the root.
func shimCmd(root string, speed int, script string, args ...string) *exec.Cmd {
	cmd := exec.Command("python3", append([]string{"./" + script}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", envSpeed, speed))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own group, as setsid gives it
	return cmd
}

var demoTemplateArgs = []string{"--template_name", "cmc-e2e", "--config_file", GoldConfig, "--containsVm", "atvm",
	"--exclude_partial_match", "atvm144-suse15.0", "--use_specified_plugin", "iscsi", "--ignore_force_shutdown", "--test_partition"}

var (
	auditTimeRE = regexp.MustCompile(`"time":"([^"]+)"`)
	datesRE     = regexp.MustCompile(`\d{4}-\d\d-\d\d[T ]\d\d[:\-]\d\d[:\-]\d\d([.\-]\d{3})?Z?`)
	urlRE       = regexp.MustCompile(`run/[0-9a-f]{16}`)
)

func TestShims_D18_AuditRecordsEveryInvocationByteForByte(t *testing.T) {
	root := installLive(t, "demo.yaml")
	out, err := shimCmd(root, 20000, TemplateScript, demoTemplateArgs...).CombinedOutput()
	if err != nil {
		t.Fatalf("template: %v\n%s", err, out)
	}
	logf, err := os.Create(filepath.Join(root, "run.log"))
	if err != nil {
		t.Fatal(err)
	}
	runner := shimCmd(root, 20000, RunnerScript, "--config_file", GoldConfig, "--build_name", "e2e-demo", "--categorize")
	var stderr bytes.Buffer
	runner.Stdout, runner.Stderr = logf, &stderr
	if err := runner.Run(); err != nil {
		t.Fatalf("runner: %v\n%s", err, stderr.String())
	}
	logf.Close()
	// A hostile argument is recorded exactly as received, never interpreted.
	hostile := "red hat'; touch /tmp/pwned; echo \"$HOME\""
	shimCmd(root, 20000, TemplateScript, "--template_name", "cmc-e2e", "--config_file", "cypress.atvm-config.ts", "--containsVm", hostile).Run()

	raw, err := os.ReadFile(filepath.Join(root, AuditFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range auditTimeRE.FindAllSubmatch(raw, -1) {
		if ts, err := time.Parse(time.RFC3339Nano, string(m[1])); err != nil || ts.Location() != time.UTC || time.Since(ts) > time.Minute {
			t.Errorf("audit time %s: %v", m[1], err)
		}
	}
	q := func(a []string) string { return `"` + strings.Join(a, `","`) + `"` }
	want := fmt.Sprintf(`{"time":"T","cwd":%q,"argv":["python3","./cmc-templates.py",%s]}`+"\n"+
		`{"time":"T","cwd":%q,"argv":["python3","./run-sorry-cypress.py","--config_file","cypress.atvm-config-gold.ts","--build_name","e2e-demo","--categorize"]}`+"\n"+
		`{"time":"T","cwd":%q,"argv":["python3","./cmc-templates.py","--template_name","cmc-e2e","--config_file","cypress.atvm-config.ts","--containsVm","red hat'; touch /tmp/pwned; echo \"$HOME\""]}`+"\n",
		root, q(demoTemplateArgs), root, root)
	if got := auditTimeRE.ReplaceAllString(string(raw), `"time":"T"`); got != want {
		t.Errorf("audit:\n%s\nwant:\n%s", got, want)
	}
	entries, err := ReadAudit(root)
	if err != nil || len(entries) != 3 {
		t.Fatalf("ReadAudit: %d entries, %v", len(entries), err)
	}
	if got := entries[2].Command(); got != `python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config.ts --containsVm 'red hat'"'"'; touch /tmp/pwned; echo "$HOME"'` {
		t.Errorf("Command() = %s", got)
	}
	if got := entries[1].Command(); got != "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-demo --categorize" {
		t.Errorf("Command() = %s", got)
	}

	// The live run (processes, pacing, a cypress-cloud child per group)
	// writes the same log as the instant in-process render, times aside.
	live, _ := os.ReadFile(filepath.Join(root, "run.log"))
	ref := t.TempDir()
	if err := Install(ref, DemoScenario(), "/bin/true"); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	if _, err := Render(context.Background(), RenderOptions{Root: ref, DisplayRoot: root, TemplateArgs: demoTemplateArgs,
		Runner: RunnerArgs{ConfigFile: GoldConfig, BuildName: "e2e-demo", Categorize: true}, Log: &log}); err != nil {
		t.Fatal(err)
	}
	norm := func(s string) string { return urlRE.ReplaceAllString(datesRE.ReplaceAllString(s, "DATE"), "run/URL") }
	if norm(string(live)) != norm(log.String()) {
		golden := filepath.Join(t.TempDir(), "x")
		os.WriteFile(golden+".live", []byte(norm(string(live))), 0o644)
		os.WriteFile(golden+".render", []byte(norm(log.String())), 0o644)
		t.Errorf("live log differs from the render: diff %s.live %s.render", golden, golden)
	}
	if n := strings.Count(string(live), "🏁 Recorded Run:"); n != 3 {
		t.Errorf("%d Recorded Run lines, want 3", n)
	}
}

func TestTemplateShim_P5_MissingConfigExits1(t *testing.T) {
	root := installLive(t, "demo.yaml")
	cmd := shimCmd(root, 20000, TemplateScript, "--template_name", "cmc-e2e", "--config_file", "cypress.atvm-config.ts", "--containsVm", "redhat")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "config file not found: cypress.atvm-config.ts") {
		t.Errorf("err %v, output:\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(root, "cypress.atvm-config.ts")); err == nil {
		t.Error("a missing non-default config must stay missing")
	}
	if entries, _ := ReadAudit(root); len(entries) != 1 {
		t.Errorf("audit has %d entries, want the one refused invocation", len(entries))
	}
}

func errorsAs(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}

// proc is one process as /proc shows it.
type proc struct {
	pid, ppid   int
	state, comm string
	args        string
}

func readProc(pid int) (proc, bool) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return proc{}, false
	}
	s := string(stat)
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < open {
		return proc{}, false
	}
	f := strings.Fields(s[close+1:])
	ppid, _ := strconv.Atoi(f[1])
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return proc{pid: pid, ppid: ppid, state: f[0], comm: s[open+1 : close], args: strings.ReplaceAll(string(cmdline), "\x00", " ")}, true
}

func childrenOf(pid int) []proc {
	var out []proc
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProc(n); ok && p.ppid == pid {
			out = append(out, p)
		}
	}
	return out
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func startRunner(t *testing.T, root string, speed int, args ...string) (*exec.Cmd, string, chan error) {
	t.Helper()
	logPath := filepath.Join(root, "run.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := shimCmd(root, speed, RunnerScript, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); logf.Close() }()
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	return cmd, logPath, done
}

func TestRunner_W4_HangKeepsDefunctChildUntilTERM(t *testing.T) {
	root := installLive(t, "hang.yaml")
	if out, err := shimCmd(root, 20000, TemplateScript, "--template_name", "cmc-e2e", "--config_file", GoldConfig,
		"--containsVm", "redhat9.7", "--integration_type", "pure", "--use_specified_plugin", "fc").CombinedOutput(); err != nil {
		t.Fatalf("template: %v\n%s", err, out)
	}
	cmd, logPath, done := startRunner(t, root, 20000, "--config_file", GoldConfig, "--build_name", "e2e-redhat9.7-fc")
	pid := cmd.Process.Pid
	waitFor(t, "the Detected line", 30*time.Second, func() bool {
		b, _ := os.ReadFile(logPath)
		return bytes.Contains(b, []byte(DetectedLine))
	})
	var zombie proc
	waitFor(t, "a defunct cypress-cloud child", 10*time.Second, func() bool {
		for _, c := range childrenOf(pid) {
			if c.state == "Z" {
				zombie = c
				return true
			}
		}
		return false
	})
	if zombie.comm != "npm exec cypres" {
		t.Errorf("defunct child comm %q, want npm exec cypres (as ps shows it)", zombie.comm)
	}
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("runner exited on its own (%v); it must linger", err)
	default:
	}
	if self, ok := readProc(pid); !ok || !strings.Contains(self.args, "run-sorry-cypress.py") || !strings.Contains(self.args, "--build_name e2e-redhat9.7-fc") {
		t.Errorf("runner's ps args %q", self.args)
	}
	b, _ := os.ReadFile(logPath)
	if bytes.Contains(b, []byte("Running check-xml-files.ts")) || !bytes.Contains(b, []byte("│ ✔   All specs passed!")) {
		t.Error("a hung runner has uploaded a passing result and gone no further")
	}
	syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errorsAs(err, &ee) || ee.ExitCode() != 143 {
			t.Errorf("runner exit after TERM: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("runner did not exit promptly on TERM")
	}
}

func TestRunner_W5_TERMStopsRunnerAndChild(t *testing.T) {
	root := installLive(t, "demo.yaml")
	if out, err := shimCmd(root, 20000, TemplateScript, demoTemplateArgs...).CombinedOutput(); err != nil {
		t.Fatalf("template: %v\n%s", err, out)
	}
	cmd, logPath, done := startRunner(t, root, 50, "--config_file", GoldConfig, "--build_name", "e2e-demo", "--categorize")
	pid := cmd.Process.Pid
	var child proc
	waitFor(t, "the cypress-cloud child", 30*time.Second, func() bool {
		for _, c := range childrenOf(pid) {
			if strings.Contains(c.args, "cypress-cloud run") && strings.Contains(c.args, "--ci-build-id e2e-demo-redhat") {
				child = c
				return true
			}
		}
		return false
	})
	waitFor(t, "the first spec", 30*time.Second, func() bool {
		b, _ := os.ReadFile(logPath)
		return bytes.Contains(b, []byte("Running: cypress/e2e/generated/atvm71-redhat9.1.ts (1/2)"))
	})
	syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("runner did not exit promptly on TERM")
	}
	waitFor(t, "the child to go", 5*time.Second, func() bool {
		p, ok := readProc(child.pid)
		return !ok || p.ppid != pid
	})
	b, _ := os.ReadFile(logPath)
	if bytes.Contains(b, []byte("🏁 Recorded Run:")) {
		t.Error("a cancelled run should not reach its Recorded Run")
	}
}

func TestRunner_R8_NoConsolidatedLogLive(t *testing.T) {
	root := installLive(t, "nolog.yaml")
	if out, err := shimCmd(root, 20000, TemplateScript, "--template_name", "cmc-systemOS", "--config_file", GoldConfig,
		"--specify_vms", "atvm9-debian12.5,atvm33-oracle8.10").CombinedOutput(); err != nil {
		t.Fatalf("template: %v\n%s", err, out)
	}
	_, logPath, done := startRunner(t, root, 20000, "--config_file", GoldConfig, "--build_name", "systemos-debian-oracle")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("runner: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("runner did not finish")
	}
	if b, _ := os.ReadFile(logPath); len(b) != 0 {
		t.Errorf("log should be empty, has:\n%s", b)
	}
	if _, err := os.Stat(filepath.Join(root, "cypress/results", BookkeepingFileName("systemos-debian-oracle"))); err != nil {
		t.Errorf("final check-xml-files XML missing: %v", err)
	}
	txts, _ := filepath.Glob(filepath.Join(root, "cypress/cmcReporter/logs/*/*.txt"))
	if len(txts) != 2 {
		t.Errorf("%d transcripts, want 2", len(txts))
	}
	for _, f := range txts {
		if b, _ := os.ReadFile(f); !bytes.Contains(b, []byte("=== finished ")) {
			t.Errorf("%s unfinished", f)
		}
	}
}
