package controller

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Delta is the new bytes of one file.
type Delta struct {
	Path      string `json:"path"`
	Offset    int64  `json:"offset"`    // where the new bytes start in the file
	Len       int64  `json:"len"`       // how many new bytes were delivered
	Data      []byte `json:"data"`      // the bytes themselves (Fetch only; FetchTo streams them to its sink)
	Whole     bool   `json:"whole"`     // the bytes are the whole file: replace what was read before
	Truncated bool   `json:"truncated"` // the file got shorter than what was read (D5)
	Size      int64  `json:"size"`
	MtimeNS   int64  `json:"mtime_ns"`
}

// FetchResult is one poll.
type FetchResult struct {
	Now        time.Time // controller clock when the listing ran
	Deltas     []Delta
	Listed     int   // files listed as changed since the watermark
	RoundTrips int   // commands this poll ran: 1 or 2
	WireBytes  int64 // bytes the controller sent for this poll, framing included
	DataBytes  int64 // file bytes delivered
	// Offsets are the run's read positions after this poll (D5). FetchTo
	// returns them uncommitted: the caller commits them with CommitOffsets
	// once the bytes are applied, so bytes that failed to apply are read
	// again. Fetch commits them itself.
	Offsets map[string]FileOffset
	// Notes are operator-facing anomalies of this poll (a file over its
	// cap); each is also recorded as a failed "fetch" event.
	Notes []string
}

// watermarkSlack re-lists files modified shortly before the previous
// listing: file times come from the kernel's coarse clock (a tick, ≤ 10 ms)
// and can trail `date`. Files listed again but unchanged cost only their
// listing line: their size and mtime match the stored offset.
const watermarkSlack = 250 * time.Millisecond

// watermarkStep: a poll that found nothing new moves the watermark only
// once it is this far behind, so an idle poll writes nothing to the state
// file. A watermark left behind only lists a few more unchanged files.
const watermarkStep = time.Minute

// partialLineGrace: an unterminated last line of a log modified this
// recently is still being written. It is held back and read whole next
// poll, so a secret split across two polls is redacted whole (D17).
const partialLineGrace = 5 * time.Second

// StepFetch names the events a fetch records (a cap hit).
const StepFetch = "fetch"

// Fetch is FetchTo into memory, committing the offsets itself: each
// Delta carries its Data. Kept for callers that hold whole deltas anyway
// (a one-off snapshot); a watch loop uses FetchTo with a Mirror.
func (c *Controller) Fetch(ctx context.Context, run RunRef) (FetchResult, error) {
	mu := c.runLock(run.ID)
	mu.Lock()
	defer mu.Unlock()
	sink := &memSink{}
	fr, err := c.fetchTo(ctx, run, sink)
	if err != nil {
		return fr, err
	}
	for i := range fr.Deltas {
		fr.Deltas[i].Data = sink.data(fr.Deltas[i].Path)
	}
	return fr, c.CommitOffsets(ctx, run.ID, fr.Offsets)
}

// FetchTo streams the bytes of the run's artifacts and logs that are new
// since the committed offsets into sink, in at most two round trips
// whatever the number of files: one listing of files changed since the
// watermark (mtime, size), one stream of the new bytes. Logs and .txt
// transcripts are read from their offset; other files whole when they
// changed; a file shorter than its offset whole again (D5). Logs stop at
// fetch_max_log_bytes, other files over fetch_max_file_bytes are not read:
// both give a note. Bytes reach the sink redacted (D17), a chunk at a
// time; nothing is committed: see FetchResult.Offsets. Polls of one run
// must not overlap (each starts from the committed offsets); polls of
// different runs may.
func (c *Controller) FetchTo(ctx context.Context, run RunRef, sink Sink) (FetchResult, error) {
	mu := c.runLock(run.ID)
	mu.Lock()
	defer mu.Unlock()
	return c.fetchTo(ctx, run, sink)
}

// CommitOffsets makes a poll's offsets durable (FetchResult.Offsets).
func (c *Controller) CommitOffsets(ctx context.Context, runID string, offs map[string]FileOffset) error {
	return c.saveOffsets(ctx, runID, offs)
}

func (c *Controller) fetchTo(ctx context.Context, run RunRef, sink Sink) (fr FetchResult, err error) {
	ctx, cancel := withTimeout(ctx, "fetch", c.Cfg.FetchTimeout, defaultFetchTimeout)
	defer cancel()
	rt0, wb0 := c.roundTrips.Load(), c.wireBytes.Load()
	defer func() {
		fr.RoundTrips = int(c.roundTrips.Load() - rt0)
		fr.WireBytes = c.wireBytes.Load() - wb0
	}()
	offs, err := c.loadOffsets(ctx, run.ID)
	if err != nil {
		return fr, err
	}
	since := run.Start
	if wm, ok := offs[WatermarkKey]; ok {
		since = time.Unix(0, wm.MtimeNS)
	}
	if since.IsZero() {
		return fr, errors.New("fetch: the run has no controller start time")
	}
	p := c.paths(run.Build)
	jdir, jname := path.Split(c.abs(c.Cfg.JUnitGlob))
	dirs := []string{path.Clean(jdir), c.abs(c.Cfg.MochawesomeDir), c.abs(c.Cfg.ReporterDir), p.Log, p.LaunchLog}
	res, err := c.sh(ctx, listScript, nil, formatEpoch(since), dirs[0], jname, dirs[1], dirs[2], dirs[3], dirs[4])
	if err != nil {
		return fr, fmt.Errorf("fetch listing: %w", err)
	}
	now, listed, err := ParseListing(res.Stdout, dirs)
	if err != nil {
		return fr, fmt.Errorf("fetch listing: %w", err)
	}
	fr.Now, fr.Listed = now, len(listed)

	changed := map[string]FileOffset{}
	var reqs []streamReq
	truncated := map[string]bool{}
	for _, l := range listed {
		st, seen := offs[l.Path]
		app := appendOnly(l.Path)
		capN := c.capOf(l.Path)
		switch {
		case seen && l.Size == st.Size && l.MtimeNS == st.MtimeNS:
		case seen && app && l.Size == st.Size:
			changed[l.Path] = FileOffset{Size: st.Size, MtimeNS: l.MtimeNS} // touched, nothing new
		case seen && app && l.Size > st.Size && st.Size >= capN:
			// at its cap (noted when it got there): nothing more is read
		case seen && app && l.Size > st.Size:
			reqs = append(reqs, streamReq{path: l.Path, offset: st.Size, cap: capN, hold: true})
		case !app && l.Size > capN:
			fr.Notes = appendNote(fr.Notes, c.overCap(run.ID, l.Path, l.Size, l.MtimeNS, capN))
		default:
			truncated[l.Path] = seen && l.Size < st.Size
			reqs = append(reqs, streamReq{path: l.Path, cap: capN, whole: !app, hold: app})
		}
	}
	var clamp int64 // the oldest mtime of a file with a line held back
	if len(reqs) > 0 {
		grace := c.lineGrace
		if grace <= 0 {
			grace = partialLineGrace
		}
		still := func(mtimeNS int64) bool { return now.Sub(time.Unix(0, mtimeNS)) < grace }
		got, err := c.stream(ctx, reqs, sink, still)
		if err != nil {
			return fr, fmt.Errorf("fetch stream: %w", err)
		}
		for i, r := range reqs {
			f := got[i]
			if f.over { // grew past its cap since the listing
				fr.Notes = appendNote(fr.Notes, c.overCap(run.ID, r.path, f.size, f.mtimeNS, r.cap))
				continue
			}
			if !f.found { // vanished since the listing; the next listing will tell
				continue
			}
			_, seen := offs[r.path]
			end := f.offset + f.n
			if f.n > 0 || f.offset == 0 {
				fr.Deltas = append(fr.Deltas, Delta{Path: r.path, Offset: f.offset, Len: f.n, Whole: f.offset == 0,
					Truncated: truncated[r.path] || (seen && f.offset < r.offset), Size: f.size, MtimeNS: f.mtimeNS})
			}
			fr.DataBytes += f.n
			changed[r.path] = FileOffset{Size: end, MtimeNS: f.mtimeNS}
			if f.held && (clamp == 0 || f.mtimeNS < clamp) {
				clamp = f.mtimeNS
			}
			if r.hold && end >= r.cap && f.size > r.cap {
				fr.Notes = append(fr.Notes, fmt.Sprintf("%s reached the fetch cap of %s: its bytes past that are not read (controller.%s)", r.path, sizeText(r.cap), capKey(r.path)))
			}
		}
	}
	wm := now.Add(-watermarkSlack)
	if clamp != 0 && time.Unix(0, clamp-1).Before(wm) {
		wm = time.Unix(0, clamp-1) // the held-back file is listed again
	}
	if wm.After(since) && (len(changed) > 0 || wm.Sub(since) >= watermarkStep) {
		changed[WatermarkKey] = FileOffset{MtimeNS: wm.UnixNano()}
	}
	for _, n := range fr.Notes {
		if err := c.record(ctx, run, StepFetch, false, n); err != nil {
			return fr, err
		}
	}
	fr.Offsets = changed
	return fr, nil
}

// capOf is the fetch cap of a controller path.
func (c *Controller) capOf(p string) int64 {
	if strings.HasSuffix(p, ".log") {
		if c.Cfg.FetchMaxLogBytes > 0 {
			return int64(c.Cfg.FetchMaxLogBytes)
		}
		return defaultMaxLog
	}
	return c.fileCap()
}

func capKey(p string) string {
	if strings.HasSuffix(p, ".log") {
		return "fetch_max_log_bytes"
	}
	return "fetch_max_file_bytes"
}

func appendNote(notes []string, n string) []string {
	if n == "" {
		return notes
	}
	return append(notes, n)
}

func (c *Controller) fileCap() int64 {
	if c.Cfg.FetchMaxFileBytes > 0 {
		return int64(c.Cfg.FetchMaxFileBytes)
	}
	return defaultMaxFile
}

// Fallback caps when the config leaves them at zero.
const (
	defaultMaxLog  = 2 << 30
	defaultMaxFile = 64 << 20
)

// overCap is the note for a whole file too large to read; one per file
// version, however often it is listed.
func (c *Controller) overCap(runID, p string, size, mtimeNS, capN int64) string {
	note := fmt.Sprintf("%s is %s, over the fetch cap of %s: not read (controller.%s)", p, sizeText(size), sizeText(capN), capKey(p))
	key := fmt.Sprintf("%s\x00%s\x00%d\x00%d", runID, p, size, mtimeNS)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.noted == nil {
		c.noted = map[string]bool{}
	}
	if c.noted[key] {
		return ""
	}
	c.noted[key] = true
	return note
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// runLock serialises the polls of one run, not of all runs.
func (c *Controller) runLock(runID string) *sync.Mutex {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fetchLocks == nil {
		c.fetchLocks = map[string]*sync.Mutex{}
	}
	m := c.fetchLocks[runID]
	if m == nil {
		m = &sync.Mutex{}
		c.fetchLocks[runID] = m
	}
	return m
}

// appendOnly files only grow while a run writes them: read their new bytes.
// Everything else (XML, JSON, HTML) is rewritten whole.
func appendOnly(p string) bool {
	return strings.HasSuffix(p, ".log") || strings.HasSuffix(p, ".txt")
}

// Listed is one file of a listing.
type Listed struct {
	Path    string
	Size    int64
	MtimeNS int64
}

// ParseListing reads listScript's output: the controller clock on the
// "@@clock" line, then "dir-index TAB mtime TAB size TAB relative-path"
// records ended by NUL, resolved against dirs. Records that do not parse
// are skipped.
func ParseListing(out []byte, dirs []string) (time.Time, []Listed, error) {
	// Login-script noise may precede the marked clock line.
	i := bytes.Index(out, []byte("@@clock "))
	if i < 0 {
		return time.Time{}, nil, errors.New("no clock line")
	}
	head, rest, _ := bytes.Cut(out[i+len("@@clock "):], []byte("\n"))
	now, err := parseEpoch(string(head))
	if err != nil {
		return time.Time{}, nil, err
	}
	var files []Listed
	for _, rec := range bytes.Split(rest, []byte{0}) {
		f := strings.SplitN(string(rec), "\t", 4)
		if len(f) != 4 || strings.Contains(f[3], "\n") {
			continue
		}
		i, err0 := strconv.Atoi(f[0])
		mt, err1 := epochNS(f[1])
		size, err2 := strconv.ParseInt(f[2], 10, 64)
		if err0 != nil || err1 != nil || err2 != nil || size < 0 || i < 0 || i >= len(dirs) {
			continue
		}
		p := dirs[i]
		if f[3] != "" {
			p = path.Join(p, f[3])
		}
		files = append(files, Listed{Path: p, Size: size, MtimeNS: mt})
	}
	return now, files, nil
}

func (c *Controller) loadOffsets(ctx context.Context, runID string) (map[string]FileOffset, error) {
	c.mu.Lock()
	cached := c.offCache[runID]
	c.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	m, err := c.Offsets.LoadOffsets(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("load fetch offsets: %w", err)
	}
	if m == nil {
		m = map[string]FileOffset{}
	}
	c.mu.Lock()
	if c.offCache == nil {
		c.offCache = map[string]map[string]FileOffset{}
	}
	c.offCache[runID] = m
	c.mu.Unlock()
	return m, nil
}

func (c *Controller) saveOffsets(ctx context.Context, runID string, changed map[string]FileOffset) error {
	if len(changed) == 0 {
		return nil
	}
	if err := c.Offsets.SaveOffsets(ctx, runID, changed); err != nil {
		return fmt.Errorf("save fetch offsets: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.offCache[runID]
	for k, v := range changed {
		m[k] = v
	}
	return nil
}

func (c *Controller) resetOffsets(ctx context.Context, runID string) error {
	if err := c.Offsets.ResetOffsets(ctx, runID); err != nil {
		return fmt.Errorf("reset fetch offsets: %w", err)
	}
	c.mu.Lock()
	delete(c.offCache, runID)
	c.mu.Unlock()
	return nil
}
