package results

// mawScan decodes the unescaped data-raw JSON by hand, in one pass and with
// no reflection, as repScan does for the reporter file. It accepts only
// input whose decoding it reproduces exactly - ASCII keys matched exactly
// and not repeated, strings or null where jstr is kept, integers or null
// for counts, the expected object and list shapes - and answers ok=false
// for anything else (a type mismatch, a float count, a key differing in
// case), which then takes the encoding/json path. Values it skips are
// still checked as JSON, so a report encoding/json would refuse is never
// accepted.
func mawScan(data []byte) (rep mawReport, ok bool) {
	s := repScanner{b: data}
	s.ws()
	if !s.mawTop(&rep) {
		return mawReport{}, false
	}
	s.ws()
	if s.i != len(s.b) {
		return mawReport{}, false
	}
	return rep, true
}

// mawMaxDepth bounds the nesting of suites the scanner follows; deeper
// reports take the slow path.
const mawMaxDepth = 64

var (
	mawTopKeys   = []string{"stats", "results"}
	mawStatsKeys = []string{"tests", "passes", "pending", "failures", "skipped", "start", "end"}
	mawSuiteKeys = []string{"title", "file", "fullFile", "tests", "suites", "beforeHooks", "afterHooks"}
	mawTestKeys  = []string{"title", "state", "err"}
	mawErrKeys   = []string{"message", "estack"}
)

func (s *repScanner) mawTop(rep *mawReport) bool {
	if s.peek() != '{' {
		return false
	}
	s.i++
	var seen uint32
	for first := true; ; first = false {
		idx, done, ok := s.member(first, mawTopKeys, &seen)
		if !ok || done {
			return ok
		}
		switch idx {
		case 0:
			ok = s.mawStats(&rep.Stats)
		case 1:
			ok = s.mawSuites(&rep.Results, 0)
		default:
			ok = s.skip(0)
		}
		if !ok {
			return false
		}
	}
}

func (s *repScanner) mawStats(dst **mawStats) bool {
	if s.literal("null") {
		*dst = nil
		return true
	}
	if s.peek() != '{' {
		return false
	}
	s.i++
	st := &mawStats{}
	*dst = st
	var seen uint32
	for first := true; ; first = false {
		idx, done, ok := s.member(first, mawStatsKeys, &seen)
		if !ok || done {
			return ok
		}
		switch {
		case idx < 0:
			ok = s.skip(0)
		case idx < 5:
			var n jint
			if n, ok = s.count(); ok {
				*[...]*jint{&st.Tests, &st.Passes, &st.Pending, &st.Failures, &st.Skipped}[idx] = n
			}
		default:
			var v string
			if v, ok = s.str(); ok {
				*[...]*jstr{&st.Start, &st.End}[idx-5] = jstr(v)
			}
		}
		if !ok {
			return false
		}
	}
}

// mawSuites reads a list of suites; null leaves it nil and [] empty, as
// encoding/json does, and a null element is a zero suite.
func (s *repScanner) mawSuites(dst *[]mawSuite, depth int) bool {
	if s.literal("null") {
		*dst = nil
		return true
	}
	if depth > mawMaxDepth {
		return false
	}
	out := []mawSuite{}
	ok := s.list(func() bool {
		out = append(out, mawSuite{})
		return s.literal("null") || s.mawSuite(&out[len(out)-1], depth)
	})
	*dst = out
	return ok
}

func (s *repScanner) mawSuite(su *mawSuite, depth int) bool {
	if s.peek() != '{' {
		return false
	}
	s.i++
	var seen uint32
	for first := true; ; first = false {
		idx, done, ok := s.member(first, mawSuiteKeys, &seen)
		if !ok || done {
			return ok
		}
		switch {
		case idx < 0:
			ok = s.skip(0)
		case idx < 3:
			var v string
			if v, ok = s.str(); ok {
				*[...]*jstr{&su.Title, &su.File, &su.FullFile}[idx] = jstr(v)
			}
		case idx == 4:
			ok = s.mawSuites(&su.Suites, depth+1)
		default:
			ok = s.mawTests([...]*[]mawTest{&su.Tests, nil, &su.BeforeHooks, &su.AfterHooks}[idx-3])
		}
		if !ok {
			return false
		}
	}
}

func (s *repScanner) mawTests(dst *[]mawTest) bool {
	if s.literal("null") {
		*dst = nil
		return true
	}
	out := []mawTest{}
	ok := s.list(func() bool {
		out = append(out, mawTest{})
		return s.literal("null") || s.mawTest(&out[len(out)-1])
	})
	*dst = out
	return ok
}

func (s *repScanner) mawTest(t *mawTest) bool {
	if s.peek() != '{' {
		return false
	}
	s.i++
	var seen uint32
	for first := true; ; first = false {
		idx, done, ok := s.member(first, mawTestKeys, &seen)
		if !ok || done {
			return ok
		}
		switch idx {
		case -1:
			ok = s.skip(0)
		case 0, 1:
			var v string
			if v, ok = s.str(); ok {
				*[...]*jstr{&t.Title, &t.State}[idx] = jstr(v)
			}
		case 2:
			ok = s.mawErr(&t.Err)
		}
		if !ok {
			return false
		}
	}
}

// mawErr reads a test's err; null keeps it zero, as for a struct.
func (s *repScanner) mawErr(e *mawErr) bool {
	if s.literal("null") {
		return true
	}
	if s.peek() != '{' {
		return false
	}
	s.i++
	var seen uint32
	for first := true; ; first = false {
		idx, done, ok := s.member(first, mawErrKeys, &seen)
		if !ok || done {
			return ok
		}
		if idx < 0 {
			ok = s.skip(0)
		} else {
			var v string
			if v, ok = s.str(); ok {
				*[...]*jstr{&e.Message, &e.Estack}[idx] = jstr(v)
			}
		}
		if !ok {
			return false
		}
	}
}
