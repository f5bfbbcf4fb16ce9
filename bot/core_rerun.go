package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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

// rerun answers `/atvm rerun BUILD`: a new plan of the build's latest
// finished run for its failed hosts only, posted for approval like any
// plan (P1); the original selectors give way to the machines' names.
func (c *Core) rerun(ctx context.Context, in Incoming, build string) Reply {
	run, err := c.DB.LatestRunByBuild(ctx, build)
	if errors.Is(err, storage.ErrNotFound) {
		return Reply{Ephemeral: fmt.Sprintf("No run of `%s` is recorded.", build)}
	}
	if err != nil {
		return internalError(c.Log, "reading the run", err)
	}
	return c.rerunOf(ctx, in, run)
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
	return c.rerunOf(ctx, in, run)
}

func (c *Core) rerunOf(ctx context.Context, in Incoming, run storage.Run) Reply {
	build := run.Build
	if !storage.Terminal(run.State) {
		return Reply{Ephemeral: fmt.Sprintf("`%s` is %s; a rerun is planned once it has finished.", build, run.State)}
	}
	hosts, err := c.DB.HostResults(ctx, run.ID)
	if err != nil {
		return internalError(c.Log, "reading the run's hosts", err)
	}
	var failed []string
	for _, h := range hosts {
		if h.Status == results.HostFail {
			failed = append(failed, h.Host)
		}
	}
	if len(failed) == 0 {
		return Reply{Ephemeral: fmt.Sprintf("`%s` (%s) has no failed hosts to run again.", build, run.State)}
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
	req := commands.RerunRequest(orig, failed)
	return c.plan(ctx, in, commands.Command{Name: commands.CmdPlan, Plan: &req})
}
