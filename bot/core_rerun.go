package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// actRerun is the final summary's [Re-run failed] button.
const actRerun = "rerunfailed"

// rerunButton is the final summary's [Re-run failed]: pressing it does
// what `/atvm rerun` does for this very run.
func rerunButton(run storage.Run) Button {
	return Button{Name: "Re-run failed", Action: actRerun, Plan: run.ID, Channel: run.ChannelID}
}

// rerun answers `/atvm rerun BUILD [--failed|--all|--skip-known]`: a new
// plan of the build's latest finished run for those hosts, posted for
// approval like any plan (P1); the original selectors give way to the
// machines' names. ctl picks the build's run on that controller (the same
// plan may have run on several); without it, the newest run of the build.
func (c *Core) rerun(ctx context.Context, in Incoming, build, mode, ctl string) Reply {
	if _, refused := c.runnersAsked(ctl); refused != nil {
		return *refused
	}
	runs, err := c.DB.RunsByBuild(ctx, build, 200)
	if err != nil {
		return internalError(c.Log, "reading the run", err)
	}
	for _, run := range runs {
		if ctl == "" || c.controllerNameOf(run) == ctl {
			return c.rerunOf(ctx, in, run, mode)
		}
	}
	return Reply{Ephemeral: fmt.Sprintf("No run of `%s`%s is recorded.", build, onController(ctl))}
}

// rerunPressed answers the [Re-run failed] button of run id.
func (c *Core) rerunPressed(ctx context.Context, in Incoming, id string) Reply {
	run, err := c.DB.GetRun(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return Reply{Ephemeral: "⚠️ That run is no longer recorded."}
	}
	if err != nil {
		return internalError(c.Log, "reading the run", err)
	}
	return c.rerunOf(ctx, in, run, commands.RerunFailed)
}

func (c *Core) rerunOf(ctx context.Context, in Incoming, run storage.Run, mode string) Reply {
	build := run.Build
	if !storage.Terminal(run.State) {
		return Reply{Ephemeral: fmt.Sprintf("`%s` is %s; a rerun is planned once it has finished.", build, run.State)}
	}
	rows, err := c.DB.HostResults(ctx, run.ID)
	if err != nil {
		return internalError(c.Log, "reading the run's hosts", err)
	}
	st := results.Status{Template: run.Template}
	for _, h := range rows {
		st.Hosts = append(st.Hosts, results.Host{Name: h.Host, Status: h.Status, FailedStep: h.FailedStep, Error: h.Error})
	}
	tags := c.tagsFor(ctx, run, st)
	picked, marked := rerunHosts(st.Hosts, tags, mode)
	if len(picked) == 0 {
		what := "no failed hosts to run again"
		switch {
		case mode == commands.RerunAll:
			what = "no host with a result to run again"
		case mode == commands.RerunSkipKnown && len(marked) > 0:
			what = "only failed hosts that were KNOWN or FLAKY before; `--failed` plans them anyway"
		}
		return Reply{Ephemeral: fmt.Sprintf("`%s` (%s) has %s.", build, run.State, what)}
	}
	orig := commands.PlanRequest{Template: run.Template}
	if run.PlanID != "" {
		p, err := c.DB.GetPlan(ctx, run.PlanID)
		if err != nil {
			return internalError(c.Log, "reading the run's plan", err)
		}
		var plan commands.Plan
		if err := json.Unmarshal([]byte(p.PlanJSON), &plan); err != nil {
			return internalError(c.Log, "reading the run's plan", err)
		}
		orig = plan.Request
	}
	if orig.Template == "" {
		return Reply{Ephemeral: fmt.Sprintf("The template of `%s` is not known; plan it with `/atvm plan TEMPLATE --specify_vms …`.", build)}
	}
	req := commands.RerunRequest(orig, picked)
	// A rerun runs where the run ran, not on the channel's default: the
	// hosts it names are that controller's.
	if len(c.Cfg.ControllerNames()) > 1 {
		if name := c.controllerNameOf(run); name != "" {
			if _, ok := c.Cfg.ControllerNamed(name); ok {
				req.Controller = name
			}
		}
	}
	rep, _ := c.postPlan(ctx, in, commands.Command{Name: commands.CmdPlan, Plan: &req}, c.rerunNote(run, mode, picked, marked, tags))
	return rep
}

// rerunHosts are the hosts a rerun of mode names, and the failed hosts
// whose failure was KNOWN or FLAKY before the run (marked: the approver may
// leave them out; --skip-known does).
func rerunHosts(hosts []results.Host, tags map[string]results.Tag, mode string) (picked, marked []string) {
	for _, h := range hosts {
		known := false
		if h.Status == results.HostFail {
			k := tags[h.Name].Kind
			known = k == results.TagKnown || k == results.TagFlaky
			if known {
				marked = append(marked, h.Name)
			}
		}
		switch {
		case mode == commands.RerunAll && (h.Status == results.HostPass || h.Status == results.HostFail):
		case h.Status == results.HostFail && !(mode == commands.RerunSkipKnown && known):
		default:
			continue
		}
		picked = append(picked, h.Name)
	}
	sort.Strings(picked)
	sort.Strings(marked)
	return picked, marked
}

// rerunNote heads the rerun's plan post: the run it re-runs, and each
// named host that failed with a KNOWN or FLAKY tag, so the approver can
// leave them out with --skip-known.
func (c *Core) rerunNote(run storage.Run, mode string, picked, marked []string, tags map[string]results.Tag) string {
	what := map[string]string{commands.RerunAll: "every host with a result", commands.RerunSkipKnown: "failed hosts not KNOWN or FLAKY before"}[mode]
	if what == "" {
		what = "its failed hosts"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "🔁 **Re-run** of `%s` (run `%s`, %s): %s — %s.", run.Build, run.ID, run.State, what, plural(len(picked), "host", "hosts"))
	in := map[string]bool{}
	for _, h := range picked {
		in[h] = true
	}
	var lines []string
	for _, h := range marked {
		if in[h] {
			lines = append(lines, fmt.Sprintf("- %s — %s", h, tags[h].Text(c.Cfg.Location())))
		}
	}
	if len(lines) > 0 {
		fmt.Fprintf(&b, "\nThese failed the same way before; `/atvm rerun %s --skip-known` plans without them:\n%s", run.Build, strings.Join(lines, "\n"))
	} else if mode == commands.RerunSkipKnown && len(marked) > 0 {
		fmt.Fprintf(&b, " Left out as KNOWN or FLAKY: %s.", strings.Join(marked, ", "))
	}
	return b.String()
}
