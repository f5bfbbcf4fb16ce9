package timeline

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs under testdata/")

// Goldens are compared by decoded pixels, not bytes: font rasterizing and
// antialiasing may differ slightly between platforms and library versions.
const (
	channelTolerance = 48    // per channel, out of 255: an antialiased edge may shift
	maxOffPixels     = 0.004 // share of pixels allowed beyond it
)

func newYork(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

type goldenCase struct {
	name string
	st   results.Status
	opt  Options
}

func goldenCases(t testing.TB) []goldenCase {
	ny := newYork(t)
	live, liveNow := liveRun()
	big, bigNow := bigRun()
	return []goldenCase{
		{"categorized", categorizedRun(), Options{Location: ny}},
		{"flat", flatRun(), Options{Location: ny}},
		{"live", live, Options{Location: ny, Now: liveNow}},
		{"utc", flatRun(), Options{Location: time.UTC}},
		{"hosts500", big, Options{Location: ny, Now: bigNow}},
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Render(tc.st, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) >= 1<<20 {
				t.Errorf("PNG is %d bytes; want < 1 MB", len(got))
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

func decode(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func comparePixels(t *testing.T, got, want image.Image) {
	t.Helper()
	if got.Bounds() != want.Bounds() {
		t.Fatalf("size %v, golden %v", got.Bounds(), want.Bounds())
	}
	b := got.Bounds()
	off := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if !near(got.At(x, y), want.At(x, y), channelTolerance) {
				off++
			}
		}
	}
	if share := float64(off) / float64(b.Dx()*b.Dy()); share > maxOffPixels {
		t.Errorf("%d pixels (%.2f%%) differ from the golden; run with -update if the change is meant", off, 100*share)
	}
}

func near(a, b interface{ RGBA() (r, g, b, a uint32) }, tol uint32) bool {
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	d := func(x, y uint32) uint32 {
		if x > y {
			return (x - y) >> 8
		}
		return (y - x) >> 8
	}
	return d(ar, br) <= tol && d(ag, bg) <= tol && d(ab, bb) <= tol && d(aa, ba) <= tol
}

func TestNothingToDraw(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   results.Status
		want error
	}{
		{"no hosts", results.Status{Build: "b", State: results.RunPlanned, StartedAt: at(0)}, ErrNoHosts},
		{"no times", results.Status{Build: "b", State: results.RunLaunching,
			Hosts: []results.Host{host("a", results.HostNotStarted, "", -1, -1)}}, ErrNoTiming},
	} {
		t.Run(tc.name, func(t *testing.T) {
			png, err := Render(tc.st, Options{})
			if !errors.Is(err, tc.want) || png != nil {
				t.Errorf("got %d bytes, %v; want nil, %v", len(png), err, tc.want)
			}
		})
	}
}
