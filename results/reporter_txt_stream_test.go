package results

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// wholeParseReporterTXT is the reader as it was before transcripts were
// streamed: the reference the stream must agree with, piece by piece.
func wholeParseReporterTXT(path string, mtime time.Time, data []byte) (Evidence, error) {
	st := txtState{ev: Evidence{Source: SourceReporterTXT, Path: path, ModTime: mtime}, inHeader: true}
	if len(bytes.TrimSpace(data)) == 0 {
		return st.ev, errors.New("reporter-txt: empty file")
	}
	if bytes.IndexByte(data[:min(len(data), 512)], 0) >= 0 {
		return st.ev, errors.New("reporter-txt: binary data, not a transcript")
	}
	for rest := data; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		// Only a bounded prefix of a line is ever turned into a string.
		line = line[:min(len(line), maxTxtLine)]
		if txtPlain(line) {
			st.line(string(line)) // what cleanText would return, without its scans
		} else {
			st.line(cleanText(string(line)))
		}
	}
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

// checkStream feeds data in the pieces cuts makes of it and reads the
// evidence after every piece, checking each against the whole-file reader
// on the same prefix.
func checkStream(t *testing.T, data []byte, cuts []int) {
	t.Helper()
	const path = "atvm9-debian12.5-2026-05-11T14-02-07-118Z.txt"
	s := NewReporterTXTStream()
	at := 0
	for _, c := range append(cuts, len(data)) {
		if c < at || c > len(data) {
			continue
		}
		_, _ = s.Write(data[at:c])
		at = c
		got, gotErr := s.Evidence(path, artifactMtime)
		want, wantErr := wholeParseReporterTXT(path, artifactMtime, data[:at])
		if !reflect.DeepEqual(got, want) || (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Fatalf("after %d of %d bytes (cuts %v):\nstream %+v, %v\nwhole  %+v, %v", at, len(data), cuts, got, gotErr, want, wantErr)
		}
	}
}

func TestReporterTXTStream_R6_PiecesAgreeWithWhole(t *testing.T) {
	long := strings.Repeat("x", 3*maxTxtLine)
	cases := []struct {
		name string
		data string
		cuts []int
	}{
		{"empty", "", nil},
		{"spaces", " \n\t\r\n", []int{1, 2}},
		{"unicode space split", "\u00a0\u3000", []int{1, 3, 4}},
		{"unicode non-space split", "\u00a0\u00e9", []int{1, 3}},
		{"invalid utf8 tail", " \xe3\x80", []int{2}},
		{"binary head", "host: h\x00\n", nil},
		{"header only", "=== cmcReporter 1 ===\nhost: atvm9\n", []int{5, 23}},
		{"pass then finished", "host: h\n[2026-05-11T14:02:07.118Z] TEST PASS  1. a\n=== finished 2026-05-11T14:03:44.902Z: 1 passed, 0 failed, 0 pending ===\n", []int{10, 40, 60, 100}},
		{"fail block across pieces", "host: h\n[2026-05-11T14:02:07.118Z] TEST FAIL  1. x\n      Error: y\n      at z\n\n=== finished 2026-05-11T14:03:44.902Z: 0 passed, 1 failed, 0 pending ===", []int{49, 50, 62, 70, 75}},
		{"no final newline", "host: h\n[2026-05-11T14:02:07.118Z] TEST START  1. a", []int{30}},
		{"long line cut beyond the bound", "host: h\n[2026-05-11T14:02:07.118Z] " + long + "\n[2026-05-11T14:02:08.118Z] TEST PASS  1. a\n", []int{40, 40 + maxTxtLine, 40 + 2*maxTxtLine}},
		{"crlf", "host: h\r\n[2026-05-11T14:02:07.118Z] cy:command error  boom\r\n", []int{8, 9}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkStream(t, []byte(tc.data), tc.cuts)
			// One byte at a time too.
			var every []int
			for i := 1; i < len(tc.data); i++ {
				every = append(every, i)
			}
			if len(tc.data) < 2000 {
				checkStream(t, []byte(tc.data), every)
			}
		})
	}
}

// The fixtures written by the reporter, cut in pieces at every 97th byte.
func TestReporterTXTStream_R6_Fixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "reporter", "*", "*.txt"))
	if len(files) == 0 {
		t.Fatal("no transcript fixtures")
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var cuts []int
		for i := 97; i < len(data); i += 97 {
			cuts = append(cuts, i)
		}
		checkStream(t, data, cuts)
	}
}

func FuzzReporterTXTStream(f *testing.F) {
	addFixtureSeeds(f, "reporter/*/*.txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		// The first bytes choose the cuts, so the fuzzer explores them too.
		a, b := int(data[0])%len(data), int(data[1])*int(data[2])%len(data)
		checkStream(t, data[3:], []int{min(a, b), max(a, b)})
	})
}
