package controller

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/atvm/atvmbot/internal/itlog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atvm/atvmbot/config"
	"github.com/rs/zerolog"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// sshd is one private OpenSSH server started by scripts/sshd-up.sh.
type sshd struct {
	name  string
	state string
	env   map[string]string
}

var (
	sshds        []*sshd
	sshdProblem  string // why no sshd runs, when none does
	requireSSHD  = os.Getenv("ATVMBOT_REQUIRE_SSHD") == "1"
	sshTestsRan  int
	sshTestsLock sync.Mutex
)

func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv(helperEnv) != "" {
		os.Exit(helperMain())
	}
	// fuzzing runs the parsers only: no server needed
	if f := flag.Lookup("test.fuzz"); f == nil || f.Value.String() == "" {
		startSSHDs()
	}
	code := m.Run()
	for _, s := range sshds {
		_ = exec.Command(sshdUp(), "stop", s.state).Run()
		os.RemoveAll(s.state)
	}
	if len(sshds) > 0 {
		fmt.Fprintf(os.Stderr, "controller: %d tests ran over real SSH\n", sshTestsRan)
	}
	os.Exit(code)
}

func sshdUp() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "scripts", "sshd-up.sh")
}

// startSSHDs starts one server logging in as the non-root "sshtest" user
// and one logging in as root (D16: the real controller is reached as root).
func startSSHDs() {
	if os.Geteuid() != 0 {
		sshdProblem = "not root: sshd-up.sh needs root to serve two login users"
		return
	}
	for _, u := range []string{"sshtest", "root"} {
		dir, err := os.MkdirTemp("", "atvm-sshd-")
		if err != nil {
			sshdProblem = err.Error()
			return
		}
		cmd := exec.Command(sshdUp(), "start", dir)
		cmd.Env = append(os.Environ(), "SSHD_PORT=0", "SSHD_USER="+u, "SSHD_MAX_STARTUPS=30:30:100")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			sshdProblem = fmt.Sprintf("sshd-up.sh for %s: %v\n%s", u, err, stderr.String())
			return
		}
		env := map[string]string{}
		for _, l := range strings.Split(string(out), "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				env[k] = v
			}
		}
		sshds = append(sshds, &sshd{name: "ssh-" + u, state: dir, env: env})
	}
}

// target is one way of reaching a controller: local, or SSH as a user.
type target struct {
	name string
	sshd *sshd // nil for local
}

func (tg target) user() string {
	if tg.sshd == nil {
		return "root"
	}
	return tg.sshd.env["SSH_USER"]
}

// targets is every transport the controller tests run over.
func targets(t *testing.T, withLocal bool) []target {
	t.Helper()
	var out []target
	if withLocal {
		out = append(out, target{name: "local"})
	}
	if len(sshds) == 0 {
		if requireSSHD {
			t.Fatalf("ATVMBOT_REQUIRE_SSHD=1 but no sshd: %s", sshdProblem)
		}
		t.Logf("SSH subtests not run: %s", sshdProblem)
	}
	for _, s := range sshds {
		out = append(out, target{name: s.name, sshd: s})
	}
	return out
}

func sshTargets(t *testing.T) []target {
	all := targets(t, false)
	if len(all) == 0 {
		t.Skip("no sshd: " + sshdProblem)
	}
	return all
}

func (tg target) controllerConfig(root, tmp string) config.Controller {
	cfg := config.Default().Controller
	cfg.ATVMRoot, cfg.TmpDir = root, tmp
	cfg.Python = "python3"
	cfg.ConnectTimeout = 10 * time.Second
	cfg.Keepalive = 2 * time.Second
	if tg.sshd != nil {
		cfg.Transport = "ssh"
		cfg.Host = tg.sshd.env["SSH_HOST"]
		cfg.Port, _ = strconv.Atoi(tg.sshd.env["SSH_PORT"])
		cfg.User = tg.sshd.env["SSH_USER"]
		cfg.KnownHosts = tg.sshd.env["SSH_KNOWN_HOSTS"]
	} else {
		cfg.Transport = "local"
	}
	return cfg
}

func (tg target) transport(t testing.TB, cfg config.Controller) Transport {
	t.Helper()
	if tg.sshd == nil {
		return NewLocal(zerolog.Nop())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := DialSSH(ctx, cfg, tg.sshd.env["SSH_KEY"], zerolog.Nop())
	if err != nil {
		t.Fatalf("dial %s: %v", tg.name, err)
	}
	t.Cleanup(func() { s.Close() })
	sshTestsLock.Lock()
	sshTestsRan++
	sshTestsLock.Unlock()
	itlog.Ran(t, "sshd")
	return s
}

// env is one fake controller: an ATVM root with the fake scripts, a tmp
// dir for the logs, owned by the login user.
type env struct {
	tg     target
	base   string
	root   string
	tmp    string
	cfg    config.Controller
	c      *Controller
	events *memEvents
}

func newEnv(t testing.TB, tg target) *env {
	t.Helper()
	base, err := os.MkdirTemp("", "atvm-ctl-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	e := &env{tg: tg, base: base, root: filepath.Join(base, "cdc-e2e-cyp-12.17.4"), tmp: filepath.Join(base, "tmp")}
	for _, d := range []string{e.root, e.tmp, filepath.Join(e.root, ".fake")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"cmc-templates.py", "run-sorry-cypress.py"} {
		b, err := os.ReadFile(filepath.Join("testdata", "fakeatvm", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(e.root, f), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e.writeFile(t, "cypress.atvm-config-gold.ts", "export default {};\n")
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	e.chown(t)
	e.cfg = tg.controllerConfig(e.root, e.tmp)
	e.events = &memEvents{}
	w := config.Default().Watch
	w.StopWait = 2 * time.Second
	e.c = New(tg.transport(t, e.cfg), e.cfg, w, e.events, NewMemoryOffsets(), zerolog.Nop())
	return e
}

// chown gives the tree to the login user, as on a real controller.
func (e *env) chown(t testing.TB) {
	t.Helper()
	u, err := user.Lookup(e.tg.user())
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	err = filepath.Walk(e.base, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) writeFile(t testing.TB, rel, content string) {
	t.Helper()
	p := filepath.Join(e.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (e *env) scenario(t testing.TB, which string, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	e.writeFile(t, ".fake/"+which+".json", string(b))
	e.chown(t)
}

// audit is the fake scripts' record of how they were invoked.
type auditLine struct {
	Argv []string `json:"argv"`
	Cwd  string   `json:"cwd"`
	Prog string   `json:"prog"`
}

func (e *env) audit(t testing.TB) []auditLine {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.root, ".fake", "audit.jsonl"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []auditLine
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l == "" {
			continue
		}
		var a auditLine
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("audit line %q: %v", l, err)
		}
		out = append(out, a)
	}
	return out
}

// spec is a plan for build on this target. The build name carries the
// target's name: every target is the same machine, where a build name
// running under another target's root would rightly count as running.
func (e *env) spec(build string, vms ...string) LaunchSpec {
	build += "-" + e.tg.name
	return LaunchSpec{
		RunID: "run-" + build, Build: build,
		TemplateArgv: []string{"python3", "./cmc-templates.py", "--template_name", "cmc-e2e", "--config_file", "cypress.atvm-config-gold.ts",
			"--specify_vms", strings.Join(vms, ","), "--ignore_force_shutdown", "--test_partition"},
		RunnerArgv:   []string{"python3", "./run-sorry-cypress.py", "--config_file", "cypress.atvm-config-gold.ts", "--build_name", build},
		ConfigFile:   "cypress.atvm-config-gold.ts",
		RequestedVMs: vms,
	}
}

// stopAfter makes sure a started runner does not outlive the test.
func (e *env) stopAfter(t *testing.T, run RunRef) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = e.c.Stop(ctx, run)
	})
}

func (e *env) waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", d, what)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// memEvents is an EventSink in memory.
type memEvents struct {
	mu sync.Mutex
	ev []Event
}

func (m *memEvents) RecordEvent(_ context.Context, e Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ev = append(m.ev, e)
	return nil
}

func (m *memEvents) steps() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var s []string
	for _, e := range m.ev {
		tag := e.Step
		if !e.OK {
			tag += "!"
		}
		s = append(s, tag)
	}
	return s
}

func (m *memEvents) last() Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.ev) == 0 {
		return Event{}
	}
	return m.ev[len(m.ev)-1]
}
