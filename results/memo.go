package results

import (
	bin "encoding/binary"
	"hash/fnv"
	"io"
	"sort"
	"time"
)

// Memo remembers a run's last reconstruction. A watched run is polled
// every few seconds and most polls find nothing new; rebuilding hundreds
// of hosts from thousands of parsed files each time would make an idle
// poll cost as much as a busy one. The clock enters a reconstruction in
// exactly two ways: the settle and hung judgments (thresholds on the time
// since the log's last write) and the running run's elapsed time and ETA.
// So a poll with the same inputs and the same judgments is answered from
// memory with only elapsed and ETA moved to now — the same Status a fresh
// Reconstruct gives (a property test checks this on every scenario).
//
// The zero Memo is ready; it is not safe for concurrent use (a run's
// polls are serialized by its owner).
type Memo struct {
	key    uint64
	have   bool
	st     Status
	misses int // reconstructions made (tests)
}

// Reconstruct is Reconstruct(meta, arts), remembered. gen identifies the
// artifacts: the caller changes it whenever anything in arts changes
// (bytes fetched, a file added or reset). Every Meta field is part of the
// key but Now, which is judged as above.
func (m *Memo) Reconstruct(gen uint64, meta Meta, arts Artifacts) Status {
	if meta.Now.IsZero() {
		meta.Now = time.Now()
	}
	key := memoKey(gen, meta, arts.LogModTime)
	if m.have && key == m.key {
		return m.st.at(meta.Now)
	}
	st := Reconstruct(meta, arts)
	m.misses++
	m.key, m.have, m.st = key, true, st.at(meta.Now)
	return st
}

// Forget drops what is remembered.
func (m *Memo) Forget() { *m = Memo{} }

// at is a copy of st (its own slices, so a caller's edits never reach the
// memory) with the clock-driven timing moved to now, as status() computes
// them: elapsed since the start while the run has no end, and the ETA of a
// running run.
func (st Status) at(now time.Time) Status {
	c := st
	c.Hosts, c.Subruns, c.Skipped = clone(st.Hosts), clone(st.Subruns), clone(st.Skipped)
	c.Remaining, c.CurrentsURLs, c.TestFlow, c.Notes = clone(st.Remaining), clone(st.CurrentsURLs), clone(st.TestFlow), clone(st.Notes)
	if c.StartedAt != nil && c.EndedAt == nil {
		c.Timing.ElapsedS = 0
		if d := now.Sub(*c.StartedAt).Seconds(); d > 0 {
			c.Timing.ElapsedS = round1(d)
		}
	}
	if c.State == RunRunning {
		c.Timing.ETA = nil
		if eta := RunETA(c, now).ETA; eta != nil {
			utc := eta.UTC()
			c.Timing.ETA = &utc
		}
	}
	return c
}

// clone copies s into a slice of its own, nil staying nil and empty empty.
func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

// memoKey digests everything a reconstruction reads but the artifacts
// (gen stands for them) and the clock (only its judgments count: whether
// the log has settled, and for how many whole minutes it has been idle
// once that reaches the hung grace, which the hung note states).
func memoKey(gen uint64, meta Meta, logMod time.Time) uint64 {
	h := fnv.New64a()
	var b [8]byte
	num := func(v int64) {
		bin.LittleEndian.PutUint64(b[:], uint64(v))
		h.Write(b[:])
	}
	str := func(s string) {
		num(int64(len(s)))
		io.WriteString(h, s)
	}
	strs := func(l []string) {
		num(int64(len(l)))
		for _, s := range l {
			str(s)
		}
	}
	flag := func(v bool) {
		if v {
			num(1)
		} else {
			num(0)
		}
	}
	num(int64(gen))
	str(meta.Build)
	num(meta.RunStart.UnixNano())
	str(meta.Template)
	str(meta.Plugin)
	flag(meta.Categorized)
	flag(meta.InstallOnly)
	strs(meta.RequestedVMs)
	num(int64(len(meta.Skipped)))
	for _, s := range meta.Skipped {
		str(s.Name)
		str(s.Reason)
	}
	str(meta.TemplateCommand)
	str(meta.RunnerCommand)
	str(meta.ConfigFile)
	flag(meta.Config == nil)
	str(string(meta.Config))
	// Of the ps snapshot (every process of the controller, ps itself
	// among them) only this is read: is the runner alive, with a live
	// Cypress under it.
	runner, child := runnerAlive(meta)
	flag(runner)
	flag(child)
	num(int64(meta.HungGrace))
	num(int64(meta.SettleDelay))
	str(meta.Version)
	strs(meta.PostedURLs)
	num(int64(len(meta.Inventory)))
	inv := make([]string, 0, len(meta.Inventory))
	for k := range meta.Inventory {
		inv = append(inv, k)
	}
	sort.Strings(inv)
	for _, k := range inv {
		str(k)
		str(meta.Inventory[k])
	}
	strs(meta.StaticFlow)
	str(meta.Layout.JUnitGlob)
	str(meta.Layout.MochawesomeDir)
	str(meta.Layout.ReporterDir)
	num(logMod.UnixNano())
	hung, settle := meta.HungGrace, meta.SettleDelay
	if hung <= 0 {
		hung = DefaultHungGrace
	}
	if settle <= 0 {
		settle = DefaultSettleDelay
	}
	idle := !logMod.IsZero() && meta.Now.Sub(logMod) >= hung
	flag(!logMod.IsZero() && meta.Now.Sub(logMod) >= settle)
	if idle {
		num(int64(meta.Now.Sub(logMod).Minutes()))
	} else {
		num(-1)
	}
	return h.Sum64()
}
