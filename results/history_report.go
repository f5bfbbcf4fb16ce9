package results

import (
	"sort"
	"time"
)

// Reports over the failure history of many hosts (D28): /atvm flaky and
// /atvm failures. Pure: the caller reads the rows.

// Flaky is a host's step that passed and failed alternately.
type Flaky struct {
	Template, Host, Step string // Step: the newest failure's title
	Fails, Runs, Flips   int
	LastBuild            string
	Last                 time.Time // the newest failure of the step
}

// FlakySteps finds, per template and host, each step whose results flipped
// between PASS and FAIL at least twice (the FLAKY rule of the tags; a
// failure at another step counts for neither). Most failures first.
func FlakySteps(entries []HistoryEntry) []Flaky {
	type key struct{ template, host string }
	runs := map[key][]HistoryEntry{}
	for _, e := range entries {
		if e.Status == HostPass || e.Status == HostFail {
			k := key{e.Template, e.Host}
			runs[k] = append(runs[k], e)
		}
	}
	var out []Flaky
	for k, w := range runs {
		sortOldestFirst(w)
		steps := map[string]bool{}
		for _, e := range w {
			if e.Status == HostFail {
				steps[e.Step] = true
			}
		}
		for step := range steps {
			f := Flaky{Template: k.template, Host: k.host, Runs: len(w)}
			started, last := false, false
			for _, e := range w {
				var failed bool
				switch {
				case e.Status == HostPass:
				case e.Step == step:
					failed = true
					f.Fails++
					f.Step, f.LastBuild, f.Last = e.StepTitle, e.Build, e.At
				default:
					continue
				}
				if started && failed != last {
					f.Flips++
				}
				started, last = true, failed
			}
			if f.Flips >= 2 {
				out = append(out, f)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Fails != b.Fails {
			return a.Fails > b.Fails
		}
		if a.Flips != b.Flips {
			return a.Flips > b.Flips
		}
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		return a.Template+a.Step < b.Template+b.Step
	})
	return out
}

// Cause is one error signature of a template with the hosts it hit.
type Cause struct {
	Template, Signature string
	Step, Error         string // the newest failure's, as logged
	Count               int    // failures (host runs)
	Hosts               []string
	LastBuild           string
	Last                time.Time
}

// TopCauses groups the failures by template and signature (computed from
// the step and error when a row has none): most failures first.
func TopCauses(entries []HistoryEntry) []Cause {
	idx := map[[2]string]int{}
	var out []Cause
	seen := map[[3]string]bool{}
	for _, e := range entries {
		if e.Status != HostFail {
			continue
		}
		sig := e.Signature
		if sig == "" {
			sig = Signature(e.StepTitle, e.Error)
		}
		k := [2]string{e.Template, sig}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Cause{Template: e.Template, Signature: sig})
		}
		c := &out[i]
		c.Count++
		if !seen[[3]string{k[0], k[1], e.Host}] {
			seen[[3]string{k[0], k[1], e.Host}] = true
			c.Hosts = append(c.Hosts, e.Host)
		}
		if c.LastBuild == "" || e.At.After(c.Last) {
			c.Step, c.Error, c.LastBuild, c.Last = e.StepTitle, e.Error, e.Build, e.At
		}
	}
	for i := range out {
		sort.Strings(out[i].Hosts)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Last.After(out[j].Last)
	})
	return out
}

// CauseText is an error as a cause shared by several hosts reads: its
// first line with the parts that differ between them shown as "…".
func CauseText(errText string) string { return causeText(Signature("", errText)) }

func sortOldestFirst(w []HistoryEntry) {
	sort.Slice(w, func(i, j int) bool {
		if !w[i].At.Equal(w[j].At) {
			return w[i].At.Before(w[j].At)
		}
		return w[i].RunID < w[j].RunID
	})
}
