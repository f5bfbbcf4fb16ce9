package bot

import (
	"context"

	"github.com/atvm/atvmbot/commands"
)

// PlanForm is the plan form for this configuration (a chat shows it for
// `/atvm plan` with no words).
func (c *Core) PlanForm() []FormField { return commands.PlanForm(c.Cfg) }

// planForm handles a submitted plan form: its words go through Handle like
// typed ones, so the plan is the one the same words make (P1: it is only
// posted). A refusal comes back on the field it is about, or for the whole
// form; the form stays open either way.
func (c *Core) planForm(ctx context.Context, in Incoming) Reply {
	words, errs := commands.PlanWords(in.Form)
	if errs != nil {
		c.Metrics.Refused("form")
		return Reply{FieldErrors: errs}
	}
	in.Form, in.Text = nil, words
	rep := c.Handle(ctx, in)
	if rep.posted {
		return Reply{Ephemeral: rep.Ephemeral}
	}
	if field, msg := commands.FormFieldOf(rep.refusal); field != "" {
		return Reply{FieldErrors: map[string]string{field: msg}}
	}
	return Reply{FormError: rep.Ephemeral}
}
