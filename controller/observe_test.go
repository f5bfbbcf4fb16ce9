package controller

import (
	"path/filepath"
	"sync"
	"testing"
	"time"
)

type countingObserver struct {
	mu  sync.Mutex
	n   int
	sum time.Duration
}

func (o *countingObserver) ObserveSSH(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.n++
	o.sum += d
}

// Every round trip (clock, inspect, a fetch's listing and stream, a
// timed-out command) reaches the observer behind
// atvmbot_ssh_round_trip_seconds, once each.
func TestObserver_I14_EveryRoundTripObserved(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			obs := &countingObserver{}
			e.c.Observer = obs
			ctx := ctxT(t)
			run := e.fetchRun(t, "observe")
			mustWrite(t, filepath.Join(e.tmp, "observe.log"), "line\n", false)
			if _, err := e.c.Inspect(ctx, run); err != nil {
				t.Fatal(err)
			}
			fr, err := e.c.FetchTo(ctx, run, &Mirror{Dir: t.TempDir()})
			if err != nil || fr.RoundTrips != 2 {
				t.Fatalf("fetch: %d round trips, %v; want 2", fr.RoundTrips, err)
			}
			e.stubs(t, map[string]string{"ps": "#!/bin/sh\nexec sleep 3600\n"})
			e.c.Cfg.InspectTimeout = 300 * time.Millisecond
			if _, err := e.c.Inspect(ctx, run); !isTimeout(err) {
				t.Fatalf("stuck inspect: %v", err)
			}
			obs.mu.Lock()
			defer obs.mu.Unlock()
			// fetchRun's clock, inspect, listing, stream, the stuck inspect
			if want := int(e.c.RoundTrips()); obs.n != want || want != 5 {
				t.Errorf("observed %d round trips, the controller ran %d (want 5)", obs.n, want)
			}
			if obs.sum < 300*time.Millisecond {
				t.Errorf("observed durations sum to %s: the stuck one alone took 300ms", obs.sum)
			}
		})
	}
}
