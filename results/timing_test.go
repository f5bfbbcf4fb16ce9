package results

import (
	"strings"
	"testing"
	"time"
)

func TestTiming_S6_DurationText(t *testing.T) {
	for sec, want := range map[float64]string{
		0: "0s", 0.4: "0s", 45: "45s", 60: "1m", 62.5: "1m 3s", 3300: "55m",
		4870: "1h 21m 10s", 7200: "2h", 3605: "1h 5s",
	} {
		if got := fmtDuration(sec); got != want {
			t.Errorf("fmtDuration(%v) = %q, want %q", sec, got, want)
		}
	}
}

func TestComputeTiming_S6_NothingFinishedYet(t *testing.T) {
	st := Status{State: RunRunning, StartedAt: at(0, 0), Hosts: []Host{
		{Name: "a", Status: HostRunning, StartedAt: at(0, 0)},
		{Name: "b", Status: HostNotStarted},
	}}
	ComputeTiming(&st, *at(5, 0))
	if st.Timing.ETA != nil || st.Timing.HostsLeft != 2 || st.Timing.TimedHosts != 0 || st.Timing.ElapsedS != 300 {
		t.Errorf("timing = %+v", st.Timing)
	}
	post := RenderMarkdown(st, RenderOptions{Location: time.UTC, Now: *at(5, 0)})[0]
	for _, want := range []string{
		"- Host runtime: no host has finished yet\n",
		"- ETA for the whole remaining run: not known yet (2 hosts left, none finished to time)\n",
	} {
		if !strings.Contains(post, want) {
			t.Errorf("post lacks %q", want)
		}
	}
}

func TestComputeTiming_S6_ZeroNowUsesNewestKnownTime(t *testing.T) {
	st := Status{State: RunCompleted, StartedAt: at(0, 0), Hosts: []Host{
		{Name: "a", Status: HostPass, StartedAt: at(1, 0), DurationS: 600},
	}}
	ComputeTiming(&st, time.Time{})
	// No recorded end: the newest time known is a's end at 11:00.
	if st.Timing.ElapsedS != 660 || st.Timing.AverageS != 600 || st.Timing.ETA != nil {
		t.Errorf("timing = %+v", st.Timing)
	}
}

// One ETA, one format, plain plurals: the line every post shows comes from
// RunETA and FormatETA, and one host left is "1 host left".
func TestRender_S6_D27_ETALineOneSourcePlurals(t *testing.T) {
	st := Status{Build: "b", State: RunRunning, StartedAt: at(0, 0), Hosts: []Host{
		{Name: "a", Status: HostPass, StartedAt: at(0, 0), DurationS: 600},
		{Name: "b", Status: HostNotStarted},
	}}
	now := *at(10, 0)
	tm := RunETA(st, now)
	if tm.ETA == nil || !tm.ETA.Equal(*at(20, 0)) || tm.HostsLeft != 1 {
		t.Fatalf("RunETA = %+v", tm)
	}
	post := RenderMarkdown(st, RenderOptions{Location: time.UTC, Now: now})[0]
	want := "- ETA for the whole remaining run: " + FormatETA(*tm.ETA, time.UTC) + ", in about 10m (1 host left, about 10m each, one host at a time)\n"
	if !strings.Contains(post, want) {
		t.Errorf("post lacks %q:\n%s", want, post)
	}
	if FormatETA(*tm.ETA, time.UTC) != tm.ETA.UTC().Format("2006-01-02 15:04 UTC") {
		t.Errorf("FormatETA = %s", FormatETA(*tm.ETA, time.UTC))
	}
	if strings.Contains(post, "1 hosts") {
		t.Errorf("a plural for one host:\n%s", post)
	}
}
