package controller

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/config"
)

// Check is one line of the deployment checklist (`atvmbot doctor`).
type Check struct {
	Name    string
	OK      bool
	Skipped bool   // not checked, because an earlier check failed
	Detail  string // what was found
	Fix     string // what to do, when not OK
}

// DoctorOptions say what to check and how.
type DoctorOptions struct {
	Cfg            config.Controller
	KeyPath        string           // the SSH private key
	ClockTolerance time.Duration    // largest accepted clock difference
	Now            func() time.Time // this machine's clock; nil = time.Now
	Log            zerolog.Logger
}

// Doctor checks that the controller can be used as configured: reachable,
// host key known, login accepted, the ATVM tree and its scripts present,
// python3 present, the automation's processes visible to the login user,
// the clocks close. It runs one read-only script and changes nothing.
func Doctor(ctx context.Context, o DoctorOptions) []Check {
	if o.Now == nil {
		o.Now = time.Now
	}
	c := o.Cfg
	var out []Check
	var t Transport
	if c.Transport == "local" {
		t = NewLocal(o.Log)
		out = append(out, Check{Name: "controller: local transport (the bot runs on the controller)", OK: true})
	} else {
		var checks []Check
		t, checks = doctorSSH(ctx, o)
		out = append(out, checks...)
	}
	if t == nil {
		for _, n := range []string{"ATVM root", "config file", "template script", "runner script", "python", "processes visible", "clock"} {
			out = append(out, Check{Name: "controller: " + n, Skipped: true, Detail: "not checked: no login"})
		}
		return out
	}
	defer t.Close()
	return append(out, doctorTree(ctx, o, t)...)
}

func doctorSSH(ctx context.Context, o DoctorOptions) (Transport, []Check) {
	c := o.Cfg
	port := c.Port
	if port == 0 {
		port = 22
	}
	addr := net.JoinHostPort(c.Host, strconv.Itoa(port))
	var out []Check
	d := net.Dialer{Timeout: c.ConnectTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, append(out, Check{Name: "controller: TCP " + addr, Detail: err.Error(),
			Fix: fmt.Sprintf("check controller.host and controller.port, and that sshd runs there and a firewall lets this machine in (`nc -vz %s %d`)", c.Host, port)},
			Check{Name: "controller: host key known", Skipped: true, Detail: "not checked: not reachable"},
			Check{Name: "controller: login as " + c.User, Skipped: true, Detail: "not checked: not reachable"})
	}
	conn.Close()
	out = append(out, Check{Name: "controller: TCP " + addr, OK: true, Detail: "reachable"})

	s, err := DialSSH(ctx, c, o.KeyPath, o.Log)
	keyscan := fmt.Sprintf("ssh-keyscan -p %d %s", port, c.Host)
	var he *HostKeyError
	switch {
	case errors.As(err, &he) && he.Changed:
		return nil, append(out, Check{Name: "controller: host key known", Detail: he.Error(),
			Fix: fmt.Sprintf("the controller's key changed: confirm the new key out of band (its console: `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`), then replace its line in %s with the output of `%s`", c.KnownHosts, keyscan)})
	case errors.As(err, &he):
		return nil, append(out, Check{Name: "controller: host key known", Detail: fmt.Sprintf("%s has no key for %s (it presented %s)", c.KnownHosts, addr, he.Presented),
			Fix: fmt.Sprintf("`%s > /tmp/controller.keys`; compare `ssh-keygen -lf /tmp/controller.keys` with the fingerprint shown on the controller's console; then `cat /tmp/controller.keys >> %s`", keyscan, c.KnownHosts)})
	case err != nil && strings.Contains(err.Error(), "known_hosts"):
		return nil, append(out, Check{Name: "controller: host key known", Detail: err.Error(),
			Fix: fmt.Sprintf("fill controller.known_hosts (%s) with the checked output of `%s`", c.KnownHosts, keyscan)})
	case err != nil && strings.Contains(err.Error(), "private key"):
		out = append(out, Check{Name: "controller: host key known", Skipped: true, Detail: "not checked: no usable private key"})
		return nil, append(out, Check{Name: "controller: login as " + c.User, Detail: err.Error(),
			Fix: "give the bot an unencrypted private key (secret_files.ssh_key or ATVMBOT_SSH_KEY): `ssh-keygen -t ed25519 -N '' -f atvmbot_ed25519`"})
	case err != nil:
		out = append(out, Check{Name: "controller: host key known", OK: true, Detail: "matches " + c.KnownHosts})
		return nil, append(out, Check{Name: "controller: login as " + c.User, Detail: err.Error(),
			Fix: fmt.Sprintf("add the bot's public key (`ssh-keygen -y -f %s`) to ~%s/.ssh/authorized_keys on the controller, and check controller.user", o.KeyPath, c.User)})
	}
	out = append(out, Check{Name: "controller: host key known", OK: true, Detail: "matches " + c.KnownHosts},
		Check{Name: "controller: login as " + c.User, OK: true, Detail: "key accepted"})
	return s, out
}

// doctorScript prints key=value lines about the tree; it reads only.
const doctorScript = `root="$1"; cfg="$2"; tpl="$3"; run="$4"; py="$5"
echo "user=$(id -un)"
echo "uid=$(id -u)"
if [ -d "$root" ]; then echo "root=ok"; echo "root_owner=$(stat -c %U "$root" 2>/dev/null)"; else echo "root=missing"; fi
for f in cfg tpl run; do
  eval "p=\$$f"
  if [ -f "$root/$p" ]; then echo "$f=ok"; else echo "$f=missing"; fi
done
if p=$(command -v "$py" 2>/dev/null); then echo "python=$p $("$py" --version 2>&1 | head -1)"; else echo "python=missing"; fi
echo "hidepid=$(awk '$2=="/proc"{print $4}' /proc/mounts 2>/dev/null | tr ',' '\n' | grep '^hidepid=' | head -1)"
if ps -eo pid=,args= >/dev/null 2>&1; then echo "ps=ok"; else echo "ps=missing"; fi
echo "clock=$(date +%s.%N)"
`

func doctorTree(ctx context.Context, o DoctorOptions, t Transport) []Check {
	c := o.Cfg
	ctx, cancel := withTimeout(ctx, "doctor checks", c.CommandTimeout, defaultCommandTimeout)
	defer cancel()
	before := o.Now()
	res, err := t.Run(ctx, []string{"sh", "-c", doctorScript, "atvmbot-doctor", c.ATVMRoot, c.ConfigFile, c.TemplateScript, c.RunnerScript, c.Python}, RunOpts{})
	after := o.Now()
	if err != nil || res.ExitCode != 0 {
		detail := fmt.Sprintf("exit %d: %s", res.ExitCode, strings.TrimSpace(string(res.Stderr)))
		if err != nil {
			detail = err.Error()
		}
		return []Check{{Name: "controller: inspect the ATVM tree", Detail: detail, Fix: "run `sh -c true` over SSH as the bot's user and fix what it prints"}}
	}
	kv := map[string]string{}
	for _, l := range strings.Split(string(res.Stdout), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			kv[k] = v
		}
	}
	var out []Check
	if kv["root"] != "ok" {
		out = append(out, Check{Name: "controller: ATVM root " + c.ATVMRoot, Detail: "no such folder",
			Fix: "set controller.atvm_root to the folder holding cmc-templates.py and run-sorry-cypress.py (`ls -d /root/cdc-e2e-cyp-*` on the controller)"})
		for _, n := range []string{"config file", "template script", "runner script"} {
			out = append(out, Check{Name: "controller: " + n, Skipped: true, Detail: "not checked: no ATVM root"})
		}
	} else {
		out = append(out, Check{Name: "controller: ATVM root " + c.ATVMRoot, OK: true, Detail: "owned by " + kv["root_owner"]})
		for _, f := range []struct{ key, name, rel, confKey string }{
			{"cfg", "config file", c.ConfigFile, "controller.config_file"},
			{"tpl", "template script", c.TemplateScript, "controller.template_script"},
			{"run", "runner script", c.RunnerScript, "controller.runner_script"},
		} {
			p := path.Join(c.ATVMRoot, f.rel)
			ch := Check{Name: "controller: " + f.name + " " + p, OK: kv[f.key] == "ok"}
			if !ch.OK {
				ch.Detail = "missing"
				ch.Fix = fmt.Sprintf("check %s (relative to controller.atvm_root) against the controller's tree", f.confKey)
			}
			out = append(out, ch)
		}
	}
	py := Check{Name: "controller: " + c.Python, OK: kv["python"] != "missing" && kv["python"] != "", Detail: kv["python"]}
	if !py.OK {
		py.Detail = "not found in the login user's PATH"
		py.Fix = "install python3 on the controller, or set controller.python to its full path"
	}
	out = append(out, py)
	out = append(out, processCheck(c, kv))

	clock := Check{Name: "clocks: controller vs this machine"}
	remote, err := parseEpoch(kv["clock"])
	if err != nil {
		clock.Detail, clock.Fix = "no controller time: "+err.Error(), "check that `date +%s.%N` works on the controller"
	} else {
		mid := before.Add(after.Sub(before) / 2)
		diff := remote.Sub(mid)
		clock.OK = diff.Abs() <= o.ClockTolerance
		clock.Detail = fmt.Sprintf("controller is %s %s (tolerance %s)", diff.Abs().Round(time.Millisecond), map[bool]string{true: "ahead", false: "behind"}[diff >= 0], o.ClockTolerance)
		if !clock.OK {
			clock.Fix = "synchronise both clocks with NTP (`timedatectl set-ntp true`; `chronyc tracking` shows the offset)"
		}
	}
	return append(out, clock)
}

// processCheck: the bot finds runs by their working directory in the
// process table, which only root or the tree's owner can read.
func processCheck(c config.Controller, kv map[string]string) Check {
	ch := Check{Name: "controller: " + kv["user"] + " sees the automation's processes"}
	hide := kv["hidepid"]
	hidden := hide != "" && hide != "hidepid=0" && hide != "hidepid=off"
	switch {
	case kv["ps"] != "ok":
		ch.Detail, ch.Fix = "`ps -eo pid,args` does not work", "install procps on the controller"
	case kv["uid"] == "0":
		ch.OK, ch.Detail = true, "logged in as root"
	case kv["root"] == "ok" && kv["root_owner"] != kv["user"]:
		ch.Detail = fmt.Sprintf("the ATVM tree belongs to %s, the bot logs in as %s: it cannot read the working directory of the automation's processes", kv["root_owner"], kv["user"])
		ch.Fix = fmt.Sprintf("set controller.user to %s (the user that runs the automation)", kv["root_owner"])
	case hidden:
		ch.Detail = "/proc is mounted with " + hide + ": other users' processes are hidden"
		ch.Fix = "log in as the user that runs the automation (controller.user)"
	default:
		ch.OK, ch.Detail = true, "the login user owns the ATVM tree"
	}
	return ch
}
