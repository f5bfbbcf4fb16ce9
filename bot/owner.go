package bot

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// runOwner is the single owner of one run (D24): every action on the run —
// a tick's poll, a status poll, the launch's state changes, cancel, the hung
// stop, unwatch and watch — holds mu for its whole length, re-reads the run
// under it and changes its state only through a guarded transition. Only an
// action holding mu touches the run's view, parser and mirror (through the
// Runner) or posts for the run.
type runOwner struct {
	mu sync.Mutex

	// The latest observation, for status answers that need not poll again.
	stMu         sync.Mutex
	last         *results.Status
	lastAt       time.Time
	watchedSince time.Time // when this process first looked at the run

	// Set while the launch sequence runs in this process: cancel stops it.
	launchMu     sync.Mutex
	launchCancel context.CancelFunc
	launchDone   chan struct{}
	launchResult string // what happened to the launch, for the cancel reply

	// What the owner last wrote of the run (under mu).
	persisted *persisted
}

// launching reports whether this process's launch of the run is still in
// flight: its lock is the launch's to release.
func (o *runOwner) launching() bool {
	o.launchMu.Lock()
	done := o.launchDone
	o.launchMu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// observed records the latest status seen by a poll.
func (o *runOwner) observed(st results.Status, at time.Time) {
	o.stMu.Lock()
	defer o.stMu.Unlock()
	cp := st
	o.last, o.lastAt = &cp, at
}

// fresh returns the latest observation if it is at most maxAge old.
func (o *runOwner) fresh(now time.Time, maxAge time.Duration) (results.Status, bool) {
	o.stMu.Lock()
	defer o.stMu.Unlock()
	if o.last == nil || now.Sub(o.lastAt) > maxAge {
		return results.Status{}, false
	}
	return *o.last, true
}

// ownerOf returns the owner of a run, making it on first use.
func (c *Core) ownerOf(runID string) *runOwner {
	c.ownersMu.Lock()
	defer c.ownersMu.Unlock()
	if c.owners == nil {
		c.owners = map[string]*runOwner{}
	}
	o := c.owners[runID]
	if o == nil {
		o = &runOwner{}
		c.owners[runID] = o
	}
	return o
}

// forgetOwner drops a terminal run's owner. An actor still holding the old
// owner re-reads the run under its lock, finds it terminal and does nothing.
func (c *Core) forgetOwner(runID string) {
	c.ownersMu.Lock()
	delete(c.owners, runID)
	c.ownersMu.Unlock()
	for _, r := range c.allRunners() {
		if f, ok := r.(interface{ Forget(runID string) }); ok {
			f.Forget(runID)
		}
	}
}

// withRun runs fn as the run's owner, on the run as stored now.
func (c *Core) withRun(ctx context.Context, runID string, fn func(o *runOwner, run storage.Run)) error {
	o := c.ownerOf(runID)
	o.mu.Lock()
	defer o.mu.Unlock()
	run, err := c.DB.GetRun(ctx, runID)
	if err != nil {
		return err
	}
	fn(o, run)
	return nil
}

// transition changes a run's state through the state machine; when it
// loses, the run as stored says what won. A terminal winner's owner is
// dropped.
func (c *Core) transition(ctx context.Context, runID string, t storage.Transition) (bool, storage.Run) {
	won, cur, err := c.DB.TransitionRun(ctx, runID, t)
	if err != nil {
		c.Log.Error().Err(err).Str("run", runID).Str("to", t.To).Msg("recording the run state")
		return false, cur
	}
	if !won {
		c.Log.Info().Str("run", runID).Str("to", t.To).Str("state", cur.State).Msg("state change lost to another action")
	}
	return won, cur
}

// notRun rewrites a cancelled run's status: hosts that had not finished
// were not run to the end, and never show as RUNNING (D24).
func notRun(st results.Status, note string) results.Status {
	st.State = results.RunCancelled
	hosts := make([]results.Host, len(st.Hosts))
	for i, h := range st.Hosts {
		if h.Status == results.HostRunning {
			h.Status = results.HostNotStarted
			h.Notes = append(append([]string(nil), h.Notes...), "not run to the end: the run was cancelled")
		}
		hosts[i] = h
	}
	st.Hosts = hosts
	subs := make([]results.Subrun, len(st.Subruns))
	for i, sr := range st.Subruns {
		if sr.State == results.SubrunRunning {
			sr.State = results.SubrunNotStarted
		}
		subs[i] = sr
	}
	st.Subruns = subs
	st.Timing.ETA = nil
	if note != "" {
		st.Notes = append(append([]string(nil), st.Notes...), note)
	}
	return st
}

// snapshotCache shares one controller answer among the status requests
// that arrive while it is being asked (S2: a request arriving later asks
// again): a burst of `status` with no active run asks the controller once,
// not once per request. Only answers in flight are kept.
type snapshotCache struct {
	mu       sync.Mutex
	inFlight map[string]*snapEntry
}

type snapEntry struct {
	done    chan struct{}
	waiters int // requests sharing this answer, besides the one asking
	reply   Reply
	ok      bool
}

// do returns the answer in flight for key, or a new one from fn.
func (s *snapshotCache) do(key string, fn func() (Reply, bool)) (Reply, bool) {
	s.mu.Lock()
	if e := s.inFlight[key]; e != nil {
		e.waiters++
		s.mu.Unlock()
		<-e.done
		return e.reply, e.ok
	}
	if s.inFlight == nil {
		s.inFlight = map[string]*snapEntry{}
	}
	e := &snapEntry{done: make(chan struct{})}
	s.inFlight[key] = e
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.inFlight, key)
		s.mu.Unlock()
		close(e.done)
	}()
	e.reply, e.ok = fn()
	return e.reply, e.ok
}

// PollNow polls a running run as its owner, exactly as a watch tick does,
// and records what it saw, without posting: the watch loop's cost measured
// alone (the watch-loop benchmark).
func (c *Core) PollNow(ctx context.Context, runID string) (st results.Status, err error) {
	werr := c.withRun(ctx, runID, func(o *runOwner, run storage.Run) {
		if run.State != results.RunRunning {
			err = fmt.Errorf("run %s is %s, not running", runID, run.State)
			return
		}
		st, err = c.poll(ctx, o, run)
	})
	if werr != nil {
		return st, werr
	}
	return st, err
}
