package timeline

import (
	"flag"
	"os"
	"testing"
	"time"
)

var exampleOut = flag.String("out", "", "TestWriteExample writes the example timeline (the categorized run) to this PNG file")

// TestWriteExample writes a picture to look at:
//
//	go test ./results/timeline -run TestWriteExample -args -out /tmp/timeline.png
func TestWriteExample(t *testing.T) {
	if *exampleOut == "" {
		t.Skip("no -out file")
	}
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	png, err := Render(categorizedRun(), Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(*exampleOut, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
