package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/atvm/atvmbot/results"
)

// R6: a transcript fetched in pieces, poll after poll, is read as it grows
// (never whole again) and ends as the whole file reads; a restarted bot
// rebuilding the view from its mirror reads it the same.
func TestPoll_R6_TranscriptReadAsItGrows(t *testing.T) {
	ctx := context.Background()
	p := newPollTree(t, "r6-auth-error-pass-0330")
	clean, err := p.runner(t, p.db(t, "clean.db"), filepath.Join(p.dir, "mirror-clean")).Poll(ctx, p.run)
	if err != nil {
		t.Fatal(err)
	}
	txts, _ := filepath.Glob(filepath.Join(p.cfg.Controller.ATVMRoot, "cypress", "cmcReporter", "logs", "*", "*.txt"))
	if len(txts) != 1 {
		t.Fatalf("transcripts %v, want one", txts)
	}
	name := txts[0]
	whole, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	db := p.db(t, "grow.db")
	mirror := filepath.Join(p.dir, "mirror")
	r := p.runner(t, db, mirror)
	// Cuts inside lines and on their ends, and the last piece to the end
	// (the file ends with its newline).
	for _, cut := range []int{0, 7, len(whole) / 3, len(whole)/2 + 1, len(whole) - 1, len(whole)} {
		if err := os.WriteFile(name, whole[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(name)
		if _, err := r.Poll(ctx, p.run); err != nil {
			t.Fatalf("poll at %d bytes: %v", cut, err)
		}
		v := r.views[p.run.ID]
		got := v.files[name]
		// A file still being written is fetched up to its last full line.
		lines := bytes.LastIndexByte(whole[:cut], '\n') + 1
		want := results.ParseFileAs(results.KindReporterTXT, results.File{Path: name, ModTime: st.ModTime(), Data: whole[:lines]})
		if lines > 0 && !reflect.DeepEqual(got, want) {
			t.Fatalf("at %d bytes the view reads\n%+v\nthe whole file reads\n%+v", cut, got, want)
		}
	}
	grown, err := r.Poll(ctx, p.run)
	if err != nil {
		t.Fatal(err)
	}
	sameVerdict(t, "read in pieces", grown.Status, clean.Status)
	again, err := p.runner(t, db, mirror).Poll(ctx, p.run) // a new process: rebuilt from the mirror
	if err != nil {
		t.Fatal(err)
	}
	sameVerdict(t, "rebuilt from the mirror", again.Status, clean.Status)
}
