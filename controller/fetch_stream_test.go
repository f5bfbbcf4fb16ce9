package controller

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// secretLines are how cypress-cloud's key and sshpass passwords show up in
// a runner log (D17), with what each must keep.
var secretLines = []struct{ line, secret, kept string }{
	{"$ npx cypress-cloud run --record --key s3cr3t-record-key --ci-build-id b --parallel\n", "s3cr3t-record-key", "--ci-build-id b --parallel"},
	{"cypress-cloud run --key=k3y-with-equals --record\n", "k3y-with-equals", "--record"},
	{"env CURRENTS_API_KEY=curr3nts-api-v4lue npx cypress-cloud\n", "curr3nts-api-v4lue", "npx cypress-cloud"},
	{"cy.exec('sshpass -p hunter2pw ssh root@10.20.30.71 md5sum')\n", "hunter2pw", "ssh root@10.20.30.71 md5sum"},
}

func readMirror(t *testing.T, m *Mirror, p string) string {
	t.Helper()
	b, err := os.ReadFile(m.File(p))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The mirrored runner log holds no secret, even one cut by a chunk
// boundary or written across two polls, and keeps the controller's length
// so offsets stay true (D5, D17).
func TestFetch_D17_MirrorRedactsKey(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.c.chunk = 7 // chunk boundaries fall inside the secrets
			e.c.lineGrace = time.Hour
			ctx := ctxT(t)
			run := e.fetchRun(t, "mirror-d17")
			logP := filepath.Join(e.tmp, "mirror-d17.log")
			var src strings.Builder
			for _, s := range secretLines {
				src.WriteString("Running: cypress/e2e/generated/atvm9-debian12.5.ts (1/1)\n" + s.line)
			}
			src.WriteString("🏁 Recorded Run: https://app.currents.dev/run/3c9e0b7d51a2f846\n")
			mustWrite(t, logP, src.String(), false)
			m := &Mirror{Dir: t.TempDir()}

			fr, err := e.c.FetchTo(ctx, run, m)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.c.CommitOffsets(ctx, run.ID, fr.Offsets); err != nil {
				t.Fatal(err)
			}
			got := readMirror(t, m, logP)
			if len(got) != src.Len() || fr.Offsets[logP].Size != int64(src.Len()) {
				t.Errorf("mirror %d bytes, offset %d, controller %d: redaction must keep the length", len(got), fr.Offsets[logP].Size, src.Len())
			}
			for _, s := range secretLines {
				if strings.Contains(got, s.secret) || !strings.Contains(got, s.kept) {
					t.Errorf("mirror leaks %q or lost %q:\n%s", s.secret, s.kept, got)
				}
			}
			if !strings.Contains(got, "🏁 Recorded Run: https://app.currents.dev/run/3c9e0b7d51a2f846\n") {
				t.Errorf("mirror lost the log's text:\n%s", got)
			}

			// A key written across two polls: the unterminated line waits.
			mustWrite(t, logP, "npx cypress-cloud --key spl", true)
			fr, err = e.c.FetchTo(ctx, run, m)
			if err != nil {
				t.Fatal(err)
			}
			if o := fr.Offsets[logP].Size; o != int64(src.Len()) {
				t.Errorf("offset %d after a partial line, want it held at %d", o, src.Len())
			}
			if d := deltasByPath(fr); len(d) != 0 {
				t.Errorf("deltas %+v: a held line alone is nothing new", fr.Deltas)
			}
			if err := e.c.CommitOffsets(ctx, run.ID, fr.Offsets); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
			mustWrite(t, logP, "itsecret --parallel\n", true)
			fr, err = e.c.FetchTo(ctx, run, m)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.c.CommitOffsets(ctx, run.ID, fr.Offsets); err != nil {
				t.Fatal(err)
			}
			d := deltasByPath(fr)[logP]
			r, err := m.NewBytes(d)
			if err != nil {
				t.Fatal(err)
			}
			fresh, _ := io.ReadAll(r)
			r.Close()
			if d.Offset != int64(src.Len()) || string(fresh) != "npx cypress-cloud --key *********** --parallel\n" {
				t.Errorf("delta %+v reads %q: want the whole new line, masked", d, fresh)
			}
			got = readMirror(t, m, logP)
			if strings.Contains(got, "spl") || strings.Contains(got, "itsecret") || !strings.HasSuffix(got, "--key *********** --parallel\n") {
				t.Errorf("a key split across polls leaked:\n%s", got)
			}
		})
	}
}

// failingSink fails like a full disk once limit bytes were written.
type failingSink struct {
	*Mirror
	limit int
}

type failingFile struct {
	io.WriteCloser
	s *failingSink
}

func (s *failingSink) Open(f StreamFile) (io.WriteCloser, error) {
	w, err := s.Mirror.Open(f)
	return &failingFile{w, s}, err
}

func (f *failingFile) Write(p []byte) (int, error) {
	if len(p) > f.s.limit {
		n, _ := f.WriteCloser.Write(p[:f.s.limit])
		f.s.limit = 0
		return n, syscall.ENOSPC
	}
	f.s.limit -= len(p)
	return f.WriteCloser.Write(p)
}

// Offsets advance only when the caller commits them after the bytes are
// applied: a fetch that fails to write (disk full) or is never committed
// loses nothing, and the mirror ends equal to the controller's files (D5).
func TestFetch_D5_OffsetsCommittedAfterApply(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.c.chunk = 4096
			ctx := ctxT(t)
			run := e.fetchRun(t, "commit-d5")
			logP := filepath.Join(e.tmp, "commit-d5.log")
			xmlP := filepath.Join(e.root, "cypress/results/test-result-atvm9.xml")
			// more than an SSH channel's window: the command is still writing
			// when the sink fails, and must be stopped, not waited for
			body := strings.Repeat("TEST PASS atvm9-debian12.5 step\n", 200000)
			e.c.Cfg.FetchTimeout = 30 * time.Second
			mustWrite(t, logP, body, false)
			mustWrite(t, xmlP, "<testsuites/>\n", false)
			m := &Mirror{Dir: t.TempDir()}

			t0 := time.Now()
			_, err := e.c.FetchTo(ctx, run, &failingSink{m, 10000})
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fetch into a full disk: %v, want ENOSPC", err)
			}
			if took := time.Since(t0); took > 10*time.Second {
				t.Errorf("the failed fetch took %s: the command was waited for, not stopped", took)
			}
			// Never committed: the next fetch reads everything again.
			fr, err := e.c.FetchTo(ctx, run, m)
			if err != nil {
				t.Fatal(err)
			}
			if len(fr.Deltas) != 2 || fr.DataBytes != int64(len(body)+len("<testsuites/>\n")) {
				t.Fatalf("after the failed fetch: %d deltas, %d bytes; want both files whole", len(fr.Deltas), fr.DataBytes)
			}
			// Applied but not committed (a crash before the commit): the same
			// bytes come again and land at the same place.
			mustWrite(t, logP, "Recorded Run: x\n", true)
			if fr, err = e.c.FetchTo(ctx, run, m); err != nil {
				t.Fatal(err)
			}
			if err := e.c.CommitOffsets(ctx, run.ID, fr.Offsets); err != nil {
				t.Fatal(err)
			}
			if got := readMirror(t, m, logP); got != body+"Recorded Run: x\n" {
				t.Errorf("mirror log differs from the controller's: %d bytes, want %d", len(got), len(body)+16)
			}
			if got := readMirror(t, m, xmlP); got != "<testsuites/>\n" {
				t.Errorf("mirror xml %q", got)
			}
			// Committed: nothing is read again.
			if fr, err = e.c.FetchTo(ctx, run, m); err != nil || len(fr.Deltas) != 0 {
				t.Errorf("after the commit: %+v, %v; want nothing new", fr.Deltas, err)
			}
			// A mirror that lost bytes says so instead of leaving a hole.
			mustWrite(t, logP, "more\n", true)
			if err := os.Truncate(m.File(logP), 10); err != nil {
				t.Fatal(err)
			}
			if _, err := e.c.FetchTo(ctx, run, m); !errors.Is(err, ErrMirrorBehind) {
				t.Errorf("fetch onto a short mirror: %v, want ErrMirrorBehind", err)
			}
		})
	}
}

// A log stops at its cap and a whole file over its cap is not read; each
// gives one note, recorded as a fetch event.
func TestFetch_I14_CapsNoted(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			e.c.Cfg.FetchMaxLogBytes, e.c.Cfg.FetchMaxFileBytes = 100, 50
			ctx := ctxT(t)
			run := e.fetchRun(t, "caps")
			logP := filepath.Join(e.tmp, "caps.log")
			bigP := filepath.Join(e.root, "cypress/results/test-result-big.xml")
			smallP := filepath.Join(e.root, "cypress/cmcReporter/logs/atvm9/atvm9-2026.json")
			mustWrite(t, logP, strings.Repeat("0123456789\n", 30), false)
			mustWrite(t, bigP, strings.Repeat("x", 80), false)
			mustWrite(t, smallP, `{"a":1}`, false)
			m := &Mirror{Dir: t.TempDir()}
			fr, err := e.c.FetchTo(ctx, run, m)
			if err != nil {
				t.Fatal(err)
			}
			d := deltasByPath(fr)
			if d[logP].Len != 100 || fr.Offsets[logP].Size != 100 {
				t.Errorf("log delta %+v: want it cut at the 100-byte cap", d[logP])
			}
			if _, ok := d[bigP]; ok {
				t.Error("a file over its cap was read")
			}
			if d[smallP].Len != 7 {
				t.Errorf("small file %+v", d[smallP])
			}
			joined := strings.Join(fr.Notes, "\n")
			if len(fr.Notes) != 2 || !strings.Contains(joined, logP+" reached the fetch cap of 100 bytes") ||
				!strings.Contains(joined, bigP+" is 80 bytes, over the fetch cap of 50 bytes") {
				t.Errorf("notes %q", fr.Notes)
			}
			if ev := e.events.last(); ev.Step != StepFetch || ev.OK {
				t.Errorf("last event %+v: want a failed fetch event", ev)
			}
			if err := e.c.CommitOffsets(ctx, run.ID, fr.Offsets); err != nil {
				t.Fatal(err)
			}
			mustWrite(t, logP, "more\n", true)
			if fr, err = e.c.FetchTo(ctx, run, m); err != nil || len(fr.Deltas) != 0 || len(fr.Notes) != 0 {
				t.Errorf("second poll: %+v %q %v; want nothing past the cap and no repeated note", fr.Deltas, fr.Notes, err)
			}
		})
	}
}

// countSink counts what it is given and keeps none of it.
type countSink struct{ n int64 }

type countFile struct{ s *countSink }

func (s *countSink) Open(StreamFile) (io.WriteCloser, error) { return countFile{s}, nil }
func (f countFile) Write(p []byte) (int, error)              { f.s.n += int64(len(p)); return len(p), nil }
func (countFile) Close() error                               { return nil }

// A 64 MiB log crosses the Go side a chunk at a time: what the fetch
// allocates stays a fraction of the file.
func TestFetch_I14_StreamAllocatesLessThanTheFile(t *testing.T) {
	e := newEnv(t, target{name: "local"})
	ctx := ctxT(t)
	run := e.fetchRun(t, "big")
	const size = 64 << 20
	mustWrite(t, filepath.Join(e.tmp, "big.log"), strings.Repeat(strings.Repeat("x", 99)+"\n", size/100), false)
	sink := &countSink{}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fr, err := e.c.FetchTo(ctx, run, sink)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if sink.n != size/100*100 || fr.DataBytes != sink.n {
		t.Fatalf("streamed %d bytes (%d counted), want %d", sink.n, fr.DataBytes, size/100*100)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 {
		t.Errorf("fetching a %d-byte file allocated %d bytes: it was buffered", size, alloc)
	}
}

// A log's unterminated last line waits only while the log is being
// written: once it is quiet the line is fetched, though the file did not
// change again (D5: no byte is lost).
func TestFetch_D5_QuietPartialLineFetched(t *testing.T) {
	e := newEnv(t, target{name: "local"})
	e.c.lineGrace = 2 * time.Second
	ctx := ctxT(t)
	run := e.fetchRun(t, "quiet")
	logP := filepath.Join(e.tmp, "quiet.log")
	mustWrite(t, logP, "line\n🏁 Recorded Run: https://app.currents.dev/run/1", false)
	m := &Mirror{Dir: t.TempDir()}
	// older than the listing's slack, so only the held line relists it
	time.Sleep(600 * time.Millisecond)
	poll := func() FetchResult {
		t.Helper()
		fr, err := e.c.FetchTo(ctx, run, m)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.c.CommitOffsets(ctx, run.ID, fr.Offsets); err != nil {
			t.Fatal(err)
		}
		return fr
	}
	if fr := poll(); fr.Offsets[logP].Size != 5 {
		t.Fatalf("offset %d while the last line may still grow, want 5", fr.Offsets[logP].Size)
	}
	time.Sleep(1600 * time.Millisecond)
	poll()
	if got := readMirror(t, m, logP); got != "line\n🏁 Recorded Run: https://app.currents.dev/run/1" {
		t.Errorf("mirror %q: the quiet last line was not fetched", got)
	}
}
