package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot/mattermost"
)

// Start-up waits, variables so tests can shorten them.
var (
	mmWaitInitial = time.Second      // first pause after a failed try
	mmWaitMax     = 30 * time.Second // longest pause between tries
	startHoldMax  = 25 * time.Second // how long a chat request waits for start-up
)

// startGate is the listener's handler while serve starts: /healthz answers
// with what start-up waits for, other requests (a slash command typed
// meanwhile) wait for the real handler, up to startHoldMax.
type startGate struct {
	ready   chan struct{}
	once    sync.Once
	h       http.Handler
	waiting http.Handler
	state   atomic.Value // string: what start-up is doing now
}

func newStartGate(o mattermost.ServerOptions) *startGate {
	g := &startGate{ready: make(chan struct{})}
	g.state.Store("starting")
	o.Health = append(o.Health, mattermost.HealthCheck{Name: "mattermost", Critical: true,
		Check: func(context.Context) (string, error) { return "", errors.New(g.state.Load().(string)) }})
	g.waiting = mattermost.NewMux(o)
	return g
}

// set records what start-up is waiting for, as /healthz shows it.
func (g *startGate) set(state string) { g.state.Store(state) }

// open hands every request to h from now on.
func (g *startGate) open(h http.Handler) {
	g.once.Do(func() {
		g.h = h
		close(g.ready)
	})
}

func (g *startGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case <-g.ready:
		g.h.ServeHTTP(w, r)
		return
	default:
	}
	if r.URL.Path == mattermost.PathHealth || r.URL.Path == mattermost.PathMetrics {
		g.waiting.ServeHTTP(w, r)
		return
	}
	t := time.NewTimer(startHoldMax)
	defer t.Stop()
	select {
	case <-g.ready:
		g.h.ServeHTTP(w, r)
	case <-t.C:
		http.Error(w, "atvmbot is starting: "+g.state.Load().(string), http.StatusServiceUnavailable)
	case <-r.Context().Done():
	}
}

// waitForMattermost connects to Mattermost (GetMe), trying again with
// backoff while the server cannot be reached or answers with a server
// error, logging each try. A refused token is not retried: it will not
// heal by waiting.
func waitForMattermost(ctx context.Context, o mattermost.MattermostOptions, gate *startGate, log zerolog.Logger) (*mattermost.Mattermost, error) {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = mmWaitInitial
	b.MaxInterval = mmWaitMax
	b.MaxElapsedTime = 0 // a bot started before its server waits for it
	try := 0
	var mm *mattermost.Mattermost
	gate.set("waiting for Mattermost at " + o.URL)
	err := backoff.RetryNotify(func() error {
		try++
		m, err := mattermost.NewMattermost(ctx, o)
		if err == nil {
			mm = m
			return nil
		}
		var ae *model.AppError
		if errors.As(err, &ae) && (ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden) {
			return backoff.Permanent(fmt.Errorf("%w (the bot's token was refused: check ATVMBOT_MATTERMOST_TOKEN, then run `atvmbot doctor`)", err))
		}
		gate.set(fmt.Sprintf("waiting for Mattermost at %s (try %d): %v", o.URL, try, err))
		return err
	}, backoff.WithContext(b, ctx), func(err error, next time.Duration) {
		log.Warn().Err(err).Int("try", try).Dur("next_try_in", next).Str("url", o.URL).Msg("waiting for Mattermost")
	})
	if err != nil {
		return nil, err
	}
	if try > 1 {
		log.Info().Int("tries", try).Msg("Mattermost reachable")
	}
	return mm, nil
}
