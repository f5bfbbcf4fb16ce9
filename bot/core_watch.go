package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// Tick polls every active run once. The scheduler calls it every
// watch.poll_interval; one run's failure or slowness never stops the
// others: each run is polled by its owner in its own goroutine (bounded in
// number), under its own deadline.
func (c *Core) Tick(ctx context.Context) {
	// D15: a lock no active run holds is stale; a run whose runner is gone
	// for good ends below (TERMINATED/UNKNOWN per Reconstruct), which frees
	// its lock in the same transaction. Adopted runs are polled like ours.
	c.clearStaleLocks(ctx)
	c.drainLocks(ctx)
	runs, err := c.DB.ActiveRuns(ctx)
	if err != nil {
		c.Log.Error().Err(err).Msg("listing active runs")
		return
	}
	counts := map[StateOn]int{}
	sem := make(chan struct{}, maxParallelPolls)
	var wg sync.WaitGroup
	for _, r := range runs {
		counts[StateOn{r.State, c.controllerNameOf(r)}]++
		if r.State != results.RunRunning {
			continue
		}
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			_ = c.withRun(ctx, id, func(o *runOwner, run storage.Run) {
				if run.State == results.RunRunning {
					c.pollRun(ctx, o, run)
				}
			})
		}(r.ID)
	}
	wg.Wait()
	c.Metrics.SetRuns(counts)
	c.Metrics.SetPollAges(c.pollAges(runs))
}

// pollAges is, per running run, how long ago its last successful poll was
// (since this process began watching it, when it has had none yet).
func (c *Core) pollAges(runs []storage.Run) map[BuildOn]time.Duration {
	now := c.now()
	out := map[BuildOn]time.Duration{}
	for _, r := range runs {
		if r.State != results.RunRunning {
			continue
		}
		o := c.ownerOf(r.ID)
		o.stMu.Lock()
		last := o.lastAt
		if last.IsZero() {
			if o.watchedSince.IsZero() {
				o.watchedSince = now
			}
			last = o.watchedSince
		}
		o.stMu.Unlock()
		out[BuildOn{r.Build, c.controllerNameOf(r)}] = now.Sub(last)
	}
	return out
}

// StalePolls names the running runs whose last successful poll is older
// than the deadline a healthy watch keeps (three poll intervals and one
// poll's own deadline), for /healthz, each with its controller when there
// are several. Empty: every run is watched.
func (c *Core) StalePolls(ctx context.Context) ([]string, error) {
	runs, err := c.DB.ActiveRuns(ctx)
	if err != nil {
		return nil, err
	}
	limit := 3*c.Cfg.Watch.PollInterval + c.pollTimeout()
	var out []string
	for k, age := range c.pollAges(runs) {
		if age > limit {
			what := k.Build
			if len(c.Runners) > 1 {
				what += " on " + k.Controller
			}
			out = append(out, fmt.Sprintf("%s: last poll %s ago", what, age.Round(time.Second)))
		}
	}
	sort.Strings(out)
	return out, nil
}

// maxParallelPolls bounds how many runs are polled at once.
const maxParallelPolls = 4

func (c *Core) pollTimeout() time.Duration {
	if d := c.Cfg.Watch.PollTimeout; d > 0 {
		return d
	}
	return 2 * time.Minute
}

// poll asks the Runner for the run's truth under the poll deadline and
// records it as the owner's latest observation. The caller is the owner.
func (c *Core) poll(ctx context.Context, o *runOwner, run storage.Run) (results.Status, error) {
	pctx, cancel := context.WithTimeout(ctx, c.pollTimeout())
	defer cancel()
	obs, err := c.runnerOf(run).Poll(pctx, run)
	c.Metrics.Poll(c.controllerNameOf(run), err)
	if err != nil {
		return results.Status{}, err
	}
	st := obs.Status
	st.Version = c.Version
	o.observed(st, c.now())
	c.persist(ctx, o, run, st)
	return st, nil
}

// pollRun is one tick's work on a run: poll, post what is owed, end the
// run when it ended. The caller is the run's owner.
func (c *Core) pollRun(ctx context.Context, o *runOwner, run storage.Run) {
	st, err := c.poll(ctx, o, run)
	if err != nil {
		// An unreachable controller is not a verdict: no TERMINATED or
		// UNKNOWN from a failed poll; the next tick tries again.
		c.Log.Warn().Err(err).Str("run", run.ID).Msg("poll failed")
		return
	}
	unposted := false
	if run.Watcher {
		c.ensureRoot(ctx, run, st)
		if c.rootOf(ctx, run) == "" {
			// Everything else goes in the root's thread: a post sent
			// without it would be looked for in the wrong place on a
			// retry. The next tick creates the root first.
			return
		}
		if st.Categorized && len(st.Subruns) > 1 {
			for _, sr := range st.Subruns {
				if sr.Finished && (sr.State == results.SubrunCompleted || sr.State == results.SubrunFailed) {
					if err := c.postSubrun(ctx, run, st, sr); err != nil {
						unposted = true
					}
				}
			}
		}
	}
	if unposted {
		// W1: a run ends only once every result it owes is posted; the
		// next tick retries, the final summary after the groups.
		return
	}
	switch st.State {
	case results.RunCompleted, results.RunFailed, results.RunTerminated, results.RunUnknown:
		c.finish(ctx, run, st, "", "")
	case results.RunHung:
		c.hung(ctx, run, st)
	}
}

// drainLocks finishes stopping the runners of cancelled runs whose stop
// had not been confirmed (a failed stop, a restart): their locks are
// released only once the runner is gone (D15, D24).
func (c *Core) drainLocks(ctx context.Context) {
	ids, err := c.DB.DrainingLocks(ctx)
	if err != nil {
		c.Log.Warn().Err(err).Msg("listing draining locks")
		return
	}
	for _, id := range ids {
		o := c.ownerOf(id)
		if o.launching() {
			continue // the launch in flight stops what it started, then frees the controller
		}
		if !o.mu.TryLock() {
			continue // its owner is on it
		}
		run, err := c.DB.GetRun(ctx, id)
		if err == nil {
			c.stopAndRelease(ctx, run)
		}
		o.mu.Unlock()
	}
}

// stopAndRelease stops a terminal run's runner and template step, then
// frees its controller; a failed stop keeps the lock for the next tick.
func (c *Core) stopAndRelease(ctx context.Context, run storage.Run) error {
	sctx, cancel := context.WithTimeout(ctx, c.pollTimeout())
	defer cancel()
	if err := c.runnerOf(run).Cancel(sctx, run); err != nil {
		c.Log.Warn().Err(err).Str("run", run.ID).Msg("stopping a cancelled run's runner; the controller stays locked until it is stopped")
		return err
	}
	if err := c.DB.ReleaseRunLock(ctx, run.ID); err != nil {
		c.Log.Error().Err(err).Str("run", run.ID).Msg("releasing the controller lock")
		return err
	}
	c.forgetOwner(run.ID)
	return nil
}

// ensureRoot creates the run's progress root post once and patches it with
// the progress (edits notify nobody, so this never spams).
func (c *Core) ensureRoot(ctx context.Context, run storage.Run, st results.Status) {
	msg := c.progressText(run, st)
	if run.RootPostID == "" {
		id, err := c.postOnce(ctx, postSpec{key: run.ID + "/root", run: run.ID, kind: "root", channel: run.ChannelID, message: msg})
		if err != nil {
			return
		}
		_ = c.DB.UpdateRun(ctx, run.ID, storage.RunUpdate{RootPostID: &id})
		return
	}
	c.patchIfChanged(ctx, run.RootPostID, msg)
}

func (c *Core) patchIfChanged(ctx context.Context, postID, msg string) {
	c.mu.Lock()
	if c.lastPatch == nil || len(c.lastPatch) > 4096 { // bounded: an unknown entry only costs one more edit
		c.lastPatch = map[string]string{}
	}
	same := c.lastPatch[postID] == msg
	c.lastPatch[postID] = msg
	c.mu.Unlock()
	if same {
		return
	}
	FaultPoint(FaultAfterCommitBeforePatch)
	if err := c.Chat.PatchPost(ctx, postID, msg, nil); err != nil {
		c.Log.Warn().Err(err).Str("post", postID).Msg("patching the progress post")
	}
}

// plural is "1 machine", "2 machines".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// progressText is the root post: verdict or progress, counts, time, ETA,
// then the run's template command and TEST FLOW (results.RunCard).
func (c *Core) progressText(run storage.Run, st results.Status) string {
	done, failed, total := finishedHosts(st), failedHosts(st), len(st.Hosts)
	icon, word := "🔄", "RUNNING"
	switch st.State {
	case results.RunCompleted:
		icon, word = "✅", "PASSED"
	case results.RunFailed:
		icon, word = "❌", "FAILED"
	case results.RunHung:
		icon, word = "⚠️", "HUNG"
	case results.RunCancelled:
		icon, word = "⏹️", "CANCELLED"
	case results.RunTerminated, results.RunUnknown:
		icon, word = "⚠️", st.State
	}
	var b strings.Builder
	if total == 0 {
		fmt.Fprintf(&b, "%s **%s** — %s · starting", icon, run.Build, word)
	} else {
		fmt.Fprintf(&b, "%s **%s** — %s · %d/%d hosts done", icon, run.Build, word, done, total)
	}
	if failed > 0 {
		fmt.Fprintf(&b, " · %d failed", failed)
	}
	if st.StartedAt != nil {
		end := c.now()
		if st.EndedAt != nil {
			end = *st.EndedAt
		}
		fmt.Fprintf(&b, " · %s %s", map[bool]string{true: "took", false: "elapsed"}[st.EndedAt != nil], end.Sub(*st.StartedAt).Round(time.Second))
	}
	if eta := results.RunETA(st, c.now()).ETA; eta != nil && st.EndedAt == nil {
		fmt.Fprintf(&b, " · ETA %s (whole remaining run, estimate)", results.FormatETA(*eta, c.Cfg.Location()))
	}
	if len(st.CurrentsURLs) > 0 {
		fmt.Fprintf(&b, " · [Currents](%s)", st.CurrentsURLs[len(st.CurrentsURLs)-1])
	}
	if run.Adopted {
		fmt.Fprintf(&b, "\nStarted by hand on the controller (template `%s`) · watched since %s asked · results follow in this thread.", orDash(run.Template), userRef(run.PlannedBy))
	} else {
		fmt.Fprintf(&b, "\nTemplate `%s` · planned by %s · approved by %s · results follow in this thread.", run.Template, userRef(run.PlannedBy), userRef(run.ApprovedBy))
	}
	// The template command and the TEST FLOW, once per run: the result
	// posts in the thread refer here rather than repeat them.
	if st.TemplateCommand != "" || len(st.TestFlow) > 0 || len(st.GroupFlows) > 0 {
		b.WriteString("\n\n" + results.RunCard(st))
	}
	return b.String()
}

// resultDigest is what a posted result claims: the sub-run's state and each
// host's status. A later reconstruction that differs needs a correction (W7).
type resultDigest struct {
	State string            `json:"state"`
	Hosts map[string]string `json:"hosts"`
}

func digestOf(state string, hosts []results.Host, only map[string]bool) resultDigest {
	d := resultDigest{State: state, Hosts: map[string]string{}}
	for _, h := range hosts {
		if only == nil || only[h.Name] {
			d.Hosts[h.Name] = h.Status
		}
	}
	return d
}

func (d resultDigest) String() string { b, _ := json.Marshal(d); return string(b) }

// changes lists what differs between two digests, for the correction post.
func (d resultDigest) changes(old resultDigest) []string {
	var out []string
	if old.State != d.State {
		out = append(out, fmt.Sprintf("state: %s → %s", old.State, d.State))
	}
	names := map[string]bool{}
	for n := range d.Hosts {
		names[n] = true
	}
	for n := range old.Hosts {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		if d.Hosts[n] != old.Hosts[n] {
			out = append(out, fmt.Sprintf("%s: %s → %s", n, orDash(old.Hosts[n]), orDash(d.Hosts[n])))
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
