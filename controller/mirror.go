package controller

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Mirror is a Sink keeping a run's fetched files in one local folder, one
// file per controller path (MirrorName), byte for byte at the controller's
// offsets but with secrets masked (D17). Each file is synced when it is
// closed and the folder in Sync, so offsets returned by FetchTo are only
// ever ahead of bytes that are on disk.
type Mirror struct {
	Dir string

	mu      sync.Mutex
	created bool // a new file since the last Sync: the folder needs syncing
}

// ErrMirrorBehind is a mirror file shorter than the offset a fetch resumes
// from: the mirror lost bytes the offsets say were kept. Reset the run's
// offsets and fetch it again from the start.
var ErrMirrorBehind = errors.New("mirror file is behind the fetch offsets")

// MirrorName is the file name of a controller path inside a mirror.
func MirrorName(p string) string {
	return strings.ReplaceAll(strings.ReplaceAll(p, "%", "%25"), "/", "%2F")
}

// File is where the mirror keeps the controller path p.
func (m *Mirror) File(p string) string { return filepath.Join(m.Dir, MirrorName(p)) }

// Open implements Sink.
func (m *Mirror) Open(f StreamFile) (io.WriteCloser, error) {
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		return nil, err
	}
	name := m.File(f.Path)
	fh, err := os.OpenFile(name, os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrNotExist) {
		fh, err = os.OpenFile(name, os.O_CREATE|os.O_WRONLY, 0o600)
		m.mu.Lock()
		m.created = true
		m.mu.Unlock()
	}
	if err != nil {
		return nil, err
	}
	fi, err := fh.Stat()
	if err == nil && fi.Size() < f.Offset {
		err = fmt.Errorf("%w: %s has %d bytes, the fetch resumes at %d", ErrMirrorBehind, f.Path, fi.Size(), f.Offset)
	}
	if err == nil {
		err = fh.Truncate(f.Offset) // bytes of an interrupted fetch past the offset go
	}
	if err == nil {
		_, err = fh.Seek(f.Offset, io.SeekStart)
	}
	if err != nil {
		fh.Close()
		return nil, err
	}
	return &mirrorFile{f: fh, mtime: time.Unix(0, f.MtimeNS)}, nil
}

// Sync implements Syncer: new file names are durable too.
func (m *Mirror) Sync() error {
	m.mu.Lock()
	created := m.created
	m.created = false
	m.mu.Unlock()
	if !created {
		return nil
	}
	d, err := os.Open(m.Dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

type mirrorFile struct {
	f     *os.File
	mtime time.Time
}

func (w *mirrorFile) Write(p []byte) (int, error) { return w.f.Write(p) }

// Close syncs the file and gives it the controller's mtime.
func (w *mirrorFile) Close() error {
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		_ = os.Chtimes(w.f.Name(), w.mtime, w.mtime)
	}
	return err
}

// NewBytes reads the bytes a Delta delivered, from the mirror, so the
// caller parses them without holding the file (or the delta) whole.
func (m *Mirror) NewBytes(d Delta) (io.ReadCloser, error) {
	f, err := os.Open(m.File(d.Path))
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, d.Offset, d.Len), f}, nil
}
