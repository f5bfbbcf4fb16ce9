package results

import (
	"strconv"
	"strings"
)

// gateEval holds what every condition of one spec shares: the gates, and
// each definition's value once computed (a chain of definitions that each
// use the previous one twice must not cost 2^n).
type gateEval struct {
	gates FlowGates
	memo  map[*binding]jsVal
}

// condEval evaluates one condition's tokens.
type condEval struct {
	*gateEval
	toks  []token
	pos   int
	env   *binding
	depth int
}

// maxEvalDepth bounds expression nesting and definition chains.
const maxEvalDepth = 64

func (g *gateEval) evalCond(toks []token, env *binding) jsVal {
	return g.evalExpr(toks, env, 0)
}

func (g *gateEval) evalExpr(toks []token, env *binding, depth int) jsVal {
	if len(toks) == 0 || depth > maxEvalDepth {
		return unknown
	}
	c := &condEval{gateEval: g, toks: toks, env: env, depth: depth}
	v := c.expr(0)
	if c.pos != len(c.toks) {
		return unknown // something this subset does not read
	}
	return v
}

func (c *condEval) peek() (token, bool) {
	if c.pos < len(c.toks) {
		return c.toks[c.pos], true
	}
	return token{}, false
}

func (c *condEval) accept(text string) bool {
	if t, ok := c.peek(); ok && t.kind == tkPunct && t.text == text {
		c.pos++
		return true
	}
	return false
}

var binPrec = map[string]int{
	"||": 1, "??": 1, "&&": 2,
	"==": 3, "!=": 3, "===": 3, "!==": 3,
	"<": 4, ">": 4, "<=": 4, ">=": 4,
	"+": 5,
}

// expr is precedence climbing; a ternary sits below every binary operator.
func (c *condEval) expr(minPrec int) jsVal {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > maxEvalDepth*4 {
		c.pos = len(c.toks) + 1
		return unknown
	}
	left := c.unary()
	for {
		t, ok := c.peek()
		if !ok || t.kind != tkPunct {
			break
		}
		if t.text == "?" && minPrec == 0 {
			c.pos++
			a := c.expr(0)
			if !c.accept(":") {
				c.pos = len(c.toks) + 1
				return unknown
			}
			b := c.expr(0)
			switch {
			case left.kind == kUnknown:
				if r := strictEq(a, b); r.kind == kBool && r.b {
					left = a
				} else {
					left = unknown
				}
			case left.truthy():
				left = a
			default:
				left = b
			}
			continue
		}
		prec, isBin := binPrec[t.text]
		if !isBin || prec < minPrec {
			break
		}
		c.pos++
		right := c.expr(prec + 1)
		left = binary(t.text, left, right)
	}
	return left
}

func binary(op string, l, r jsVal) jsVal {
	switch op {
	case "||":
		if l.kind != kUnknown {
			if l.truthy() {
				return l
			}
			return r
		}
		if r.kind != kUnknown && r.truthy() {
			return jsVal{kind: kTruthy}
		}
		return unknown
	case "&&":
		if l.kind != kUnknown {
			if !l.truthy() {
				return l
			}
			return r
		}
		if r.kind != kUnknown && !r.truthy() {
			return jsVal{kind: kFalsy}
		}
		return unknown
	case "??":
		if l.opaque() {
			return unknown
		}
		if l.kind == kUndef || l.kind == kNull {
			return r
		}
		return l
	case "==":
		return looseEq(l, r)
	case "!=":
		return not(looseEq(l, r))
	case "===":
		return strictEq(l, r)
	case "!==":
		return not(strictEq(l, r))
	case "+":
		if l.kind == kStr && r.kind == kStr {
			return jsVal{kind: kStr, s: l.s + r.s}
		}
		return unknown
	}
	if l.opaque() || r.opaque() {
		return unknown
	}
	a, b := l.num(), r.num()
	switch op {
	case "<":
		return boolVal(a < b)
	case ">":
		return boolVal(a > b)
	case "<=":
		return boolVal(a <= b)
	case ">=":
		return boolVal(a >= b)
	}
	return unknown
}

func (c *condEval) unary() jsVal {
	t, ok := c.peek()
	if !ok {
		return unknown
	}
	if t.kind == tkPunct && t.text == "!" {
		c.pos++
		c.depth++
		defer func() { c.depth-- }()
		if c.depth > maxEvalDepth*4 {
			c.pos = len(c.toks) + 1
			return unknown
		}
		return not(c.unary())
	}
	if t.kind == tkIdent && t.text == "typeof" {
		c.pos++
		v := c.unary()
		names := map[valKind]string{kUndef: "undefined", kNull: "object", kBool: "boolean", kNum: "number", kStr: "string", kArr: "object", kFunc: "function"}
		if n, ok := names[v.kind]; ok {
			return jsVal{kind: kStr, s: n}
		}
		return unknown
	}
	return c.postfix(c.primary())
}

func (c *condEval) primary() jsVal {
	t, ok := c.peek()
	if !ok {
		return unknown
	}
	c.pos++
	switch t.kind {
	case tkString:
		return jsVal{kind: kStr, s: t.text}
	case tkTemplate:
		if strings.Contains(t.text, "${") {
			return unknown
		}
		return jsVal{kind: kStr, s: cookTemplate(t.text)}
	case tkNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return unknown
		}
		return jsVal{kind: kNum, n: f}
	case tkIdent:
		switch t.text {
		case "true":
			return boolVal(true)
		case "false":
			return boolVal(false)
		case "null":
			return jsVal{kind: kNull}
		case "undefined":
			return jsVal{kind: kUndef}
		case "Cypress", "cy", "Boolean", "String", "Number":
			return jsVal{kind: kFunc, s: t.text}
		}
		return c.ident(t.text)
	case tkPunct:
		switch t.text {
		case "(":
			v := c.expr(0)
			if !c.accept(")") {
				c.pos = len(c.toks) + 1
			}
			return v
		case "[":
			var arr []jsVal
			for !c.accept("]") {
				if c.pos >= len(c.toks) {
					return unknown
				}
				arr = append(arr, c.expr(0))
				c.accept(",")
			}
			return jsVal{kind: kArr, arr: arr}
		}
	}
	c.pos = len(c.toks) + 1
	return unknown
}

// postfix handles member access, calls and TypeScript's `as T` / `x!`.
func (c *condEval) postfix(v jsVal) jsVal {
	for {
		t, ok := c.peek()
		if !ok {
			return v
		}
		switch {
		case t.kind == tkPunct && (t.text == "." || t.text == "?."):
			c.pos++
			name, ok := c.peek()
			if !ok || name.kind != tkIdent {
				c.pos = len(c.toks) + 1
				return unknown
			}
			c.pos++
			v = member(v, name.text)
		case t.kind == tkPunct && t.text == "(":
			c.pos++
			var args []jsVal
			for !c.accept(")") {
				if c.pos >= len(c.toks) {
					return unknown
				}
				args = append(args, c.expr(0))
				c.accept(",")
			}
			v = c.call(v, args)
		case t.kind == tkPunct && t.text == "!" && c.pos+1 < len(c.toks) && c.toks[c.pos+1].kind == tkPunct && c.toks[c.pos+1].text == ")":
			c.pos++ // non-null assertion before ')'
		case t.kind == tkIdent && t.text == "as":
			c.pos++
			if n, ok := c.peek(); ok && n.kind == tkIdent {
				c.pos++
			}
		default:
			return v
		}
	}
}

func member(v jsVal, name string) jsVal {
	switch v.kind {
	case kFunc:
		if v.s == "Cypress" && name == "env" {
			return jsVal{kind: kFunc, s: "Cypress.env"}
		}
	case kStr, kArr:
		if name == "length" {
			if v.kind == kStr {
				return jsVal{kind: kNum, n: float64(len([]rune(v.s)))}
			}
			return jsVal{kind: kNum, n: float64(len(v.arr))}
		}
		recv := v
		return jsVal{kind: kFunc, s: name, this: &recv}
	}
	return unknown
}

func (c *condEval) call(fn jsVal, args []jsVal) jsVal {
	if fn.kind != kFunc {
		return unknown
	}
	arg := unknown
	if len(args) > 0 {
		arg = args[0]
	}
	if fn.this == nil {
		switch fn.s {
		case "Cypress.env":
			if arg.kind != kStr {
				return unknown
			}
			return envValue(arg.s, c.gates)
		case "Boolean":
			return not(not(arg))
		case "String":
			if arg.kind == kStr {
				return arg
			}
		}
		return unknown
	}
	recv := *fn.this
	switch fn.s {
	case "includes":
		if recv.kind == kStr && arg.kind == kStr {
			return boolVal(strings.Contains(recv.s, arg.s))
		}
		if recv.kind == kArr {
			any := false
			for _, e := range recv.arr {
				r := strictEq(e, arg)
				if r.kind == kUnknown {
					any = true
				} else if r.b {
					return boolVal(true)
				}
			}
			if any || arg.kind == kUnknown {
				return unknown
			}
			return boolVal(false)
		}
	case "toLowerCase", "toUpperCase", "trim":
		if recv.kind == kStr {
			s := map[string]func(string) string{"toLowerCase": strings.ToLower, "toUpperCase": strings.ToUpper, "trim": strings.TrimSpace}[fn.s](recv.s)
			return jsVal{kind: kStr, s: s}
		}
	case "startsWith", "endsWith":
		if recv.kind == kStr && arg.kind == kStr {
			if fn.s == "startsWith" {
				return boolVal(strings.HasPrefix(recv.s, arg.s))
			}
			return boolVal(strings.HasSuffix(recv.s, arg.s))
		}
	}
	return unknown
}

// ident resolves a variable: its definition first; when that cannot be
// evaluated, the gate's name (S8: plugin gates match by name, so a new
// template's useXyzFCPlugin works without code changes).
func (c *condEval) ident(name string) jsVal {
	if def := c.env.lookup(name); def != nil {
		v, done := c.memo[def]
		if !done {
			v = c.evalExpr(def.expr, def.env, c.depth+1)
			c.memo[def] = v
		}
		if v.kind != kUnknown {
			return v
		}
	}
	return gateByName(name, c.gates)
}
