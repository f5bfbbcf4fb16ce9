package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/atvm/atvmbot/storage"
)

// runToCancel is the active run a cancel means: of build (any build when
// ""), on the controller ctl names (any when ""). Two controllers may run
// the same build (the same plan on each): then the controller must be
// named, and the refusal lists where it runs.
func (c *Core) runToCancel(ctx context.Context, build, ctl string) (storage.Run, *Reply) {
	match, err := c.activeRunsOf(ctx, build, ctl)
	if err != nil {
		rep := internalError(c.Log, "listing active runs", err)
		return storage.Run{}, &rep
	}
	on := onController(ctl)
	switch {
	case len(match) == 1:
		return match[0], nil
	case len(match) == 0 && build != "":
		return storage.Run{}, &Reply{Ephemeral: fmt.Sprintf("⚠️ No active run of `%s`%s to cancel.", build, on)}
	case len(match) == 0 && ctl != "":
		return storage.Run{}, &Reply{Ephemeral: fmt.Sprintf("⚠️ No active run%s to cancel.", on)}
	case build == "" && ctl == "", build == "" && len(match) > 1:
		return storage.Run{}, &Reply{Ephemeral: "⚠️ Name what to cancel: `/atvm cancel PLAN` or `/atvm cancel BUILD --yes`."}
	}
	return storage.Run{}, c.onSeveral(match, "cancel "+build+" --yes")
}

// activeRunsOf are the bot's active runs of build (any when "") on the
// controller ctl names (any when "").
func (c *Core) activeRunsOf(ctx context.Context, build, ctl string) ([]storage.Run, error) {
	active, err := c.DB.ActiveRuns(ctx)
	if err != nil {
		return nil, err
	}
	var match []storage.Run
	for _, r := range active {
		if (build == "" || r.Build == build) && (ctl == "" || c.controllerNameOf(r) == ctl) {
			match = append(match, r)
		}
	}
	return match, nil
}

// onSeveral refuses a command about one build that runs on several
// controllers, naming them and the command again with --controller.
func (c *Core) onSeveral(runs []storage.Run, command string) *Reply {
	var where []string
	for _, r := range runs {
		where = append(where, c.controllerNameOf(r))
	}
	return &Reply{Ephemeral: fmt.Sprintf("⚠️ `%s` is running on several controllers (%s); name one: `/atvm %s --controller NAME`.",
		runs[0].Build, strings.Join(where, ", "), command)}
}

func onController(ctl string) string {
	if ctl == "" {
		return ""
	}
	return fmt.Sprintf(" on controller `%s`", ctl)
}
