package controller

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// ParseSpecPattern reads the specPattern of a Cypress config file: a list
// of quoted strings (`specPattern: ["a.ts", 'b.ts']`) or one string. The
// file is read as text, not evaluated, and not matched with a shell regex
// (P16). Comments are skipped.
func ParseSpecPattern(src []byte) ([]string, error) {
	s := stripComments(string(src))
	i := 0
	for {
		j := strings.Index(s[i:], "specPattern")
		if j < 0 {
			return nil, errors.New("no specPattern in the config file")
		}
		i += j + len("specPattern")
		if before := i - len("specPattern") - 1; before >= 0 && isIdent(s[before]) {
			continue
		}
		k := skipSpace(s, i)
		if k < len(s) && (s[k] == '"' || s[k] == '\'') { // quoted key: "specPattern":
			k = skipSpace(s, k+1)
		}
		if k >= len(s) || s[k] != ':' || (i < len(s) && isIdent(s[i])) {
			continue
		}
		k = skipSpace(s, k+1)
		if k < len(s) && s[k] == '[' {
			return parseStringList(s, k+1)
		}
		str, _, err := parseString(s, k)
		if err != nil {
			return nil, fmt.Errorf("specPattern: %w", err)
		}
		return []string{str}, nil
	}
}

func isIdent(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func skipSpace(s string, i int) int {
	for i < len(s) && strings.IndexByte(" \t\r\n", s[i]) >= 0 {
		i++
	}
	return i
}

func parseStringList(s string, i int) ([]string, error) {
	var out []string
	for {
		i = skipSpace(s, i)
		if i >= len(s) {
			return nil, errors.New("specPattern: unterminated list")
		}
		if s[i] == ']' {
			return out, nil
		}
		str, next, err := parseString(s, i)
		if err != nil {
			return nil, fmt.Errorf("specPattern: %w", err)
		}
		out = append(out, str)
		i = skipSpace(s, next)
		if i < len(s) && s[i] == ',' {
			i++
		}
	}
}

// parseString reads a JS string literal ("…", '…' or `…` without ${}) at i.
func parseString(s string, i int) (string, int, error) {
	if i >= len(s) || strings.IndexByte("\"'`", s[i]) < 0 {
		return "", i, fmt.Errorf("want a quoted string at offset %d", i)
	}
	q := s[i]
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == q:
			return b.String(), j + 1, nil
		case c == '\\' && j+1 < len(s):
			j++
			switch s[j] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(s[j])
			}
		case q == '`' && c == '$' && j+1 < len(s) && s[j+1] == '{':
			return "", j, errors.New("template literal with ${…} cannot be read without running the config")
		case c == '\n' && q != '`':
			return "", j, errors.New("unterminated string")
		default:
			b.WriteByte(c)
		}
	}
	return "", len(s), errors.New("unterminated string")
}

// stripComments blanks // and /* */ comments outside string literals,
// keeping offsets.
func stripComments(s string) string {
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"' || c == '\'' || c == '`':
			for i++; i < len(b) && b[i] != c; i++ {
				if b[i] == '\\' {
					i++
				} else if b[i] == '\n' && c != '`' {
					break
				}
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			for ; i < len(b) && !(b[i] == '*' && i+1 < len(b) && b[i+1] == '/'); i++ {
				if b[i] != '\n' {
					b[i] = ' '
				}
			}
			if i+1 < len(b) {
				b[i], b[i+1] = ' ', ' '
				i++
			}
		}
	}
	return string(b)
}

// VMOfSpec is the VM a generated spec is for: its base name without .ts.
func VMOfSpec(p string) string {
	b := path.Base(p)
	for _, ext := range []string{".cy.ts", ".ts", ".cy.js", ".js"} {
		if strings.HasSuffix(b, ext) {
			return strings.TrimSuffix(b, ext)
		}
	}
	return b
}

// verify checks what the template step produced against the approved scope
// (P16, D4): the config and every spec in its specPattern exist and are
// newer than the template step's start; the spec set equals the requested
// VMs, or for a broad selector holds no blacklisted VM. It reads the files
// themselves (two round trips) and decides here.
func (c *Controller) verify(ctx context.Context, spec LaunchSpec, cfgPath string, start time.Time) (Scope, *LaunchError, error) {
	files, err := c.readWhole(ctx, []string{cfgPath})
	if err != nil {
		return Scope{}, nil, err
	}
	cf := files[cfgPath]
	if !cf.found {
		return Scope{}, &LaunchError{Reason: "config file " + cfgPath + " disappeared after the template step"}, nil
	}
	if !newer(cf.mtimeNS, start) {
		return Scope{}, &LaunchError{Reason: fmt.Sprintf("config file %s was not rewritten by the template step (modified %s, template step started %s)", cfgPath, time.Unix(0, cf.mtimeNS).UTC().Format(time.RFC3339Nano), start.Format(time.RFC3339Nano))}, nil
	}
	patterns, err := ParseSpecPattern(cf.data)
	if err != nil {
		return Scope{}, &LaunchError{Reason: "config file " + cfgPath + ": " + err.Error()}, nil
	}
	if len(patterns) == 0 {
		return Scope{}, &LaunchError{Reason: "config file " + cfgPath + " has an empty specPattern"}, nil
	}
	var specPaths []string
	vmOf := map[string]string{} // spec path → VM
	for _, p := range patterns {
		if strings.ContainsAny(p, "*?[{") {
			return Scope{}, &LaunchError{Reason: fmt.Sprintf("specPattern entry %q is a glob; the generated scope cannot be checked VM by VM", p)}, nil
		}
		ap := c.abs(p)
		specPaths = append(specPaths, ap)
		vmOf[ap] = VMOfSpec(p)
	}
	inPattern := map[string]bool{}
	for _, vm := range vmOf {
		inPattern[vm] = true
	}
	// For requested VMs missing from specPattern, also look for their
	// generated spec, so the report says which of the two is missing.
	genDir := path.Dir(specPaths[0])
	var probes []string
	if !spec.BroadSelector {
		for _, vm := range spec.RequestedVMs {
			if !inPattern[vm] {
				probes = append(probes, path.Join(genDir, vm+".ts"))
			}
		}
	}
	specFiles, err := c.readWhole(ctx, append(append([]string{}, specPaths...), probes...))
	if err != nil {
		return Scope{}, nil, err
	}
	le := &LaunchError{}
	var problems []string
	for _, sp := range specPaths {
		f := specFiles[sp]
		switch {
		case !f.found:
			le.Missing = append(le.Missing, sp)
			problems = append(problems, "generated spec "+sp+" is missing")
		case !newer(f.mtimeNS, start):
			problems = append(problems, "generated spec "+sp+" was not regenerated by the template step")
		}
	}
	vms := sortedKeys(inPattern)
	if spec.BroadSelector {
		black := map[string]bool{}
		for _, b := range spec.Blacklist {
			black[b] = true
		}
		for _, vm := range vms {
			if black[vm] {
				le.Extra = append(le.Extra, vm)
				problems = append(problems, vm+" is blacklisted but in specPattern")
			}
		}
		// D4: the spec set equals what the template chose — every spec
		// this template step generated is in specPattern.
		generated, err := c.generatedSince(ctx, genDir, start)
		if err != nil {
			return Scope{}, nil, err
		}
		for _, vm := range generated {
			if !inPattern[vm] {
				le.Missing = append(le.Missing, vm)
				problems = append(problems, fmt.Sprintf("the template generated %s's spec but %s is not in specPattern", vm, vm))
			}
		}
	} else {
		want := map[string]bool{}
		for _, vm := range spec.RequestedVMs {
			want[vm] = true
		}
		for _, vm := range sortedKeys(want) {
			if inPattern[vm] {
				continue
			}
			le.Missing = append(le.Missing, vm)
			gen := "and no generated spec"
			if specFiles[path.Join(genDir, vm+".ts")].found {
				gen = "though its generated spec exists"
			}
			problems = append(problems, fmt.Sprintf("requested %s is not in specPattern (%s)", vm, gen))
		}
		for _, vm := range vms {
			if !want[vm] {
				le.Extra = append(le.Extra, vm)
				problems = append(problems, vm+" is in specPattern but was not requested")
			}
		}
	}
	if len(problems) > 0 {
		le.Reason = "specs and specPattern do not match the approved scope: " + strings.Join(problems, "; ")
		return Scope{}, le, nil
	}
	sc := Scope{VMs: vms, SpecPattern: patterns, Specs: map[string][]byte{}, ConfigFile: cfgPath, Config: cf.data}
	for _, sp := range specPaths {
		sc.Specs[sp] = specFiles[sp].data
	}
	sort.Strings(sc.VMs)
	return sc, nil, nil
}

func newer(mtimeNS int64, t time.Time) bool { return mtimeNS > t.UnixNano() }

// generatedSince lists the VMs whose spec in dir was written after start:
// what this template step chose.
func (c *Controller) generatedSince(ctx context.Context, dir string, start time.Time) ([]string, error) {
	res, err := c.sh(ctx, `[ -d "$1" ] || exit 0; find "$1" -maxdepth 1 -type f -name '*.ts' -printf '%T@ %f\n'`, nil, dir)
	if err != nil {
		return nil, err
	}
	var vms []string
	for _, line := range strings.Split(string(res.Stdout), "\n") {
		stamp, name, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		ns, err := epochNS(stamp)
		if err != nil || !newer(ns, start) {
			continue
		}
		vms = append(vms, VMOfSpec(name))
	}
	sort.Strings(vms)
	return vms, nil
}
