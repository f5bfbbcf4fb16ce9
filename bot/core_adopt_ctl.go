package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/atvm/atvmbot/controller"
)

// namedRunner is a controller's configured name and its Runner.
type namedRunner struct {
	name string
	rn   Runner
}

// runnersAsked is what a command about runs asks: the controller named
// (ctl), else every one, in name order. A name no controller has is
// refused with the list.
func (c *Core) runnersAsked(ctl string) ([]namedRunner, *Reply) {
	unknown := &Reply{Ephemeral: fmt.Sprintf("No controller is named `%s`; configured: %s.", ctl, strings.Join(c.Cfg.ControllerNames(), ", "))}
	if len(c.Runners) == 0 {
		main := c.Cfg.MainControllerName()
		if ctl != "" && ctl != main {
			return nil, unknown
		}
		return []namedRunner{{main, c.Runner}}, nil
	}
	if ctl != "" {
		rn, ok := c.Runners[ctl]
		if !ok {
			return nil, unknown
		}
		return []namedRunner{{ctl, rn}}, nil
	}
	var out []namedRunner
	for _, n := range sortedRunnerNames(c.Runners) {
		out = append(out, namedRunner{n, c.Runners[n]})
	}
	return out, nil
}

// discovery is one controller's answer to Discover; asked is false when
// its Runner cannot look at the controller.
type discovery struct {
	namedRunner
	asked bool
	d     controller.Discovery
	err   error
}

// discoverAll asks every controller at once, so one slow controller costs
// its own timeout, not the sum of all.
func (c *Core) discoverAll(ctx context.Context, rs []namedRunner, liveOnly bool) []discovery {
	out := make([]discovery, len(rs))
	var wg sync.WaitGroup
	for i, nr := range rs {
		out[i].namedRunner = nr
		disc := discovererOf(nr.rn)
		if disc == nil {
			continue
		}
		out[i].asked = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].d, out[i].err = disc.Discover(ctx, liveOnly)
		}()
	}
	wg.Wait()
	return out
}

// watchAny adopts build from whichever of several controllers runs it
// live; found on none (or on more than one) it adopts nothing and says
// which controllers were asked.
func (c *Core) watchAny(ctx context.Context, in Incoming, build string, rs []namedRunner) Reply {
	all := c.discoverAll(ctx, rs, false)
	var (
		found        []discovery
		liveIdx      []int
		names, notes []string
		anyAsked     bool
	)
	for _, x := range all {
		names = append(names, x.name)
		if !x.asked {
			continue
		}
		anyAsked = true
		if x.err != nil {
			c.Log.Warn().Err(x.err).Str("controller", x.name).Msg("watch: the controller did not answer")
			notes = append(notes, fmt.Sprintf("`%s` did not answer", x.name))
			continue
		}
		idx := -1
		for i := range x.d.Live {
			if x.d.Live[i].Build == build {
				idx = i
			}
		}
		if idx >= 0 {
			found, liveIdx = append(found, x), append(liveIdx, idx)
			continue
		}
		if h, ok := x.d.Find(build); ok {
			notes = append(notes, fmt.Sprintf("on `%s` it is not running (its log was last written %s; `/atvm status %s` shows how it ended)", x.name, c.fmtTime(h.LastActivity), build))
		}
	}
	if !anyAsked {
		return Reply{Ephemeral: fmt.Sprintf("No active run of `%s` is known, and this bot cannot look at the controllers.", build)}
	}
	switch len(found) {
	case 1:
		x := found[0]
		return c.adopt(ctx, in, x.rn, x.d.Live[liveIdx[0]], fmt.Sprintf("controller `%s`", x.name))
	case 0:
		msg := fmt.Sprintf("No run of `%s` is live on any controller (asked: %s); nothing was adopted.", build, strings.Join(names, ", "))
		if len(notes) > 0 {
			msg += " " + strings.ToUpper(notes[0][:1]) + notes[0][1:]
			for _, n := range notes[1:] {
				msg += "; " + n
			}
			msg += "."
		}
		return Reply{Ephemeral: msg}
	}
	var on []string
	for _, x := range found {
		on = append(on, x.name)
	}
	return Reply{Ephemeral: fmt.Sprintf("`%s` is live on several controllers (%s); nothing was adopted. Name one: `/atvm watch %s --controller NAME`.", build, strings.Join(on, ", "), build)}
}

// whereIs is the Runner of the controller that has build — live there,
// else in its logs — asking every controller at once; nil when none has it.
func (c *Core) whereIs(ctx context.Context, build string) Runner {
	asked, _ := c.runnersAsked("")
	all := c.discoverAll(ctx, asked, false)
	for _, live := range []bool{true, false} {
		for _, x := range all {
			if !x.asked || x.err != nil {
				continue
			}
			if d, ok := x.d.Find(build); ok && d.Live == live {
				return x.rn
			}
		}
	}
	return nil
}
