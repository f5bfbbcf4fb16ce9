package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
)

// Paths the listener serves. The Mattermost server reaches the first two at
// <public_url><path>.
const (
	PathCommand = "/mm/command"
	PathAction  = "/mm/action"
	// PathDialog ("/mm/dialog", dialog.go) takes plan form submissions.
	PathHealth  = "/healthz"
	PathMetrics = "/metrics"
)

// HealthCheck is one line of /healthz.
type HealthCheck struct {
	Name string
	// Critical: when it fails /healthz answers 503; otherwise the status is
	// only "degraded" (a websocket outage leaves slash commands working).
	Critical bool
	// Check returns a short detail ("connected", "ok") or an error.
	Check func(ctx context.Context) (string, error)
}

// HealthReport is the body of /healthz.
type HealthReport struct {
	Status  string        `json:"status"` // ok | degraded | fail
	Version string        `json:"version"`
	Checks  []CheckResult `json:"checks"`
}

// CheckResult is one check's outcome.
type CheckResult struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// ServerOptions wires the listener.
type ServerOptions struct {
	Slash        http.Handler // POST PathCommand (a *SlashHandler)
	Action       http.Handler // POST PathAction (an *ActionHandler)
	Dialog       http.Handler // POST PathDialog (a *DialogHandler)
	Metrics      *bot.Metrics
	Health       []HealthCheck
	Version      string        // shown in /healthz (D9, W9)
	CheckTimeout time.Duration // per health check; default 5 s
}

// NewMux returns the listener's routes. A nil Slash, Action or Dialog is not
// routed.
func NewMux(o ServerOptions) *http.ServeMux {
	mux := http.NewServeMux()
	if o.Slash != nil {
		mux.Handle(PathCommand, o.Slash)
	}
	if o.Action != nil {
		mux.Handle(PathAction, o.Action)
	}
	if o.Dialog != nil {
		mux.Handle(PathDialog, o.Dialog)
	}
	mux.HandleFunc(PathHealth, func(w http.ResponseWriter, r *http.Request) {
		rep := RunHealth(r.Context(), o.Version, o.Health, o.CheckTimeout)
		w.Header().Set("Content-Type", "application/json")
		if rep.Status == "fail" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(rep)
	})
	if reg := o.Metrics.Registry(); reg != nil {
		mux.Handle(PathMetrics, promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	}
	return mux
}

// RunHealth runs every check in parallel, each with its own timeout.
func RunHealth(ctx context.Context, version string, checks []HealthCheck, timeout time.Duration) HealthReport {
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	rep := HealthReport{Status: "ok", Version: version, Checks: make([]CheckResult, len(checks))}
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			detail, err := c.Check(cctx)
			res := CheckResult{Name: c.Name, OK: err == nil, Detail: detail}
			if err != nil {
				res.Detail = err.Error()
			}
			rep.Checks[i] = res
		}()
	}
	wg.Wait()
	for i, c := range checks {
		if rep.Checks[i].OK {
			continue
		}
		if c.Critical {
			rep.Status = "fail"
		} else if rep.Status == "ok" {
			rep.Status = "degraded"
		}
	}
	return rep
}

// Serve runs h on ln until ctx ends, then shuts down gracefully (in-flight
// requests get up to 10 s).
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log zerolog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info().Str("addr", ln.Addr().String()).Msg("http listener started")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}
