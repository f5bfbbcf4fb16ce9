package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
	"github.com/atvm/atvmbot/bot/mattermost"
	"github.com/atvm/atvmbot/bot/runner"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/storage"
)

// servedControllers is a runner per configured controller, each over its
// own transport.
type servedControllers struct {
	cfg        *config.Config
	names      []string // configured names, in order
	byName     map[string]*runner.ControllerRunner
	transports []controller.Transport
}

// dialControllers connects to every controller and wires a runner for
// each: its own settings, key, mirror folder and lock key. One that cannot
// be reached stops the start, as the one controller always did.
func dialControllers(ctx context.Context, cfg *config.Config, db *storage.DB, log zerolog.Logger) (*servedControllers, error) {
	s := &servedControllers{cfg: cfg, names: cfg.ControllerNames(), byName: map[string]*runner.ControllerRunner{}}
	state := filepath.Dir(cfg.Storage.Path)
	for _, name := range s.names {
		e, _ := cfg.ControllerNamed(name)
		t, key, err := dialController(ctx, cfg, name, e.Controller, log)
		if err != nil {
			s.close()
			return nil, err
		}
		s.transports = append(s.transports, t)
		// The runner sees the configuration as a plan on this controller
		// does: its paths and defaults.
		own := *cfg
		own.Controller = e.Controller
		mirror := filepath.Join(state, "mirror")
		if cfg.Controllers != nil {
			mirror = filepath.Join(mirror, name)
		}
		s.byName[name] = runner.NewControllerRunner(t, &own, db, mirror, key, log.With().Str("controller", name).Logger())
	}
	return s, nil
}

// dialController opens a controller's transport and names its lock key
// (D15): with the single controller: block its address, as before names
// (a lock held under it stays held by the same key); under controllers:
// its configured name.
func dialController(ctx context.Context, cfg *config.Config, name string, ctl config.Controller, log zerolog.Logger) (controller.Transport, string, error) {
	key := name
	if ctl.Transport == "local" {
		if cfg.Controllers == nil {
			host, _ := os.Hostname()
			key = "local:" + host
		}
		return controller.NewLocal(log), key, nil
	}
	dctx, cancel := context.WithTimeout(ctx, ctl.ConnectTimeout+5*time.Second)
	defer cancel()
	// Each controller may have a key of its own (controllers.NAME.ssh_key).
	t, err := controller.DialSSH(dctx, ctl, cfg.SSHKeyPathFor(name), log)
	if err != nil {
		return nil, "", fmt.Errorf("controller %s (%s): %w", name, ctl.Host, err)
	}
	if cfg.Controllers == nil {
		key = net.JoinHostPort(ctl.Host, fmt.Sprint(ctl.Port))
	}
	return t, key, nil
}

// wire gives each runner the version and its controller's metrics: every
// round trip feeds atvmbot_ssh_round_trip_seconds under its controller's
// name.
func (s *servedControllers) wire(version string, metrics *bot.Metrics) {
	for name, r := range s.byName {
		r.Version = version
		r.Ctl.Observer = metrics.SSH(name)
	}
}

func (s *servedControllers) close() {
	for _, t := range s.transports {
		t.Close()
	}
}

// main is the main controller's runner: what a run recorded under no
// configured controller falls to.
func (s *servedControllers) main() *runner.ControllerRunner {
	return s.byName[s.cfg.MainControllerName()]
}

// runners is the core's view: every runner by configured name.
func (s *servedControllers) runners() map[string]bot.Runner {
	out := make(map[string]bot.Runner, len(s.byName))
	for n, r := range s.byName {
		out[n] = r
	}
	return out
}

// keys are the lock keys, in name order.
func (s *servedControllers) keys() []string {
	out := make([]string, 0, len(s.names))
	for _, n := range s.names {
		out = append(out, s.byName[n].Controller())
	}
	return out
}

// healthChecks asks each controller for its clock: "controller" with one,
// "controller NAME" for each of several.
func (s *servedControllers) healthChecks() []mattermost.HealthCheck {
	var out []mattermost.HealthCheck
	for _, n := range s.names {
		r, label := s.byName[n], "controller"
		if len(s.names) > 1 {
			label += " " + n
		}
		out = append(out, mattermost.HealthCheck{Name: label, Check: func(ctx context.Context) (string, error) {
			_, err := r.Ctl.Clock(ctx)
			return "reachable", err
		}})
	}
	return out
}

// resolveControllerChannels adds, beside each channel a controller's
// channels: names, that channel's ID: a plan arrives with the ID of its
// channel (slash commands, buttons and mentions alike), so a name alone
// would never match. A name the server does not know is logged and left:
// plans from it are then refused with the list of controllers, never run
// on a guessed one.
func resolveControllerChannels(ctx context.Context, cfg *config.Config, idOf func(string) (string, error), log zerolog.Logger) {
	for name, e := range cfg.Controllers {
		have := map[string]bool{}
		for _, ch := range e.Channels {
			have[ch] = true
		}
		for _, ch := range e.Channels {
			id, err := idOf(ch)
			if err != nil {
				if !mmIDLike(ch) {
					log.Warn().Err(err).Str("controller", name).Str("channel", ch).Msg("a controller's channel is not known to Mattermost; plans from it must name a controller")
				}
				continue
			}
			if !have[id] {
				e.Channels = append(e.Channels, id)
				have[id] = true
			}
		}
		cfg.Controllers[name] = e
	}
}

// mmIDLike reports a Mattermost ID (26 lower-case letters and digits):
// looked up as a name it is not found, and needs no lookup.
func mmIDLike(s string) bool {
	if len(s) != 26 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
