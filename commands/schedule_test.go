package commands

import (
	"strings"
	"testing"
)

func TestParse_P1_Schedule(t *testing.T) {
	cases := []struct {
		text    string
		want    ScheduleRequest
		refused string // part of the refusal; "" = accepted
	}{
		{"schedule", ScheduleRequest{Action: ScheduleList}, ""},
		{"schedule list", ScheduleRequest{Action: ScheduleList}, ""},
		{`schedule add "0 2 * * 1-5" cmc-e2e --containsVm redhat --categorize`,
			ScheduleRequest{Action: ScheduleAdd, Spec: "0 2 * * 1-5", Words: "cmc-e2e --containsVm redhat --categorize"}, ""},
		{`schedule add '@daily' plan cmc-reboot --specify_vms atvm71-redhat9.1`,
			ScheduleRequest{Action: ScheduleAdd, Spec: "@daily", Words: "cmc-reboot --specify_vms atvm71-redhat9.1"}, ""},
		{`schedule add "@every 6h" cmc-systemOS --randomize 3`, ScheduleRequest{Action: ScheduleAdd, Spec: "@every 6h", Words: "cmc-systemOS --randomize 3"}, ""},
		{"schedule approve s-1a2b3c", ScheduleRequest{Action: ScheduleApprove, ID: "s-1a2b3c"}, ""},
		{"schedule pause S-1A2B3C", ScheduleRequest{Action: SchedulePause, ID: "s-1a2b3c"}, ""},
		{"schedule remove s-1a2b3c", ScheduleRequest{Action: ScheduleRemove, ID: "s-1a2b3c"}, ""},
		{"schedule show s-1a2b3c", ScheduleRequest{Action: ScheduleShow, ID: "s-1a2b3c"}, ""},
		{"schedule resume s-1a2b3c", ScheduleRequest{Action: ScheduleResume, ID: "s-1a2b3c"}, ""},
		// Refusals: each says what to type.
		{`schedule add "0 2 * *" cmc-e2e --containsVm redhat`, ScheduleRequest{}, "not one"},
		{`schedule add "61 2 * * *" cmc-e2e --containsVm redhat`, ScheduleRequest{}, "not one"},
		{`schedule add 0 2 * * 1-5 cmc-e2e --containsVm redhat`, ScheduleRequest{}, "not one"},
		{`schedule add "CRON_TZ=UTC 0 2 * * *" cmc-e2e --containsVm redhat`, ScheduleRequest{}, "time zone"},
		{`schedule add "@daily"`, ScheduleRequest{}, "needs a cron spec"},
		{`schedule add "@daily" cmc-e2e --containsVm redhat; rm -rf /`, ScheduleRequest{}, ""},
		{"schedule approve", ScheduleRequest{}, "schedule id"},
		{"schedule approve p-1a2b3c", ScheduleRequest{}, "schedule id"},
		{"schedule stop s-1a2b3c", ScheduleRequest{}, "unknown action"},
		{"schedule lst", ScheduleRequest{}, "did you mean `list`?"},
	}
	for _, tc := range cases {
		cmd, err := Parse(tc.text)
		if tc.text == `schedule add "@daily" cmc-e2e --containsVm redhat; rm -rf /` {
			if err == nil {
				t.Errorf("%q: accepted %+v", tc.text, cmd.Schedule)
			}
			continue
		}
		if tc.refused != "" {
			if err == nil || !strings.Contains(err.Error(), tc.refused) {
				t.Errorf("%q: %v, want a refusal saying %q", tc.text, err, tc.refused)
			}
			continue
		}
		if err != nil || cmd.Name != CmdSchedule || cmd.Schedule == nil || *cmd.Schedule != tc.want {
			t.Errorf("%q: %+v %v, want %+v", tc.text, cmd.Schedule, err, tc.want)
		}
	}
}

// A schedule's stored words plan exactly as the same words typed do, and
// words with spaces or quotes survive the round trip.
func TestSchedule_P2_WordsRoundTrip(t *testing.T) {
	for _, tc := range []struct{ spec, words string }{
		{`"@daily"`, `cmc-e2e --containsVm redhat9.6,ubuntu24.04 --use_specified_plugin fc --categorize`},
		{`"0 3 * * 6"`, `cmc-reboot --specify_vms atvm71-redhat9.1 --build 'nightly-reboot'`},
	} {
		cmd, err := Parse("schedule add " + tc.spec + " " + tc.words)
		if err != nil {
			t.Fatalf("%q: %v", tc.words, err)
		}
		typed := planWith(t, "plan "+tc.words, testConfig())
		stored := planWith(t, SchedulePlanText(cmd.Schedule.Words), testConfig())
		if typed.Hash != stored.Hash {
			t.Errorf("%q: stored as %q, which plans to %s; typed, %s", tc.words, cmd.Schedule.Words, stored.Hash, typed.Hash)
		}
	}
}
