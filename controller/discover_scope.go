package controller

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// ScopeOf reads, in one round trip, the generated specs a discovered run's
// `Extracted specPattern:` names: the scope the bot stores once when it
// adopts or reports the run (D4). A spec changed after the run started was
// rewritten by a later template step: it is left out of TEST FLOW, and a
// note says so.
func (c *Controller) ScopeOf(ctx context.Context, d Discovered) (Scope, []string, error) {
	sc := Scope{SpecPattern: d.SpecPattern, Specs: map[string][]byte{}, ConfigFile: d.ConfigFile}
	seen := map[string]bool{}
	for _, s := range d.SpecPattern {
		vm := VMOfSpec(s)
		if vm != "" && !seen[vm] && vm != "check-xml-files" {
			seen[vm] = true
			sc.VMs = append(sc.VMs, vm)
		}
	}
	sort.Strings(sc.VMs)
	if len(d.SpecPattern) == 0 {
		return sc, nil, nil
	}
	paths := make([]string, 0, len(d.SpecPattern))
	for _, s := range d.SpecPattern {
		paths = append(paths, c.abs(s))
	}
	got, err := c.readWhole(ctx, paths)
	if err != nil {
		return sc, nil, fmt.Errorf("read the run's specs: %w", err)
	}
	var notes []string
	var missing, newer []string
	for _, p := range paths {
		f := got[p]
		switch {
		case !f.found:
			missing = append(missing, path.Base(p))
		case !d.Start.IsZero() && time.Unix(0, f.mtimeNS).After(d.Start.Add(2*time.Second)):
			newer = append(newer, path.Base(p))
		default:
			sc.Specs[p] = f.data
		}
	}
	if len(missing) > 0 {
		notes = append(notes, "spec(s) of the run no longer on the controller: "+strings.Join(missing, ", "))
	}
	if len(newer) > 0 {
		notes = append(notes, "spec(s) rewritten after the run started, not used for TEST FLOW: "+strings.Join(newer, ", "))
	}
	return sc, notes, nil
}
