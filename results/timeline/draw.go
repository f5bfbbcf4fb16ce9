package timeline

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"math"
	"time"

	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/atvm/atvmbot/results"
)

// The canvas is drawn at 72 dpi so one vg point is one pixel and every
// length below reads as pixels.
const (
	dpi        = 72
	topBand    = 50 // title and legend
	leftPad    = 6
	rightPad   = 14
	titleSize  = 15
	textSize   = 11
	legendSize = 12
	markSize   = 10
	failMinH   = 4 // a failed bar's least height, however thin the rows
)

var (
	inkDark   = color.RGBA{0x22, 0x22, 0x22, 0xFF}
	inkMuted  = color.RGBA{0x66, 0x66, 0x66, 0xFF}
	gridColor = color.RGBA{0xE3, 0xE3, 0xE3, 0xFF}
	bandColor = color.RGBA{0xEE, 0xEE, 0xEE, 0xFF}
)

// picture is a drawn timeline and, for tests, where its bars landed.
type picture struct {
	canvas *vgimg.Canvas
	bars   []bar
}

// bar is a drawn host bar or marker in image pixels (y grows down).
type bar struct {
	row    int
	class  int
	marker bool // a host with no times
	rect   image.Rectangle
}

func (p *picture) image() image.Image { return p.canvas.Image() }

func (p *picture) png() ([]byte, error) {
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: p.canvas}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("timeline: encoding png: %w", err)
	}
	return buf.Bytes(), nil
}

func sans(size float64, bold bool) text.Style {
	f := font.Font{Typeface: "Liberation", Variant: "Sans"}
	if bold {
		f.Weight = stdfont.WeightBold
	}
	return text.Style{Color: inkDark, Font: font.From(f, vg.Length(size)), Handler: plot.DefaultTextHandler}
}

func draw(st results.Status, opt Options) (*picture, error) {
	loc := opt.location()
	w := float64(opt.width())

	p := plot.New()
	p.BackgroundColor = color.White
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Tick.Label = sans(textSize, false)
	p.X.Label.TextStyle = sans(textSize, false)
	p.X.Label.TextStyle.Color = inkMuted
	p.X.LineStyle.Color = inkMuted
	p.X.Tick.LineStyle.Color = inkMuted
	p.Y.Tick.Label = sans(textSize, false)
	p.Y.Tick.Label.XAlign = vgdraw.XRight
	p.Y.LineStyle.Width = 0
	p.Y.Tick.Length = 0
	p.Y.Tick.Marker = plot.ConstantTicks(nil)
	p.X.Min, p.X.Max = 0, 3600
	p.X.Tick.Marker = clockTicks{loc: loc, maxTicks: int(w / 110)}
	p.X.Label.Text = "time"

	// What the axes take vertically, to fit the rows under MaxHeight.
	probe := vgdraw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: vg.Length(w), Y: 1000}}}
	overhead := 1000 - float64(p.DataCanvas(probe).Size().Y)
	l, err := plan(st, opt.Now, float64(opt.maxHeight())-topBand-overhead)
	if err != nil {
		return nil, err
	}

	p.X.Min, p.X.Max = unix(l.a0), unix(l.a1)
	p.X.Label.Text = axisLabel(l.t0, loc)
	p.Y.Min, p.Y.Max = 0, l.height
	var ticks []plot.Tick
	for _, r := range l.rows {
		if r.label != "" {
			ticks = append(ticks, plot.Tick{Value: l.height - (r.y0+r.y1)/2, Label: r.label})
		}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)

	h := math.Ceil(topBand + overhead + l.height)
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(w), vg.Length(h)), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	dc := vgdraw.New(c)
	pic := &picture{canvas: c}
	drawHeader(dc, st, l, w, h)
	p.Add(&rowsPlotter{l: l, loc: loc, pic: pic, imgH: h})
	p.Draw(vgdraw.Crop(dc, leftPad, -rightPad, 0, -topBand))
	return pic, nil
}

// drawHeader writes the title (build and state) and the legend with counts.
func drawHeader(c vgdraw.Canvas, st results.Status, l *layout, w, h float64) {
	title := sans(titleSize, true)
	build := st.Build
	if build == "" {
		build = "(no build)"
	}
	line := "Build " + truncate(build, 60) + " — " + st.State
	if st.Template != "" {
		line += " · " + truncate(st.Template, 30)
	}
	c.FillText(title, vg.Point{X: leftPad + 4, Y: vg.Length(h - 8 - titleSize)}, line)

	leg := sans(legendSize, false)
	x := float64(leftPad + 4)
	y := h - 40
	for cls := 0; cls < numClasses; cls++ {
		n := l.counts[cls]
		if n == 0 {
			continue
		}
		c.SetColor(classColors[cls])
		c.Fill(rectPath(x, y, x+11, y+11))
		label := fmt.Sprintf("%s %d", classNames[cls], n)
		c.FillText(leg, vg.Point{X: vg.Length(x + 15), Y: vg.Length(y + 1)}, label)
		x += 15 + float64(leg.Width(label)) + 16
	}
	if l.every > 1 {
		note := sans(legendSize, false)
		note.Color = inkMuted
		note.XAlign = vgdraw.XRight
		c.FillText(note, vg.Point{X: vg.Length(w - rightPad), Y: vg.Length(y + 1)},
			fmt.Sprintf("labels: failed, running, every %s host", ordinal(l.every)))
	}
}

// rowsPlotter draws the group bands, the grid, the bars and the run's
// start, end and now lines inside the plot's data area.
type rowsPlotter struct {
	l    *layout
	loc  *time.Location
	pic  *picture
	imgH float64
}

func (rp *rowsPlotter) Plot(c vgdraw.Canvas, p *plot.Plot) {
	l := rp.l
	xOf := func(t time.Time) float64 { return float64(c.X(p.X.Norm(unix(t)))) }
	yOf := func(off float64) float64 { return float64(c.Y(p.Y.Norm(l.height - off))) }
	left, right := float64(c.Min.X), float64(c.Max.X) // the bands span the frame
	rowsTop, rowsBottom := yOf(markBand), yOf(l.height-bottomPad)

	for _, tk := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		x := float64(c.X(p.X.Norm(tk.Value)))
		c.StrokeLine2(vgdraw.LineStyle{Color: gridColor, Width: 1}, vg.Length(x), vg.Length(rowsBottom), vg.Length(x), vg.Length(rowsTop))
	}

	head := sans(textSize, true)
	head.YAlign = vgdraw.YCenter
	stepStyle := sans(markSize, true)
	stepStyle.YAlign = vgdraw.YCenter
	gap := 0.0
	switch {
	case l.rowH >= 6:
		gap = math.Round(l.rowH * 0.25)
	case l.rowH >= 3:
		gap = 1
	}
	for _, r := range l.rows {
		if r.header {
			top, bot := yOf(r.y0), yOf(r.y1)
			c.SetColor(bandColor)
			c.Fill(rectPath(left, bot, right, top))
			c.FillText(head, vg.Point{X: vg.Length(left + 4), Y: vg.Length((top + bot) / 2)}, r.text)
		}
	}
	// Failed bars last, so when rows are thinner than failMinH they are
	// drawn over their neighbours instead of under them.
	for _, failed := range []bool{false, true} {
		for i, r := range l.rows {
			if r.header || (r.class == classFail) != failed {
				continue
			}
			rp.hostBar(c, i, r, xOf(l.t1), yOf(r.y0)-gap/2, yOf(r.y1)+gap/2, xOf, stepStyle)
		}
	}
	rp.marks(c, xOf, rowsTop, rowsBottom)
}

// hostBar draws row i's bar, or its marker past endX when it has no
// times, between the vertical positions top and bot (canvas units, y up).
func (rp *rowsPlotter) hostBar(c vgdraw.Canvas, i int, r row, endX, top, bot float64, xOf func(time.Time) float64, stepStyle text.Style) {
	if r.class == classFail && top-bot < failMinH {
		mid := (top + bot) / 2
		top, bot = mid+failMinH/2, mid-failMinH/2
	}
	var x0, x1 float64
	if r.hasSpan {
		x0, x1 = xOf(r.start), xOf(r.end)
		if x1-x0 < 2 {
			x1 = x0 + 2 // a very short host is still seen
		}
	} else {
		x0 = endX + 4 // waiting past the end (or now)
		x1 = x0 + 5
	}
	c.SetColor(classColors[r.class])
	c.Fill(rectPath(x0, bot, x1, top))
	rp.pic.bars = append(rp.pic.bars, bar{row: i, class: r.class, marker: !r.hasSpan, rect: image.Rect(
		int(math.Round(x0)), int(math.Round(rp.imgH-top)), int(math.Round(x1)), int(math.Round(rp.imgH-bot)))})
	if r.step == "" || !rp.l.stepOnBar {
		return
	}
	tw := float64(stepStyle.Width(r.step))
	pt := vg.Point{X: vg.Length(x1 - 4), Y: vg.Length((top + bot) / 2)}
	sty := stepStyle
	sty.XAlign = vgdraw.XRight
	if x1-x0 < tw+8 { // too short: the number goes right after the bar
		pt.X = vg.Length(x1 + 3)
		sty.XAlign = vgdraw.XLeft
	}
	c.FillText(sty, pt, r.step)
}

// marks draws the run's start and end, or now while it is live, with their
// clock times in the band above the rows.
func (rp *rowsPlotter) marks(c vgdraw.Canvas, xOf func(time.Time) float64, top, bottom float64) {
	l := rp.l
	lab := sans(markSize, false)
	lab.YAlign = vgdraw.YBottom
	line := func(t time.Time, name string, sty vgdraw.LineStyle, align text.XAlignment) {
		if t.IsZero() || t.Before(l.t0) || t.After(l.t1) {
			return
		}
		x := xOf(t)
		c.StrokeLine2(sty, vg.Length(x), vg.Length(bottom), vg.Length(x), vg.Length(top+4))
		s := lab
		s.XAlign = align
		dx := 3.0
		if align == vgdraw.XRight {
			dx = -3
		}
		c.FillText(s, vg.Point{X: vg.Length(x + dx), Y: vg.Length(top + 4)}, name+" "+t.In(rp.loc).Format("15:04"))
	}
	solid := vgdraw.LineStyle{Color: inkDark, Width: 1.2}
	line(l.runStart, "start", solid, vgdraw.XLeft)
	if l.live {
		line(l.now, "now", vgdraw.LineStyle{Color: color.Black, Width: 1.5, Dashes: []vg.Length{5, 3}}, vgdraw.XRight)
	} else {
		line(l.runEnd, "end", solid, vgdraw.XRight)
	}
}

func rectPath(x0, y0, x1, y1 float64) vg.Path {
	var pa vg.Path
	pa.Move(vg.Point{X: vg.Length(x0), Y: vg.Length(y0)})
	pa.Line(vg.Point{X: vg.Length(x1), Y: vg.Length(y0)})
	pa.Line(vg.Point{X: vg.Length(x1), Y: vg.Length(y1)})
	pa.Line(vg.Point{X: vg.Length(x0), Y: vg.Length(y1)})
	pa.Close()
	return pa
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func axisLabel(t0 time.Time, loc *time.Location) string {
	lt := t0.In(loc)
	return fmt.Sprintf("time in %s (%s), from %s", loc.String(), lt.Format("MST"), lt.Format("Mon 2 Jan 2006"))
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}
