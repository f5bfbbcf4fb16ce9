package timeline

import (
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/results"
)

// Truths written by hand for each fixture: what the layout must hold,
// independent of the goldens' pixels.
func TestPlanTruths(t *testing.T) {
	live, liveNow := liveRun()
	big, bigNow := bigRun()
	for _, tc := range []struct {
		name                   string
		st                     results.Status
		now                    time.Time
		headers, bars, markers int
		labelled               int // hosts with a Y label
		every                  int
		isLive                 bool
		firstRows              []string // host names in row order, headers as "#"
	}{
		{"categorized", categorizedRun(), time.Time{}, 3, 7, 2, 9, 0, false,
			[]string{"#", "atvm1001-redhat8.1", "atvm1002-redhat9.2", "atvm1005-redhat8.5", "#", "atvm1004-ubuntu22.4", "atvm1003-ubuntu22.3"}},
		{"flat", flatRun(), time.Time{}, 0, 5, 1, 6, 0, false,
			[]string{"vm-rhel8", "vm-rhel9", "vm-oracle9", "vm-sles15", "vm-debian12", "vm-win2019"}},
		{"live", live, liveNow, 2, 4, 1, 5, 0, true, nil},
		{"hosts500", big, bigNow, 10, 482, 18, -1, 10, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := plan(tc.st, tc.now, DefaultMaxHeight-100)
			if err != nil {
				t.Fatal(err)
			}
			var headers, bars, markers, labelled int
			var names []string
			for _, r := range l.rows {
				switch {
				case r.header:
					headers++
					names = append(names, "#")
					continue
				case r.hasSpan:
					bars++
				default:
					markers++
				}
				names = append(names, r.text)
				if r.label != "" {
					labelled++
				}
			}
			if headers != tc.headers || bars != tc.bars || markers != tc.markers {
				t.Errorf("headers, bars, markers = %d, %d, %d; want %d, %d, %d", headers, bars, markers, tc.headers, tc.bars, tc.markers)
			}
			if tc.labelled >= 0 && labelled != tc.labelled {
				t.Errorf("%d labelled hosts, want %d", labelled, tc.labelled)
			}
			if l.every != tc.every || l.live != tc.isLive {
				t.Errorf("every %d live %v; want %d %v", l.every, l.live, tc.every, tc.isLive)
			}
			for i, n := range tc.firstRows {
				if i >= len(names) || names[i] != n {
					t.Fatalf("rows %v; want to begin %v", names, tc.firstRows)
				}
			}
			if l.height > DefaultMaxHeight-100+0.5 {
				t.Errorf("rows area %.0f px over its budget", l.height)
			}
		})
	}
}

func TestPlanThinnedLabels(t *testing.T) {
	big, now := bigRun()
	l, err := plan(big, now, DefaultMaxHeight-100)
	if err != nil {
		t.Fatal(err)
	}
	if l.stepOnBar {
		t.Error("rows this thin cannot carry the step number on the bar")
	}
	var centres []float64
	for _, r := range l.rows {
		if r.header {
			continue
		}
		if r.class == classFail && !strings.HasSuffix(r.label, " · step 10") {
			t.Errorf("failed host %s labelled %q; want its name and step 10", r.text, r.label)
		}
		if r.label != "" {
			centres = append(centres, (r.y0+r.y1)/2)
		}
	}
	for i := 1; i < len(centres); i++ {
		if centres[i]-centres[i-1] < labelPitch-1e-9 {
			t.Fatalf("labels %.1f px apart; want at least %d", centres[i]-centres[i-1], labelPitch)
		}
	}
	if len(centres) < 40 {
		t.Errorf("only %d labels for 500 hosts", len(centres))
	}
}

func TestPlanSpans(t *testing.T) {
	live, now := liveRun()
	l, err := plan(live, now, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range l.rows {
		if r.class == classRunning && !r.end.Equal(now) {
			t.Errorf("running %s ends %v; want now %v", r.text, r.end, now)
		}
		if r.class == classFail && r.step != "6" {
			t.Errorf("failed %s step %q; want 6", r.text, r.step)
		}
	}
	if !l.t1.Equal(now) || !l.a1.After(now) || !l.a0.Before(l.t0) {
		t.Errorf("range %v–%v axis %v–%v; want the range to end at now inside the axis", l.t0, l.t1, l.a0, l.a1)
	}
}

// The picture itself: a known failed bar's centre is the fail colour, a
// pass bar's is the pass colour, a waiting host's marker is grey.
func TestBarColours(t *testing.T) {
	pic, err := draw(categorizedRun(), Options{Location: newYork(t)})
	if err != nil {
		t.Fatal(err)
	}
	img := pic.image()
	if b := img.Bounds(); b.Dx() != DefaultWidth {
		t.Errorf("width %d, want %d", b.Dx(), DefaultWidth)
	}
	seen := map[int]int{}
	for _, b := range pic.bars {
		seen[b.class]++
		// Left quarter: the failed step's number sits at the right end.
		x := b.rect.Min.X + b.rect.Dx()/4
		if b.marker {
			x = (b.rect.Min.X + b.rect.Max.X) / 2
		}
		y := (b.rect.Min.Y + b.rect.Max.Y) / 2
		if !near(img.At(x, y), classColors[b.class], 8) {
			t.Errorf("row %d (%s) at (%d,%d) is %v; want %v", b.row, classNames[b.class], x, y, img.At(x, y), classColors[b.class])
		}
	}
	if seen[classPass] != 5 || seen[classFail] != 2 || seen[classNotStarted] != 2 {
		t.Errorf("bars by class %v; want 5 pass, 2 fail, 2 not started", seen)
	}
}

func TestBigPictureBounds(t *testing.T) {
	big, now := bigRun()
	pic, err := draw(big, Options{Location: newYork(t), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if h := pic.image().Bounds().Dy(); h > DefaultMaxHeight {
		t.Errorf("height %d over the %d cap", h, DefaultMaxHeight)
	}
	if len(pic.bars) != 500 {
		t.Errorf("%d bars and markers drawn, want 500", len(pic.bars))
	}
	for _, b := range pic.bars {
		if b.class == classFail && b.rect.Dy() < failMinH {
			t.Errorf("failed bar %v thinner than %d px", b.rect, failMinH)
		}
	}
}

func TestClockTicks(t *testing.T) {
	ny := newYork(t)
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"95 minutes", *at(0), *at(95), []string{"08:00", "08:15", "08:30", "08:45", "09:00", "09:15", "09:30"}},
		{"over midnight", time.Date(2026, 5, 2, 3, 10, 0, 0, time.UTC), time.Date(2026, 5, 2, 6, 0, 0, 0, time.UTC),
			[]string{"23:30", "May 2 00:00", "00:30", "01:00", "01:30", "02:00"}},
		{"two days", *at(0), *at(48 * 60), []string{"12:00", "18:00", "May 2 00:00", "06:00", "12:00", "18:00", "May 3 00:00", "06:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, tk := range (clockTicks{loc: ny, maxTicks: 8}).Ticks(unix(tc.from), unix(tc.to)) {
				got = append(got, tk.Label)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHelpers(t *testing.T) {
	for in, want := range map[string]string{"38. Verify disk": "38", "1. Verifying set up": "1", "Verify": "", "": "", "12": "12"} {
		if got := stepNumber(in); got != want {
			t.Errorf("stepNumber(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[int]int{0: 1, 1: 1, 2: 2, 3: 5, 7: 10, 10: 10, 11: 20, 60: 100} {
		if got := niceStep(in); got != want {
			t.Errorf("niceStep(%d) = %d, want %d", in, got, want)
		}
	}
	for in, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 5: "5th", 10: "10th", 11: "11th", 12: "12th", 21: "21st", 100: "100th"} {
		if got := ordinal(in); got != want {
			t.Errorf("ordinal(%d) = %q, want %q", in, got, want)
		}
	}
	if got := truncate("abcdef", 4); got != "abc…" {
		t.Errorf("truncate = %q", got)
	}
}

// Odd but possible inputs still give a picture of the asked width.
func TestRenderOddInputs(t *testing.T) {
	onlyDuration := host("d", results.HostPass, "", 5, -1)
	onlyDuration.DurationS = 600
	endOnly := host("e", results.HostFail, "", -1, 30)
	endOnly.DurationS = 300
	backwards := host("b", results.HostPass, "", 40, 20)
	outside := host("o", results.HostPass, "", -1, -1)
	outside.StartedAt, outside.EndedAt = at(-30), at(500)
	stray := host("s", results.HostRunning, "ghost", 10, -1)
	many := results.Status{Build: "many", State: results.RunCompleted, StartedAt: at(0), EndedAt: at(60)}
	for i := 0; i < 3000; i++ {
		many.Hosts = append(many.Hosts, host("h", results.HostPass, "", float64(i%50), float64(i%50+10)))
	}
	for _, tc := range []struct {
		name string
		st   results.Status
		opt  Options
	}{
		{"nil location, small canvas", flatRun(), Options{Width: 400, MaxHeight: 150}},
		{"duration only, end only, backwards, outside the run", results.Status{Build: "x", State: results.RunCompleted,
			StartedAt: at(0), EndedAt: at(60), Hosts: []results.Host{onlyDuration, endOnly, backwards, outside}}, Options{}},
		{"running host in a finished run, host in no sub-run", results.Status{Build: "y", State: results.RunTerminated, Categorized: true,
			StartedAt: at(0), EndedAt: at(20), Hosts: []results.Host{stray},
			Subruns: []results.Subrun{{Name: "empty", State: results.SubrunNotStarted}}}, Options{}},
		{"one instant", results.Status{Build: "z", State: results.RunRunning, StartedAt: at(0),
			Hosts: []results.Host{host("n", results.HostNotStarted, "", -1, -1)}}, Options{}},
		{"3000 hosts", many, Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Render(tc.st, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			img := decode(t, b)
			if want := tc.opt.width(); img.Bounds().Dx() != want {
				t.Errorf("width %d, want %d", img.Bounds().Dx(), want)
			}
		})
	}
}

func TestHostSpans(t *testing.T) {
	onlyDuration := host("d", results.HostPass, "", 5, -1)
	onlyDuration.DurationS = 600
	endOnly := host("e", results.HostFail, "", -1, 30)
	endOnly.DurationS = 300
	outside := host("o", results.HostPass, "", -1, -1)
	outside.StartedAt, outside.EndedAt = at(-30), at(500)
	st := results.Status{Build: "x", State: results.RunCompleted, StartedAt: at(0), EndedAt: at(60), Hosts: []results.Host{
		onlyDuration, endOnly, host("b", results.HostPass, "", 40, 20), outside,
		host("f", results.HostFail, "", 50, -1), host("n", results.HostNotStarted, "", -1, -1)}}
	l, err := plan(st, time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float64{ // minutes from t0; nil: a marker, no bar
		"d": {5, 15}, "e": {25, 30}, "b": {40, 40}, "o": {-30, 500}, "f": {50, 60}, "n": nil,
	}
	// The axis takes every time the Status holds, so "o" is drawn whole.
	for _, r := range l.rows {
		w := want[r.text]
		if w == nil {
			if r.hasSpan {
				t.Errorf("%s: a bar, want a marker", r.text)
			}
			continue
		}
		if !r.start.Equal(*at(w[0])) || !r.end.Equal(*at(w[1])) {
			t.Errorf("%s: %v–%v, want minutes %v", r.text, r.start.Sub(t0), r.end.Sub(t0), w)
		}
	}
}
