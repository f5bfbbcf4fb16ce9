package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	mmbot "github.com/atvm/atvmbot/bot/mattermost"
	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/simulator"
)

// sshd is one private OpenSSH server (scripts/sshd-up.sh) logging in as root.
type sshd struct {
	state string
	env   map[string]string
}

func sshdUp() string { return filepath.Join(suite.repo, "scripts", "sshd-up.sh") }

// startSSHD starts (or, with port set, restarts on that port) the world's
// sshd, logging in as root, or as sshd-up.sh's own non-root user "sshtest"
// (created by the script when missing) when user is "sshtest".
func startSSHD(t *testing.T, state, port, user string) *sshd {
	t.Helper()
	cmd := exec.Command(sshdUp(), "start", state)
	cmd.Env = append(os.Environ(), "SSHD_PORT="+port, "SSHD_MAX_STARTUPS=30:30:100")
	if user == "root" {
		cmd.Env = append(cmd.Env, "SSHD_USER=root")
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sshd-up.sh start: %v\n%s", err, stderr.String())
	}
	env := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			env[k] = v
		}
	}
	return &sshd{state: state, env: env}
}

// world is one test's bot: its own sshd, simulated controller, channel,
// slash command, config and state, and the serve process.
type world struct {
	t        *testing.T
	name     string
	dir      string // bot state, config, logs
	root     string // the simulated ATVM root
	tmp      string // the controller's tmp dir (runner logs)
	ssh      *sshd
	user     string // the controller's login user
	channel  *model.Channel
	suffix   string // makes the world's build name its own (see buildOf)
	trigger  string
	slashTok string
	port     int
	public   string
	cfgPath  string
	admin    *model.Client4
	alice    *model.Client4
	log      zerolog.Logger

	mu       sync.Mutex
	proc     *exec.Cmd
	exited   chan struct{}
	restarts int
	extraEnv []string
	// startRetried: a start-up already waited once for Mattermost.
	startRetried bool
	// second is a second controller (addController): the config then
	// names both under controllers:, the first as "a", this one as "b".
	second *controllerB
	watch  map[string]string // the watch settings written
}

type worldOpts struct {
	user     string // controller login: "root" (default, D16) or "sshtest"
	scenario []byte // simulator scenario (YAML)
	speed    int    // overrides the scenario's speed when > 0
	watch    map[string]string
}

func newWorld(t *testing.T, name string, o worldOpts) *world {
	t.Helper()
	need(t)
	w := &world{t: t, name: name, log: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)}
	var err error
	if w.dir, err = os.MkdirTemp(suite.tmp, name+"-"); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(w.dir, 0o755)
	w.root, w.tmp = filepath.Join(w.dir, "controller", "atvm"), filepath.Join(w.dir, "controller", "tmp")
	for _, d := range []string{w.root, w.tmp, filepath.Join(w.dir, "state")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	scen := o.scenario
	if o.speed > 0 {
		scen = withSpeed(scen, o.speed)
	}
	if err := simulator.Install(w.root, scen, suite.bin); err != nil {
		t.Fatalf("installing the simulator: %v", err)
	}
	if o.user == "" {
		o.user = "root"
	}
	w.user = o.user
	w.ssh = startSSHD(t, filepath.Join(w.dir, "sshd"), "0", o.user)
	if o.user != "root" {
		// The controller tree belongs to its login user, as on a real one.
		chownTree(t, filepath.Join(w.dir, "controller"), o.user)
	}
	t.Cleanup(func() {
		// stop also kills what ran through it: a runner left behind.
		_ = exec.Command(sshdUp(), "stop", w.ssh.state).Run()
	})

	w.admin = model.NewAPIv4Client(suite.mm["MM_URL"])
	w.admin.SetToken(suite.mm["MM_ADMIN_TOKEN"])
	w.alice = model.NewAPIv4Client(suite.mm["MM_URL"])
	w.alice.SetToken(suite.mm["MM_USER_TOKEN"])
	ctx := ctxT(t, time.Minute)
	w.channel = w.makeChannel(ctx)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	w.public = fmt.Sprintf("http://127.0.0.1:%d", w.port)
	// A trigger of its own: another package's test may own /atvm on the
	// same server at the same time.
	w.trigger = "atvm-" + randHex(3)
	w.suffix = randHex(2)
	cmd, err := mmbot.RegisterCommand(ctx, w.admin, mmbot.CommandSpec{TeamID: suite.mm["MM_TEAM_ID"], Trigger: w.trigger,
		URL: w.public + mmbot.PathCommand, Hint: commands.AutocompleteHint, Description: commands.AutocompleteDescription}, w.log)
	if err != nil {
		t.Fatalf("registering /%s: %v", w.trigger, err)
	}
	w.slashTok = cmd.Token
	t.Cleanup(func() { _, _ = w.admin.DeleteCommand(context.Background(), cmd.Id) })
	w.writeConfig(o.watch)
	t.Cleanup(w.stop)
	return w
}

func (w *world) makeChannel(ctx context.Context) *model.Channel {
	t := w.t
	name := "e2e-" + strings.ToLower(w.name) + "-" + randHex(3)
	if len(name) > 60 {
		name = name[:60]
	}
	ch, _, err := untilReachable(ctx, func() (*model.Channel, *model.Response, error) {
		return w.admin.CreateChannel(ctx, &model.Channel{TeamId: suite.mm["MM_TEAM_ID"], Name: name, DisplayName: name, Type: model.ChannelTypeOpen})
	})
	if err != nil {
		t.Fatalf("creating channel %s: %v", name, err)
	}
	for _, uid := range []string{suite.mm["MM_BOT_USER_ID"], suite.mm["MM_USER_ID"]} {
		if _, _, err := untilReachable(ctx, func() (*model.ChannelMember, *model.Response, error) {
			return w.admin.AddChannelMember(ctx, ch.Id, uid)
		}); err != nil {
			t.Fatalf("adding %s to %s: %v", uid, name, err)
		}
	}
	return ch
}

func (w *world) writeConfig(watch map[string]string) {
	wv := map[string]string{"poll_interval": "1s", "hung_grace": "20s", "settle_delay": "2s", "stop_wait": "2s"}
	for k, v := range watch {
		wv[k] = v
	}
	w.watch = wv
	cfg := fmt.Sprintf(`mattermost:
  url: %s
  team: %s
  channel: %s
  listen: 127.0.0.1:%d
  public_url: %s
  command_trigger: %s
controller:
  transport: ssh
  host: %s
  port: %s
  user: %s
  known_hosts: %s
  connect_timeout: 5s
  keepalive: 2s
  atvm_root: %s
  tmp_dir: %s
storage:
  path: %s
approvals:
  approvers: [%s]
watch:
  poll_interval: %s
  hung_grace: %s
  settle_delay: %s
  stop_wait: %s
`, suite.mm["MM_URL"], suite.mm["MM_TEAM_NAME"], w.channel.Name, w.port, w.public, w.trigger,
		w.ssh.env["SSH_HOST"], w.ssh.env["SSH_PORT"], w.user, w.ssh.env["SSH_KNOWN_HOSTS"], w.root, w.tmp,
		filepath.Join(w.dir, "state", "atvmbot.db"), suite.mm["MM_ADMIN_USERNAME"],
		wv["poll_interval"], wv["hung_grace"], wv["settle_delay"], wv["stop_wait"])
	if w.second != nil {
		cfg = w.twoControllers(cfg)
	}
	w.cfgPath = filepath.Join(w.dir, "config.yaml")
	if err := os.WriteFile(w.cfgPath, []byte(cfg), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// start runs `atvmbot serve` and waits until its listener answers.
func (w *world) start() {
	t := w.t
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.proc != nil {
		t.Fatal("serve already running")
	}
	logf, err := os.OpenFile(filepath.Join(w.dir, "serve.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(suite.bin, "serve", "--config", w.cfgPath)
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ATVMBOT_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env,
		"ATVMBOT_MATTERMOST_TOKEN="+suite.mm["MM_BOT_TOKEN"],
		"ATVMBOT_SLASH_TOKEN="+w.slashTok,
		"ATVMBOT_SIGNING_KEY="+signingKey,
		"ATVMBOT_SSH_KEY="+w.ssh.env["SSH_KEY"])
	cmd.Env = append(cmd.Env, w.extraEnv...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	fmt.Fprintf(logf, "=== e2e: start #%d env %v\n", w.restarts, w.extraEnv)
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(exited) }()
	w.proc, w.exited = cmd, exited
	deadline := time.Now().Add(45 * time.Second)
	for {
		select {
		case <-exited:
			w.proc = nil
			if !w.startRetried && !mattermostUp() {
				// Another package's test may be restarting the shared
				// server: wait for it once, then start again.
				w.startRetried = true
				waitMattermost(30 * time.Second)
				w.mu.Unlock()
				w.start()
				w.mu.Lock()
				return
			}
			t.Fatalf("serve exited during start-up: %s\n%s", cmd.ProcessState, w.logTail(30))
		default:
		}
		resp, err := http.Get(w.public + mmbot.PathHealth)
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not listening after 45 s:\n%s", w.logTail(30))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signingKey signs the buttons; one per suite run, kept across restarts.
var signingKey = randHex(24)

// kill9 kills serve with SIGKILL, as a crash would.
func (w *world) kill9() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.proc == nil {
		return
	}
	_ = w.proc.Process.Signal(syscall.SIGKILL)
	<-w.exited
	w.proc = nil
	w.restarts++
}

// waitExit waits for serve to end by itself (a fault point kills it).
func (w *world) waitExit(d time.Duration) bool {
	w.mu.Lock()
	ch := w.exited
	w.mu.Unlock()
	if ch == nil {
		return true
	}
	select {
	case <-ch:
		w.mu.Lock()
		w.proc = nil
		w.restarts++
		w.mu.Unlock()
		return true
	case <-time.After(d):
		return false
	}
}

// alive reports whether serve is still running.
func (w *world) alive() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.proc == nil {
		return false
	}
	select {
	case <-w.exited:
		return false
	default:
		return true
	}
}

// stop ends serve cleanly (SIGTERM), or kills it after 15 s.
func (w *world) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.proc == nil {
		return
	}
	_ = w.proc.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.exited:
	case <-time.After(15 * time.Second):
		_ = w.proc.Process.Signal(syscall.SIGKILL)
		<-w.exited
	}
	w.proc = nil
}

func (w *world) logTail(n int) string {
	data, _ := os.ReadFile(filepath.Join(w.dir, "serve.log"))
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// dumpOnFailure prints the end of serve's log when t failed; with a race
// build of serve (ATVMBOT_E2E_RACE=1) a reported data race fails t.
func (w *world) dumpOnFailure() {
	w.t.Cleanup(func() {
		if data, _ := os.ReadFile(filepath.Join(w.dir, "serve.log")); bytes.Contains(data, []byte("WARNING: DATA RACE")) {
			i := bytes.Index(data, []byte("WARNING: DATA RACE"))
			w.t.Errorf("serve reported a data race:\n%s", clipStr(string(data[i:]), 6000))
		}
		if w.t.Failed() {
			w.t.Logf("serve.log (last 60 lines):\n%s", w.logTail(60))
		}
	})
}

func withSpeed(scenario []byte, speed int) []byte {
	lines := strings.Split(string(scenario), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "speed:") {
			lines[i] = "speed: " + strconv.Itoa(speed)
			return []byte(strings.Join(lines, "\n"))
		}
	}
	return append([]byte("speed: "+strconv.Itoa(speed)+"\n"), scenario...)
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// chownTree gives a folder and everything below it to a user.
func chownTree(t *testing.T, dir, name string) {
	t.Helper()
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	err = filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// mattermostUp reports whether the server answers its ping.
func mattermostUp() bool {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(suite.mm["MM_URL"] + "/api/v4/system/ping")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func waitMattermost(d time.Duration) {
	for deadline := time.Now().Add(d); time.Now().Before(deadline) && !mattermostUp(); {
		time.Sleep(500 * time.Millisecond)
	}
}

// buildOf is the scenario's build name made unique to the world: the
// controller refuses a launch while a build of the same name runs anywhere
// on the machine, and another run of this suite may share the machine.
func (w *world) buildOf(truth simulator.Expect) string { return truth.Build + "-" + w.suffix }

// sub is a scenario's sub-run name under the world's build name.
func (w *world) sub(truth simulator.Expect, s string) string {
	return w.buildOf(truth) + strings.TrimPrefix(s, truth.Build)
}

// keys are the result post keys of the scenario's run in this world.
func (w *world) keys(truth simulator.Expect) []string {
	subs := make([]string, len(truth.Subruns))
	for i, s := range truth.Subruns {
		subs[i] = w.sub(truth, s)
	}
	return resultKeys(subs)
}

// mask is mask() with the world's build name written as the scenario's.
func (w *world) mask(truth simulator.Expect, s string) string {
	return mask(strings.ReplaceAll(s, w.buildOf(truth), truth.Build), w.dir)
}
