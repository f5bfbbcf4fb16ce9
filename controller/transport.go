package controller

import (
	"bytes"
	"context"
	"io"
	"sort"
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

// outputs returns the writers a transport should use and the buffers it
// fills when the caller gave none.
func outputs(opt RunOpts) (stdout, stderr io.Writer, outBuf *bytes.Buffer, errBuf *cappedBuffer) {
	stdout, stderr = opt.Stdout, opt.Stderr
	if stdout == nil {
		outBuf = &bytes.Buffer{}
		stdout = outBuf
	}
	if stderr == nil {
		errBuf = &cappedBuffer{max: 64 << 10}
		stderr = errBuf
	}
	return stdout, stderr, outBuf, errBuf
}

func fill(res *Result, outBuf *bytes.Buffer, errBuf *cappedBuffer) {
	if outBuf != nil {
		res.Stdout = outBuf.Bytes()
	}
	if errBuf != nil {
		res.Stderr = errBuf.b.Bytes()
	}
}

// cappedBuffer keeps the first max bytes: stderr is for error messages, and
// a runaway command must not fill the bot's memory.
type cappedBuffer struct {
	b   bytes.Buffer
	max int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.max - c.b.Len(); room > 0 {
		if len(p) > room {
			c.b.Write(p[:room])
		} else {
			c.b.Write(p)
		}
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
