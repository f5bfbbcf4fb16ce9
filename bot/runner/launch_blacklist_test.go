package runner

import (
	"reflect"
	"testing"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/storage"
)

func TestLaunchBlacklist_C21_P12_TheControllersOwnAdditionsToo(t *testing.T) {
	shared := []storage.BlacklistEntry{{Machine: "atvm144-suse15.0", Reason: "broken"}}
	several := config.Default()
	several.Controllers = map[string]config.ControllerEntry{
		"lab1": {Controller: several.Controller},
		"lab2": {Controller: several.Controller, Blacklist: []config.BlacklistEntry{{Machine: "atvm201-redhat9.4", Reason: "LAB2 STORAGE MISSING"}}},
	}
	single := config.Default()
	for _, tc := range []struct {
		name string
		cfg  config.Config
		ctl  string
		want []string
	}{
		{"single block", single, "", []string{"atvm144-suse15.0"}},
		{"a controller without additions", several, "lab1", []string{"atvm144-suse15.0"}},
		{"a controller with additions", several, "lab2", []string{"atvm144-suse15.0", "atvm201-redhat9.4"}},
		{"a plan from before names", several, "", []string{"atvm144-suse15.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := launchBlacklist(&tc.cfg, commands.Plan{Controller: tc.ctl}, shared)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("blacklist %v, want %v", got, tc.want)
			}
		})
	}
}
