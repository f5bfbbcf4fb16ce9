// Command mkbench writes the replay benchmark's synthetic categorized run
// (500 hosts × scale, 10 groups, ~200 MB × scale of runner log, 2,000 ×
// scale artifact files) and prints the replay flags for it.
//
//	go run ./internal/synth/mkbench -scale 1 -out /tmp/atvm-bench-1
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/atvm/atvmbot/internal/synth"
)

func main() {
	scale := flag.Int("scale", 1, "size multiple of the 500-host run")
	out := flag.String("out", "", "folder to write (created)")
	flag.Parse()
	if *out == "" || *scale < 1 {
		fmt.Fprintln(os.Stderr, "usage: mkbench -scale N -out DIR")
		os.Exit(2)
	}
	args, err := synth.ScaledBigRun(*scale).Write(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(strings.Join(args, "\n"))
}
