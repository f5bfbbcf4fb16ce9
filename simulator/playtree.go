package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// A results scenario (results/testdata/scenarios/*) is a controller-shaped
// tree recorded in the past: files under its ATVM root and tmp dir,
// mtimes.json (path → modification time) and meta.json (the replay flags).
// PlayTree writes such a tree into a live controller root as if the run
// were happening now: in the order of the manifest's times, shifted so the
// run's start lands now and every gap is divided by the speed, each file
// given its shifted time as mtime, and the logs appended a few lines at a
// time so an incremental fetch sees them grow.
//
// Textual timestamps inside the files and in file names are shifted too,
// by the same offset but not scaled (the simulator's clock: artifact times
// run ahead of the wall clock while a fast play runs). Reconstruct drops a
// reporter artifact whose file-name stamp is before the run start (R1) and
// compares content times with one another, so the recorded dates must move
// with the run start or every artifact would count as stale.

// PlayTreeOptions say what to play where.
type PlayTreeOptions struct {
	Tree  string  // the scenario folder: mtimes.json, optional meta.json, the files
	Root  string  // live ATVM root: receives the tree's ATVM root (meta.json atvm-root, default "atvm")
	Tmp   string  // live tmp dir: receives the tree's tmp dir (meta.json tmp-dir, default "tmp")
	Speed float64 // scenario seconds per real second; 0 = 1
	// Duration, when set, overrides Speed: the play from the origin to the
	// last file lasts this long.
	Duration time.Duration
	// Build renames the tree's runner and launch logs (<build>.log,
	// <build>.launch.log) to this build's; "" keeps the tree's name.
	// File contents are not touched: only the file names change.
	Build string
	// Start is the real time the origin lands on; zero = the first instant
	// from now a whole number of seconds after the origin (a whole-second
	// offset keeps every fraction in the files as written, so a stamp of
	// the run start stays exactly on it).
	Start time.Time
	// Origin is the scenario instant that lands on Start; zero = meta.json's
	// since (the run start), else the earliest time of the manifest. Files
	// older than the origin are written at once with their (past) times.
	Origin time.Time
	// ChunkLines is the number of lines per append of a log; 0 = 4.
	ChunkLines int
	// Late is how far behind its schedule a write may fall and still get
	// its scheduled mtime; a later write keeps its real write time, as a
	// file on a busy machine would, so a poll that listed the directory in
	// between never misses it. 0 = 100 ms.
	Late time.Duration
}

// TreeMeta is what PlayTree reads from the tree's meta.json.
type TreeMeta struct {
	Build    string    // the tree's build name
	Since    time.Time // the run start (replay --since); zero when absent
	Now      time.Time // when the tree's snapshot was judged (replay --now); zero when absent
	ATVMRoot string    // the tree's ATVM root folder, relative
	TmpDir   string    // the tree's tmp folder, relative
	Raw      map[string]any
}

// Timeline maps scenario times to the live controller.
type Timeline struct {
	Origin time.Time // scenario time of the run start
	Start  time.Time // real time it lands on
	Speed  float64   // scenario seconds per real second
}

// Real is the real (controller) time of scenario time t: gaps divided by
// the speed. File mtimes and write times follow it.
func (tl Timeline) Real(t time.Time) time.Time {
	return tl.Start.Add(tl.Scale(t.Sub(tl.Origin)))
}

// Content is the shifted textual timestamp of scenario time t: moved by the
// same offset as the origin, not scaled.
func (tl Timeline) Content(t time.Time) time.Time { return t.Add(tl.Offset()) }

// Offset is how far textual timestamps move.
func (tl Timeline) Offset() time.Duration { return tl.Start.Sub(tl.Origin) }

// Scale divides a scenario duration by the speed.
func (tl Timeline) Scale(d time.Duration) time.Duration {
	return time.Duration(float64(d) / tl.Speed)
}

// TreeWrite is one write of the play: a whole file, or a chunk appended to
// a log.
type TreeWrite struct {
	At     time.Time // scenario time
	Rel    string    // the manifest's path
	Path   string    // the live path
	Data   []byte
	Append bool
}

// TreePlay is a prepared play: call Run to perform it.
type TreePlay struct {
	Meta     TreeMeta
	Timeline Timeline
	Writes   []TreeWrite // in play order
	// End is the real time of the last write (or of the origin when every
	// file is older than it).
	End time.Time

	late time.Duration
}

// PrepareTree reads the tree and plans the play; nothing is written.
func PrepareTree(o PlayTreeOptions) (*TreePlay, error) {
	if o.Tree == "" || o.Root == "" || o.Tmp == "" {
		return nil, fmt.Errorf("playtree: the tree, the ATVM root and the tmp dir are required")
	}
	if o.Speed < 0 {
		return nil, fmt.Errorf("playtree: speed %v: want a positive number", o.Speed)
	}
	if o.Speed == 0 {
		o.Speed = 1
	}
	if o.ChunkLines <= 0 {
		o.ChunkLines = 4
	}
	if o.Late <= 0 {
		o.Late = 100 * time.Millisecond
	}
	meta, err := readTreeMeta(o.Tree)
	if err != nil {
		return nil, err
	}
	times, err := readManifest(o.Tree)
	if err != nil {
		return nil, err
	}
	files, err := treeFiles(o.Tree, meta)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("playtree: %s holds no file under %s/ or %s/", o.Tree, meta.ATVMRoot, meta.TmpDir)
	}
	for _, rel := range files {
		if _, ok := times[rel]; !ok {
			return nil, fmt.Errorf("playtree: %s has no time in mtimes.json", rel)
		}
	}
	sort.SliceStable(files, func(i, j int) bool {
		ti, tj := times[files[i]], times[files[j]]
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return files[i] < files[j]
	})
	origin := o.Origin
	if origin.IsZero() {
		origin = meta.Since
	}
	if origin.IsZero() {
		origin = times[files[0]]
	}
	start := o.Start
	if start.IsZero() {
		// The next whole second after origin's fraction: the offset of the
		// textual timestamps is then whole seconds.
		now := time.Now()
		start = origin.Add(now.Sub(origin).Truncate(time.Second) + time.Second)
	}
	if o.Duration > 0 {
		if span := times[files[len(files)-1]].Sub(origin); span > 0 {
			o.Speed = float64(span) / float64(o.Duration)
		}
	}
	p := &TreePlay{Meta: meta, Timeline: Timeline{Origin: origin, Start: start, Speed: o.Speed}, late: o.Late}
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(o.Tree, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		dst, err := p.livePath(rel, o)
		if err != nil {
			return nil, err
		}
		data = ShiftTimestamps(data, p.Timeline.Offset())
		at := times[rel]
		if isGrowingLog(rel) && len(data) > 0 && at.After(origin) {
			p.Writes = append(p.Writes, logChunks(rel, dst, data, origin, at, o.ChunkLines)...)
			continue
		}
		p.Writes = append(p.Writes, TreeWrite{At: at, Rel: rel, Path: dst, Data: data})
	}
	sort.SliceStable(p.Writes, func(i, j int) bool { return p.Writes[i].At.Before(p.Writes[j].At) })
	p.End = start
	if n := len(p.Writes); n > 0 && p.Writes[n-1].At.After(origin) {
		p.End = p.Timeline.Real(p.Writes[n-1].At)
	}
	return p, nil
}

// livePath is where a manifest path goes on the live controller: the ATVM
// root or the tmp dir, the build renamed, file-name stamps shifted.
func (p *TreePlay) livePath(rel string, o PlayTreeOptions) (string, error) {
	top, rest, _ := strings.Cut(rel, "/")
	dir, name := path.Split(rest)
	switch top {
	case p.Meta.ATVMRoot:
		name = string(ShiftTimestamps([]byte(name), p.Timeline.Offset()))
		return filepath.Join(o.Root, filepath.FromSlash(dir), name), nil
	case p.Meta.TmpDir:
		if o.Build != "" && p.Meta.Build != "" && dir == "" {
			for _, suf := range []string{".launch.log", ".log"} {
				if name == p.Meta.Build+suf {
					name = o.Build + suf
					break
				}
			}
		}
		return filepath.Join(o.Tmp, filepath.FromSlash(dir), name), nil
	}
	return "", fmt.Errorf("playtree: %s is neither under %s/ nor under %s/", rel, p.Meta.ATVMRoot, p.Meta.TmpDir)
}

// isGrowingLog: the runner and launch logs grow while a run writes them.
func isGrowingLog(rel string) bool { return strings.HasSuffix(rel, ".log") }

// logChunks spreads a log's lines evenly over [from, to]: ChunkLines lines
// per append, the last one at the log's own time.
func logChunks(rel, dst string, data []byte, from, to time.Time, per int) []TreeWrite {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	n := (len(lines) + per - 1) / per
	out := make([]TreeWrite, 0, n)
	span := to.Sub(from)
	for k := 0; k < n; k++ {
		hi := min((k+1)*per, len(lines))
		chunk := bytes.Join(lines[k*per:hi], nil)
		at := from.Add(time.Duration(float64(span) * float64(k+1) / float64(n)))
		if k == n-1 {
			at = to
		}
		out = append(out, TreeWrite{At: at, Rel: rel, Path: dst, Data: chunk, Append: k > 0})
	}
	return out
}

func readTreeMeta(tree string) (TreeMeta, error) {
	m := TreeMeta{ATVMRoot: "atvm", TmpDir: "tmp", Raw: map[string]any{}}
	raw, err := os.ReadFile(filepath.Join(tree, "meta.json"))
	if os.IsNotExist(err) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(raw, &m.Raw); err != nil {
		return m, fmt.Errorf("playtree: meta.json: %w", err)
	}
	str := func(k string) string { s, _ := m.Raw[k].(string); return s }
	m.Build = str("build")
	if s := str("atvm-root"); s != "" {
		m.ATVMRoot = s
	}
	if s := str("tmp-dir"); s != "" {
		m.TmpDir = s
	}
	for k, dst := range map[string]*time.Time{"since": &m.Since, "now": &m.Now} {
		if s := str(k); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return m, fmt.Errorf("playtree: meta.json %s: %w", k, err)
			}
			*dst = t.UTC()
		}
	}
	if strings.Contains(m.ATVMRoot, "/") || strings.Contains(m.TmpDir, "/") || m.ATVMRoot == m.TmpDir {
		return m, fmt.Errorf("playtree: meta.json: atvm-root %q and tmp-dir %q must be two top-level folders", m.ATVMRoot, m.TmpDir)
	}
	return m, nil
}

func readManifest(tree string) (map[string]time.Time, error) {
	raw, err := os.ReadFile(filepath.Join(tree, "mtimes.json"))
	if err != nil {
		return nil, fmt.Errorf("playtree: %w", err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("playtree: mtimes.json: %w", err)
	}
	out := make(map[string]time.Time, len(m))
	for rel, s := range m {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("playtree: mtimes.json %s: %w", rel, err)
		}
		out[rel] = t.UTC()
	}
	return out, nil
}

// treeFiles lists the controller files of the tree: everything under its
// ATVM root and tmp dir. The rest (meta.json, ps.txt, an inventory, the
// golden and truth files) belongs to the bot's side and is not played.
func treeFiles(tree string, meta TreeMeta) ([]string, error) {
	var out []string
	for _, top := range []string{meta.ATVMRoot, meta.TmpDir} {
		base := filepath.Join(tree, top)
		err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) && p == base {
					return nil
				}
				return err
			}
			if d.IsDir() {
				return nil
			}
			if !d.Type().IsRegular() {
				return fmt.Errorf("playtree: %s is not a regular file", p)
			}
			rel, err := filepath.Rel(tree, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Run performs the play: each write at its real time (files older than the
// origin at once), mtime set to that time. It returns when the last write
// is done, or ctx ends.
func (p *TreePlay) Run(ctx context.Context) error {
	for _, w := range p.Writes {
		if err := p.Do(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

// Do performs one write at its time, sleeping until then; a write older
// than the origin is done at once. Callers that step through Writes
// themselves (to poll between two writes) use it instead of Run.
func (p *TreePlay) Do(ctx context.Context, w TreeWrite) error {
	due := p.Timeline.Real(w.At)
	timed := w.At.After(p.Timeline.Origin)
	if timed {
		if err := sleepUntil(ctx, due); err != nil {
			return err
		}
	}
	return p.write(w, due, timed)
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// write performs one write. A whole file is written beside its place and
// renamed over it, so a poll never reads it half written; a log chunk is
// appended in place, as the runner's stdout is.
func (p *TreePlay) write(w TreeWrite, due time.Time, timed bool) error {
	if err := os.MkdirAll(filepath.Dir(w.Path), 0o755); err != nil {
		return err
	}
	target := w.Path
	if w.Append {
		f, err := os.OpenFile(w.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		_, werr := f.Write(w.Data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return werr
		}
	} else {
		// The temporary name starts with a dot and ends in ~: no listing
		// pattern of the controller (test-result-*.xml, *.html, *.json,
		// *.txt, <build>.log) matches it.
		target = filepath.Join(filepath.Dir(w.Path), "."+filepath.Base(w.Path)+".playtree~")
		if err := os.WriteFile(target, w.Data, 0o644); err != nil {
			return err
		}
		if err := os.Chmod(target, 0o644); err != nil {
			return err
		}
	}
	mt := due
	if now := time.Now(); timed && now.Sub(due) > p.late {
		mt = now
	}
	if err := os.Chtimes(target, mt, mt); err != nil {
		return err
	}
	if target != w.Path {
		return os.Rename(target, w.Path)
	}
	return nil
}

// PlayTree prepares and runs a play.
func PlayTree(ctx context.Context, o PlayTreeOptions) (*TreePlay, error) {
	p, err := PrepareTree(o)
	if err != nil {
		return nil, err
	}
	return p, p.Run(ctx)
}
