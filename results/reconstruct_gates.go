package results

import "strings"

// flowGates are the run's own values for TEST FLOW's gates (S8, D4): the
// env block of the config stored at verification (else the live config's,
// whose env the categorized runner leaves alone), then the template
// command's flags, then what the bot was told. A gate whose value none of
// them gives stays unknown and TestFlow notes it.
func (r *recon) flowGates() FlowGates {
	g := FlowGates{Plugin: r.meta.Plugin, InstallOnly: r.meta.InstallOnly}
	if r.meta.Config != nil {
		if env, ok := ConfigEnv(r.meta.Config); ok {
			g.Env = env
		} else {
			r.note("TEST FLOW: the stored config has no readable env block; its gates were judged from the template command")
		}
	} else if r.configEnv != nil {
		g.Env = r.configEnv
	}
	f := strings.Fields(r.meta.TemplateCommand)
	for i, a := range f {
		name, val, hasVal := strings.Cut(a, "=")
		if !hasVal && i+1 < len(f) && !strings.HasPrefix(f[i+1], "-") {
			val = f[i+1]
		}
		switch name {
		case "--use_specified_plugin":
			if g.Plugin == "" && val != "" {
				g.Plugin = strings.ToLower(val)
			}
		case "--test_install_only":
			g.InstallOnly = true
		case "--no_cutover":
			no := false
			g.Cutover = &no
		}
	}
	return g
}
