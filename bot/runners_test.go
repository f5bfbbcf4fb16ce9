package bot

import (
	"testing"

	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/storage"
)

func TestCore_C21_RunnerOfPicksTheRunsController(t *testing.T) {
	cfg := config.Default()
	a, b, only := &scriptedRunner{name: "a"}, &scriptedRunner{name: "b"}, &scriptedRunner{}
	several := &Core{Cfg: &cfg, Runners: map[string]Runner{"a": a, "b": b}}
	single := &Core{Cfg: &cfg, Runner: only}
	for _, tc := range []struct {
		name       string
		core       *Core
		controller string
		want       Runner
	}{
		{"by lock key a", several, "a", a},
		{"by lock key b", several, "b", b},
		{"unknown key falls to the main (first by name)", several, "10.0.0.1:22", a},
		{"single runner answers every run", single, "ctl-test", only},
		{"single runner, a key from before", single, "10.0.0.1:22", only},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.core.runnerOf(storage.Run{Controller: tc.controller}); got != tc.want {
				t.Fatalf("runnerOf(%q) = %v, want %v", tc.controller, got.Controller(), tc.want.Controller())
			}
		})
	}
	for _, tc := range []struct {
		name string
		core *Core
		ctl  string
		want Runner
		ok   bool
	}{
		{"named", several, "b", b, true},
		{"main", several, "", a, true},
		{"unknown", several, "c", nil, false},
		{"single: any name is the only one", single, "default", only, true},
	} {
		t.Run("named "+tc.name, func(t *testing.T) {
			got, ok := tc.core.runnerNamed(tc.ctl)
			if ok != tc.ok || (ok && got != tc.want) {
				t.Fatalf("runnerNamed(%q) = %v, %v", tc.ctl, got, ok)
			}
		})
	}
	if n := len(several.allRunners()); n != 2 {
		t.Fatalf("allRunners = %d, want 2", n)
	}
}
