package results

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atvm/atvmbot/internal/synth"
)

// The replay benchmark: the same work as `atvmbot replay` (stream the
// runner log, read and parse each artifact, reconstruct) beside a plain read
// of the same files, at 1×, 2× and 4× the 500-host run. The trees are
// generated once into $ATVMBOT_BENCH_DIR (default: the temp dir) and kept.
// scripts/bench-replay.sh measures the built binary, with its peak RSS.

var benchOnce sync.Map // scale → *benchTree

type benchTree struct {
	once  sync.Once
	dir   string
	meta  Meta
	files []string
	bytes int64
	err   error
}

func benchRun(b *testing.B, scale int) *benchTree {
	v, _ := benchOnce.LoadOrStore(scale, &benchTree{})
	bt := v.(*benchTree)
	bt.once.Do(func() {
		base := os.Getenv("ATVMBOT_BENCH_DIR")
		if base == "" {
			base = filepath.Join(os.TempDir(), "atvmbot-bench")
		}
		// Same layout and marker as scripts/bench-replay.sh, so both share trees.
		bt.dir = filepath.Join(base, fmt.Sprintf("x%d", scale))
		run := synth.ScaledBigRun(scale)
		if _, err := os.Stat(filepath.Join(bt.dir, "args")); err != nil {
			os.RemoveAll(bt.dir)
			var args []string
			if args, bt.err = run.Write(bt.dir); bt.err != nil {
				return
			}
			bt.err = os.WriteFile(filepath.Join(bt.dir, "args"), []byte(strings.Join(args, "\n")+"\n"), 0o644)
		}
		var vms []string
		for i := 0; i < run.Hosts; i++ {
			vms = append(vms, run.BigRunSpec(i).Machine)
		}
		bt.meta = Meta{Build: run.Build, RunStart: run.Start, Now: run.Start.Add(30 * 24 * time.Hour), Template: "cmc-e2e",
			Plugin: "iscsi", Categorized: true, RequestedVMs: vms, ConfigFile: "cypress.atvm-config-gold.ts"}
		for _, sub := range []string{"atvm", "tmp"} {
			if bt.err != nil {
				return
			}
			bt.err = filepath.WalkDir(filepath.Join(bt.dir, sub), func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				info, err := d.Info()
				if err != nil {
					return err
				}
				bt.files = append(bt.files, p)
				bt.bytes += info.Size()
				return nil
			})
		}
	})
	if bt.err != nil {
		b.Fatal(bt.err)
	}
	return bt
}

// replayTree does what the replay command does with a local tree.
func replayTree(bt *benchTree) (Status, error) {
	var arts Artifacts
	// The log first, as the replay command does: its read overlaps the walk.
	logErr := make(chan error, 1)
	go func() {
		f, err := os.Open(filepath.Join(bt.dir, "tmp", bt.meta.Build+".log"))
		if err != nil {
			logErr <- err
			return
		}
		defer f.Close()
		p := NewRunLogParser()
		if _, err := io.CopyBuffer(p, struct{ io.Reader }{f}, make([]byte, 256<<10)); err != nil {
			logErr <- err
			return
		}
		facts := p.Facts()
		arts.RunLog = &facts
		info, _ := f.Stat()
		arts.LogModTime = info.ModTime()
		logErr <- nil
	}()
	root := filepath.Join(bt.dir, "atvm")
	var refs []FileRef
	for _, p := range bt.files {
		rel, err := filepath.Rel(root, p)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		rel = filepath.ToSlash(rel)
		kind := ClassifyPath(rel)
		if kind == KindUnknown {
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return Status{}, err
		}
		if kind != KindConfig && kind != KindSpec && info.ModTime().Before(bt.meta.RunStart) {
			continue
		}
		refs = append(refs, FileRef{Path: rel, ModTime: info.ModTime()})
	}
	arts.Parsed = ParseFiles(refs, func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(root, rel)) }, runtime.GOMAXPROCS(0))
	if err := <-logErr; err != nil {
		return Status{}, err
	}
	return Reconstruct(bt.meta, arts), nil
}

func catTree(bt *benchTree) error {
	buf := make([]byte, 128<<10)
	for _, p := range bt.files {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		_, err = io.CopyBuffer(io.Discard, struct{ io.Reader }{f}, buf)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

var benchScales = []int{1, 2, 4}

func BenchmarkReplay(b *testing.B) {
	for _, sc := range benchScales {
		b.Run(fmt.Sprintf("x%d", sc), func(b *testing.B) {
			bt := benchRun(b, sc)
			b.SetBytes(bt.bytes)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				st, err := replayTree(bt)
				if err != nil {
					b.Fatal(err)
				}
				if len(st.Hosts) != 500*sc || st.State != RunFailed {
					b.Fatalf("replay: %d hosts, state %s", len(st.Hosts), st.State)
				}
			}
		})
	}
}

func BenchmarkCat(b *testing.B) {
	for _, sc := range benchScales {
		b.Run(fmt.Sprintf("x%d", sc), func(b *testing.B) {
			bt := benchRun(b, sc)
			b.SetBytes(bt.bytes)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := catTree(bt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRunLog streams the 1× run's runner log through the parser, read
// in the replay command's 256 KiB chunks: the log's share of a replay.
func BenchmarkRunLog(b *testing.B) {
	bt := benchRun(b, 1)
	path := filepath.Join(bt.dir, "tmp", bt.meta.Build+".log")
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(info.Size())
	buf := make([]byte, 256<<10)
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		p := NewRunLogParser()
		_, err = io.CopyBuffer(p, struct{ io.Reader }{f}, buf)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if facts := p.Facts(); len(facts.Blocks) == 0 {
			b.Fatal("no cloud blocks")
		}
	}
}

// BenchmarkArtifacts parses each kind of the 1× run's artifacts from
// memory, one kind per sub-benchmark: where the artifact time goes.
func BenchmarkArtifacts(b *testing.B) {
	bt := benchRun(b, 1)
	root := filepath.Join(bt.dir, "atvm")
	byKind := map[string][]File{}
	var kinds []string
	for _, p := range bt.files {
		rel, err := filepath.Rel(root, p)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		kind := ClassifyPath(filepath.ToSlash(rel))
		if kind == KindUnknown {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		if byKind[kind] == nil {
			kinds = append(kinds, kind)
		}
		byKind[kind] = append(byKind[kind], File{Path: filepath.ToSlash(rel), Data: data})
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		files := byKind[kind]
		b.Run(kind, func(b *testing.B) {
			var n int64
			for _, f := range files {
				n += int64(len(f.Data))
			}
			b.SetBytes(n)
			for i := 0; i < b.N; i++ {
				for _, f := range files {
					ParseFile(f)
				}
			}
		})
	}
}
