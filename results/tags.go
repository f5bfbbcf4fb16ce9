package results

import (
	"fmt"
	"sort"
	"time"
)

// Failure tags (D28) say how a host's result compares with its own earlier
// runs of the same template. They are computed from the history before this
// run only, so a replay or a correction of the run gets the same tags.

// TagKind is one of the tag words.
type TagKind string

// The tags, in the order their rules are tried for a FAIL (D28).
const (
	TagFlaky      TagKind = "FLAKY"
	TagKnown      TagKind = "KNOWN"
	TagRegression TagKind = "REGRESSION"
	TagNew        TagKind = "NEW"
	TagFixed      TagKind = "FIXED" // a PASS whose host failed last time
)

// TagWindow is how many of a host's earlier runs of a template count.
const TagWindow = 10

// HistoryEntry is one host's finished result in an earlier run.
type HistoryEntry struct {
	RunID  string
	Build  string
	Host   string
	Status string // PASS or FAIL; anything else is ignored
	Step   string // StepKey of the failed step
	At     time.Time

	// For the reports over many hosts (FlakySteps, TopCauses).
	Template, StepTitle, Error, Signature string
}

// Tag is one host's tag; K of N are the failures of this step in the
// host's last N runs, Since the first failure of the current streak (KNOWN).
type Tag struct {
	Kind       TagKind
	K, N       int
	SinceBuild string
	Since      time.Time
}

// Text is the tag as a post shows it, dates in loc.
func (t Tag) Text(loc *time.Location) string {
	switch t.Kind {
	case TagKnown:
		return fmt.Sprintf("KNOWN since %s, %s (%d of %d)", t.SinceBuild, t.Since.In(loc).Format("2006-01-02"), t.K, t.N)
	case TagFlaky:
		return fmt.Sprintf("FLAKY (%d of %d)", t.K, t.N)
	}
	return string(t.Kind)
}

// Tags gives each finished host of hosts its tag from history (earlier runs
// of the same template, any order), looking at each host's last window
// runs (TagWindow when ≤ 0). With no history at all (a template's first
// run) nothing is tagged: there is nothing to compare with. A host is
// known by its name only: a renamed host starts with no history.
func Tags(hosts []Host, history []HistoryEntry, window int) map[string]Tag {
	if len(history) == 0 {
		return nil
	}
	if window <= 0 {
		window = TagWindow
	}
	byHost := map[string][]HistoryEntry{}
	for _, e := range history {
		if e.Status == HostPass || e.Status == HostFail {
			byHost[e.Host] = append(byHost[e.Host], e)
		}
	}
	out := map[string]Tag{}
	for _, h := range hosts {
		w := byHost[h.Name]
		// Newest first; runs started at the same instant by id, so the
		// order never depends on how the history was read.
		sort.Slice(w, func(i, j int) bool {
			if !w[i].At.Equal(w[j].At) {
				return w[i].At.After(w[j].At)
			}
			return w[i].RunID > w[j].RunID
		})
		if len(w) > window {
			w = w[:window]
		}
		switch h.Status {
		case HostFail:
			out[h.Name] = failTag(StepKey(h.FailedStep), w)
		case HostPass:
			if len(w) > 0 && w[0].Status == HostFail {
				out[h.Name] = Tag{Kind: TagFixed}
			}
		}
	}
	return out
}

// failTag applies the precedence of D28 to a failure at step over w, the
// host's earlier runs newest first: FLAKY, KNOWN, REGRESSION, NEW.
func failTag(step string, w []HistoryEntry) Tag {
	if len(w) == 0 {
		return Tag{Kind: TagNew}
	}
	k, flips, last := 0, 0, true // last: this run failed this step
	var since *HistoryEntry
	streak := true
	for i, e := range w {
		var failed bool
		switch {
		case e.Status == HostPass:
			failed, streak = false, false
		case e.Step == step:
			failed = true
			k++
			if streak {
				since = &w[i]
			}
		default:
			continue // a failure elsewhere says nothing about this step
		}
		if failed != last {
			flips++
		}
		last = failed
	}
	switch {
	case k > 0 && flips >= 2:
		return Tag{Kind: TagFlaky, K: k, N: len(w)}
	case k > 0:
		return Tag{Kind: TagKnown, K: k, N: len(w), SinceBuild: since.Build, Since: since.At}
	case w[0].Status == HostPass:
		return Tag{Kind: TagRegression}
	}
	return Tag{Kind: TagNew}
}
