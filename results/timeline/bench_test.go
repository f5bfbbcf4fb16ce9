package timeline

import (
	"testing"
	"time"
)

// BenchmarkTimeline500 measures one picture of the 500-host run, PNG
// encoding included; the issue asks for it in under a second.
func BenchmarkTimeline500(b *testing.B) {
	big, now := bigRun()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	var size int
	start := time.Now()
	for b.Loop() {
		png, err := Render(big, Options{Location: loc, Now: now})
		if err != nil {
			b.Fatal(err)
		}
		size = len(png)
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/image")
	b.ReportMetric(float64(size)/1024, "KB/image")
}
