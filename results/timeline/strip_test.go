package timeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
)

// stripRuns is n runs of one host a day apart, newest last: every fifth
// fails (at steps 3, 38, 112, … so one, two and three digits appear) and
// the one before the newest is unknown.
func stripRuns(n int) []StripRun {
	steps := []int{3, 38, 112, 7, 0}
	var out []StripRun
	for i := 0; i < n; i++ {
		r := StripRun{Build: fmt.Sprintf("e2e-%d", 1700+i), At: t0.Add(time.Duration(i-n) * 24 * time.Hour), Status: results.HostPass}
		switch {
		case i%5 == 2:
			r.Status, r.Step = results.HostFail, steps[(i/5)%len(steps)]
		case i == n-2:
			r.Status = results.HostUnknown
		}
		out = append(out, r)
	}
	return out
}

func stripGoldenCases(t testing.TB) []struct {
	name string
	runs []StripRun
	opt  Options
} {
	ny := newYork(t)
	long := stripRuns(3)
	long[1].Build = "nightly-regression-with-a-very-long-build-name"
	return []struct {
		name string
		runs []StripRun
		opt  Options
	}{
		{"strip3", long, Options{Location: ny}},
		{"strip10", stripRuns(10), Options{Location: ny}},
		{"strip50", stripRuns(50), Options{Location: ny}},
	}
}

func TestStripGolden_D28(t *testing.T) {
	for _, tc := range stripGoldenCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RenderStrip("History of atvm71-redhat9.1 · cmc-e2e", tc.runs, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.name+".png")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			comparePixels(t, decode(t, got), decode(t, want))
		})
	}
}

// The layout: oldest left, cells inside the picture and apart, the newest
// always labelled, labels never closer than their width, a fail's number.
func TestStripLayout_D28(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n         int
		width     int
		wantEvery int // 0: more than 1
	}{
		{"one run", 1, 0, 1},
		{"ten runs labelled all", 10, 0, 1},
		{"fifty runs thinned", 50, 0, 0},
		{"narrow picture thinned", 10, 400, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runs := stripRuns(tc.n)
			// Given newest first, as the history reads them.
			rev := make([]StripRun, len(runs))
			for i, r := range runs {
				rev[len(runs)-1-i] = r
			}
			l, err := planStrip(rev, Options{Location: time.UTC, Width: tc.width})
			if err != nil {
				t.Fatal(err)
			}
			if len(l.cells) != tc.n {
				t.Fatalf("%d cells, want %d", len(l.cells), tc.n)
			}
			if tc.wantEvery == 0 && l.every < 2 || tc.wantEvery > 0 && l.every != tc.wantEvery {
				t.Errorf("every %d, want %d (0: thinned)", l.every, tc.wantEvery)
			}
			last := l.cells[len(l.cells)-1]
			if last.label == nil || last.label[0] != runs[len(runs)-1].Build {
				t.Errorf("newest cell labelled %q, want %s", last.label, runs[len(runs)-1].Build)
			}
			prevX, prevLabel := -1, -1
			for i, c := range l.cells {
				if c.rect.Min.X < prevX || c.rect.Max.X > l.w {
					t.Errorf("cell %d at %v: overlaps, leaves the picture or is too wide", i, c.rect)
				}
				prevX = c.rect.Max.X
				want := statusClass(runs[i].Status)
				if c.class != want {
					t.Errorf("cell %d class %s, want %s (oldest first)", i, classNames[c.class], classNames[want])
				}
				if runs[i].Status == results.HostFail && runs[i].Step > 0 && c.step != fmt.Sprint(runs[i].Step) {
					t.Errorf("failed cell %d step %q, want %d", i, c.step, runs[i].Step)
				}
				if c.label != nil {
					if (len(runs)-1-i)%l.every != 0 {
						t.Errorf("cell %d labelled; want only every %d counting back from the newest", i, l.every)
					}
					if prevLabel >= 0 && c.lx0 < l.cells[prevLabel].lx1+labelGap {
						t.Errorf("labels of cells %d and %d closer than %d px", prevLabel, i, labelGap)
					}
					if c.lx0 < 0 || c.lx1 > float64(l.w) {
						t.Errorf("label of cell %d at %.0f–%.0f leaves the picture", i, c.lx0, c.lx1)
					}
					prevLabel = i
				}
			}
		})
	}
}

// The picture: each cell's middle has its class's colour away from its
// number; a failed cell's number is drawn (dark pixels inside it).
func TestStripColours_D28(t *testing.T) {
	for _, n := range []int{3, 50} {
		l, err := planStrip(stripRuns(n), Options{Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		pic := drawStrip("t", l)
		img := pic.image()
		if b := img.Bounds(); b.Dx() != DefaultWidth || b.Dy() != l.h {
			t.Errorf("%d runs: size %v, want %dx%d", n, b, DefaultWidth, l.h)
		}
		for i, c := range l.cells {
			x, y := (c.rect.Min.X+c.rect.Max.X)/2, c.rect.Min.Y+3
			if !near(img.At(x, y), classColors[c.class], 8) {
				t.Errorf("%d runs: cell %d at (%d,%d) is %v, want %s", n, i, x, y, img.At(x, y), classNames[c.class])
			}
			if c.step == "" {
				continue
			}
			dark := false
			for yy := c.rect.Min.Y; yy < c.rect.Max.Y && !dark; yy++ {
				for xx := c.rect.Min.X; xx < c.rect.Max.X; xx++ {
					if near(img.At(xx, yy), inkDark, 40) {
						dark = true
						break
					}
				}
			}
			if !dark {
				t.Errorf("%d runs: failed cell %d shows no step number", n, i)
			}
		}
	}
}

func TestStripNoRuns_D28(t *testing.T) {
	png, err := RenderStrip("t", nil, Options{})
	if !errors.Is(err, ErrNoRuns) || png != nil {
		t.Errorf("got %d bytes, %v; want nil, %v", len(png), err, ErrNoRuns)
	}
}

// BenchmarkStrip50 measures the largest strip /atvm history draws.
func BenchmarkStrip50(b *testing.B) {
	runs := stripRuns(50)
	loc := newYork(b)
	var size int
	for b.Loop() {
		png, err := RenderStrip("History of atvm71-redhat9.1", runs, Options{Location: loc})
		if err != nil {
			b.Fatal(err)
		}
		size = len(png)
	}
	b.ReportMetric(float64(size)/1024, "KB/image")
}
