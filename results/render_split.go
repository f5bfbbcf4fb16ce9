package results

import (
	"fmt"
	"slices"
	"strings"
)

// Layout: a doc becomes one post, or a post plus follow-up replies when it is
// longer than Mattermost accepts. SUMMARY and HOSTS stay in the post; FAILURE
// NOTES move out first, then TEST FLOW; only then do host lines lose detail
// (never a line), and only then do the remaining sections move.

func renderUnit(u postUnit, md bool, underLabel bool) string {
	var b strings.Builder
	switch {
	case md && u.kind == uItem:
		b.WriteString("\n- " + u.text)
	case md:
		b.WriteString("\n\n" + u.text)
	case u.kind == uItem && underLabel:
		b.WriteString("\n    " + u.text)
	default:
		b.WriteString("\n  " + u.text)
	}
	if len(u.code) > 0 {
		if md {
			fence := codeFence(u.code)
			b.WriteString("\n" + fence + "\n" + strings.Join(u.code, "\n") + "\n" + fence)
		} else {
			for _, l := range u.code {
				if l == "" {
					b.WriteString("\n")
				} else {
					b.WriteString("\n      " + l)
				}
			}
		}
	}
	return b.String()
}

func sectionHeader(s postSection, md bool, head string) string {
	label := s.name + ":"
	if md {
		label = "**" + label + "**"
	}
	if head != "" {
		label += " " + head
	}
	return label
}

func renderSection(s postSection, md bool) string {
	var b strings.Builder
	b.WriteString(sectionHeader(s, md, s.head))
	under := false
	for _, u := range s.units {
		b.WriteString(renderUnit(u, md, under))
		if u.kind == uLabel {
			under = true
		}
	}
	return b.String()
}

func (d postDoc) titleLine(suffix string) string {
	if d.md {
		return "#### " + d.title + suffix
	}
	return d.title + suffix
}

func (d postDoc) footerLine() string {
	if d.md {
		return "###### " + d.footer
	}
	return d.footer
}

// renderPost lays out the title, preamble, sections and footer.
func renderPost(d postDoc, secs []postSection) string {
	parts := []string{d.titleLine("")}
	parts = append(parts, d.preamble...)
	for _, s := range secs {
		parts = append(parts, renderSection(s, d.md))
	}
	parts = append(parts, d.footerLine())
	return strings.Join(parts, "\n\n")
}

type splitAttempt struct {
	level int
	moved []string
}

var splitAttempts = []splitAttempt{
	{0, nil},
	{0, []string{secFailures}},
	{0, []string{secFailures, secFlow}},
	{1, []string{secFailures, secFlow}},
	{2, []string{secFailures, secFlow}},
	{3, []string{secFailures, secFlow}},
	{3, []string{secFailures, secFlow, secNotes}},
	{3, []string{secFailures, secFlow, secNotes, secCoverage}},
	{3, []string{secFailures, secFlow, secNotes, secCoverage, secTiming}},
}

// assemble returns the post and its replies, each at most max runes.
func assemble(d postDoc, max int) []string {
	for _, a := range splitAttempts {
		secs := make([]postSection, len(d.sections))
		copy(secs, d.sections)
		secs[1] = d.hostLevels[a.level]
		var moved []postSection
		for i, s := range secs {
			if slices.Contains(a.moved, s.name) && len(s.units) > 0 {
				moved = append(moved, s)
				secs[i] = movedSection(s)
			}
		}
		post := renderPost(d, secs)
		if runeLen(post) > max {
			continue
		}
		return enforceMax(append([]string{post}, packReplies(d, moved, max)...), max)
	}
	return enforceMax(splitHosts(d, max), max)
}

func movedSection(s postSection) postSection {
	p := s.placeholder
	if p == "" {
		p = "in the reply below"
	}
	return postSection{name: s.name, head: p}
}

// packReplies lays moved sections into as few replies as fit, splitting a
// section only between units and repeating its label as "(continued)".
func packReplies(d postDoc, secs []postSection, max int) []string {
	if len(secs) == 0 {
		return nil
	}
	frame := runeLen(d.titleLine(" — continued (reply 999 of 999)")) + runeLen(d.footerLine()) + 4
	budget := max - frame
	var bodies []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			bodies = append(bodies, cur.String())
			cur.Reset()
		}
	}
	for _, s := range secs {
		header := sectionHeader(s, d.md, s.head)
		opened, under := false, false
		for _, u := range s.units {
			ru := renderUnit(u, d.md, under)
			for try := 0; try < 2; try++ {
				need := runeLen(ru)
				if !opened {
					need += runeLen(header)
					if cur.Len() > 0 {
						need += 2
					}
				}
				if runeLen(cur.String())+need <= budget {
					break
				}
				if try == 0 && cur.Len() > 0 {
					flush()
					opened = false
					header = sectionHeader(s, d.md, "(continued)")
					continue
				}
				ru = clipRendered(ru, budget-runeLen(header)-2, d.md) // a single unit larger than a post
			}
			if !opened {
				if cur.Len() > 0 {
					cur.WriteString("\n\n")
				}
				cur.WriteString(header)
				opened = true
			}
			cur.WriteString(ru)
			if u.kind == uLabel {
				under = true
			}
		}
	}
	flush()
	out := make([]string, len(bodies))
	for i, body := range bodies {
		title := d.titleLine(fmt.Sprintf(" — continued (reply %d of %d)", i+1, len(bodies)))
		out[i] = title + "\n\n" + body + "\n\n" + d.footerLine()
	}
	return out
}

// clipRendered cuts a rendered unit to n runes, closing an open code fence.
func clipRendered(s string, n int, md bool) string {
	if runeLen(s) <= n {
		return s
	}
	if n < 8 {
		return clipRunes(s, max(n, 1))
	}
	fence := ""
	if md {
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "```") {
				fence = l
				break
			}
		}
	}
	if fence == "" {
		return clipRunes(s, n)
	}
	body := clipRunes(s, n-runeLen(fence)-1)
	if strings.Count(body, fence) == 1 { // cut inside the block: close it
		body += "\n" + fence
	}
	return body
}

// splitHosts is the last resort for a run too large for one post even with
// the shortest host lines: the host list goes on in the replies, still one
// whole line per machine.
func splitHosts(d postDoc, max int) []string {
	hosts := d.hostLevels[hostLevels-1]
	first := postSection{name: hosts.name}
	rest := postSection{name: hosts.name, head: "(continued)"}
	head := []postSection{d.sections[0], first}
	base := runeLen(renderPost(d, head)) + 80
	used := base
	for i, u := range hosts.units {
		ru := runeLen(renderUnit(u, d.md, false))
		if used+ru > max {
			rest.units = hosts.units[i:]
			break
		}
		first.units = append(first.units, u)
		used += ru
	}
	moved := []postSection{}
	if len(rest.units) > 0 {
		first.units = append(first.units, postUnit{kind: uItem, text: fmt.Sprintf("… %d more lines in the replies below", len(rest.units))})
		moved = append(moved, rest)
	}
	secs := []postSection{d.sections[0], first}
	for _, s := range d.sections[2:] {
		if len(s.units) > 0 {
			moved = append(moved, s)
		}
		secs = append(secs, movedSection(s))
	}
	return append([]string{renderPost(d, secs)}, packReplies(d, moved, max)...)
}

// enforceMax is the guarantee behind the API: no element longer than max
// runes, whatever the input (cut at line ends, then within a line).
func enforceMax(parts []string, max int) []string {
	var out []string
	for _, p := range parts {
		for runeLen(p) > max {
			lines := strings.Split(p, "\n")
			var b strings.Builder
			n, i := 0, 0
			for ; i < len(lines); i++ {
				l := runeLen(lines[i]) + 1
				if n+l > max {
					break
				}
				b.WriteString(lines[i] + "\n")
				n += l
			}
			if i == 0 {
				rs := []rune(p)
				out = append(out, string(rs[:max]))
				p = string(rs[max:])
				continue
			}
			out = append(out, strings.TrimRight(b.String(), "\n"))
			p = strings.Join(lines[i:], "\n")
		}
		out = append(out, p)
	}
	return out
}
