package results

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ReporterTXTStream reads a transcript as its bytes arrive: a watched run's
// transcripts grow by a chunk per poll, and re-reading each whole file on
// every chunk made a run's cost quadratic in its length. It holds the
// reading state, at most maxTxtLine bytes of the unfinished line and 512
// bytes of the file's head, whatever the file's size. Fed the same bytes in
// any pieces, it answers exactly as ParseReporterTXT does on the whole.
type ReporterTXTStream struct {
	st        txtState
	head      []byte // the first bytes, for the binary check
	line      []byte // the unfinished line's first maxTxtLine bytes
	pending   bool   // bytes seen since the last newline
	spaceOnly bool   // every byte so far is white space (the empty check)
	carry     []byte // an incomplete UTF-8 sequence, while spaceOnly
	broken    bool   // the reader panicked on these bytes: nothing more is read
}

// NewReporterTXTStream starts a transcript from its first byte.
func NewReporterTXTStream() *ReporterTXTStream {
	return &ReporterTXTStream{st: txtState{inHeader: true}, spaceOnly: true}
}

// Write feeds the transcript's next bytes. It never fails.
func (s *ReporterTXTStream) Write(p []byte) (int, error) {
	n := len(p)
	if s.broken {
		return n, nil
	}
	defer func() {
		if r := recover(); r != nil {
			s.broken = true
		}
	}()
	if len(s.head) < 512 {
		s.head = append(s.head, p[:min(len(p), 512-len(s.head))]...)
	}
	if s.spaceOnly {
		s.scanSpace(p)
	}
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.keep(p)
			s.pending = true
			break
		}
		if len(s.line) == 0 {
			s.st.feed(p[:i])
		} else {
			s.keep(p[:i])
			s.st.feed(s.line)
			s.line = s.line[:0]
		}
		s.pending = false
		p = p[i+1:]
	}
	return n, nil
}

// keep adds to the unfinished line what will ever be looked at of it.
func (s *ReporterTXTStream) keep(b []byte) {
	if room := maxTxtLine - len(s.line); room > 0 {
		s.line = append(s.line, b[:min(len(b), room)]...)
	}
}

// scanSpace clears spaceOnly at the first rune that is not white space,
// as bytes.TrimSpace judges runes (invalid UTF-8 is not space).
func (s *ReporterTXTStream) scanSpace(p []byte) {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if len(s.carry) == 0 && c < utf8.RuneSelf {
			if !asciiSpace(c) {
				s.spaceOnly = false
				return
			}
			continue
		}
		s.carry = append(s.carry, c)
		if !utf8.FullRune(s.carry) {
			continue
		}
		r, size := utf8.DecodeRune(s.carry)
		if r == utf8.RuneError && size <= 1 || !unicode.IsSpace(r) {
			s.spaceOnly = false
			return
		}
		s.carry = s.carry[:0]
	}
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// Evidence is what the transcript says so far, as ParseReporterTXT would
// answer on the bytes written. The stream can go on being written after.
func (s *ReporterTXTStream) Evidence(path string, mtime time.Time) (Evidence, error) {
	base := Evidence{Source: SourceReporterTXT, Path: path, ModTime: mtime}
	if s.spaceOnly && len(s.carry) == 0 {
		return base, errors.New("reporter-txt: empty file")
	}
	if bytes.IndexByte(s.head, 0) >= 0 {
		return base, errors.New("reporter-txt: binary data, not a transcript")
	}
	st := s.st
	if s.pending {
		// The unfinished line counts as a line now, in a copy: it may
		// still grow.
		st.block = slices.Clip(st.block)
		st.ev.Notes = slices.Clip(st.ev.Notes)
		st.feed(s.line)
	}
	st.ev.Source, st.ev.Path, st.ev.ModTime = SourceReporterTXT, path, mtime
	return st.finish(path)
}

// feed reads one line (without its newline); only a bounded prefix of it is
// ever turned into a string.
func (st *txtState) feed(line []byte) {
	line = line[:min(len(line), maxTxtLine)]
	if txtPlain(line) {
		st.line(string(line)) // what cleanText would return, without its scans
	} else {
		st.line(cleanText(string(line)))
	}
}

// finish turns the state after the last line into the host's evidence.
func (st *txtState) finish(path string) (Evidence, error) {
	if st.known == 0 {
		return st.ev, errors.New("reporter-txt: no transcript header, test or log lines")
	}
	ev := st.ev
	stampHost, stampAt, stampOK := ReporterStamp(path)
	if ev.Machine == "" {
		ev.Machine = stampHost
	}
	if ev.StartedAt == nil && stampOK {
		ev.StartedAt = &stampAt
	}
	ev.Complete = st.done
	if !st.done {
		ev.Passes, ev.Failures, ev.Pending = st.passes, st.fails, st.pending
	}
	ev.Tests = ev.Passes + ev.Failures + ev.Pending
	errText := st.errText
	if st.haveBlock {
		errText = strings.Join(st.block, "\n")
	}
	classifyHost(&ev, st.failed, 0, st.step, errText)
	return ev, nil
}

// Parsed is the transcript so far as ParseFileAs reads the same bytes.
func (s *ReporterTXTStream) Parsed(path string, mtime time.Time) (pf ParsedFile) {
	pf = ParsedFile{Path: path, Kind: KindReporterTXT, ModTime: mtime}
	defer func() {
		if r := recover(); r != nil {
			pf.Evidence = nil
			pf.Err = "parser failed on unreadable content"
		}
	}()
	if s.broken {
		pf.Err = "parser failed on unreadable content"
		return pf
	}
	ev, err := s.Evidence(path, mtime)
	reporterFile(&pf, ev, err)
	pf.reporterStamp()
	return pf
}
