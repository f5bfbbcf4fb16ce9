package controller

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
)

// streamPy reads "OFFSET CAP MODE PATH" lines on stdin and writes, for
// each: "M idx" when the file cannot be read; "X idx size mtime_ns" when a
// whole file (MODE w) is larger than CAP; else "F idx off size mtime_ns",
// the bytes from off (0 when the file is now shorter than off: D5) up to
// the size it had when opened and at most to CAP, as "C n" chunks, then
// "Z". One process for any number of files; no file is held in memory.
const streamPy = `import os, sys
chunk = int(sys.argv[1])
o = sys.stdout.buffer
o.write(b"ATVMSTREAM2\n")
for n, line in enumerate(sys.stdin.buffer):
    off, cap, mode, p = line.rstrip(b"\n").split(b" ", 3)
    off, cap = int(off), int(cap)
    try:
        f = open(p, "rb")
    except OSError:
        o.write(b"M %d\n" % n)
        continue
    with f:
        st = os.fstat(f.fileno())
        if st.st_size < off:
            off = 0
        if mode == b"w" and st.st_size > cap:
            o.write(b"X %d %d %d\n" % (n, st.st_size, st.st_mtime_ns))
            continue
        o.write(b"F %d %d %d %d\n" % (n, off, st.st_size, st.st_mtime_ns))
        end = min(st.st_size, cap)
        f.seek(off)
        pos = off
        while pos < end:
            d = f.read(min(chunk, end - pos))
            if not d:
                break
            o.write(b"C %d\n" % len(d))
            o.write(d)
            pos += len(d)
        o.write(b"Z\n")
o.write(b"E\n")
`

// StreamFile is one fetched file as it starts to arrive.
type StreamFile struct {
	Path    string // absolute controller path
	Offset  int64  // where the bytes start in the file; 0 = the whole file anew
	Size    int64  // the file's size on the controller
	MtimeNS int64  // its mtime then
}

// Sink receives fetched bytes as they arrive, one file at a time, redacted
// (D17, same length as on the controller). Open returns a writer placed at
// f.Offset with whatever was there from f.Offset on discarded. Close ends
// the file; a sink that needs its bytes durable before the caller commits
// offsets makes them so in Close (or in Sync, when it has one).
type Sink interface {
	Open(f StreamFile) (io.WriteCloser, error)
}

// Syncer is a Sink with a final durability step, called once after every
// file of a fetch is closed and before its offsets are returned.
type Syncer interface {
	Sync() error
}

// defaultChunk is how much the controller side reads and frames at once.
const defaultChunk = 1 << 20

type streamReq struct {
	path   string
	offset int64
	cap    int64 // read no byte at or past this position
	whole  bool  // a file rewritten whole: skipped when larger than cap
	hold   bool  // an append-only file: an unterminated last line may be held back
}

type fileData struct {
	found   bool
	over    bool  // a whole file larger than its cap: not read
	held    bool  // its last, unterminated line was held back
	offset  int64 // where the delivered bytes start
	n       int64 // bytes delivered to the sink
	size    int64
	mtimeNS int64
}

// stream reads many files in one round trip, each straight into sink.
// hold says whether a file's unterminated last line is held back (still
// being written); it is asked only for requests with hold set.
func (c *Controller) stream(ctx context.Context, reqs []streamReq, sink Sink, hold func(mtimeNS int64) bool) ([]fileData, error) {
	var in bytes.Buffer
	for _, r := range reqs {
		p := r.path
		if strings.ContainsAny(p, "\n\x00") {
			p = "/nonexistent/bad-path" // cannot be framed; reported as missing
		}
		mode := "a"
		if r.whole {
			mode = "w"
		}
		fmt.Fprintf(&in, "%d %d %s %s\n", r.offset, r.cap, mode, p)
	}
	py := c.Cfg.Python
	if py == "" {
		py = "python3"
	}
	chunk := c.chunk
	if chunk <= 0 {
		chunk = defaultChunk
	}
	pr, pw := io.Pipe()
	type parsed struct {
		files []fileData
		err   error
	}
	// A parse or sink failure (disk full) ends the command at once: left
	// alone it would block on a full channel until the fetch deadline.
	rctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	done := make(chan parsed, 1)
	go func() {
		files, err := parseStream(bufio.NewReaderSize(pr, 64<<10), reqs, sink, hold)
		if err != nil {
			pr.CloseWithError(err)
			stop(err)
		} else {
			_, _ = io.Copy(io.Discard, pr) // trailing noise
		}
		done <- parsed{files, err}
	}()
	res, err := c.run(rctx, []string{py, "-c", streamPy, strconv.Itoa(chunk)}, RunOpts{Stdin: &in, Stdout: wireCounter{pw, &c.wireBytes}})
	if err != nil {
		pw.CloseWithError(err)
	} else {
		pw.Close()
	}
	p := <-done
	switch {
	case p.err != nil && !errors.Is(p.err, ErrStreamShort):
		return nil, p.err // the cause; the command's end followed from it
	case err != nil:
		return nil, err
	case res.ExitCode != 0:
		return nil, fmt.Errorf("%s exited %d: %s", py, res.ExitCode, Redact(strings.TrimSpace(string(res.Stderr))))
	case p.err != nil:
		return nil, p.err
	}
	if s, ok := sink.(Syncer); ok {
		if err := s.Sync(); err != nil {
			return nil, fmt.Errorf("stream: %w", err)
		}
	}
	return p.files, nil
}

// ErrStreamShort is a stream that ended before its end marker.
var ErrStreamShort = errors.New("stream: cut short")

// parseStream reads streamPy's framing from r, writing each file's bytes to
// sink as they come. Login-script noise may precede the header.
func parseStream(r *bufio.Reader, reqs []streamReq, sink Sink, hold func(int64) bool) ([]fileData, error) {
	const magic = "ATVMSTREAM2"
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, errors.New("stream: no header")
		}
		if strings.TrimSuffix(line, "\n") == magic {
			break
		}
	}
	files := make([]fileData, len(reqs))
	index := func(s string) (int, error) {
		i, err := strconv.Atoi(s)
		if err != nil || i < 0 || i >= len(reqs) {
			return 0, fmt.Errorf("stream: bad index %q", s)
		}
		return i, nil
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, ErrStreamShort
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 1 && f[0] == "E":
			return files, nil
		case len(f) == 2 && f[0] == "M":
			if _, err := index(f[1]); err != nil {
				return nil, err
			}
		case len(f) == 4 && f[0] == "X":
			i, err := index(f[1])
			v, err2 := nonNeg(f[2:])
			if err != nil || err2 != nil {
				return nil, fmt.Errorf("stream: bad entry %q", truncate(line, 80))
			}
			files[i] = fileData{over: true, size: v[0], mtimeNS: v[1]}
		case len(f) == 5 && f[0] == "F":
			i, err := index(f[1])
			v, err2 := nonNeg(f[2:])
			if err != nil || err2 != nil {
				return nil, fmt.Errorf("stream: bad header %q", truncate(line, 80))
			}
			fd := fileData{found: true, offset: v[0], size: v[1], mtimeNS: v[2]}
			if err := readFile(r, reqs[i], &fd, sink, hold); err != nil {
				return nil, err
			}
			files[i] = fd
		default:
			return nil, fmt.Errorf("stream: bad header %q", truncate(strings.TrimSpace(line), 80))
		}
	}
}

// readFile copies one file's chunks into the sink, redacting line by line.
func readFile(r *bufio.Reader, req streamReq, fd *fileData, sink Sink, hold func(int64) bool) error {
	w, err := sink.Open(StreamFile{Path: req.path, Offset: fd.offset, Size: fd.size, MtimeNS: fd.mtimeNS})
	if err != nil {
		return fmt.Errorf("stream: open %s: %w", req.path, err)
	}
	mw := &maskWriter{w: w}
	fail := func(err error) error {
		w.Close()
		return err
	}
	var got int64
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return fail(ErrStreamShort)
		}
		f := strings.Fields(line)
		if len(f) == 1 && f[0] == "Z" {
			break
		}
		if len(f) != 2 || f[0] != "C" {
			return fail(fmt.Errorf("stream: bad chunk header %q", truncate(strings.TrimSpace(line), 80)))
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || n < 0 || n > defaultChunk*16 {
			return fail(fmt.Errorf("stream: bad chunk header %q", truncate(strings.TrimSpace(line), 80)))
		}
		k, err := io.CopyN(mw, r, n)
		got += k
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return fail(ErrStreamShort)
			}
			return fail(fmt.Errorf("stream: write %s: %w", req.path, err))
		}
	}
	// Held back: an unterminated line of a file still being written, unless
	// the read stopped at the cap or the line is already too long to wait.
	fd.held = req.hold && mw.tail() > 0 && fd.offset+got < req.cap && hold != nil && hold(fd.mtimeNS)
	n, err := mw.finish(fd.held)
	fd.n = n
	if err != nil {
		return fail(fmt.Errorf("stream: write %s: %w", req.path, err))
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("stream: close %s: %w", req.path, err)
	}
	return nil
}

func nonNeg(f []string) ([]int64, error) {
	v := make([]int64, len(f))
	for i, s := range f {
		x, err := strconv.ParseInt(s, 10, 64)
		if err != nil || x < 0 {
			return nil, fmt.Errorf("not a size: %q", s)
		}
		v[i] = x
	}
	return v, nil
}

// memSink keeps fetched files in memory: for small files the launch reads
// (config, specs) and the in-memory Fetch. Bounded by the fetch caps.
type memSink struct {
	files map[string]*bytes.Buffer
}

type memFile struct{ *bytes.Buffer }

func (memFile) Close() error { return nil }

func (m *memSink) Open(f StreamFile) (io.WriteCloser, error) {
	if m.files == nil {
		m.files = map[string]*bytes.Buffer{}
	}
	b := &bytes.Buffer{}
	m.files[f.Path] = b
	return memFile{b}, nil
}

func (m *memSink) data(p string) []byte {
	if b := m.files[p]; b != nil {
		return b.Bytes()
	}
	return nil
}

// readWhole reads whole files (up to the file cap) in one round trip,
// keyed by path; their bytes are in data.
func (c *Controller) readWhole(ctx context.Context, paths []string) (map[string]wholeFile, error) {
	reqs := make([]streamReq, len(paths))
	for i, p := range paths {
		reqs[i] = streamReq{path: p, cap: c.fileCap(), whole: true}
	}
	sink := &memSink{}
	got, err := c.stream(ctx, reqs, sink, nil)
	if err != nil {
		return nil, err
	}
	m := make(map[string]wholeFile, len(paths))
	for i, p := range paths {
		m[p] = wholeFile{found: got[i].found, over: got[i].over, data: sink.data(p), size: got[i].size, mtimeNS: got[i].mtimeNS}
	}
	return m, nil
}

// wholeFile is one file readWhole read.
type wholeFile struct {
	found, over bool
	data        []byte
	size        int64
	mtimeNS     int64
}

// wireCounter counts streamed bytes into the controller's wire total,
// which only captured output would otherwise reach.
type wireCounter struct {
	w io.Writer
	n *atomic.Int64
}

func (w wireCounter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.n.Add(int64(n))
	return n, err
}
