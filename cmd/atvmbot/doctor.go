package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/atvm/atvmbot/bot/mattermost"
	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/controller"
)

func init() {
	register("doctor", func() *cobra.Command {
		var o doctorOpts
		cmd := &cobra.Command{
			Use:   "doctor",
			Short: "check a deployment end to end (config, secrets, Mattermost, controller, state, clocks); changes nothing",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return exitWith(runDoctor(o, cmd.OutOrStdout()))
			},
		}
		fs := cmd.Flags()
		fs.StringVar(&o.path, "config", os.Getenv("ATVMBOT_CONFIG"), "YAML config file (env ATVMBOT_CONFIG)")
		fs.DurationVar(&o.tolerance, "clock-tolerance", time.Minute, "largest accepted difference between this machine's and the controller's clocks")
		fs.Int64Var(&o.minFree, "min-free-mb", 512, "free space the state folder needs, in MB")
		fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "time allowed for all checks")
		return cmd
	})
}

type doctorOpts struct {
	path               string
	tolerance, timeout time.Duration
	minFree            int64
}

// chatDoctor checks the chat side of a deployment; the Mattermost adapter
// implements it.
type chatDoctor interface {
	Doctor(ctx context.Context) []mattermost.DoctorCheck
}

// newChatDoctor builds the chat checker (tests replace it).
var newChatDoctor = func(cfg *config.Config) chatDoctor {
	return mattermost.NewMattermostDoctor(mattermost.MattermostDoctorOptions{
		URL: cfg.Mattermost.URL, Token: cfg.Secrets.MattermostToken, Team: cfg.Mattermost.Team,
		Channel: cfg.Mattermost.Channel, PublicURL: cfg.Mattermost.PublicURL, Trigger: cfg.Mattermost.CommandTrigger,
		Hint: commands.AutocompleteHint, Desc: commands.AutocompleteDescription,
		ManualConfigured: cfg.Secrets.SlashToken != "", Approvers: cfg.Approvals.Approvers,
	})
}

// line is one checklist entry.
type line struct {
	name, detail, fix string
	ok, skipped       bool
	more              []string // one problem per line
}

func runDoctor(o doctorOpts, stdout io.Writer) int {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()

	cfg, problems, _ := loadChecked(o.path, config.ModeServe)
	var lines []line
	lines = append(lines, configLines(o.path, problems)...)
	lines = append(lines, stateLine(cfg.Storage.Path, o.minFree))
	if cfg.Mattermost.URL != "" && cfg.Secrets.MattermostToken != "" {
		for _, c := range newChatDoctor(&cfg).Doctor(ctx) {
			lines = append(lines, line{name: c.Name, detail: c.Detail, fix: c.Fix, ok: c.OK, skipped: c.Skipped})
		}
	} else {
		lines = append(lines, line{name: "Mattermost", skipped: true, detail: "not checked: mattermost.url or the bot's token is missing"})
	}
	lines = append(lines, controllerLines(ctx, &cfg, o.tolerance)...)
	return printChecklist(stdout, lines)
}

// controllerLines checks every controller, at the same time (an
// unreachable one costs its connect timeout once, not once per
// controller), and lists them in name order. With `controllers:` each line
// names its controller and each fix its keys.
func controllerLines(ctx context.Context, cfg *config.Config, tolerance time.Duration) []line {
	names := cfg.ControllerNames()
	checks := make([][]controller.Check, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		e, _ := cfg.ControllerNamed(name)
		wg.Add(1)
		go func() {
			defer wg.Done()
			checks[i] = controller.Doctor(ctx, controller.DoctorOptions{Cfg: e.Controller, KeyPath: cfg.SSHKeyPathFor(name),
				ClockTolerance: tolerance, Log: zerolog.Nop()})
		}()
	}
	wg.Wait()
	var lines []line
	for i, name := range names {
		for _, c := range checks[i] {
			l := line{name: c.Name, detail: c.Detail, fix: c.Fix, ok: c.OK, skipped: c.Skipped}
			if len(cfg.Controllers) > 0 {
				l.name, l.fix = namedCheck(c.Name, name), strings.ReplaceAll(c.Fix, "controller.", "controllers."+name+".")
			}
			lines = append(lines, l)
		}
	}
	return lines
}

// namedCheck puts the controller's name into a check's name:
// "controller: ATVM root …" → "controller lab2: ATVM root …".
func namedCheck(check, name string) string {
	if i := strings.Index(check, "controller"); i >= 0 {
		i += len("controller")
		return check[:i] + " " + name + check[i:]
	}
	return "controller " + name + ": " + check
}

// configLines splits the start-up checks into the config itself and its
// secrets.
func configLines(path string, problems config.Problems) []line {
	name := "config valid"
	if path != "" {
		name += " (" + path + ")"
	}
	cl := line{name: name, fix: "edit the config; `atvmbot check-config` lists the same problems"}
	sl := line{name: "secrets present and valid", fix: "see the Deployment section of the README: each secret is a file named under secret_files:"}
	secret := func(p string) bool {
		if key, _, _ := strings.Cut(p, " "); strings.HasSuffix(strings.TrimSuffix(key, ":"), ".ssh_key") {
			return true // a controller's own key
		}
		for _, k := range []string{config.EnvMattermostToken, config.EnvSlashToken, config.EnvSigningKey, config.EnvSSHKey, "secret_files."} {
			if strings.HasPrefix(p, k) {
				return true
			}
		}
		return false
	}
	for _, p := range problems {
		if secret(p) {
			sl.more = append(sl.more, p)
		} else {
			cl.more = append(cl.more, p)
		}
	}
	cl.ok, sl.ok = len(cl.more) == 0, len(sl.more) == 0
	return []line{cl, sl}
}

// stateLine: the state folder (or the one it will be created in) takes
// writes and has room.
func stateLine(dbPath string, minFreeMB int64) line {
	l := line{name: "state folder " + filepath.Dir(dbPath)}
	dir := filepath.Dir(dbPath)
	for {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		l.detail, l.fix = err.Error(), "create the folder named by storage.path, writable by the bot's user"
		return l
	}
	free := int64(st.Bavail) * int64(st.Bsize) / (1 << 20)
	l.detail = fmt.Sprintf("%d MB free on %s", free, dir)
	if free < minFreeMB {
		l.fix = fmt.Sprintf("free space on %s: the bot needs at least %d MB for its state and run mirrors", dir, minFreeMB)
		return l
	}
	if err := config.Writable(dir); err != nil {
		l.detail, l.fix = "not writable: "+err.Error(), "give the bot's user write access to "+dir+" (systemd: StateDirectory=atvmbot)"
		return l
	}
	l.ok = true
	return l
}

// printChecklist prints one mark per line, the fix under each failure, and
// returns the exit code.
func printChecklist(w io.Writer, lines []line) int {
	failed := 0
	for _, l := range lines {
		mark := "✓"
		switch {
		case l.skipped:
			mark = "-"
		case !l.ok:
			mark = "✗"
			failed++
		}
		text := mark + " " + l.name
		if l.detail != "" {
			text += ": " + l.detail
		}
		fmt.Fprintln(w, text)
		for _, m := range l.more {
			fmt.Fprintln(w, "    "+m)
		}
		if !l.ok && !l.skipped && l.fix != "" {
			fmt.Fprintln(w, "    fix: "+l.fix)
		}
	}
	if failed > 0 {
		fmt.Fprintf(w, "\n%d of %d checks failed\n", failed, len(lines))
		return 1
	}
	fmt.Fprintf(w, "\nall %d checks passed\n", len(lines))
	return 0
}
