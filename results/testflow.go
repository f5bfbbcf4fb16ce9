package results

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// FlowGates are the runtime values a generated spec's gates depend on (S8).
type FlowGates struct {
	// Plugin is the selected plugin: "fc", "iscsi", "both", "none", or ""
	// when not known (plugin gates then keep their steps, with a note).
	Plugin string
	// InstallOnly is Cypress.env("test-install-only").
	InstallOnly bool
	// Cutover is Cypress.env("cutover"); nil means unset, which the spec's
	// own `!= false` test reads as "perform the cutover".
	Cutover *bool
	// Env holds exact Cypress env values read from the run's config (bool,
	// string, number or nil). An entry here wins over the fields above.
	Env map[string]any
}

// TestFlow returns the steps of a generated Cypress spec that run under
// gates, in source order, with notes for gates it could not evaluate (their
// steps are kept). It fails when the spec cannot be read as TypeScript or
// holds no it(…) step at all, so the caller can fall back (S8, D10).
func TestFlow(spec []byte, gates FlowGates) (steps []string, notes []string, err error) {
	p, err := parseSpecMemo(spec)
	if err != nil {
		return nil, nil, err
	}
	if p.its == 0 {
		return nil, nil, errors.New("no it(…) step in the spec")
	}
	ev := &flowEval{p: p, ge: &gateEval{gates: gates, memo: map[*binding]jsVal{}}, seen: map[string]bool{}}
	ev.run(p.nodes)
	return ev.steps, ev.notes, nil
}

// specTitles returns every it(…) title of a spec in source order, gates
// ignored: the set every evaluated flow is drawn from.
func specTitles(spec []byte) ([]string, error) {
	p, err := parseSpec(spec)
	if err != nil {
		return nil, err
	}
	var out []string
	var walk func([]flowNode)
	walk = func(ns []flowNode) {
		for _, n := range ns {
			if n.isIt {
				out = append(out, n.title)
			}
			walk(n.then)
			walk(n.els)
		}
	}
	walk(p.nodes)
	return out, nil
}

// flowNode is an it(…) step or an if statement holding steps.
type flowNode struct {
	isIt  bool
	title string

	cond     []token // the condition's tokens
	condText string
	env      *binding // definitions visible at the if
	then     []flowNode
	els      []flowNode
	hasSteps bool
}

// binding is one `const x = …` definition; the chain is the scope in source
// order, so a gate sees only what was defined before it.
type binding struct {
	name   string
	expr   []token
	env    *binding
	parent *binding
}

func (b *binding) lookup(name string) *binding {
	for ; b != nil; b = b.parent {
		if b.name == name {
			return b
		}
	}
	return nil
}

type specParser struct {
	src   string
	toks  []token
	match []int
	its   int
	nodes []flowNode
}

// maxNesting bounds if-in-if recursion for hostile input.
const maxNesting = 200

// parsedSpecs remembers parsed specs by their bytes: a watched run asks for
// the flows of the same specs on every poll, and parsing is most of the
// cost. A parse is never changed by an evaluation. Bounded in specs and in
// their bytes: emptied when full.
var parsedSpecs struct {
	sync.Mutex
	m     map[string]specParse
	bytes int
}

type specParse struct {
	p   *specParser
	err error
}

const (
	maxParsedSpecs     = 512
	maxParsedSpecBytes = 8 << 20 // of source; a parse holds a few times that
)

func parseSpecMemo(spec []byte) (*specParser, error) {
	parsedSpecs.Lock()
	got, ok := parsedSpecs.m[string(spec)]
	parsedSpecs.Unlock()
	if ok {
		return got.p, got.err
	}
	p, err := parseSpec(spec)
	if len(spec) > maxParsedSpecBytes/16 {
		return p, err // too large to keep
	}
	parsedSpecs.Lock()
	if parsedSpecs.m == nil || len(parsedSpecs.m) >= maxParsedSpecs || parsedSpecs.bytes+len(spec) > maxParsedSpecBytes {
		parsedSpecs.m, parsedSpecs.bytes = map[string]specParse{}, 0
	}
	parsedSpecs.m[string(spec)] = specParse{p, err}
	parsedSpecs.bytes += len(spec)
	parsedSpecs.Unlock()
	return p, err
}

func parseSpec(spec []byte) (*specParser, error) {
	toks, err := tokenize(spec)
	if err != nil {
		return nil, err
	}
	match, err := matchBrackets(toks)
	if err != nil {
		return nil, err
	}
	p := &specParser{src: string(spec), toks: toks, match: match}
	p.nodes, err = p.walk(0, len(toks), nil, 0)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (p *specParser) is(i int, kind tokKind, text string) bool {
	return i >= 0 && i < len(p.toks) && p.toks[i].kind == kind && p.toks[i].text == text
}

// walk reads toks[lo:hi] flat, descending only into if branches: describe,
// hooks and other calls are transparent, so their its are found in order.
func (p *specParser) walk(lo, hi int, env *binding, depth int) ([]flowNode, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("line %d: if statements nested too deeply", p.toks[lo].line)
	}
	var out []flowNode
	for i := lo; i < hi; {
		t := p.toks[i]
		if t.kind != tkIdent || p.is(i-1, tkPunct, ".") || p.is(i-1, tkPunct, "?.") {
			i++
			continue
		}
		switch t.text {
		case "if":
			if !p.is(i+1, tkPunct, "(") {
				i++
				continue
			}
			n, next, err := p.ifStmt(i, hi, env, depth)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
			i = next
		case "it", "xit":
			n, next, ok := p.itCall(i, hi)
			if ok {
				if n.title != "" {
					out = append(out, n)
				}
				i = next
				continue
			}
			i++
		case "const", "let", "var":
			env = p.definition(i, hi, env)
			i++
		default:
			i++
		}
	}
	return out, nil
}

// itCall reads it("title", …), it.only(…), and skips it.skip(…) / xit(…):
// a skipped test is pending, not a step that runs.
func (p *specParser) itCall(i, hi int) (flowNode, int, bool) {
	j, skip := i+1, p.toks[i].text == "xit"
	if p.is(j, tkPunct, ".") && j+1 < hi && p.toks[j+1].kind == tkIdent {
		switch p.toks[j+1].text {
		case "only":
		case "skip":
			skip = true
		default:
			return flowNode{}, 0, false
		}
		j += 2
	}
	if j >= hi || !p.is(j, tkPunct, "(") {
		return flowNode{}, 0, false
	}
	end := p.match[j] + 1
	if j+1 >= hi || skip {
		return flowNode{}, end, true
	}
	arg := p.toks[j+1]
	var title string
	switch arg.kind {
	case tkString:
		title = arg.text
	case tkTemplate:
		title = cookTemplate(arg.text)
	default:
		return flowNode{}, 0, false // not a Mocha step: read on inside the call
	}
	p.its++
	return flowNode{isIt: true, title: strings.TrimSpace(title)}, end, true
}

// definition records `const name[: Type] = expr` and returns the new scope.
func (p *specParser) definition(i, hi int, env *binding) *binding {
	j := i + 1
	if j >= hi || p.toks[j].kind != tkIdent {
		return env
	}
	name := p.toks[j].text
	j++
	if p.is(j, tkPunct, ":") { // type annotation: skip to '=' at depth 0
		for j < hi && !p.is(j, tkPunct, "=") && !p.is(j, tkPunct, ";") {
			if p.toks[j].kind == tkPunct && (p.toks[j].text == "(" || p.toks[j].text == "[" || p.toks[j].text == "{") {
				j = p.match[j]
			}
			j++
		}
	}
	if !p.is(j, tkPunct, "=") {
		return env
	}
	start := j + 1
	end := p.exprEnd(start, hi)
	return &binding{name: name, expr: p.toks[start:end], env: env, parent: env}
}

// exprEnd finds where an expression statement ends: at ';' or ',' at depth
// 0, or at a line break where no operator continues it (automatic semicolon).
func (p *specParser) exprEnd(start, hi int) int {
	k := start
	for k < hi {
		t := p.toks[k]
		if t.kind == tkPunct {
			switch t.text {
			case ";", ",", ")", "]", "}":
				return k
			case "(", "[", "{":
				k = p.match[k] + 1
				continue
			}
		}
		if k > start && t.nl && !continues(p.toks[k-1], t) {
			return k
		}
		k++
	}
	return hi
}

func continues(prev, next token) bool {
	isOp := func(t token) bool {
		if t.kind != tkPunct {
			return false
		}
		switch t.text {
		case "(", "[", "{", ")", "]", "}", ";":
			return false
		}
		return true
	}
	return isOp(prev) || isOp(next)
}

// ifStmt reads `if (cond) body [else if … | else body]`.
func (p *specParser) ifStmt(i, hi int, env *binding, depth int) (flowNode, int, error) {
	open := i + 1
	closeParen := p.match[open]
	n := flowNode{cond: p.toks[open+1 : closeParen], env: env}
	n.condText = p.sourceText(open+1, closeParen)
	then, next, err := p.body(closeParen+1, hi, env, depth)
	if err != nil {
		return n, 0, err
	}
	n.then = then
	if p.is(next, tkIdent, "else") && next < hi {
		if p.is(next+1, tkIdent, "if") && p.is(next+2, tkPunct, "(") {
			elif, after, err := p.ifStmt(next+1, hi, env, depth+1)
			if err != nil {
				return n, 0, err
			}
			n.els, next = []flowNode{elif}, after
		} else {
			n.els, next, err = p.body(next+1, hi, env, depth)
			if err != nil {
				return n, 0, err
			}
		}
	}
	n.hasSteps = hasSteps(n.then) || hasSteps(n.els)
	return n, next, nil
}

// body reads a block or a single statement after if(…) or else.
func (p *specParser) body(j, hi int, env *binding, depth int) ([]flowNode, int, error) {
	if j >= hi {
		return nil, hi, nil
	}
	if p.is(j, tkPunct, "{") {
		end := p.match[j]
		ns, err := p.walk(j+1, end, env, depth+1)
		return ns, end + 1, err
	}
	end := j
	for end < hi && !p.is(end, tkPunct, ";") {
		t := p.toks[end]
		if end > j && t.nl && !continues(p.toks[end-1], t) {
			break
		}
		if t.kind == tkPunct && (t.text == "(" || t.text == "[" || t.text == "{") {
			end = p.match[end] + 1
			continue
		}
		if t.kind == tkPunct && (t.text == ")" || t.text == "]" || t.text == "}") {
			break
		}
		end++
	}
	if p.is(j, tkIdent, "if") && p.is(j+1, tkPunct, "(") { // if (a) if (b) …
		n, next, err := p.ifStmt(j, hi, env, depth+1)
		return []flowNode{n}, next, err
	}
	ns, err := p.walk(j, end, env, depth+1)
	if p.is(end, tkPunct, ";") {
		end++
	}
	return ns, end, err
}

func hasSteps(ns []flowNode) bool {
	for _, n := range ns {
		if n.isIt || n.hasSteps {
			return true
		}
	}
	return false
}

// sourceText is the spec text of toks[lo:hi] with whitespace collapsed.
func (p *specParser) sourceText(lo, hi int) string {
	if lo >= hi {
		return ""
	}
	s := strings.Join(strings.Fields(p.src[p.toks[lo].start:p.toks[hi-1].end]), " ")
	return clipRunes(s, 120)
}

// flowEval applies the gates to the parsed spec.
type flowEval struct {
	p     *specParser
	ge    *gateEval
	steps []string
	notes []string
	seen  map[string]bool
}

func (ev *flowEval) run(ns []flowNode) {
	for _, n := range ns {
		if n.isIt {
			ev.steps = append(ev.steps, n.title)
			continue
		}
		if !n.hasSteps {
			continue
		}
		v := ev.ge.evalCond(n.cond, n.env)
		switch {
		case v.kind == kUnknown:
			if !ev.seen[n.condText] {
				ev.seen[n.condText] = true
				ev.notes = append(ev.notes, fmt.Sprintf("unknown gate `%s`: steps kept", n.condText))
			}
			ev.run(n.then)
			ev.run(n.els)
		case v.truthy():
			ev.run(n.then)
		default:
			ev.run(n.els)
		}
	}
}
