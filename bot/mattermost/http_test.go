package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/bot"
)

// metricValue reads one counter or gauge sample whose labels include
// labelValue ("": the metric has no labels).
func metricValue(t *testing.T, m *bot.Metrics, name, labelValue string) float64 {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, s := range mf.GetMetric() {
			if labelValue == "" && len(s.GetLabel()) == 0 {
				if s.Counter != nil {
					return s.Counter.GetValue()
				}
				return s.Gauge.GetValue()
			}
			for _, l := range s.GetLabel() {
				if l.GetValue() == labelValue {
					if s.Counter != nil {
						return s.Counter.GetValue()
					}
					return s.Gauge.GetValue()
				}
			}
		}
	}
	return 0
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	b, _ := io.ReadAll(w.Body)
	return w.Code, string(b)
}

func TestHealthz_W9_StatusChecksAndVersion(t *testing.T) {
	ok := func(context.Context) (string, error) { return "ok", nil }
	bad := func(context.Context) (string, error) { return "", errors.New("ssh: connection refused") }
	slow := func(ctx context.Context) (string, error) { <-ctx.Done(); return "", ctx.Err() }
	tests := []struct {
		name   string
		checks []HealthCheck
		code   int
		status string
	}{
		{"all ok", []HealthCheck{{Name: "storage", Critical: true, Check: ok}, {Name: "websocket", Check: ok}}, 200, "ok"},
		{"websocket down", []HealthCheck{{Name: "storage", Critical: true, Check: ok}, {Name: "websocket", Check: bad}}, 200, "degraded"},
		{"storage down", []HealthCheck{{Name: "storage", Critical: true, Check: bad}, {Name: "websocket", Check: ok}}, 503, "fail"},
		{"check hangs", []HealthCheck{{Name: "controller", Critical: true, Check: slow}}, 503, "fail"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mux := NewMux(ServerOptions{Health: tc.checks, Version: "v1.2.3-test", CheckTimeout: 50 * time.Millisecond})
			code, body := get(t, mux, PathHealth)
			var rep HealthReport
			if err := json.Unmarshal([]byte(body), &rep); err != nil {
				t.Fatal(err)
			}
			if code != tc.code || rep.Status != tc.status || rep.Version != "v1.2.3-test" || len(rep.Checks) != len(tc.checks) {
				t.Fatalf("got %d %+v", code, rep)
			}
			for i, c := range rep.Checks {
				if c.Name != tc.checks[i].Name {
					t.Fatalf("check order: %+v", rep.Checks)
				}
				if !c.OK && c.Detail == "" {
					t.Fatalf("failed check without detail: %+v", c)
				}
			}
		})
	}
}

func TestMetrics_W9_PrometheusText(t *testing.T) {
	m := bot.NewMetrics("v9.9.9")
	m.SetRuns(map[bot.StateOn]int{{State: "RUNNING", Controller: "default"}: 1, {State: "COMPLETED", Controller: "default"}: 3})
	m.SetRuns(map[bot.StateOn]int{{State: "COMPLETED", Controller: "default"}: 4}) // RUNNING gone
	m.Poll("default", nil)
	m.Poll("lab2", errors.New("x"))
	m.SSH("lab2").ObserveSSH(120 * time.Millisecond)
	m.Refused("plan_blacklisted")
	m.ObservePost("create", time.Now(), nil)
	m.WSState(true)
	code, body := get(t, NewMux(ServerOptions{Metrics: m}), PathMetrics)
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	for _, want := range []string{
		`atvmbot_build_info{version="v9.9.9"} 1`,
		`atvmbot_runs{controller="default",state="COMPLETED"} 4`,
		`atvmbot_polls_total{controller="default",result="ok"} 1`,
		`atvmbot_polls_total{controller="lab2",result="error"} 1`,
		`atvmbot_ssh_round_trip_seconds_count{controller="lab2"} 1`,
		`atvmbot_refusals_total{reason="plan_blacklisted"} 1`,
		`atvmbot_post_latency_seconds_count{op="create"} 1`,
		`atvmbot_websocket_connected 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, `state="RUNNING"`) {
		t.Error("stale run state kept")
	}
	var nilM *bot.Metrics // every method is nil-safe
	nilM.Poll("default", nil)
	nilM.Refused("x")
	nilM.SetRuns(nil)
	nilM.SSH("default").ObserveSSH(time.Second)
	if code, _ := get(t, NewMux(ServerOptions{}), PathMetrics); code != 404 {
		t.Fatalf("metrics served without a registry: %d", code)
	}
}
