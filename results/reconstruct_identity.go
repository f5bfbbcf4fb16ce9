package results

import "strings"

// initScope settles the names hosts are identified by (D25) before any
// artifact is read: the stored scope (D4), else the full scope the wrapper
// printed at the start (`Extracted specPattern:`), else the config's
// specPattern. The first two are authoritative: a name that maps to none
// of their machines is an anomaly, never a host. A categorized run's live
// config names the current batch only (R2), so it only helps to map names.
func (r *recon) initScope(parsed []ParsedFile) {
	for i := range parsed {
		if parsed[i].Kind == KindConfig {
			r.addParsed(&parsed[i])
		}
	}
	var specs []string
	switch {
	case len(r.meta.RequestedVMs) > 0:
		r.idScope = append(r.idScope, r.meta.RequestedVMs...)
		r.scopeKnown = true
	case r.arts.RunLog != nil && len(r.arts.RunLog.SpecPatterns) > 0:
		specs = r.arts.RunLog.SpecPatterns[0].Specs
		r.scopeKnown = true
	default:
		specs = r.configPattern
		r.scopeKnown = !r.meta.Categorized && len(specs) > 0
	}
	for _, s := range specs {
		if m := rlMachine(s); m != "" && !strings.ContainsAny(m, "*?[{") {
			r.idScope = append(r.idScope, m)
		} else {
			r.scopeKnown = false // a glob: the scope's names are not all known
		}
	}
	for _, s := range r.meta.Skipped {
		r.idScope = append(r.idScope, s.Name) // identified, then left out as skipped (P12)
	}
	r.idIndex = newScopeIndex(r.idScope)
}

// identify maps the names one artifact gives for its machine, in their
// order of trust, to a scope machine (D25). Without a scope the parser's
// own name (fallback) stands; with an authoritative scope a name that maps
// to none gives ok=false.
func (r *recon) identify(fallback string, names ...string) (string, bool) {
	if len(r.idScope) > 0 {
		for _, n := range names {
			if m, ok := r.idIndex.match(n); ok {
				return m, true
			}
		}
		if r.scopeKnown {
			return "", false
		}
	}
	return fallback, fallback != ""
}

// outOfScope notes an artifact whose names map to no machine of the run's
// scope (D25): named by its path so an operator can find it.
func (r *recon) outOfScope(where, name string) {
	r.note("%s names %s, which is no machine of this run's scope; its results were ignored", where, name)
}

// fileNotes names the artifact in each of its notes: "truncated XML" alone
// does not let an operator find the file (S5).
func fileNotes(path string, notes []string) []string {
	if len(notes) == 0 {
		return notes
	}
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = path + ": " + n
	}
	return out
}
