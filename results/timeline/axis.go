package timeline

import (
	"math"
	"time"

	"gonum.org/v1/plot"
)

// clockTicks puts the time axis's ticks on round clock times in the
// operators' zone (D11): every 1, 2, 5, 10, 15 or 30 minutes, or 1, 2, 3, 6
// or 12 hours, or days — the smallest step that keeps at most maxTicks.
// A tick shows its date only when the day changes; the axis label carries
// the first day.
type clockTicks struct {
	loc      *time.Location
	maxTicks int
}

var tickSteps = []time.Duration{
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour,
}

func (ct clockTicks) Ticks(min, max float64) []plot.Tick {
	if max <= min {
		return nil
	}
	n := ct.maxTicks
	if n < 2 {
		n = 2
	}
	span := time.Duration((max - min) * float64(time.Second))
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if span/s <= time.Duration(n) {
			step = s
			break
		}
	}
	t0 := time.Unix(0, int64(min*1e9)).In(ct.loc)
	mid := time.Date(t0.Year(), t0.Month(), t0.Day(), 0, 0, 0, 0, ct.loc)
	k := math.Ceil(float64(t0.Sub(mid)) / float64(step))
	var out []plot.Tick
	day := t0.YearDay()
	for t := mid.Add(time.Duration(k) * step); unix(t) <= max; t = t.Add(step) {
		format := "15:04"
		if t.YearDay() != day {
			format = "Jan 2 15:04"
			day = t.YearDay()
		}
		out = append(out, plot.Tick{Value: unix(t), Label: t.Format(format)})
	}
	return out
}
