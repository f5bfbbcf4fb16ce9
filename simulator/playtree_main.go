package simulator

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

// MainPlaytree is `atvmbot simulate playtree --tree DIR --root ATVMROOT
// --tmp TMPDIR [--speed N | --duration D] [--build B] [--origin T]
// [--chunk-lines N]`: play
// a results scenario into a live controller root, time-shifted. It prints
// the timeline first (the shifted run start is what the bot, or replay's
// --since, must use), then plays, and returns when the last file is written.
func MainPlaytree(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("simulate playtree", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tree := fs.String("tree", "", "scenario folder: mtimes.json, meta.json and the controller files")
	root := fs.String("root", "", "live ATVM root the tree's ATVM root is written into")
	tmp := fs.String("tmp", "", "live tmp dir the tree's tmp dir is written into")
	speed := fs.Float64("speed", 1, "scenario seconds per real second")
	dur := fs.Duration("duration", 0, "play the run (origin to the last file) in this time; overrides --speed")
	build := fs.String("build", "", "rename the tree's runner and launch logs to this build's")
	origin := fs.String("origin", "", "scenario time that lands now, RFC 3339 (default: meta.json's since, else the earliest file)")
	chunk := fs.Int("chunk-lines", 4, "lines per append of a log")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *tree == "" || *root == "" || *tmp == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: atvmbot simulate playtree --tree DIR --root ATVMROOT --tmp TMPDIR [--speed N | --duration D] [--build B] [--origin T] [--chunk-lines N]")
		return 2
	}
	if *speed <= 0 {
		fmt.Fprintln(stderr, "simulate playtree: --speed must be positive")
		return 2
	}
	o := PlayTreeOptions{Tree: *tree, Root: *root, Tmp: *tmp, Speed: *speed, Duration: *dur, Build: *build, ChunkLines: *chunk}
	if *origin != "" {
		t, err := time.Parse(time.RFC3339Nano, *origin)
		if err != nil {
			fmt.Fprintf(stderr, "simulate playtree: --origin: %v\n", err)
			return 2
		}
		o.Origin = t
	}
	p, err := PrepareTree(o)
	if err != nil {
		fmt.Fprintf(stderr, "simulate playtree: %v\n", err)
		return 1
	}
	tl := p.Timeline
	fmt.Fprintf(stdout, "origin=%s\n", tl.Origin.UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(stdout, "start=%s\n", tl.Start.UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(stdout, "speed=%g\n", tl.Speed)
	fmt.Fprintf(stdout, "content_offset=%s\n", tl.Offset())
	fmt.Fprintf(stdout, "end=%s\n", p.End.UTC().Format(time.RFC3339Nano))
	if !p.Meta.Now.IsZero() {
		fmt.Fprintf(stdout, "now=%s\n", tl.Real(p.Meta.Now).UTC().Format(time.RFC3339Nano))
	}
	fmt.Fprintf(stdout, "writes=%d\n", len(p.Writes))
	ctx, stop := signalContext()
	defer stop()
	if err := p.Run(ctx); err != nil {
		if ctx.Err() != nil && err == context.Canceled {
			return 143
		}
		fmt.Fprintf(stderr, "simulate playtree: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "done")
	return 0
}
