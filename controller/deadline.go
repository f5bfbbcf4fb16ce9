package controller

import (
	"context"
	"fmt"
	"time"
)

// TimeoutError is why a remote operation was abandoned. It names the
// operation and its deadline, so a stuck step is reported with a reason
// instead of holding its caller.
type TimeoutError struct {
	Op    string
	After time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("controller %s: no answer within %s; the command was abandoned", e.Op, e.After)
}

// Is lets errors.Is(err, context.DeadlineExceeded) match.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// Timeout marks it as a timeout for callers that ask net-style.
func (e *TimeoutError) Timeout() bool { return true }

// Fallbacks when a config leaves a timeout at zero.
const (
	defaultCommandTimeout  = time.Minute
	defaultInspectTimeout  = 30 * time.Second
	defaultFetchTimeout    = 10 * time.Minute
	defaultStepTimeout     = 2 * time.Minute
	defaultTemplateTimeout = time.Hour
	defaultStopTimeout     = time.Minute
	// afterCallerTimeout bounds work that must outlive its caller's
	// context: recording a failure, stopping what a timed-out step left.
	afterCallerTimeout = 15 * time.Second
)

// withTimeout derives op's context: d, or def when d is not set. Expiry
// carries a *TimeoutError as the cause, which the transports return.
func withTimeout(ctx context.Context, op string, d, def time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		d = def
	}
	return context.WithTimeoutCause(ctx, d, &TimeoutError{Op: op, After: d})
}

// detached is for a step that must run although its caller gave up (the
// record of why, the stop of a stuck step): not cancelled with the caller,
// but with a deadline of its own.
func detached(ctx context.Context, op string) (context.Context, context.CancelFunc) {
	return withTimeout(context.WithoutCancel(ctx), op, afterCallerTimeout, afterCallerTimeout)
}

// ctxErr is the reason a context ended: its cause (a *TimeoutError for our
// deadlines), else its error.
func ctxErr(ctx context.Context) error {
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return ctx.Err()
}
