package results

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Shared causes: when several hosts of a post fail with one error
// signature (D28), SUMMARY names the cause once with its hosts, so the
// reader sees one problem rather than n failing lines.

const (
	maxCauses     = 5  // causes listed; the rest are counted
	maxCauseHosts = 12 // hosts named per cause; the rest are counted
)

type cause struct {
	step, err string
	hosts     []string
	sig       string // the error's signature, without the step
	differ    bool   // the hosts' error lines differ: show the signature's
}

// sharedCauses groups the scope's failed hosts by signature: only causes
// shared by two hosts or more, the most hosts first, then in host order.
func sharedCauses(hosts []Host) []cause {
	idx := map[string]int{}
	var all []cause
	for _, h := range hosts {
		if h.Status != HostFail {
			continue
		}
		sig := Signature(h.FailedStep, h.Error)
		i, ok := idx[sig]
		if !ok {
			i = len(all)
			idx[sig] = i
			all = append(all, cause{step: foldSpace(h.FailedStep), err: errorLine(h.Error, 100), sig: Signature("", h.Error)})
		} else if errorLine(h.Error, 100) != all[i].err {
			all[i].differ = true
		}
		all[i].hosts = append(all[i].hosts, h.Name)
	}
	var out []cause
	for _, c := range all {
		if len(c.hosts) > 1 {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].hosts) > len(out[j].hosts) })
	return out
}

// causeUnits are SUMMARY's lines for the shared causes, each bounded.
func (b *postBuilder) causeUnits() []postUnit {
	cs := sharedCauses(b.sc.hosts)
	var out []postUnit
	for i, c := range cs {
		if i == maxCauses {
			out = append(out, postUnit{kind: uItem, text: fmt.Sprintf("…and %d more shared %s", len(cs)-maxCauses, plural(len(cs)-maxCauses, "cause", "causes"))})
			break
		}
		what := clipWords(c.step, 60)
		if c.differ {
			c.err = causeText(c.sig)
		}
		if c.err != "" {
			if what != "" {
				what += " — "
			}
			what += c.err
		}
		if what == "" {
			what = "an unrecorded step"
		}
		names := c.hosts
		more := ""
		if len(names) > maxCauseHosts {
			more = fmt.Sprintf(" and %d more", len(names)-maxCauseHosts)
			names = names[:maxCauseHosts]
		}
		esc := make([]string, len(names))
		for j, n := range names {
			esc[j] = b.esc(n)
		}
		out = append(out, postUnit{kind: uItem, text: fmt.Sprintf("%d hosts failed at %s: %s%s", len(c.hosts), b.esc(what), strings.Join(esc, ", "), more)})
	}
	return out
}

// tagText is a host's tag for its line, shorter at the lower detail levels
// of a long HOSTS section; at the last level, where even the failed step
// is dropped so that every machine keeps its line in the post, it goes too.
// "" when the host has none.
func (b *postBuilder) tagText(h Host, level int) string {
	t, ok := b.opt.Tags[h.Name]
	switch {
	case !ok || level >= hostLevels-1:
		return ""
	case level >= 2:
		return string(t.Kind)
	}
	return t.Text(b.loc)
}

// placeholder is a part Signature replaced.
var placeholder = regexp.MustCompile(`<(time|id|ip|host|path|hex|n)>`)

// causeText is an error's signature as people read it: what differs
// between the hosts shown as "…".
func causeText(sig string) string {
	return placeholder.ReplaceAllString(sig, "…")
}
