package controller

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
)

// Transport runs one command on the controller: over SSH, or on this machine
// when the bot is deployed on the controller itself (and for the demo).
type Transport interface {
	// Run runs argv (quoted by the transport where a shell is involved) and
	// waits for it. A command that ran and exited non-zero is not an error:
	// its code is in Result.ExitCode. Errors are transport failures and ctx.
	Run(ctx context.Context, argv []string, opt RunOpts) (Result, error)
	Close() error
}

// RunOpts are the optional parts of a command.
type RunOpts struct {
	Dir    string            // working directory on the controller
	Env    map[string]string // added to the command's environment
	Stdin  io.Reader
	Stdout io.Writer // nil: captured into Result.Stdout
	Stderr io.Writer // nil: captured into Result.Stderr
}

// Result is what a finished command left.
type Result struct {
	ExitCode int
	Stdout   []byte // only when RunOpts.Stdout was nil
	Stderr   []byte // only when RunOpts.Stderr was nil
}

// maxCaptured bounds a command's stdout kept in memory: file contents are
// streamed to a writer (Fetch), so only listings and reports are captured,
// and one larger than this is an error, never a silent cut.
const maxCaptured = 64 << 20

// outputs returns the writers a transport should use and the buffers it
// fills when the caller gave none.
func outputs(opt RunOpts) (stdout, stderr io.Writer, outBuf, errBuf *cappedBuffer) {
	stdout, stderr = opt.Stdout, opt.Stderr
	if stdout == nil {
		outBuf = &cappedBuffer{max: maxCaptured}
		stdout = outBuf
	}
	if stderr == nil {
		errBuf = &cappedBuffer{max: 64 << 10}
		stderr = errBuf
	}
	return stdout, stderr, outBuf, errBuf
}

// fill copies the captured output into res. A stdout past its cap is an
// error: a parser must not judge a cut listing. Stderr is only for
// messages: its cut is fine.
func fill(res *Result, outBuf, errBuf *cappedBuffer) error {
	if outBuf != nil {
		res.Stdout = outBuf.b.Bytes()
	}
	if errBuf != nil {
		res.Stderr = errBuf.b.Bytes()
	}
	if outBuf != nil && outBuf.over {
		return fmt.Errorf("output larger than %d bytes", outBuf.max)
	}
	return nil
}

// cappedBuffer keeps the first max bytes: a runaway command must not fill
// the bot's memory.
type cappedBuffer struct {
	mu   sync.Mutex // an SSH session may write stdout and stderr at once
	b    bytes.Buffer
	max  int
	over bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	room := c.max - c.b.Len()
	switch {
	case len(p) <= room:
		c.b.Write(p)
	case room > 0:
		c.b.Write(p[:room])
		c.over = true
	default:
		c.over = true
	}
	return len(p), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
