// Package timeline draws a run's Status as a PNG timeline: one bar per host
// from its start to its end, grouped by sub-run and coloured by status, for
// operators who would rather look than read, and one host's recent runs as
// a strip of cells (strip.go). Like results it is pure: it takes a Status
// or rows and returns bytes; it opens no file or socket.
//
// Picture rules:
//   - One row per host, in sub-run order for a categorized run (a header row
//     names each group, its state and its counts), otherwise in the Status's
//     order; within a group hosts are ordered by start time.
//   - A bar runs from the host's start to its end; a running host's bar runs
//     to now. A host with no times (not started, or skipped or unknown
//     without times) is a thin marker at the right end of its row: it is
//     still waiting when the picture ends. Its row stays in its group so a
//     group's size reads the same before and after it runs.
//   - A failed bar carries its failed step's number; when rows are too thin
//     for it, the number goes beside the host's label instead.
//   - The run's start and end are solid vertical lines; a run that has not
//     ended has a dashed "now" line instead of an end.
//   - Times on the axis are in the operators' zone (D11).
//   - With many hosts rows get thinner (the image height is capped) and only
//     some rows are labelled: failed and running hosts first, then every
//     k-th host of each group from its first, never two labels closer than
//     one line of text. The legend says when labels are thinned. Failed
//     bars are then drawn at least failMinH pixels high, over their
//     neighbours, so a failure among hundreds still shows.
//
// Colours are the Okabe–Ito palette, chosen to stay apart for the common
// colour-vision deficiencies; the failed step's number and the legend's
// counts give a second cue besides colour.
package timeline

import (
	"errors"
	"image/color"
	"time"

	"github.com/atvm/atvmbot/results"
)

// Options shape one picture.
type Options struct {
	Location  *time.Location // axis zone (D11); nil: results.DefaultTimezone
	Now       time.Time      // end of running bars and the "now" line; zero: the newest time in the Status
	Width     int            // pixels; 0: DefaultWidth
	MaxHeight int            // pixels; 0: DefaultMaxHeight. Rows get thinner beyond it.
}

// DefaultWidth fits Mattermost's inline image preview without scaling text
// down to illegibility.
const DefaultWidth = 960

// DefaultMaxHeight keeps a 500-host run on one screen.
const DefaultMaxHeight = 1200

// ErrNoHosts and ErrNoTiming say there is nothing to draw yet; callers post
// no picture rather than an empty one.
var (
	ErrNoHosts  = errors.New("timeline: the run has no hosts")
	ErrNoTiming = errors.New("timeline: no start or end time in the run yet")
)

// Status colours (Okabe–Ito).
var (
	ColorPass       = color.RGBA{0x00, 0x9E, 0x73, 0xFF} // bluish green
	ColorFail       = color.RGBA{0xD5, 0x5E, 0x00, 0xFF} // vermillion
	ColorRunning    = color.RGBA{0x00, 0x72, 0xB2, 0xFF} // blue
	ColorNotStarted = color.RGBA{0xAA, 0xAA, 0xAA, 0xFF} // grey
	ColorOther      = color.RGBA{0xE6, 0x9F, 0x00, 0xFF} // orange: skipped or unknown
)

// statusClass folds host statuses into the legend's five classes.
func statusClass(s string) int {
	switch s {
	case results.HostPass:
		return classPass
	case results.HostFail:
		return classFail
	case results.HostRunning:
		return classRunning
	case results.HostNotStarted:
		return classNotStarted
	}
	return classOther
}

const (
	classPass = iota
	classFail
	classRunning
	classNotStarted
	classOther
	numClasses
)

var classColors = [numClasses]color.RGBA{ColorPass, ColorFail, ColorRunning, ColorNotStarted, ColorOther}
var classNames = [numClasses]string{"pass", "fail", "running", "not started", "skipped/unknown"}

// Render draws st as a PNG.
func Render(st results.Status, opt Options) ([]byte, error) {
	pic, err := draw(st, opt)
	if err != nil {
		return nil, err
	}
	return pic.png()
}

func (o Options) location() *time.Location {
	if o.Location != nil {
		return o.Location
	}
	if loc, err := time.LoadLocation(results.DefaultTimezone); err == nil {
		return loc
	}
	return time.UTC
}

func (o Options) width() int {
	if o.Width <= 0 {
		return DefaultWidth
	}
	return o.Width
}

func (o Options) maxHeight() int {
	if o.MaxHeight <= 0 {
		return DefaultMaxHeight
	}
	return o.MaxHeight
}
