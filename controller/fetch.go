package controller

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// Delta is the new bytes of one file.
type Delta struct {
	Path      string `json:"path"`
	Offset    int64  `json:"offset"`    // where Data starts in the file
	Data      []byte `json:"data"`      // the bytes from Offset to the end of the file
	Whole     bool   `json:"whole"`     // Data is the whole file: replace what was read before
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
	WireBytes  int64 // bytes the controller sent for this poll
	DataBytes  int64 // file bytes among them
}

// watermarkSlack re-lists files modified shortly before the previous
// listing: file times come from the kernel's coarse clock (a tick, ≤ 10 ms)
// and can trail `date`. Files listed again but unchanged cost only their
// listing line: their size and mtime match the stored offset.
const watermarkSlack = 250 * time.Millisecond

// Fetch returns the bytes of the run's artifacts and logs that are new
// since the previous poll, in at most two round trips whatever the number
// of files: one listing of files changed since the watermark (mtime, size),
// one stream of the new bytes. Logs and .txt transcripts are read from
// their offset; other files whole when they changed; a file shorter than
// its offset whole again (D5). Offsets persist through the OffsetStore.
func (c *Controller) Fetch(ctx context.Context, run RunRef) (fr FetchResult, err error) {
	c.fetchMu.Lock() // one poll at a time: offsets are read, then advanced
	defer c.fetchMu.Unlock()
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
		switch {
		case seen && l.Size == st.Size && l.MtimeNS == st.MtimeNS:
		case seen && appendOnly(l.Path) && l.Size == st.Size:
			changed[l.Path] = FileOffset{Size: st.Size, MtimeNS: l.MtimeNS} // touched, nothing new
		case seen && appendOnly(l.Path) && l.Size > st.Size:
			reqs = append(reqs, streamReq{path: l.Path, offset: st.Size})
		default:
			truncated[l.Path] = seen && l.Size < st.Size
			reqs = append(reqs, streamReq{path: l.Path})
		}
	}
	if len(reqs) > 0 {
		got, err := c.stream(ctx, reqs)
		if err != nil {
			return fr, fmt.Errorf("fetch stream: %w", err)
		}
		for i, r := range reqs {
			f := got[i]
			if !f.found { // vanished since the listing; the next listing will tell
				continue
			}
			_, seen := offs[r.path]
			d := Delta{Path: r.path, Offset: f.offset, Data: f.data, Whole: f.offset == 0,
				Truncated: truncated[r.path] || (seen && f.offset < r.offset), Size: f.size, MtimeNS: f.mtimeNS}
			fr.Deltas = append(fr.Deltas, d)
			fr.DataBytes += int64(len(f.data))
			changed[r.path] = FileOffset{Size: f.offset + int64(len(f.data)), MtimeNS: f.mtimeNS}
		}
	}
	wm := now.Add(-watermarkSlack)
	if wm.After(since) {
		changed[WatermarkKey] = FileOffset{MtimeNS: wm.UnixNano()}
	}
	if err := c.saveOffsets(ctx, run.ID, changed); err != nil {
		return fr, err
	}
	return fr, nil
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

type streamReq struct {
	path   string
	offset int64
}

type fileData struct {
	found   bool
	offset  int64
	data    []byte
	size    int64
	mtimeNS int64
}

// stream reads many files in one round trip.
func (c *Controller) stream(ctx context.Context, reqs []streamReq) ([]fileData, error) {
	var in bytes.Buffer
	for _, r := range reqs {
		p := r.path
		if strings.ContainsAny(p, "\n\x00") {
			p = "/nonexistent/bad-path" // cannot be framed; reported as missing
		}
		fmt.Fprintf(&in, "%d %s\n", r.offset, p)
	}
	py := c.Cfg.Python
	if py == "" {
		py = "python3"
	}
	res, err := c.run(ctx, []string{py, "-c", streamPy}, RunOpts{Stdin: &in})
	if err != nil {
		return nil, err
	}
	if res.ExitCode != 0 {
		return nil, fmt.Errorf("%s exited %d: %s", py, res.ExitCode, Redact(strings.TrimSpace(string(res.Stderr))))
	}
	return ParseStream(res.Stdout, len(reqs))
}

// ParseStream reads streamPy's framing: after the ATVMSTREAM1 line, per
// request either "F idx off n size mtime_ns\n" and n bytes, or "M idx\n";
// then "E\n". n must be returned in full: a short stream is an error.
func ParseStream(out []byte, n int) ([]fileData, error) {
	const magic = "ATVMSTREAM1\n"
	i := bytes.Index(out, []byte(magic))
	if i < 0 {
		return nil, errors.New("stream: no header")
	}
	b := out[i+len(magic):]
	files := make([]fileData, n)
	for {
		line, rest, ok := bytes.Cut(b, []byte("\n"))
		if !ok {
			return nil, errors.New("stream: cut short")
		}
		f := strings.Fields(string(line))
		switch {
		case len(f) == 1 && f[0] == "E":
			return files, nil
		case len(f) == 2 && f[0] == "M":
			idx, err := strconv.Atoi(f[1])
			if err != nil || idx < 0 || idx >= n {
				return nil, fmt.Errorf("stream: bad entry %q", line)
			}
			b = rest
		case len(f) == 6 && f[0] == "F":
			var v [5]int64
			for k := range v {
				x, err := strconv.ParseInt(f[k+1], 10, 64)
				if err != nil || x < 0 {
					return nil, fmt.Errorf("stream: bad header %q", line)
				}
				v[k] = x
			}
			idx, size := v[0], v[2]
			if idx >= int64(n) || size > int64(len(rest)) {
				return nil, fmt.Errorf("stream: bad header %q", line)
			}
			files[idx] = fileData{found: true, offset: v[1], data: rest[:size:size], size: v[3], mtimeNS: v[4]}
			b = rest[size:]
		default:
			return nil, fmt.Errorf("stream: bad header %q", truncate(string(line), 80))
		}
	}
}

// readWhole reads whole files in one round trip, keyed by path.
func (c *Controller) readWhole(ctx context.Context, paths []string) (map[string]fileData, error) {
	reqs := make([]streamReq, len(paths))
	for i, p := range paths {
		reqs[i] = streamReq{path: p}
	}
	got, err := c.stream(ctx, reqs)
	if err != nil {
		return nil, err
	}
	m := make(map[string]fileData, len(paths))
	for i, p := range paths {
		m[p] = got[i]
	}
	return m, nil
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
