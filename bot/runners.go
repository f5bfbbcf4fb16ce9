package bot

import (
	"sort"

	"github.com/atvm/atvmbot/storage"
)

// Several controllers: each has its own Runner, and a run is
// launched, polled, stopped and cancelled by the Runner of its controller.
// Runner alone (Runners empty) is the only controller, as before.

// mainRunner is the Runner of the main controller: Runner, else the one
// Runners holds under the configuration's main name.
func (c *Core) mainRunner() Runner {
	if c.Runner != nil || len(c.Runners) == 0 {
		return c.Runner
	}
	if r, ok := c.Runners[c.Cfg.MainControllerName()]; ok {
		return r
	}
	return c.Runners[sortedRunnerNames(c.Runners)[0]]
}

// runnerNamed is the Runner of a configured controller name; "" names the
// main one. With Runner alone every name is it: a single controller.
func (c *Core) runnerNamed(name string) (Runner, bool) {
	if len(c.Runners) == 0 {
		return c.Runner, c.Runner != nil
	}
	if name == "" {
		r := c.mainRunner()
		return r, r != nil
	}
	r, ok := c.Runners[name]
	return r, ok
}

// runnerOf is the Runner of a run's controller. run.Controller is the lock
// key a Runner names itself by (Controller()), or a configured name. A key
// no Runner answers to (a run recorded under a controller since renamed)
// falls to the main Runner, which is what ran every run before names.
func (c *Core) runnerOf(run storage.Run) Runner {
	for _, name := range sortedRunnerNames(c.Runners) {
		if r := c.Runners[name]; r.Controller() == run.Controller || name == run.Controller {
			return r
		}
	}
	if len(c.Runners) > 0 && (c.Runner == nil || c.Runner.Controller() != run.Controller) {
		c.Log.Warn().Str("run", run.ID).Str("controller", run.Controller).Msg("no configured controller answers to this run's controller; using the main one")
	}
	return c.mainRunner()
}

// allRunners is every Runner once, in name order.
func (c *Core) allRunners() []Runner {
	var out []Runner
	seen := map[Runner]bool{}
	add := func(r Runner) {
		if r != nil && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	add(c.Runner)
	for _, name := range sortedRunnerNames(c.Runners) {
		add(c.Runners[name])
	}
	return out
}

func sortedRunnerNames(m map[string]Runner) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
