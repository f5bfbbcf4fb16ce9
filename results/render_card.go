package results

import (
	"fmt"
	"strings"
)

// RunCard is what a run's first post (the root of its thread) shows below
// its progress line, once per run: the exact template command (P17) and
// the run's TEST FLOW (S8), per group when the groups' flows differ.
// Result posts rendered InThread refer to it instead of repeating them.
func RunCard(st Status) string {
	b := &postBuilder{st: st, opt: RenderOptions{Kind: Live}, md: true, loc: RenderOptions{}.location(), now: latestTime(&st)}
	b.sc = selectScope(st, "")
	var out strings.Builder
	if st.TemplateCommand != "" {
		out.WriteString("Template command: " + b.code(st.TemplateCommand) + "\n")
	} else {
		out.WriteString("Template command: unknown\n")
	}
	out.WriteString(renderSection(b.flow(), true))
	return strings.TrimRight(out.String(), "\n")
}

// flowInRoot reports whether this post's TEST FLOW is one RunCard already
// shows in the thread's first post, and its size in words.
func (b *postBuilder) flowInRoot() (string, bool) {
	if !b.opt.InThread || (b.opt.Kind != SubrunResult && b.opt.Kind != Final && b.opt.Kind != Correction) {
		return "", false
	}
	root := selectScope(b.st, "")
	if b.sc.subrun == nil {
		// The whole run: exactly what the root shows.
		switch {
		case len(root.flows) > 0:
			total := 0
			for _, g := range root.flows {
				total += len(g.steps)
			}
			return fmt.Sprintf("%d groups, %s in all", len(root.flows), plural(total, "step", "steps")), true
		case len(root.flow) > 0:
			return plural(len(root.flow), "step", "steps"), true
		}
		return "", false
	}
	// One sub-run: its own flow, when the root lists that very flow.
	if len(b.sc.flow) == 0 {
		return "", false
	}
	same := func(a []string) bool { return strings.Join(a, "\n") == strings.Join(b.sc.flow, "\n") }
	shown := len(root.flows) == 0 && len(root.flow) > 0 && same(root.flow)
	for _, g := range root.flows {
		shown = shown || same(g.steps)
	}
	if !shown {
		return "", false
	}
	return plural(len(b.sc.flow), "step", "steps"), true
}
