package results

import (
	"fmt"
	"strconv"
	"strings"
)

// hostLevels is how many detail levels a HOSTS section has: a very large
// run keeps every machine on its own line in the post by shortening the
// failure text on the line (the full text is in FAILURE NOTES).
const hostLevels = 5

// hostsSection lists one machine per line (S4): finished and running hosts,
// then skipped (blacklisted, with reason), then remaining.
func (b *postBuilder) hostsSection(level int) postSection {
	s := postSection{name: secHosts}
	listed := map[string]bool{}
	var waiting []string
	for _, h := range b.sc.hosts {
		listed[h.Name] = true
		switch h.Status {
		case HostNotStarted:
			waiting = append(waiting, h.Name)
			continue
		case HostSkipped:
			continue // listed with the skipped below
		}
		s.units = append(s.units, postUnit{kind: uItem, text: b.hostLine(h, level)})
	}
	if len(s.units) == 0 {
		s.units = append(s.units, postUnit{kind: uItem, text: "none started yet"})
	}

	var skipped []postUnit
	for _, sk := range b.sc.skipped {
		listed[sk.Name] = true
		line := b.esc(sk.Name) + " - SKIPPED"
		if sk.Reason != "" {
			line += " - " + b.esc(sk.Reason)
		}
		skipped = append(skipped, postUnit{kind: uItem, text: line})
	}
	for _, h := range b.sc.hosts {
		if h.Status == HostSkipped {
			skipped = append(skipped, postUnit{kind: uItem, text: b.esc(h.Name) + " - SKIPPED"})
		}
	}
	if len(skipped) > 0 {
		s.units = append(s.units, postUnit{kind: uLabel, text: b.label("Skipped (blacklisted):")})
		s.units = append(s.units, skipped...)
	}

	for _, r := range b.sc.remaining {
		if !listed[r] {
			listed[r] = true
			waiting = append(waiting, r)
		}
	}
	if len(waiting) > 0 {
		s.units = append(s.units, postUnit{kind: uLabel, text: b.label("Remaining:")})
		for _, w := range waiting {
			s.units = append(s.units, postUnit{kind: uItem, text: b.esc(w) + " - " + HostNotStarted})
		}
	}
	return s
}

// hostLine is `machine - STATUS`, a failure `machine - FAIL - <step> — <error>`
// (S4), at the given detail level, with the kernel when known (R12).
func (b *postBuilder) hostLine(h Host, level int) string {
	status := h.Status
	if status == "" {
		status = HostUnknown
	}
	line := b.esc(h.Name) + " - " + status
	if status == HostFail {
		if d := failDetail(h, level); d != "" {
			line += " - " + b.esc(d)
		}
	}
	if h.Kernel != "" && level == 0 {
		line += " (kernel " + b.code(h.Kernel) + ")"
	}
	if t := b.tagText(h, level); t != "" && (status == HostFail || status == HostPass) {
		line += " — " + b.esc(t) // a build name may hold markdown
	}
	return line
}

// failDetail is the failing step and short error, shorter at each level:
// both in full, both clipped, step number and error, step number, nothing.
func failDetail(h Host, level int) string {
	step := foldSpace(h.FailedStep)
	short := errorLine(h.Error, 120)
	num := ""
	if n, _, ok := strings.Cut(step, "."); ok {
		if _, err := strconv.Atoi(n); err == nil {
			num = "step " + n
		}
	}
	join := func(a, b string) string {
		if a != "" && b != "" {
			return a + " — " + b
		}
		return a + b
	}
	switch level {
	case 0:
		if d := join(clipWords(step, 90), short); d != "" {
			return d
		}
		return "no failure detail recovered"
	case 1:
		return join(clipWords(step, 48), clipWords(short, 48))
	case 2:
		return join(num, clipWords(short, 32))
	case 3:
		return num
	}
	return ""
}

// coverage shows only the inputs the template command really used (S7).
// When the command is known it is the judge: a plugin or integration it does
// not carry is not shown, whatever else says so (P9).
func (b *postBuilder) coverage() postSection {
	cov, cmd := b.st.Coverage, b.st.TemplateCommand
	flags := commandFlags(cmd)
	has := func(name string) (string, bool) {
		for _, f := range flags {
			if f.name == name {
				return f.value, true
			}
		}
		return "", false
	}
	pick := func(known, flag string) (string, bool) {
		v, inCmd := has(flag)
		if cmd != "" && !inCmd {
			return "", false
		}
		if known != "" {
			return known, true
		}
		return v, v != ""
	}
	var items []string
	if t, ok := pick(firstNonEmpty(cov.Template, b.st.Template), "--template_name"); ok {
		items = append(items, "Template: "+b.code(t))
	}
	cfg, ok := pick(cov.ConfigFile, "--config_file")
	if ok {
		items = append(items, "Config file: "+b.code(cfg))
	}
	if fam := firstNonEmpty(cov.ConfigFamily, configFamily(cfg)); fam != "" {
		items = append(items, "Config family: "+b.esc(fam))
	}
	if v, ok := pick(cov.IntegrationType, "--integration_type"); ok {
		items = append(items, "Integration: "+b.esc(v))
	}
	if v, ok := pick(cov.Plugin, "--use_specified_plugin"); ok {
		items = append(items, "Plugin: "+b.esc(v))
	}
	if b.st.Categorized || cov.Categorized {
		items = append(items, "Categorize mode: enabled")
	}
	if cov.InstallOnly {
		items = append(items, "Install only: yes")
	}
	if opts := b.options(cov.Flags, flags, cmd != ""); len(opts) > 0 {
		items = append(items, "Options: "+strings.Join(opts, " "))
	}
	if len(items) == 0 {
		items = append(items, "not known (no template command recorded)")
	}
	return postSection{name: secCoverage, units: itemUnits(items)}
}

// Flags COVERAGE shows elsewhere or that name hosts (S7: not the host list).
var coverageOwnFlags = map[string]bool{
	"--template_name": true, "--config_file": true, "--use_specified_plugin": true,
	"--integration_type": true, "--categorize": true, "--specify_vms": true,
	"--containsVm": true, "--exclude_partial_match": true, "--randomize": true,
	"--build_name": true,
}

func (b *postBuilder) options(known []string, flags []cmdFlag, cmdKnown bool) []string {
	inCmd := map[string]bool{}
	for _, f := range flags {
		inCmd[f.name] = true
	}
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, b.code(s))
		}
	}
	if len(known) > 0 {
		for _, f := range known {
			name, _, _ := strings.Cut(strings.Fields(f + " x")[0], "=")
			if coverageOwnFlags[name] || (cmdKnown && !inCmd[name]) {
				continue
			}
			add(f)
		}
		return out
	}
	for _, f := range flags {
		if coverageOwnFlags[f.name] {
			continue
		}
		if f.value != "" {
			add(f.name + " " + f.value)
		} else {
			add(f.name)
		}
	}
	return out
}

// configFamily reads "gold" from cypress.atvm-config-gold.ts.
func configFamily(file string) string {
	base := file[strings.LastIndex(file, "/")+1:]
	base = strings.TrimSuffix(base, ".ts")
	if i := strings.LastIndex(base, "config-"); i >= 0 {
		return base[i+len("config-"):]
	}
	return ""
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// flow is the numbered TEST FLOW (S8), per group when the groups differ,
// or "not available" — never invented steps (D10).
func (b *postBuilder) flow() postSection {
	s := postSection{name: secFlow}
	src := "from the generated spec"
	if b.st.TestFlowSource == "static" {
		src = "the template's static flow (no generated spec could be read)"
	}
	if steps, ok := b.flowInRoot(); ok {
		s.head = "as in the run's first post, " + steps
		return s
	}
	if len(b.sc.flows) > 0 {
		total := 0
		for _, g := range b.sc.flows {
			s.units = append(s.units, postUnit{kind: uLabel, text: b.label(fmt.Sprintf("%s (%s):", b.esc(g.group), plural(len(g.steps), "step", "steps")))})
			s.units = append(s.units, b.stepUnits(g.steps)...)
			total += len(g.steps)
		}
		s.head = fmt.Sprintf("per group, %s", src)
		s.placeholder = fmt.Sprintf("%d groups, %s in all — in the reply below", len(b.sc.flows), plural(total, "step", "steps"))
		return s
	}
	if len(b.sc.flow) == 0 {
		s.head = "not available"
		return s
	}
	s.head = fmt.Sprintf("%s, %s", plural(len(b.sc.flow), "step", "steps"), src)
	s.units = b.stepUnits(b.sc.flow)
	s.placeholder = fmt.Sprintf("%s, %s — in the reply below", plural(len(b.sc.flow), "step", "steps"), src)
	return s
}

// stepUnits lists steps; in markdown the step's own number is escaped so a
// flow with gaps (1–10, 25–57) is not renumbered by the list renderer.
func (b *postBuilder) stepUnits(steps []string) []postUnit {
	out := make([]postUnit, 0, len(steps))
	for _, st := range steps {
		text := b.esc(st)
		if b.md {
			if n, rest, ok := strings.Cut(text, ". "); ok {
				if _, err := strconv.Atoi(n); err == nil {
					text = n + `\. ` + rest
				}
			}
		}
		out = append(out, postUnit{kind: uItem, text: text})
	}
	return out
}

// notes holds operator-facing context only (S5): the exact template command
// (P17), Currents URLs, real anomalies. Bookkeeping is dropped.
func (b *postBuilder) notes() postSection {
	var items []string
	switch {
	case b.opt.InThread && b.sc.subrun != nil:
		// The run's first post and its final summary show it (RunCard).
		items = append(items, "Template command: as in the run's first post")
	case b.st.TemplateCommand != "":
		items = append(items, "Template command: "+b.code(b.st.TemplateCommand))
	default:
		items = append(items, "Template command: unknown")
	}
	for _, u := range b.sc.currents {
		if u.name != "" {
			items = append(items, fmt.Sprintf("Currents run (%s): %s", b.esc(u.name), u.url))
		} else {
			items = append(items, "Currents run: "+u.url)
		}
	}
	if b.st.Hung {
		items = append(items, "The runner hung after the results were uploaded; the bot recorded the results and stopped it.")
	}
	seen := map[string]bool{}
	add := func(n string) {
		n = foldSpace(n)
		if n == "" || seen[n] || isBookkeeping(n) {
			return
		}
		seen[n] = true
		items = append(items, b.esc(n))
	}
	for _, n := range b.st.Notes {
		add(n)
	}
	for _, h := range b.sc.hosts {
		for _, n := range h.Notes {
			add(h.Name + ": " + n)
		}
	}
	return postSection{name: secNotes, units: itemUnits(items)}
}

// failures is FAILURE NOTES: a trimmed excerpt per failed host (S5).
func (b *postBuilder) failures() (postSection, bool) {
	s := postSection{name: secFailures}
	n := 0
	sameAs := map[string]string{}
	for _, h := range b.sc.hosts {
		if h.Status != HostFail {
			continue
		}
		n++
		head := b.esc(h.Name)
		if b.md {
			head = "**" + head + "**"
		}
		if h.FailedStep != "" {
			head += " — " + b.esc(clipRunes(foldSpace(h.FailedStep), 200))
		}
		if h.DetailSource != "" {
			head += " (" + b.esc(h.DetailSource) + ")"
		}
		// One unit per host: its heading and excerpt never part in a split.
		lines := trimExcerpt(firstNonEmpty(h.FailureExcerpt, h.Error))
		key := h.FailedStep + "\x00" + strings.Join(lines, "\n")
		switch {
		case len(lines) == 0:
			head += ": no failure text was recovered"
		case sameAs[key] != "":
			// A fleet failing the same way gets the text once, not 500 times.
			head += ": same failure text as " + b.esc(sameAs[key])
			lines = nil
		default:
			sameAs[key] = h.Name
		}
		s.units = append(s.units, postUnit{kind: uLabel, text: head, code: lines})
	}
	s.placeholder = fmt.Sprintf("for %s — in the replies below", plural(n, "failed host", "failed hosts"))
	if n == 1 {
		s.placeholder = "for 1 failed host — in the reply below"
	}
	return s, n > 0
}
