package simulator

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
)

func TestShiftTimestamps_R1_Forms(t *testing.T) {
	const h = time.Hour
	cases := []struct {
		name, in, want string
		d              time.Duration
	}{
		{"rfc3339 ms Z", "2026-03-11T09:03:18.362Z", "2026-03-11T10:03:18.362Z", h},
		{"junit, no zone", `timestamp="2026-03-11T09:03:18" time="1234.5"`, `timestamp="2026-03-11T10:03:18" time="1234.5"`, h},
		{"offset zone kept", "2026-03-11T09:03:18+02:00", "2026-03-11T10:03:18+02:00", h},
		{"compact offset, short fraction", "2026-03-11T09:03:18.5-0400", "2026-03-11T10:03:18.5-0400", h},
		{"nanoseconds", "2026-03-11T09:03:18.123456789Z", "2026-03-11T10:03:18.123456789Z", h},
		{"runner's Run started line", "Run started: 2026-11-22 22:58:12\n", "Run started: 2026-11-23 00:58:12\n", 2 * h},
		{"reporter file name", "atvm71-redhat9.1-2026-03-11T09-03-18-362Z.json", "atvm71-redhat9.1-2026-03-11T10-03-18-362Z.json", h},
		{"reporter stamp without fraction", "x-2026-03-11T09-03-18Z", "x-2026-03-11T10-03-18Z", h},
		{"mochawesome file name", "atvm71-redhat9_fail_2026-03-11T050316.html", "atvm71-redhat9_fail_2026-03-11T060316.html", h},
		{"leap day", "2028-02-28T23:30:00Z", "2028-02-29T00:30:00Z", h},
		{"backwards over a year", "2026-01-01T00:00:00.000Z", "2025-12-31T23:00:00.000Z", -h},
		{"html-escaped json", "&quot;start&quot;:&quot;2026-03-11T09:03:18.362Z&quot;", "&quot;start&quot;:&quot;2026-03-11T10:03:18.362Z&quot;", h},
		{"two in a row", `{"start":"2026-04-29T16:01:30.000Z","end":"2026-04-29T16:15:31.170Z"}`, `{"start":"2026-04-29T17:01:30.000Z","end":"2026-04-29T17:15:31.170Z"}`, h},
		{"fraction cut to its digits", "2026-03-11T09:03:18.362Z 2026-03-11T09:03:18", "2026-03-11T09:03:19.862Z 2026-03-11T09:03:19", 1500 * time.Millisecond},
		{"digit before", "12026-03-11T09:03:18Z", "12026-03-11T09:03:18Z", h},
		{"digits run on", "2026-03-11T09:03:189", "2026-03-11T09:03:189", h},
		{"month 13", "2026-13-11T09:03:18Z", "2026-13-11T09:03:18Z", h},
		{"30 February", "2026-02-30T09:03:18Z", "2026-02-30T09:03:18Z", h},
		{"hour 25", "2026-03-11T25:03:18Z", "2026-03-11T25:03:18Z", h},
		{"no seconds", "2026-03-11T09:03 and 2026-03-11 0903", "2026-03-11T09:03 and 2026-03-11 0903", h},
		{"mixed separators", "2026-03-11T09:03-18", "2026-03-11T09:03-18", h},
		{"past year 9999", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", h},
		{"date only", "2026-03-11", "2026-03-11", h},
		{"no shift", "2026-03-11T09:03:18Z", "2026-03-11T09:03:18Z", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(ShiftTimestamps([]byte(tc.in), tc.d)); got != tc.want {
				t.Errorf("ShiftTimestamps(%q, %s) = %q, want %q", tc.in, tc.d, got, tc.want)
			}
		})
	}
}

func FuzzShiftTimestamps(f *testing.F) {
	for _, s := range []string{"2026-03-11T09:03:18.362Z", "x-2026-03-11T09-03-18-362Z.json", "Run started: 2026-11-22 22:58:12",
		"a_2026-03-11T050316.html", "2026-03-11T09:03:18+02:00", "9999-12-31T23:59:59Z", "2026-02-30T09:03:18Z", "\xff2026-01-01T00:00:00"} {
		f.Add([]byte(s), int64(3600))
	}
	f.Fuzz(func(t *testing.T, b []byte, secs int64) {
		d := time.Duration(secs%(1000*86400)) * time.Second
		out := ShiftTimestamps(b, d)
		// Only digits of stamps change: every other byte stays in place.
		if len(out) != len(b) {
			t.Fatalf("length %d → %d", len(b), len(out))
		}
		for i := range b {
			if isDigit(b[i]) != isDigit(out[i]) || (!isDigit(b[i]) && b[i] != out[i]) {
				t.Fatalf("byte %d changed from %q to %q: %q → %q", i, b[i], out[i], b, out)
			}
		}
		// Away from the ends of the calendar, shifting back restores the input.
		for _, loc := range stampHeadRE.FindAllIndex(b, -1) {
			if y, _ := digits(b, loc[0], 4); y < 1000 || y > 8999 {
				return
			}
		}
		if back := ShiftTimestamps(out, -d); !bytes.Equal(back, b) {
			t.Fatalf("shifted by %s and back: %q → %q → %q", d, b, out, back)
		}
	})
}

// writeTree makes a small scenario tree: one XML, one reporter JSON, one
// runner log of ten lines, a stale XML, and the manifest.
func writeTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"atvm/cypress/results/test-result-old.xml":                                                      `<testsuite timestamp="2026-03-11T03:00:00"/>`,
		"atvm/cypress/results/test-result-new.xml":                                                      `<testsuite timestamp="2026-03-11T09:10:00"/>`,
		"atvm/cypress/cmcReporter/logs/atvm71-redhat9.1/atvm71-redhat9.1-2026-03-11T09-01-00-000Z.json": `{"metadata":{"start":"2026-03-11T09:01:00.000Z"}}`,
		"tmp/b1.log": "l1 b1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10 2026-03-11T09:20:00Z\n",
		"meta.json":  `{"build":"b1","since":"2026-03-11T09:00:00Z","now":"2026-03-11T10:00:00Z"}`,
		"ps.txt":     "  PID PPID STAT ELAPSED COMMAND\n",
		"mtimes.json": `{"atvm/cypress/results/test-result-old.xml":"2026-03-11T03:00:00Z",
"atvm/cypress/results/test-result-new.xml":"2026-03-11T09:10:00Z",
"atvm/cypress/cmcReporter/logs/atvm71-redhat9.1/atvm71-redhat9.1-2026-03-11T09-01-00-000Z.json":"2026-03-11T09:15:00Z",
"tmp/b1.log":"2026-03-11T09:20:00Z","ps.txt":"2026-03-11T10:00:00Z"}`,
	}
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPlayTree_R1_ShiftedInOrderLogGrowing(t *testing.T) {
	tree := writeTree(t)
	live := t.TempDir()
	root, tmp := filepath.Join(live, "root"), filepath.Join(live, "tmp")
	p, err := PrepareTree(PlayTreeOptions{Tree: tree, Root: root, Tmp: tmp, Duration: 400 * time.Millisecond, ChunkLines: 3, Build: "b2"})
	if err != nil {
		t.Fatal(err)
	}
	tl := p.Timeline
	if !tl.Origin.Equal(time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC)) || tl.Speed != 3000 {
		t.Fatalf("timeline %+v: want the run start as origin and 20 min in 400 ms", tl)
	}
	if tl.Offset()%time.Second != 0 || tl.Start.Before(time.Now().Add(-time.Second)) {
		t.Errorf("start %v, offset %s: want now, whole seconds from the origin", tl.Start, tl.Offset())
	}
	logPath := filepath.Join(tmp, "b2.log")
	newJSON := filepath.Join(root, "cypress/cmcReporter/logs/atvm71-redhat9.1",
		"atvm71-redhat9.1-"+tl.Content(time.Date(2026, 3, 11, 9, 1, 0, 0, time.UTC)).Format("2006-01-02T15-04-05-000Z")+".json")
	var order []string
	var logSizes []int64
	for _, w := range p.Writes {
		if err := p.Do(context.Background(), w); err != nil {
			t.Fatal(err)
		}
		order = append(order, filepath.Base(w.Path))
		fi, err := os.Stat(w.Path)
		if err != nil {
			t.Fatal(err)
		}
		// Its scheduled time, or the real write time when late: never earlier.
		if mt, due := fi.ModTime(), tl.Real(w.At); mt.Before(due) || mt.After(due.Add(time.Second)) {
			t.Errorf("%s: mtime %v, want %v", w.Rel, mt, due)
		}
		if w.Path == logPath {
			logSizes = append(logSizes, fi.Size())
		}
	}
	want := []string{"test-result-old.xml", "b2.log", "test-result-new.xml", "b2.log", filepath.Base(newJSON), "b2.log", "b2.log"}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("writes %v, want %v", order, want)
	}
	if len(logSizes) != 4 || logSizes[0] >= logSizes[1] || logSizes[1] >= logSizes[2] || logSizes[2] >= logSizes[3] {
		t.Errorf("log sizes after each append %v: want four growing steps", logSizes)
	}
	// R1: the stale file keeps its place before the run start, this run's
	// files land after it.
	old, _ := os.Stat(filepath.Join(root, "cypress/results/test-result-old.xml"))
	if want := tl.Real(time.Date(2026, 3, 11, 3, 0, 0, 0, time.UTC)); !old.ModTime().Equal(want) || !old.ModTime().Before(tl.Start) {
		t.Errorf("stale XML mtime %v, want %v (before the start %v)", old.ModTime(), want, tl.Start)
	}
	// Only the stamps moved; the build name in the log's text did not.
	for rel, live := range map[string]string{"tmp/b1.log": logPath, "atvm/cypress/results/test-result-new.xml": filepath.Join(root, "cypress/results/test-result-new.xml"),
		"atvm/cypress/cmcReporter/logs/atvm71-redhat9.1/atvm71-redhat9.1-2026-03-11T09-01-00-000Z.json": newJSON} {
		orig, _ := os.ReadFile(filepath.Join(tree, rel))
		got, err := os.ReadFile(live)
		if err != nil {
			t.Fatal(err)
		}
		if back := ShiftTimestamps(got, -tl.Offset()); !bytes.Equal(back, orig) || bytes.Equal(got, orig) {
			t.Errorf("%s: %q, want %q with its stamps shifted", rel, got, orig)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "b1.log")); !os.IsNotExist(err) {
		t.Errorf("the log kept the tree's build name: %v", err)
	}
	for _, f := range []string{"ps.txt", "meta.json", "mtimes.json"} {
		if _, err := os.Stat(filepath.Join(root, f)); !os.IsNotExist(err) {
			t.Errorf("%s was played into the root", f)
		}
	}
	// No temporary file is left behind.
	filepath.WalkDir(live, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".playtree~") {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
}

// TestPlayTree_R1_ScenariosReconstructAfterThePlay plays two recorded
// trees and reads the live root back as replay does: the 03-11 tree (a
// stale XML of yesterday, a crashed first attempt superseded by a passing
// retry) and the 04-29 tree, whose only evidence is a reporter JSON whose
// file-name stamp, left as recorded, would lie before the run start (R1).
func TestPlayTree_R1_ScenariosReconstructAfterThePlay(t *testing.T) {
	cases := []struct {
		tree, state string
		hosts       map[string]string
	}{
		{"r1-stale-newest", results.RunCompleted, map[string]string{"atvm71-redhat9.1": results.HostPass, "atvm72-redhat9.2": results.HostPass}},
		{"r5-dict-events-0429", results.RunFailed, map[string]string{"atvm5-ubuntu22.04": results.HostFail}},
	}
	for _, tc := range cases {
		t.Run(tc.tree, func(t *testing.T) {
			tree := filepath.Join("..", "results", "testdata", "scenarios", tc.tree)
			live := t.TempDir()
			root := filepath.Join(live, "root")
			p, err := PlayTree(context.Background(), PlayTreeOptions{Tree: tree, Root: root, Tmp: filepath.Join(live, "tmp"), Duration: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			start := p.Timeline.Real(p.Meta.Since)
			var arts results.Artifacts
			var vms []string
			err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				if _, at, ok := results.ReporterStamp(d.Name()); ok && results.ClassifyPath(path) == results.KindReporterJSON {
					if at.Before(start) || !at.Add(-p.Timeline.Offset()).Before(start) {
						t.Errorf("%s: stamp %v; the run starts %v: want it shifted from before to after", d.Name(), at, start)
					}
				}
				info, err := d.Info()
				if err != nil {
					return err
				}
				data, err := os.ReadFile(path)
				arts.Files = append(arts.Files, results.File{Path: path, ModTime: info.ModTime(), Data: data})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for vm := range tc.hosts {
				vms = append(vms, vm)
			}
			meta := results.Meta{Build: p.Meta.Build, RunStart: start, Now: p.Timeline.Real(p.Meta.Now),
				Template: "cmc-e2e", RequestedVMs: vms, Processes: []results.Process{}}
			st := results.Reconstruct(meta, arts)
			if st.State != tc.state || len(st.Hosts) != len(tc.hosts) {
				t.Fatalf("state %s hosts %+v (notes %q): want %s", st.State, st.Hosts, st.Notes, tc.state)
			}
			for _, h := range st.Hosts {
				if h.Status != tc.hosts[h.Name] {
					t.Errorf("%s: %s, want %s", h.Name, h.Status, tc.hosts[h.Name])
				}
			}
		})
	}
}

func TestPrepareTree_Refusals(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(dir string)
		opt   func(o *PlayTreeOptions)
		wantE string
	}{
		{"file without a time", func(dir string) {
			os.WriteFile(filepath.Join(dir, "atvm/extra.ts"), []byte("x"), 0o644)
		}, nil, "atvm/extra.ts has no time in mtimes.json"},
		{"bad since", func(dir string) {
			os.WriteFile(filepath.Join(dir, "meta.json"), []byte(`{"since":"yesterday"}`), 0o644)
		}, nil, "meta.json since"},
		{"bad manifest time", func(dir string) {
			os.WriteFile(filepath.Join(dir, "mtimes.json"), []byte(`{"tmp/b1.log":"soon"}`), 0o644)
		}, nil, "mtimes.json tmp/b1.log"},
		{"nested root", func(dir string) {
			os.WriteFile(filepath.Join(dir, "meta.json"), []byte(`{"atvm-root":"a/b"}`), 0o644)
		}, nil, "two top-level folders"},
		{"empty tree", func(dir string) {
			os.RemoveAll(filepath.Join(dir, "atvm"))
			os.RemoveAll(filepath.Join(dir, "tmp"))
		}, nil, "holds no file"},
		{"negative speed", nil, func(o *PlayTreeOptions) { o.Speed = -1 }, "want a positive number"},
		{"no root", nil, func(o *PlayTreeOptions) { o.Root = "" }, "are required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t)
			if tc.edit != nil {
				tc.edit(dir)
			}
			o := PlayTreeOptions{Tree: dir, Root: t.TempDir(), Tmp: t.TempDir()}
			if tc.opt != nil {
				tc.opt(&o)
			}
			_, err := PrepareTree(o)
			if err == nil || !strings.Contains(err.Error(), tc.wantE) {
				t.Errorf("err %v, want one containing %q", err, tc.wantE)
			}
		})
	}
}

func TestMainPlaytree(t *testing.T) {
	var out, errb bytes.Buffer
	if code := MainPlaytree(nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "usage: atvmbot simulate playtree") {
		t.Errorf("no flags: exit %d, %q", code, errb.String())
	}
	tree, live := writeTree(t), t.TempDir()
	out.Reset()
	errb.Reset()
	code := MainPlaytree([]string{"--tree", tree, "--root", filepath.Join(live, "r"), "--tmp", filepath.Join(live, "t"), "--duration", "200ms"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	kv := map[string]string{}
	for _, l := range strings.Split(out.String(), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			kv[k] = v
		}
	}
	if kv["origin"] != "2026-03-11T09:00:00Z" || kv["speed"] != "6000" || kv["writes"] != "6" || !strings.HasSuffix(out.String(), "done\n") {
		t.Errorf("output %q", out.String())
	}
	start, err := time.Parse(time.RFC3339Nano, kv["start"])
	if err != nil {
		t.Fatal(err)
	}
	end := start.Add(200 * time.Millisecond)
	if fi, err := os.Stat(filepath.Join(live, "t", "b1.log")); err != nil || fi.ModTime().Before(end) || fi.ModTime().After(end.Add(time.Second)) {
		t.Errorf("log %v %v: want it last written at the end of the play, %v", fi, err, end)
	}
}
