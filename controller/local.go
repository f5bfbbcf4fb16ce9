package controller

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// Local runs commands on this machine: the bot deployed on the controller,
// and the demo with the simulated controller.
type Local struct {
	log zerolog.Logger
}

// NewLocal returns the local transport.
func NewLocal(log zerolog.Logger) *Local { return &Local{log: log} }

// Run executes argv directly (no shell), in its own process group so that a
// cancelled command is stopped with everything it started in that group.
func (l *Local) Run(ctx context.Context, argv []string, opt RunOpts) (Result, error) {
	if len(argv) == 0 {
		return Result{}, errors.New("empty argv")
	}
	if _, err := QuoteArgv(argv); err != nil {
		return Result{}, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = opt.Dir
	if len(opt.Env) > 0 {
		cmd.Env = os.Environ()
		for _, k := range sortedKeys(opt.Env) {
			cmd.Env = append(cmd.Env, k+"="+opt.Env[k])
		}
	}
	cmd.Stdin = opt.Stdin
	stdout, stderr, outBuf, errBuf := outputs(opt)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A grandchild that kept our pipes open must not hold Run forever.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("local: start %s: %w", argv[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return Result{}, ctxErr(ctx)
	}
	var res Result
	if ferr := fill(&res, outBuf, errBuf); ferr != nil {
		return res, fmt.Errorf("local: %s: %w", argv[0], ferr)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
		if res.ExitCode < 0 { // killed by a signal
			res.ExitCode = 128 + int(ee.Sys().(syscall.WaitStatus).Signal())
		}
	default:
		return res, fmt.Errorf("local: %s: %w", argv[0], err)
	}
	return res, nil
}

// Close does nothing: there is no connection.
func (l *Local) Close() error { return nil }
