package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/storage"
)

// serve wires a runner per controller: its own settings, mirror folder and
// lock key; the single controller: block keeps the key it had before names.
func TestServe_C21_ARunnerPerController(t *testing.T) {
	host, _ := os.Hostname()
	local := func(root string) config.Controller {
		c := config.Default().Controller
		c.Transport, c.ATVMRoot = "local", root
		return c
	}
	for _, tc := range []struct {
		name        string
		controllers map[string]config.ControllerEntry // nil = the single block
		want        map[string][2]string              // name → lock key, mirror folder (under the state folder)
		main        string
	}{
		{"single block", nil, map[string][2]string{"default": {"local:" + host, "mirror"}}, "default"},
		{"two controllers", map[string]config.ControllerEntry{"lab1": {Controller: local("/r1")}, "lab2": {Controller: local("/r2")}},
			map[string][2]string{"lab1": {"lab1", "mirror/lab1"}, "lab2": {"lab2", "mirror/lab2"}}, "lab1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := config.Default()
			cfg.Storage.Path = filepath.Join(dir, "state.db")
			cfg.Controller = local("/r1")
			cfg.Controllers = tc.controllers
			db, err := storage.Open(context.Background(), cfg.Storage.Path, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctls, err := dialControllers(context.Background(), &cfg, db, zerolog.Nop())
			if err != nil {
				t.Fatal(err)
			}
			defer ctls.close()
			if len(ctls.byName) != len(tc.want) || len(ctls.runners()) != len(tc.want) || len(ctls.healthChecks()) != len(tc.want) {
				t.Fatalf("runners %v, want %v", ctls.names, tc.want)
			}
			for name, w := range tc.want {
				r := ctls.byName[name]
				if r.Controller() != w[0] || r.MirrorDir != filepath.Join(dir, w[1]) {
					t.Errorf("%s: key %q mirror %q, want %q %q", name, r.Controller(), r.MirrorDir, w[0], filepath.Join(dir, w[1]))
				}
				e, _ := cfg.ControllerNamed(name)
				if r.Cfg.Controller.ATVMRoot != e.ATVMRoot {
					t.Errorf("%s: runner sees root %q, want its own %q", name, r.Cfg.Controller.ATVMRoot, e.ATVMRoot)
				}
			}
			if ctls.main() != ctls.byName[tc.main] {
				t.Errorf("main runner is not %s", tc.main)
			}
			// /healthz names each controller's check when there are several;
			// each round trip is counted under its controller's name.
			metrics := bot.NewMetrics("test")
			ctls.wire("test", metrics)
			checks := ctls.healthChecks()
			for i, name := range ctls.names {
				want := "controller"
				if len(tc.want) > 1 {
					want += " " + name
				}
				if checks[i].Name != want {
					t.Errorf("health check %d is %q, want %q", i, checks[i].Name, want)
				}
				if _, err := checks[i].Check(context.Background()); err != nil {
					t.Errorf("%s: %v", checks[i].Name, err)
				}
				if r := ctls.byName[name]; r.Ctl.Observer != controller.RoundTripObserver(metrics.SSH(name)) || r.Version != "test" {
					t.Errorf("%s: observer %v version %q", name, r.Ctl.Observer, r.Version)
				}
			}
		})
	}
}

// A controller's channels given by name get their IDs beside them, so a
// plan (which carries its channel's ID) finds its controller; a name the
// server does not know stays as it was and picks nothing.
func TestServe_C21_ControllerChannelNamesResolvedToIDs(t *testing.T) {
	ids := map[string]string{"atvm-lab2": "k3m9xq1w2e3r4t5y6u7i8o9p0a", "atvm-automation": "a1b2c3d4e5f6g7h8i9j0k1l2m3"}
	cfg := config.Default()
	cfg.Controllers = map[string]config.ControllerEntry{
		"lab1": {Controller: cfg.Controller, Channels: []string{"atvm-automation"}},
		"lab2": {Controller: cfg.Controller, Channels: []string{"atvm-lab2", "gone-channel", "zzzzzzzzzzzzzzzzzzzzzzzzzz"}},
	}
	resolveControllerChannels(context.Background(), &cfg, func(name string) (string, error) {
		if id, ok := ids[name]; ok {
			return id, nil
		}
		return "", fmt.Errorf("not found")
	}, zerolog.Nop())
	for _, c := range []struct{ channel, want string }{
		{ids["atvm-lab2"], "lab2"}, {"atvm-lab2", "lab2"}, {ids["atvm-automation"], "lab1"}, {"zzzzzzzzzzzzzzzzzzzzzzzzzz", "lab2"},
	} {
		if got, err := cfg.ResolveController("", c.channel); err != nil || got != c.want {
			t.Errorf("channel %s: %q %v, want %s", c.channel, got, err, c.want)
		}
	}
	if _, err := cfg.ResolveController("", "some-other-id"); err == nil {
		t.Error("a channel of no controller picked one")
	}
}
