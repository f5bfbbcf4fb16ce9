package formats

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// A generated spec as the in-house cmc-templates.py writes it
// (docs/formats.md e): header lines, one describe per machine, its setup
// statements, an optional before() hook, then the steps as it() blocks,
// some inside runtime gates (if / else).

// SpecFile is one generated spec.
type SpecFile struct {
	Head   []string // lines before the describe ("" a blank line); a blank line follows them
	Title  string   // the describe's title: "<vm> <template>"
	Setup  []string // statements opening the describe, one a line
	Before string   // the before() hook's statements; "" for no hook
	Nodes  []SpecNode
	// BlankAfter puts each block's blank line after it instead of before
	// it: the layout of the older synthetic trees, kept so their bytes
	// (and every golden read from them) do not change.
	BlankAfter bool
}

// SpecNode is a step (Title set) or a gate (Cond set) with its branches.
type SpecNode struct {
	Title string // "N. title"
	Body  string // the step's statements, newline separated
	Cond  string // the gate's condition, as written inside if (…)
	Then  []SpecNode
	Else  []SpecNode
}

// SpecPath is where the generator writes a machine's spec, relative to the
// ATVM root.
func SpecPath(vm string) string { return "cypress/e2e/generated/" + vm + ".ts" }

// SpecTS renders a generated spec.
func SpecTS(f SpecFile) []byte {
	var b bytes.Buffer
	for _, l := range f.Head {
		b.WriteString(l + "\n")
	}
	b.WriteString("\ndescribe(" + jsString(f.Title) + ", () => {\n")
	for _, l := range f.Setup {
		b.WriteString("  " + l + "\n")
	}
	w := specWriter{b: &b, after: f.BlankAfter}
	if f.Before != "" {
		w.block("  ", "before(() => {", f.Before, "});")
	}
	w.nodes(f.Nodes, "  ")
	b.WriteString("});\n")
	return b.Bytes()
}

type specWriter struct {
	b     *bytes.Buffer
	after bool
}

// block writes open, the body one level in, close, with its blank line.
func (w specWriter) block(ind, open, body, close string) {
	if !w.after {
		w.b.WriteString("\n")
	}
	w.b.WriteString(ind + open + "\n")
	for _, l := range strings.Split(body, "\n") {
		w.b.WriteString(ind + "  " + l + "\n")
	}
	w.b.WriteString(ind + close + "\n")
	if w.after {
		w.b.WriteString("\n")
	}
}

func (w specWriter) nodes(ns []SpecNode, ind string) {
	for _, n := range ns {
		if n.Cond == "" {
			w.block(ind, "it("+jsString(n.Title)+", () => {", n.Body, "});")
			continue
		}
		if !w.after {
			w.b.WriteString("\n")
		}
		fmt.Fprintf(w.b, "%sif (%s) {\n", ind, n.Cond)
		w.nodes(n.Then, ind+"  ")
		if n.Else != nil {
			w.b.WriteString(ind + "} else {\n")
			w.nodes(n.Else, ind+"  ")
		}
		w.b.WriteString(ind + "}\n")
		if w.after {
			w.b.WriteString("\n")
		}
	}
}

// SpecStepLine is the line of a step's first statement in a spec (stack
// frames point there), 1 when the step is not in it.
func SpecStepLine(spec []byte, title string) int {
	i := bytes.Index(spec, []byte("it("+jsString(title)))
	if i < 0 {
		return 1
	}
	return bytes.Count(spec[:i], []byte("\n")) + 2
}

// jsString is a double-quoted string literal; Go's escapes are valid
// JavaScript for the titles and paths written here.
func jsString(s string) string { return strconv.Quote(s) }
