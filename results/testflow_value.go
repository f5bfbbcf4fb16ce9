package results

import (
	"math"
	"strconv"
	"strings"
)

// A small three-valued evaluator for gate conditions: a value is known (with
// JavaScript's semantics) or unknown; unknown spreads except where the known
// side decides (false && x, true || x).

type valKind int

const (
	kUnknown valKind = iota
	kUndef
	kNull
	kBool
	kNum
	kStr
	kArr
	kFunc
	kTruthy // known to be truthy, value unknown (unknown || true)
	kFalsy  // known to be falsy, value unknown (unknown && false)
)

type jsVal struct {
	kind valKind
	b    bool
	n    float64
	s    string // string value, or the function's name for kFunc
	arr  []jsVal
	this *jsVal // receiver of a method (kFunc)
}

var unknown = jsVal{kind: kUnknown}

func boolVal(b bool) jsVal { return jsVal{kind: kBool, b: b} }

func (v jsVal) truthy() bool {
	switch v.kind {
	case kBool:
		return v.b
	case kNum:
		return v.n != 0 && !math.IsNaN(v.n)
	case kStr:
		return v.s != ""
	case kArr, kFunc, kTruthy:
		return true
	}
	return false
}

// opaque reports a value whose identity is not known, only maybe its truth.
func (v jsVal) opaque() bool { return v.kind == kUnknown || v.kind == kTruthy || v.kind == kFalsy }

func (v jsVal) num() float64 {
	switch v.kind {
	case kBool:
		if v.b {
			return 1
		}
		return 0
	case kNum:
		return v.n
	case kStr:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.s), 64)
		if err != nil {
			if strings.TrimSpace(v.s) == "" {
				return 0
			}
			return math.NaN()
		}
		return f
	case kNull:
		return 0
	}
	return math.NaN()
}

func strictEq(a, b jsVal) jsVal {
	if a.opaque() || b.opaque() {
		return unknown
	}
	if a.kind != b.kind {
		return boolVal(false)
	}
	switch a.kind {
	case kUndef, kNull:
		return boolVal(true)
	case kBool:
		return boolVal(a.b == b.b)
	case kNum:
		return boolVal(a.n == b.n)
	case kStr:
		return boolVal(a.s == b.s)
	}
	return unknown // arrays and functions compare by identity
}

func looseEq(a, b jsVal) jsVal {
	if a.opaque() || b.opaque() {
		return unknown
	}
	nullish := func(v jsVal) bool { return v.kind == kUndef || v.kind == kNull }
	switch {
	case a.kind == b.kind:
		return strictEq(a, b)
	case nullish(a) || nullish(b):
		return boolVal(nullish(a) && nullish(b))
	case a.kind == kArr || b.kind == kArr || a.kind == kFunc || b.kind == kFunc:
		return unknown
	}
	return boolVal(a.num() == b.num())
}

func not(v jsVal) jsVal {
	if v.kind == kUnknown {
		return unknown
	}
	return boolVal(!v.truthy())
}
