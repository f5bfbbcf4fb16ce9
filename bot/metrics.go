package bot

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the counters /metrics serves. It has its own registry (no
// global state, so tests run in parallel). Every method is safe on a nil
// *Metrics, so the adapters work without one.
//
// Packages below bot (controller) do not import it: they declare the one
// method they need (e.g. ObserveSSH) and cmd passes a *Metrics.
type Metrics struct {
	reg          *prometheus.Registry
	runs         *prometheus.GaugeVec
	polls        *prometheus.CounterVec
	postLatency  *prometheus.HistogramVec
	postErrors   *prometheus.CounterVec
	sshRoundTrip *prometheus.HistogramVec
	refusals     *prometheus.CounterVec
	fires        *prometheus.CounterVec
	wsConnected  prometheus.Gauge
	wsReconnects prometheus.Counter
	commands     *prometheus.CounterVec
	pollAge      *prometheus.GaugeVec
}

// NewMetrics registers atvmbot's metrics, plus build info carrying version
// (W9: the running version is visible).
func NewMetrics(version string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		runs: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "atvmbot_runs", Help: "Active runs known to the bot, by state and controller.",
		}, []string{"state", "controller"}),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atvmbot_polls_total", Help: "Watch-loop polls of a controller, by result (ok, error) and controller.",
		}, []string{"result", "controller"}),
		postLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "atvmbot_post_latency_seconds", Help: "Latency of chat post operations, by op (create, patch, find).",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"op"}),
		postErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atvmbot_post_errors_total", Help: "Failed chat post attempts, by op.",
		}, []string{"op"}),
		sshRoundTrip: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "atvmbot_ssh_round_trip_seconds", Help: "Duration of controller commands over SSH, by controller.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"controller"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atvmbot_refusals_total", Help: "Requests refused, by reason.",
		}, []string{"reason"}),
		fires: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atvmbot_schedule_fires_total", Help: "Schedule fires, by outcome (planned, launched, skipped, missed, failed).",
		}, []string{"outcome"}),
		wsConnected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "atvmbot_websocket_connected", Help: "1 while the Mattermost websocket is connected.",
		}),
		wsReconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "atvmbot_websocket_reconnects_total", Help: "Websocket reconnect attempts.",
		}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atvmbot_commands_total", Help: "Commands handed to the core, by source.",
		}, []string{"source"}),
		pollAge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "atvmbot_run_poll_age_seconds", Help: "Age of each watched run's last successful poll, by build and controller.",
		}, []string{"build", "controller"}),
	}
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "atvmbot_build_info", Help: "The running version (always 1).",
		ConstLabels: prometheus.Labels{"version": version},
	})
	info.Set(1)
	reg.MustRegister(m.runs, m.polls, m.postLatency, m.postErrors, m.sshRoundTrip, m.refusals, m.fires,
		m.wsConnected, m.wsReconnects, m.commands, m.pollAge, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where the metrics live (for /metrics and tests).
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// StateOn keys the runs gauge: a run state on a controller (its
// configured name).
type StateOn struct{ State, Controller string }

// BuildOn keys the poll-age gauge: a run's build on a controller.
type BuildOn struct{ Build, Controller string }

// SetRuns replaces the runs gauge with counts (states absent from counts
// drop to zero).
func (m *Metrics) SetRuns(counts map[StateOn]int) {
	if m == nil {
		return
	}
	m.runs.Reset()
	for k, n := range counts {
		m.runs.WithLabelValues(k.State, k.Controller).Set(float64(n))
	}
}

// SetPollAges replaces the per-run poll-age gauge.
func (m *Metrics) SetPollAges(ages map[BuildOn]time.Duration) {
	if m == nil {
		return
	}
	m.pollAge.Reset()
	for k, d := range ages {
		m.pollAge.WithLabelValues(k.Build, k.Controller).Set(d.Seconds())
	}
}

// Poll counts one watch-loop poll of a controller (its configured name).
func (m *Metrics) Poll(controller string, err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.polls.WithLabelValues("error", controller).Inc()
		return
	}
	m.polls.WithLabelValues("ok", controller).Inc()
}

// SSHObserver is what one controller's transport reports its round trips
// to: the controller package declares the method, cmd wires one per
// controller name.
type SSHObserver struct {
	m          *Metrics
	controller string
}

// SSH is the observer of the controller of that configured name.
func (m *Metrics) SSH(controller string) SSHObserver {
	return SSHObserver{m: m, controller: controller}
}

// ObserveSSH records one SSH round trip.
func (o SSHObserver) ObserveSSH(d time.Duration) {
	if o.m == nil {
		return
	}
	o.m.sshRoundTrip.WithLabelValues(o.controller).Observe(d.Seconds())
}

// Refused counts one refusal (wrong slash token, bad button, busy, plan
// refused by the core, …).
func (m *Metrics) Refused(reason string) {
	if m == nil {
		return
	}
	m.refusals.WithLabelValues(reason).Inc()
}

// ScheduleFire counts one schedule fire by its outcome.
func (m *Metrics) ScheduleFire(outcome string) {
	if m == nil {
		return
	}
	m.fires.WithLabelValues(outcome).Inc()
}

// ObservePost records one chat post operation (create, patch, find) and
// whether it failed.
func (m *Metrics) ObservePost(op string, start time.Time, err error) {
	if m == nil {
		return
	}
	m.postLatency.WithLabelValues(op).Observe(time.Since(start).Seconds())
	if err != nil {
		m.postErrors.WithLabelValues(op).Inc()
	}
}

// Command counts one command handed to the core, by its source.
func (m *Metrics) Command(source string) {
	if m == nil {
		return
	}
	m.commands.WithLabelValues(source).Inc()
}

// WSState records whether the Mattermost websocket is connected.
func (m *Metrics) WSState(connected bool) {
	if m == nil {
		return
	}
	if connected {
		m.wsConnected.Set(1)
	} else {
		m.wsConnected.Set(0)
	}
}

// WSReconnect counts one websocket reconnect attempt.
func (m *Metrics) WSReconnect() {
	if m == nil {
		return
	}
	m.wsReconnects.Inc()
}
