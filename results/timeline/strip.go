package timeline

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"sort"
	"time"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// A strip is one host's recent runs side by side, for `/atvm history HOST`.
//
// Strip rules:
//   - One cell per run, oldest on the left, newest on the right, coloured
//     by the host's status with the timeline's palette.
//   - A failed cell carries its failed step's number, turned upright when
//     the cell is too narrow for it to lie flat.
//   - Each labelled cell has its build and its start time in the operators'
//     zone (D11) under it. When labels would touch, only every k-th run is
//     labelled, counting back from the newest, which is always labelled;
//     the legend says so. A label pushed inside the picture at an edge
//     that would then touch its neighbour is left out.
//   - Cells are at most maxCellW wide, or as wide as their labels when
//     there is room, so a few runs stay a short strip on the left rather
//     than a few huge blocks.

// StripRun is one run of the host.
type StripRun struct {
	Build  string
	At     time.Time // the run's start: orders the strip, shown in its label
	Status string    // the host's status in the run (results.Host*)
	Step   int       // the failed step's number; 0 when there is none
}

// ErrNoRuns says the strip would be empty; callers post no picture.
var ErrNoRuns = errors.New("timeline: no runs to draw")

// Strip geometry in pixels.
const (
	maxCellW   = 72
	stripCellH = 44
	stripTick  = 5  // the mark under a labelled cell
	stripLineH = 14 // one line of a label
	stripBuild = 18 // runes of a build name in a label
	labelGap   = 8  // least room between two labels
	stripTitle = 90 // runes of the title
	stepMinPx  = 7  // smallest font size for a step number
	stepMaxPx  = 13
)

// stripCell is one run's cell in image pixels (y grows down).
type stripCell struct {
	rect  image.Rectangle
	class int
	step  string   // "" when none
	label []string // build and date; nil when thinned out
	lx0   float64  // the label's left and right edges
	lx1   float64
}

type stripLayout struct {
	w, h   int
	cells  []stripCell
	every  int // every k-th run labelled; 1: all
	counts [numClasses]int
}

// RenderStrip draws runs as a strip under title.
func RenderStrip(title string, runs []StripRun, opt Options) ([]byte, error) {
	l, err := planStrip(runs, opt)
	if err != nil {
		return nil, err
	}
	return drawStrip(title, l).png()
}

func planStrip(runs []StripRun, opt Options) (*stripLayout, error) {
	if len(runs) == 0 {
		return nil, ErrNoRuns
	}
	rs := append([]StripRun(nil), runs...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].At.Before(rs[j].At) })
	loc := opt.location()
	w := opt.width()
	l := &stripLayout{w: w, h: topBand + stripCellH + stripTick + 2*stripLineH + 10}

	avail := float64(w - 2*leftPad - rightPad)
	labels := make([][]string, len(rs))
	widths := make([]float64, len(rs))
	widest := 0.0
	lab := sans(textSize, false)
	for i, r := range rs {
		labels[i] = []string{truncate(r.Build, stripBuild), stripDate(r.At, loc)}
		for _, s := range labels[i] {
			widths[i] = math.Max(widths[i], float64(lab.Width(s)))
		}
		widest = math.Max(widest, widths[i])
	}
	pitch := math.Min(math.Max(maxCellW, widest+labelGap), avail/float64(len(rs)))
	gap := 0.0
	if pitch >= 8 {
		gap = 2 // cells stay apart when they are wide enough to spare it
	}
	l.every = int(math.Ceil((widest + labelGap) / pitch))
	if l.every < 1 {
		l.every = 1
	}
	x := float64(leftPad + 4)
	for i, r := range rs {
		x0 := x + float64(i)*pitch
		c := stripCell{
			rect:  image.Rect(int(math.Round(x0)), topBand, int(math.Round(x0+pitch-gap)), topBand+stripCellH),
			class: statusClass(r.Status),
		}
		if c.rect.Dx() < 1 {
			c.rect.Max.X = c.rect.Min.X + 1
		}
		if c.class == classFail && r.Step > 0 {
			c.step = fmt.Sprint(r.Step)
		}
		l.counts[c.class]++
		l.cells = append(l.cells, c)
	}
	right := math.Inf(1) // the left edge of the label right of this one
	for i := len(rs) - 1; i >= 0; i -= l.every {
		c := &l.cells[i]
		cx := float64(c.rect.Min.X+c.rect.Max.X) / 2
		x0 := math.Min(math.Max(cx-widths[i]/2, leftPad), float64(w-rightPad)-widths[i])
		if x0+widths[i]+labelGap > right {
			continue
		}
		c.label, c.lx0, c.lx1 = labels[i], x0, x0+widths[i]
		right = x0
	}
	return l, nil
}

// stripDate is a run's start in the label, without the year: the history
// keeps months, not years, and a label must stay narrow.
func stripDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("Jan 2 15:04")
}

func drawStrip(title string, l *stripLayout) *picture {
	w, h := float64(l.w), float64(l.h)
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(w), vg.Length(h)), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	dc := vgdraw.New(c)
	pic := &picture{canvas: c}
	up := func(y int) float64 { return h - float64(y) } // image rows to canvas y

	dc.FillText(sans(titleSize, true), vg.Point{X: leftPad + 4, Y: vg.Length(h - 8 - titleSize)}, truncate(title, stripTitle))
	leg := sans(legendSize, false)
	x, y := float64(leftPad+4), h-40
	for cls := 0; cls < numClasses; cls++ {
		if l.counts[cls] == 0 {
			continue
		}
		dc.SetColor(classColors[cls])
		dc.Fill(rectPath(x, y, x+11, y+11))
		s := fmt.Sprintf("%s %d", classNames[cls], l.counts[cls])
		dc.FillText(leg, vg.Point{X: vg.Length(x + 15), Y: vg.Length(y + 1)}, s)
		x += 15 + float64(leg.Width(s)) + 16
	}
	note := sans(legendSize, false)
	note.Color = inkMuted
	note.XAlign = vgdraw.XRight
	what := "oldest → newest"
	if l.every > 1 {
		what += fmt.Sprintf(" · labels: every %s run", ordinal(l.every))
	}
	dc.FillText(note, vg.Point{X: vg.Length(w - rightPad), Y: vg.Length(y + 1)}, what)

	lab := sans(textSize, false)
	lab.YAlign = vgdraw.YTop
	for i, cell := range l.cells {
		r := cell.rect
		dc.SetColor(classColors[cell.class])
		dc.Fill(rectPath(float64(r.Min.X), up(r.Max.Y), float64(r.Max.X), up(r.Min.Y)))
		pic.bars = append(pic.bars, bar{row: i, class: cell.class, rect: r})
		cx := float64(r.Min.X+r.Max.X) / 2
		if cell.step != "" {
			drawStep(dc, cell.step, cx, (up(r.Min.Y)+up(r.Max.Y))/2, float64(r.Dx()), float64(r.Dy()))
		}
		if cell.label == nil {
			continue
		}
		dc.StrokeLine2(vgdraw.LineStyle{Color: inkMuted, Width: 1}, vg.Length(cx), vg.Length(up(r.Max.Y)), vg.Length(cx), vg.Length(up(r.Max.Y)-stripTick))
		for k, s := range cell.label {
			sty := lab
			sty.XAlign = vgdraw.XCenter
			if k > 0 {
				sty.Color = inkMuted
			}
			dc.FillText(sty, vg.Point{X: vg.Length((cell.lx0 + cell.lx1) / 2), Y: vg.Length(up(r.Max.Y) - stripTick - 2 - float64(k*stripLineH))}, s)
		}
	}
	return pic
}

// drawStep writes a failed step's number centred in its cell at the
// largest size that fits, lying flat unless upright is clearly larger (a
// narrow cell with a long number); the smallest size upright when nothing
// fits.
func drawStep(dc vgdraw.Canvas, step string, cx, cy, cw, ch float64) {
	style := func(size int, upright bool) text.Style {
		st := sans(float64(size), true)
		st.XAlign, st.YAlign = vgdraw.XCenter, vgdraw.YCenter
		if upright {
			st.Rotation = math.Pi / 2
		}
		return st
	}
	fit := func(upright bool) int {
		long, short := cw-4, ch-4
		if upright {
			long, short = ch-6, cw+2
		}
		for size := stepMaxPx; size >= stepMinPx; size-- {
			if st := style(size, upright); float64(st.Width(step)) <= long && float64(st.Height(step)) <= short {
				return size
			}
		}
		return 0
	}
	size, upright := fit(false), false
	if up := fit(true); up > size+1 || size == 0 {
		size, upright = max(up, stepMinPx), true
	}
	dc.FillText(style(size, upright), vg.Point{X: vg.Length(cx), Y: vg.Length(cy)}, step)
}
