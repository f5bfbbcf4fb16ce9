package simulator

import (
	"encoding/json"
	"strings"
	"testing"
)

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return m
}

func TestReporterJSON_R5_FourShapes(t *testing.T) {
	for _, tc := range []struct {
		shape  string
		check  func(t *testing.T, m map[string]any, h *hostRun)
		marker string // text that only a finished file has
	}{
		{ShapeStats, func(t *testing.T, m map[string]any, h *hostRun) {
			st := m["stats"].(map[string]any)
			if m["reporter"] != "cmcReporter" || m["host"] != h.VM || st["failures"] != 1.0 || st["tests"] != 22.0 || st["pending"] != 10.0 {
				t.Errorf("stats shape %v", m)
			}
			tests := m["tests"].([]any)
			if f := tests[11].(map[string]any); f["state"] != "failed" || !strings.HasPrefix(f["error"].(string), "CypressError: `cy.exec(") {
				t.Errorf("failed test %v", f)
			}
		}, `"end":`},
		{ShapeEventLog, func(t *testing.T, m map[string]any, h *hostRun) {
			if _, ok := m["stats"]; ok {
				t.Error("event-log shape has no stats")
			}
			md := m["metadata"].(map[string]any)
			tests := m["tests"].([]any)
			f := tests[11].(map[string]any)
			e := f["error"].(map[string]any)
			if md["build"] != "e2e-x-ubuntu" || len(tests) != 22 || f["state"] != "failed" || e["name"] != "CypressError" ||
				tests[12].(map[string]any)["state"] != "pending" || tests[12].(map[string]any)["startedAt"] != nil {
				t.Errorf("event-log shape %v", m)
			}
		}, `"end":`},
		{ShapeList, func(t *testing.T, m map[string]any, h *hostRun) {
			evs := m["events"].([]any)
			var errs []string
			for _, e := range evs {
				rec := e.([]any)
				if len(rec) != 3 {
					t.Fatalf("list event %v", rec)
				}
				if rec[1] == "error" {
					errs = append(errs, rec[2].(string))
				}
			}
			if len(errs) != 2 || !strings.HasPrefix(errs[0], "cy:command error `cy.exec(") || errs[1] != "TEST FAIL 12. Verify data for revert cmotion" {
				t.Errorf("list error events %q", errs)
			}
		}, `"run:end"`},
		{ShapeDict, func(t *testing.T, m map[string]any, h *hostRun) {
			var errTests []string
			for _, e := range m["events"].([]any) {
				rec := e.(map[string]any)
				for _, k := range []string{"time", "type", "test", "message", "severity"} {
					if _, ok := rec[k]; !ok {
						t.Fatalf("dict event lacks %s: %v", k, rec)
					}
				}
				if rec["severity"] == "error" {
					errTests = append(errTests, rec["test"].(string))
					if rec["type"] == "cy:command" && !strings.Contains(rec["message"].(string), "md5sum: WARNING: 1 computed checksum did NOT match") {
						t.Errorf("error record message %q", rec["message"])
					}
				}
			}
			if len(errTests) != 2 || errTests[0] != "12. Verify data for revert cmotion" {
				t.Errorf("error records name %q", errTests)
			}
		}, `"run:end"`},
	} {
		t.Run(tc.shape, func(t *testing.T) {
			h := failingUbuntu(t)
			h.B.Reporter = tc.shape
			done, err := h.RenderReporterJSON(progress{done: len(h.Tests), finished: true})
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, decode(t, done), h)
			if !strings.Contains(string(done), tc.marker) {
				t.Errorf("finished file lacks its end marker %s", tc.marker)
			}
			// Mid-run the same file has no end marker (D1: never PASS without it).
			mid, err := h.RenderReporterJSON(progress{done: 3})
			if err != nil {
				t.Fatal(err)
			}
			decode(t, mid)
			if strings.Contains(string(mid), tc.marker) || strings.Contains(string(mid), `"error"`) {
				t.Errorf("mid-run file looks finished or failed:\n%s", mid)
			}
		})
	}
}

func TestReporterJSON_R5_EventLogShowsRunningTest(t *testing.T) {
	h := failingUbuntu(t)
	h.B.Reporter = ShapeEventLog
	b, _ := h.RenderReporterJSON(progress{done: 2})
	tests := decode(t, b)["tests"].([]any)
	if len(tests) != 3 || tests[2].(map[string]any)["state"] != "running" || tests[2].(map[string]any)["endedAt"] != nil {
		t.Errorf("running test not shown: %v", tests)
	}
}

func TestReporterTXT_R6_MarkersAndHarmlessNoise(t *testing.T) {
	h := failingUbuntu(t)
	txt := string(h.RenderReporterTXT())
	for _, want := range []string{
		"=== cmcReporter console transcript ===\nhost: atvm5-ubuntu22.04\ntemplate: cmc-e2e\nbuild: e2e-x-ubuntu\nstarted: 2026-04-29T16:02:11.118Z\nspec: cypress/e2e/generated/atvm5-ubuntu22.04.ts\n\n",
		"] TEST START 1. Verifying set up\n",
		"]   cy:task  sshExec  root@10.20.30.5 hostnamectl; uptime\n",
		"]   cy:command error  `cy.exec('sshpass",
		"] TEST FAIL  12. Verify data for revert cmotion\n      CypressError: `cy.exec(",
		"] TEST SKIP  13. Trigger cmotion again\n",
		": 11 passed, 1 failed, 10 pending ===\n",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	pass := fixtureHost(t, "atvm5-ubuntu22.04", TplE2E, Env{Plugin: "iscsi", InstallOnly: bp(false)}, HostBehavior{AuthWarning: true})
	ptxt := string(pass.RenderReporterTXT())
	if !strings.Contains(ptxt, "]   cons:warn  "+authNoise+"\n") {
		t.Error("auth noise missing from the passing transcript")
	}
	for _, marker := range []string{"cy:command error", "cy:task error", "TEST FAIL", "AssertionError:", "Timed out"} {
		if strings.Contains(ptxt, marker) {
			t.Errorf("passing transcript has failure marker %q", marker)
		}
	}
	if !strings.HasSuffix(ptxt, ": 20 passed, 0 failed, 0 pending ===\n") {
		t.Error("passing transcript end line")
	}
	// Appending the pieces in order gives the whole file (the live writer appends).
	var b strings.Builder
	b.WriteString(h.txtHeader())
	for i := range h.Tests {
		b.WriteString(h.txtTest(i))
	}
	b.WriteString(h.txtFinished())
	if b.String() != txt {
		t.Error("pieces differ from the whole")
	}
}

func TestReporterStamp_R4_FileNameFromFirstTest(t *testing.T) {
	if got := ReporterStamp(t0); got != "2026-04-29T16-02-11-118Z" {
		t.Errorf("stamp %q", got)
	}
	h := failingUbuntu(t)
	if got := h.reporterBase(); got != "cypress/cmcReporter/logs/atvm5-ubuntu22.04/atvm5-ubuntu22.04-2026-04-29T16-02-11-118Z" {
		t.Errorf("reporter base %q", got)
	}
}
