package controller

import (
	"testing"

	"github.com/atvm/atvmbot/results"
)

// A build counts as running when a process carrying its name works in this
// ATVM tree, or in a tree the bot cannot see; a runner of the same build
// name in another tree on the machine belongs to another controller.
func TestPreflight_DuplicateBuildIsThisTreesOnly(t *testing.T) {
	ps := []results.Process{
		{PID: 10, Stat: "S", Args: "python3 ./run-sorry-cypress.py --config_file c.ts --build_name b1"},
		{PID: 11, Stat: "S", Args: "python3 ./run-sorry-cypress.py --config_file c.ts --build_name b2"},
		{PID: 12, Stat: "S", Args: "python3 ./run-sorry-cypress.py --config_file c.ts --build_name b3"},
		{PID: 13, Stat: "Z", Args: "python3 ./run-sorry-cypress.py --build_name b4"},
	}
	pf := preflight{ps: ps, root: "/root/atvm", cwd: map[int]string{10: "/root/atvm/", 11: "/srv/other-atvm", 12: ""}}
	for _, tc := range []struct {
		build   string
		running bool
	}{{"b1", true}, {"b2", false}, {"b3", true}, {"b4", false}, {"b5", false}} {
		if got := pf.running(tc.build) != ""; got != tc.running {
			t.Errorf("%s: running = %v, want %v", tc.build, got, tc.running)
		}
	}
}
