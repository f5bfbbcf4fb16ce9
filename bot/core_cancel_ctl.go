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
	active, err := c.DB.ActiveRuns(ctx)
	if err != nil {
		rep := internalError(c.Log, "listing active runs", err)
		return storage.Run{}, &rep
	}
	var match []storage.Run
	for _, r := range active {
		if (build == "" || r.Build == build) && (ctl == "" || c.controllerNameOf(r) == ctl) {
			match = append(match, r)
		}
	}
	on := ""
	if ctl != "" {
		on = fmt.Sprintf(" on controller `%s`", ctl)
	}
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
	var where []string
	for _, r := range match {
		where = append(where, c.controllerNameOf(r))
	}
	return storage.Run{}, &Reply{Ephemeral: fmt.Sprintf("⚠️ `%s` is running on several controllers (%s); name one: `/atvm cancel %s --yes --controller NAME`.",
		build, strings.Join(where, ", "), build)}
}
