package results

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the operators' zone on any machine (D11)
)

// checkRenderGolden compares a rendering with testdata/render/<name>; the
// package's -update flag rewrites it.
func checkRenderGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "render", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got ---\n%s", name, got)
	}
}

func ny(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

type goldenCase struct {
	name string
	st   Status
	opt  RenderOptions
	// The scenario's truth, stated by hand (D18).
	verdict string   // the SUMMARY's emoji and word
	lines   []string // lines that must appear whole in the post
	absent  []string // text that must not appear anywhere
	parts   int      // how many posts
}

func goldenCases(t *testing.T) []goldenCase {
	loc := ny(t)
	run, now := running(t)
	return []goldenCase{
		{
			name: "e2e_passing", st: e2ePassing(t), opt: RenderOptions{Location: loc, Kind: Final, Version: "v0.3.1"},
			verdict: "✅ PASSED",
			lines: []string{
				"**SUMMARY:** ✅ PASSED — 3 passed · 0 failed · 0 running · 0 remaining · 1 skipped — [Currents run](" + currentsA + ")",
				"- atvm71-redhat9.1 - PASS (kernel `5.14.0-162.6.1.el9_1.x86_64`)",
				"- atvm41-redhat6.0 - SKIPPED - CMC INSTALL - CAN'T COMPILE",
				"**TEST FLOW:** 20 steps, from the generated spec",
				"- 4\\. Setting up iSCSI disk on the host",
			},
			absent: []string{"reporting artifacts", "validation passed", "FAILURE NOTES", "Remaining:"},
			parts:  1,
		},
		{
			name: "reboot_failed", st: rebootFailed(t), opt: RenderOptions{Location: loc, Kind: Final},
			verdict: "❌ FAILED",
			lines: []string{
				"- atvm71-redhat9.1 - FAIL - 38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test) — md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory",
				"- atvm88-redhat8.10 - PASS",
				"md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory",
				"**TEST FLOW:** 57 steps, from the generated spec",
				"- atvm71-redhat9.1 logged repeated iSCSI authorization failures during the reboot window.",
				"###### atvmbot v0.3.1",
			},
			absent: []string{"at Context.eval", "cypress_runner.js", "derived from reporter"},
			parts:  1,
		},
		{
			name: "subrun_redhat", st: categorized(t),
			opt:     RenderOptions{Location: loc, Kind: SubrunResult, Subrun: "e2e-redhat9.6-ubuntu24.04-w2k25-fc-redhat", Now: *at(28, 0)},
			verdict: "❌ FAILED",
			lines: []string{
				"#### e2e-redhat9.6-ubuntu24.04-w2k25-fc — sub-run e2e-redhat9.6-ubuntu24.04-w2k25-fc-redhat",
				"**SUMMARY:** ❌ FAILED — 1 passed · 1 failed · 0 running · 0 remaining · 0 skipped — [Currents run](" + currentsA + ")",
				"- atvm71-redhat9.1 - FAIL - 1. Verifying set up — ssh: connect to host 10.20.30.71 port 22: Connection refused",
				"- Whole run so far: 1 passed · 1 failed · 1 running · 1 remaining — 1 of 3 sub-runs finished",
				"**TEST FLOW:** 22 steps, from the generated spec",
				"- Categorize mode: enabled",
			},
			absent: []string{"atvm121-ubuntu24.04 - RUNNING", "- atvm130-w2k25", currentsB, "3. Install CMC (Windows)", "`--categorize`"},
			parts:  1,
		},
		{
			name: "running_eta", st: run, opt: RenderOptions{Location: loc, Kind: Live, Now: now},
			verdict: "🔄 RUNNING",
			lines: []string{
				"- atvm11-debian11.9 - RUNNING",
				"- atvm12-debian11.8 - NOT_STARTED",
				"- atvm15-debian10.12 - NOT_STARTED",
				"- Elapsed: 55m (as of 2026-03-30 14:15:00 EDT)",
				"- Host runtime: quickest 20m (atvm9-debian12.5) · longest 25m (atvm10-debian12.4) · average 22m 30s over 2 hosts",
				"- ETA for the whole remaining run: 2026-03-30 15:35 EDT, in about 1h 20m (4 hosts left, about 22m 30s each, one host at a time)",
			},
			absent: []string{"End:", "Total:"},
			parts:  1,
		},
		{
			name: "systemos_passing", st: systemOS(t), opt: RenderOptions{Location: loc, Kind: Final, Version: "v0.3.1"},
			verdict: "✅ PASSED",
			lines: []string{
				"- Template: `cmc-systemOS`",
				"- Options: `--ignore_force_shutdown` `--test_partition`",
				"**TEST FLOW:** 21 steps, from the generated spec",
				"- Host runtime: 37m 35s (atvm121-ubuntu24.04, the only finished host)",
			},
			absent: []string{"Plugin:", "Integration:", "parent log summary"},
			parts:  1,
		},
		{
			name: "e2e_install_only", st: installOnly(t), opt: RenderOptions{Location: loc, Kind: Final, Version: "v0.3.1"},
			verdict: "✅ PASSED",
			lines: []string{
				"**TEST FLOW:** 8 steps, from the generated spec",
				"- 7\\. Verify CMC services are running",
				"- 8\\. Power off",
				"- Install only: yes",
			},
			absent: []string{"Create migration session", "Finalize cutover"},
			parts:  1,
		},
		{
			name: "e2e_fc_flow_hung", st: fcHung(t), opt: RenderOptions{Location: loc, Kind: Final, Version: "v0.3.1"},
			verdict: "✅ PASSED",
			lines: []string{
				"**TEST FLOW:** 22 steps, from the generated spec",
				"- 18\\. Remove enabled FC integration",
				"- 22\\. Power off",
				"- Plugin: fc",
				"- The runner hung after the results were uploaded; the bot recorded the results and stopped it.",
			},
			absent: []string{"Setting up iSCSI disk", "20 steps"},
			parts:  1,
		},
	}
}

func TestRender_Golden(t *testing.T) {
	for _, tc := range goldenCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			parts := RenderMarkdown(tc.st, tc.opt)
			if len(parts) != tc.parts {
				t.Fatalf("got %d parts, want %d", len(parts), tc.parts)
			}
			post := parts[0]
			if !strings.Contains(post, "**SUMMARY:** "+tc.verdict+" ") {
				t.Errorf("verdict: want %q in\n%s", tc.verdict, post)
			}
			lines := map[string]bool{}
			for _, l := range strings.Split(post, "\n") {
				lines[l] = true
			}
			for _, l := range tc.lines {
				if !lines[l] {
					t.Errorf("missing line %q", l)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(post, a) {
					t.Errorf("must not contain %q", a)
				}
			}
			checkRenderGolden(t, tc.name+".md", post)
		})
	}
}

func TestRender_Golden_Text(t *testing.T) {
	got := RenderText(rebootFailed(t), RenderOptions{Location: ny(t), Kind: Final})
	for _, want := range []string{
		"reboot-redhat8.10-both\n",
		"SUMMARY: ❌ FAILED — 1 passed · 1 failed · 0 running · 0 remaining · 0 skipped — Currents run: " + currentsA,
		"  atvm71-redhat9.1 - FAIL - 38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test) — md5sum:",
		"\natvmbot v0.3.1",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("text rendering lacks %q", want)
		}
	}
	for _, bad := range []string{"**", "\\.", "####", "```"} {
		if strings.Contains(got, bad) {
			t.Errorf("text rendering holds markdown %q", bad)
		}
	}
	checkRenderGolden(t, "reboot_failed.txt", got)
}

var sectionLabel = regexp.MustCompile(`(?m)^\*\*(SUMMARY|HOSTS|TIMING|COVERAGE|TEST FLOW|NOTES|FAILURE NOTES):\*\*`)

func TestRender_S3_SectionOrder(t *testing.T) {
	for _, tc := range goldenCases(t) {
		post := RenderMarkdown(tc.st, tc.opt)[0]
		var got []string
		for _, m := range sectionLabel.FindAllStringSubmatch(post, -1) {
			got = append(got, m[1])
		}
		want := []string{"SUMMARY", "HOSTS", "TIMING", "COVERAGE", "TEST FLOW", "NOTES"}
		if tc.verdict == "❌ FAILED" {
			want = append(want, "FAILURE NOTES")
		}
		if d := diffList(want, got); d != "" {
			t.Errorf("%s: sections (-want +got):\n%s", tc.name, d)
		}
		if title := "#### " + mdEsc(tc.st.Build); !strings.HasPrefix(post, title) {
			t.Errorf("%s: the post must open with the build name as title %q", tc.name, title)
		}
	}
}

// hostsBlock returns the HOSTS section's lines of a markdown post.
func hostsBlock(post string) []string {
	start := strings.Index(post, "**HOSTS:**")
	end := strings.Index(post, "**TIMING:**")
	if start < 0 || end < start {
		return nil
	}
	return strings.Split(strings.TrimSpace(post[start:end]), "\n")
}

func TestRender_S4_OneMachinePerLine(t *testing.T) {
	run, now := running(t)
	post := RenderMarkdown(run, RenderOptions{Location: ny(t), Now: now})[0]
	block := hostsBlock(post)
	want := []string{
		"**HOSTS:**",
		"- atvm9-debian12.5 - PASS",
		"- atvm10-debian12.4 - PASS",
		"- atvm11-debian11.9 - RUNNING",
		"",
		"_Skipped (blacklisted):_",
		"- atvm113-debian9.0.0 - SKIPPED - SUPPORT REQUEST - WAITING",
		"- atvm115-debian9.1.0 - SKIPPED - SUPPORT REQUEST - WAITING",
		"- atvm116-debian9.2.0 - SKIPPED - SUPPORT REQUEST - WAITING",
		"- atvm156-debian9.3.0 - SKIPPED - RE-CREATE MIGHT BE NEEDED",
		"",
		"_Remaining:_",
		"- atvm12-debian11.8 - NOT_STARTED",
		"- atvm14-debian10.13 - NOT_STARTED",
		"- atvm15-debian10.12 - NOT_STARTED",
	}
	if d := diffList(want, block); d != "" {
		t.Errorf("HOSTS (-want +got):\n%s", d)
	}

	// A failed machine: name, FAIL, failing step and short error on its line.
	fail := RenderMarkdown(rebootFailed(t), RenderOptions{Location: ny(t)})[0]
	n := 0
	for _, l := range hostsBlock(fail) {
		if strings.HasPrefix(l, "- atvm71-redhat9.1 - FAIL - 38. Verify diskname2Reboot") && strings.HasSuffix(l, "No such file or directory") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("want exactly one failure line for atvm71-redhat9.1 in\n%s", strings.Join(hostsBlock(fail), "\n"))
	}
}

func TestRender_S5_FailureNotesAndNoBookkeeping(t *testing.T) {
	st := rebootFailed(t)
	st.Notes = append(st.Notes,
		"Run finished and one or more sub-run result artifacts were detected.",
		"systemctl reset-failed atvm-run-watcher@x.service: Unit not loaded.",
		"check-xml-files.ts validation passed",
		"Child build id e2e-x-windows did not match its hosts; reported as the redhat group.",
	)
	post := RenderMarkdown(st, RenderOptions{Location: ny(t)})[0]
	notes := post[strings.Index(post, "**NOTES:**"):strings.Index(post, "**FAILURE NOTES:**")]
	for _, want := range []string{
		"- Template command: `" + st.TemplateCommand + "`", // exact, untrimmed (P17)
		"- Currents run: " + currentsA,
		"- atvm71-redhat9.1 logged repeated iSCSI authorization failures during the reboot window.",
		"- Child build id e2e-x-windows did not match its hosts; reported as the redhat group.",
	} {
		if !strings.Contains(notes, want+"\n") {
			t.Errorf("NOTES lacks %q:\n%s", want, notes)
		}
	}
	for _, bad := range []string{"artifacts were detected", "reset-failed", "validation passed", "derived from reporter"} {
		if strings.Contains(post, bad) {
			t.Errorf("bookkeeping %q reached the post", bad)
		}
	}
	failures := post[strings.Index(post, "**FAILURE NOTES:**"):]
	want := "**atvm71-redhat9.1** — 38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test) (mochawesome)\n```\n" +
		"CypressError: `cy.exec('sshpass -e ssh -o StrictHostKeyChecking=no root@10.20.30.71 \"md5sum -c /root/tmp/fcDisk/diskname2Reboot.md5\"')` failed because the command exited with a non-zero code.\n\n" +
		"Information about the failure:\nCode: 1\n\nStderr:\n" +
		"md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory\n```"
	if !strings.Contains(failures, want) {
		t.Errorf("FAILURE NOTES: want\n%s\ngot\n%s", want, failures)
	}
	for _, bad := range []string{" at ", "failOnNonZeroExit", "on.cypress.io"} {
		if strings.Contains(failures, bad) {
			t.Errorf("stack frame or boilerplate %q kept in FAILURE NOTES:\n%s", bad, failures)
		}
	}
}

func TestRender_S6_TimingAndWholeRunETA(t *testing.T) {
	run, now := running(t)
	ComputeTiming(&run, now)
	tm := run.Timing
	wantETA := runStart.Add(135 * time.Minute) // by hand, see running()
	if tm.ETA == nil || !tm.ETA.Equal(wantETA) {
		t.Errorf("ETA = %v, want %v", tm.ETA, wantETA)
	}
	if tm.HostsLeft != 4 || tm.Parallelism != 1.0 || tm.AverageS != 1350 || tm.QuickestS != 1200 || tm.LongestS != 1500 {
		t.Errorf("timing = %+v", tm)
	}
	if tm.ElapsedS != 3300 {
		t.Errorf("elapsed = %v, want 3300", tm.ElapsedS)
	}

	// Parallel hosts: two at once halve the ETA.
	par := Status{State: RunRunning, StartedAt: at(0, 0), Hosts: []Host{
		{Name: "a", Status: HostPass, StartedAt: at(0, 0), DurationS: 600},
		{Name: "b", Status: HostPass, StartedAt: at(0, 0), DurationS: 600},
		{Name: "c", Status: HostNotStarted}, {Name: "d", Status: HostNotStarted},
	}}
	ComputeTiming(&par, *at(10, 0))
	if par.Timing.Parallelism != 2 || par.Timing.ETA == nil || !par.Timing.ETA.Equal(*at(20, 0)) {
		t.Errorf("parallel: %+v eta %v, want parallelism 2 and ETA start+20m", par.Timing, par.Timing.ETA)
	}

	// A finished run has an end and a total, and no ETA.
	done := rebootFailed(t)
	ComputeTiming(&done, time.Time{})
	if done.Timing.ETA != nil || done.Timing.ElapsedS != 81*60+10 {
		t.Errorf("finished: %+v", done.Timing)
	}
	post := RenderMarkdown(done, RenderOptions{Location: ny(t)})[0]
	for _, l := range []string{"- Start: 2026-03-30 13:20:00 EDT", "- End: 2026-03-30 14:41:10 EDT", "- Total: 1h 21m 10s"} {
		if !strings.Contains(post, l+"\n") {
			t.Errorf("TIMING lacks %q", l)
		}
	}
	if strings.Contains(post, "ETA") {
		t.Errorf("a finished run shows an ETA")
	}
}

// S6: grouped host durations come from the host timestamp sequence, not n/a.
func TestComputeTiming_S6_InferredFromSequence(t *testing.T) {
	st := categorized(t)
	st.State = RunCompleted
	st.Hosts = st.Hosts[:2] // the redhat group: no durations, no ends recorded
	ComputeTiming(&st, time.Time{})
	// atvm70 ran from 0:50 to the next start 24:10; atvm71 from 24:10 to the
	// group's end 27:00.
	if st.Timing.TimedHosts != 2 || st.Timing.LongestS != 23*60+20 || st.Timing.QuickestS != 2*60+50 {
		t.Errorf("inferred timing = %+v", st.Timing)
	}
	if st.Timing.QuickestHost != "atvm71-redhat9.1" || st.Timing.LongestHost != "atvm70-redhat9.6" {
		t.Errorf("hosts = %q / %q", st.Timing.QuickestHost, st.Timing.LongestHost)
	}
}

func TestRender_S7_CoverageOnlyUsedInputs(t *testing.T) {
	post := RenderMarkdown(systemOS(t), RenderOptions{Location: ny(t)})[0]
	cov := post[strings.Index(post, "**COVERAGE:**"):strings.Index(post, "**TEST FLOW:**")]
	want := "**COVERAGE:**\n- Template: `cmc-systemOS`\n- Config file: `cypress.atvm-config-gold.ts`\n- Config family: gold\n- Options: `--ignore_force_shutdown` `--test_partition`\n\n"
	if cov != want {
		t.Errorf("systemOS COVERAGE:\n%q\nwant\n%q", cov, want)
	}

	// Categorized: "Categorize mode" once, never --categorize again; no host
	// list; the plugin-bearing template shows integration and plugin.
	cat := RenderMarkdown(categorized(t), RenderOptions{Location: ny(t)})[0]
	cov = cat[strings.Index(cat, "**COVERAGE:**"):strings.Index(cat, "**TEST FLOW:**")]
	for _, w := range []string{"- Integration: pure\n", "- Plugin: fc\n", "- Categorize mode: enabled\n", "- Options: `--ignore_force_shutdown` `--test_partition`\n"} {
		if !strings.Contains(cov, w) {
			t.Errorf("categorized COVERAGE lacks %q:\n%s", w, cov)
		}
	}
	for _, bad := range []string{"--categorize", "atvm70", "--specify_vms", "scope"} {
		if strings.Contains(cov, bad) {
			t.Errorf("COVERAGE holds %q:\n%s", bad, cov)
		}
	}

	// Coverage derived from the command alone when nothing else is known.
	bare := Status{Build: "b", State: RunCompleted, TemplateCommand: "python3 ./cmc-templates.py --template_name cmc-migrateops-compute-migration --config_file cypress.atvm-config-silver.ts --specify_vms atvm88-oracle8.10 --ignore_force_shutdown --vm_platforms vmware --test_partition --set_static_ip_dest"}
	post = RenderMarkdown(bare, RenderOptions{Location: ny(t)})[0]
	for _, w := range []string{"- Template: `cmc-migrateops-compute-migration`\n", "- Config family: silver\n", "- Options: `--ignore_force_shutdown` `--vm_platforms vmware` `--test_partition` `--set_static_ip_dest`\n"} {
		if !strings.Contains(post, w) {
			t.Errorf("derived COVERAGE lacks %q", w)
		}
	}
}

func TestRender_S1_CategorizedWhole(t *testing.T) {
	st := categorized(t)
	post := RenderMarkdown(st, RenderOptions{Location: ny(t), Kind: Live, Now: *at(40, 0)})[0]
	for _, l := range []string{
		"**SUMMARY:** 🔄 RUNNING — 1 passed · 1 failed · 1 running · 1 remaining · 0 skipped — Currents: [e2e-redhat9.6-ubuntu24.04-w2k25-fc-redhat](" + currentsA + ") · [e2e-redhat9.6-ubuntu24.04-w2k25-fc-ubuntu](" + currentsB + ")",
		"- atvm70-redhat9.6 - PASS",
		"- atvm121-ubuntu24.04 - RUNNING",
		"- atvm130-w2k25 - NOT_STARTED",
		"**TEST FLOW:** per group, from the generated spec",
		"_e2e-redhat9.6-ubuntu24.04-w2k25-fc-windows (6 steps):_",
		"- 3\\. Install CMC (Windows)",
	} {
		if !strings.Contains(post, l+"\n") {
			t.Errorf("whole-run post lacks %q", l)
		}
	}
	// Every batch's hosts, each once.
	for _, h := range []string{"atvm70-redhat9.6", "atvm71-redhat9.1", "atvm121-ubuntu24.04", "atvm130-w2k25"} {
		if n := strings.Count(strings.Join(hostsBlock(post), "\n"), "- "+h+" - "); n != 1 {
			t.Errorf("%s listed %d times", h, n)
		}
	}
	// The final summary is titled as such.
	st.State = RunFailed
	final := RenderMarkdown(st, RenderOptions{Location: ny(t), Kind: Final})[0]
	if !strings.HasPrefix(final, "#### e2e-redhat9.6-ubuntu24.04-w2k25-fc — final summary\n") {
		t.Errorf("final summary title: %q", strings.SplitN(final, "\n", 2)[0])
	}
}

func TestRender_InconclusiveNeverGreen(t *testing.T) {
	tests := []struct {
		name  string
		st    Status
		wantV string
	}{
		{"no results at all", Status{Build: "b", State: RunCompleted, Remaining: []string{"atvm1-x"}}, "⚠️ INCONCLUSIVE"},
		{"no hosts", Status{Build: "b", State: RunCompleted}, "⚠️ INCONCLUSIVE"},
		{"pass plus unknown", Status{Build: "b", State: RunCompleted, Hosts: []Host{{Name: "a", Status: HostPass}, {Name: "c", Status: HostUnknown}}}, "⚠️ INCONCLUSIVE"},
		{"pass plus never started", Status{Build: "b", State: RunCompleted, Hosts: []Host{{Name: "a", Status: HostPass}, {Name: "c", Status: HostNotStarted}}}, "⚠️ INCONCLUSIVE"},
		{"hung with nothing", Status{Build: "b", State: RunHung}, "⏸️ HUNG"},
		{"failed state no results", Status{Build: "b", State: RunFailed}, "⚠️ INCONCLUSIVE"},
		{"cancelled", Status{Build: "b", State: RunCancelled, Hosts: []Host{{Name: "a", Status: HostPass}}}, "🛑 CANCELLED"},
		{"all passed", Status{Build: "b", State: RunCompleted, Hosts: []Host{{Name: "a", Status: HostPass}}}, "✅ PASSED"},
	}
	for _, tc := range tests {
		post := RenderMarkdown(tc.st, RenderOptions{Location: ny(t)})[0]
		if !strings.Contains(post, "**SUMMARY:** "+tc.wantV+" ") {
			t.Errorf("%s: want %s in\n%s", tc.name, tc.wantV, strings.SplitN(post, "\n", 4)[2])
		}
		if tc.wantV != "✅ PASSED" && strings.Contains(post, "✅") {
			t.Errorf("%s: green in a post that is not a pass", tc.name)
		}
	}
}

func TestRender_D10_FlowNotAvailable(t *testing.T) {
	st := e2ePassing(t)
	st.TestFlow, st.TestFlowSource = nil, ""
	post := RenderMarkdown(st, RenderOptions{Location: ny(t)})[0]
	if !strings.Contains(post, "\n**TEST FLOW:** not available\n") {
		t.Errorf("want TEST FLOW: not available, got\n%s", post)
	}
	st.TestFlow, st.TestFlowSource = []string{"1. Verifying set up"}, "static"
	post = RenderMarkdown(st, RenderOptions{Location: ny(t)})[0]
	if !strings.Contains(post, "**TEST FLOW:** 1 step, the template's static flow (no generated spec could be read)\n- 1\\. Verifying set up\n") {
		t.Errorf("static flow not labelled:\n%s", post)
	}
}

func TestRender_D11_TimesInOperatorsZone(t *testing.T) {
	st := e2ePassing(t)
	nyPost := RenderMarkdown(st, RenderOptions{})[0] // default zone
	if !strings.Contains(nyPost, "- Start: 2026-03-30 13:20:00 EDT\n") {
		t.Errorf("default zone is not America/New_York:\n%s", nyPost)
	}
	utc := RenderMarkdown(st, RenderOptions{Location: time.UTC})[0]
	if !strings.Contains(utc, "- Start: 2026-03-30 17:20:00 UTC\n") {
		t.Errorf("display.timezone not honoured")
	}
}

func TestRender_W7_CorrectionSupersedes(t *testing.T) {
	link := "https://chat.example.com/atvm/pl/8xq1c5ktgfbqdm3ndqwq5ow3ae"
	post := RenderMarkdown(rebootFailed(t), RenderOptions{Location: ny(t), Kind: Correction, SupersedesLink: link})[0]
	want := "#### reboot-redhat8.10-both\n\n⚠️ **CORRECTION:** this result supersedes [the earlier result post](" + link + "), which was wrong.\n\n**SUMMARY:**"
	if !strings.HasPrefix(post, want) {
		t.Errorf("correction post opens with\n%s", post[:min(len(post), 300)])
	}
}
