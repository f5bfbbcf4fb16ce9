package results

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Scenarios for the renderer, written by hand in the shapes Reconstruct
// produces. Each states its truth apart from the golden file (D18).

var runStart = time.Date(2026, 3, 30, 17, 20, 0, 0, time.UTC) // 13:20 EDT

// at is runStart plus minutes and seconds.
func at(min, sec int) *time.Time {
	t := runStart.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
	return &t
}

const (
	currentsA = "https://app.currents.dev/run/3c9e0b7d51a2f846"
	currentsB = "https://app.currents.dev/run/91d2c44e0a7b3f18"
	currentsC = "https://app.currents.dev/run/5e6f1a2b3c4d5e6f"
)

func mustFlow(t testing.TB, spec string, g FlowGates) []string {
	t.Helper()
	steps, notes, err := TestFlow(readSpec(t, spec), g)
	if err != nil || len(notes) > 0 {
		t.Fatalf("%s: %v %q", spec, err, notes)
	}
	return steps
}

// e2ePassing: a non-categorized cmc-e2e iSCSI run over --containsVm redhat;
// the blacklisted redhat6.0 machine was skipped.
func e2ePassing(t testing.TB) Status {
	return Status{
		Build: "e2e-redhat-iscsi", Template: "cmc-e2e", State: RunCompleted,
		StartedAt: at(0, 0), EndedAt: at(71, 12),
		Hosts: []Host{
			{Name: "atvm70-redhat9.6", Status: HostPass, Tests: 20, StartedAt: at(0, 41), EndedAt: at(22, 55), DurationS: 1334, Kernel: "5.14.0-570.12.1.el9_6.x86_64"},
			{Name: "atvm71-redhat9.1", Status: HostPass, Tests: 20, StartedAt: at(22, 58), EndedAt: at(47, 30), DurationS: 1472, Kernel: "5.14.0-162.6.1.el9_1.x86_64"},
			{Name: "atvm88-redhat8.10", Status: HostPass, Tests: 20, StartedAt: at(47, 33), EndedAt: at(71, 2), DurationS: 1409, Kernel: "4.18.0-553.el8_10.x86_64"},
		},
		Skipped:      []Skip{{Name: "atvm41-redhat6.0", Reason: "CMC INSTALL - CAN'T COMPILE"}},
		CurrentsURLs: []string{currentsA},
		TestFlow:     mustFlow(t, "cmc-e2e.ts", FlowGates{Plugin: "iscsi"}), TestFlowSource: "spec",
		Notes: []string{
			"Final reporting artifacts were detected.",
			"check-xml-files.ts validation passed",
		},
		Coverage: Coverage{Template: "cmc-e2e", ConfigFile: "cypress.atvm-config-gold.ts", ConfigFamily: "gold",
			IntegrationType: "pure", Plugin: "iscsi", Flags: []string{"--ignore_force_shutdown", "--test_partition"}},
		TemplateCommand: "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --containsVm redhat " +
			"--exclude_partial_match atvm6-centos6.0 atvm41-redhat6.0 atvm73-oracle6.0 atvm113-debian9.0.0 atvm115-debian9.1.0 atvm116-debian9.2.0 atvm156-debian9.3.0 atvm144-suse15.0 " +
			"--integration_type pure --use_specified_plugin iscsi --ignore_force_shutdown --test_partition",
	}
}

const rebootExcerpt = "CypressError: `cy.exec('sshpass -e ssh -o StrictHostKeyChecking=no root@10.20.30.71 \"md5sum -c /root/tmp/fcDisk/diskname2Reboot.md5\"')` failed because the command exited with a non-zero code.\n\n" +
	"Pass `{failOnNonZeroExit: false}` to ignore exit code failures.\n\nInformation about the failure:\nCode: 1\n\nStderr:\n" +
	"md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory\n\nhttps://on.cypress.io/exec\n" +
	"    at Context.eval (webpack://cdc-e2e-cyp-12.17.4/./cypress/e2e/generated/atvm71-redhat9.1.ts:301:11)\n" +
	"    at runnable.fn (https://10.20.30.5/__cypress/runner/cypress_runner.js:160712:19)"

// rebootFailed: cmc-reboot with plugin both; atvm71 failed step 38 (the
// operators' 03-30 entry), atvm88 passed.
func rebootFailed(t testing.TB) Status {
	return Status{
		Build: "reboot-redhat8.10-both", Template: "cmc-reboot", State: RunFailed,
		StartedAt: at(0, 0), EndedAt: at(81, 10),
		Hosts: []Host{
			{Name: "atvm88-redhat8.10", Status: HostPass, Tests: 57, StartedAt: at(1, 2), DurationS: 2311.4},
			{Name: "atvm71-redhat9.1", Status: HostFail, Tests: 57, Failures: 1,
				FailedStep:     "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)",
				Error:          "md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory",
				FailureExcerpt: rebootExcerpt, DetailSource: "mochawesome",
				StartedAt: at(40, 0), EndedAt: at(81, 0), DurationS: 2460},
		},
		CurrentsURLs: []string{currentsA},
		TestFlow:     mustFlow(t, "cmc-reboot.ts", FlowGates{Plugin: "both"}), TestFlowSource: "spec",
		Notes: []string{
			"Host details were derived from reporter artifacts.",
			"atvm71-redhat9.1 logged repeated iSCSI authorization failures during the reboot window.",
		},
		Coverage: Coverage{Template: "cmc-reboot", ConfigFile: "cypress.atvm-config-gold.ts", ConfigFamily: "gold",
			IntegrationType: "pure", Plugin: "both", Flags: []string{"--ignore_force_shutdown", "--test_partition"}},
		TemplateCommand: "python3 ./cmc-templates.py --template_name cmc-reboot --config_file cypress.atvm-config-gold.ts " +
			"--specify_vms atvm71-redhat9.1,atvm88-redhat8.10 --integration_type pure --use_specified_plugin both --ignore_force_shutdown --test_partition",
		Version: "v0.3.1",
	}
}

// categorized: three groups; redhat finished (one pass, one fail), ubuntu
// running, windows not started. Windows has its own flow (D10).
func categorized(t testing.TB) Status {
	linux := mustFlow(t, "cmc-e2e.ts", FlowGates{Plugin: "fc"})
	windows := []string{"1. Verifying set up", "2. Power on and obtain ip address and host name", "3. Install CMC (Windows)", "4. Create migration session", "5. Finalize cutover", "6. Power off"}
	return Status{
		Build: "e2e-redhat9.6-ubuntu24.04-w2k25-fc", Template: "cmc-e2e", State: RunRunning, Categorized: true,
		StartedAt: at(0, 0),
		Hosts: []Host{
			{Name: "atvm70-redhat9.6", Status: HostPass, Group: "redhat", Tests: 22, StartedAt: at(0, 50)},
			{Name: "atvm71-redhat9.1", Status: HostFail, Group: "redhat", Tests: 22, Failures: 1,
				FailedStep: "1. Verifying set up", Error: "ssh: connect to host 10.20.30.71 port 22: Connection refused",
				FailureExcerpt: "CypressError: `cy.task('sshExec')` failed with the following error:\n\n> ssh: connect to host 10.20.30.71 port 22: Connection refused\n\nhttps://on.cypress.io/api/task",
				DetailSource:   "reporter-json", StartedAt: at(24, 10)},
			{Name: "atvm121-ubuntu24.04", Status: HostRunning, Group: "ubuntu", StartedAt: at(27, 30)},
			{Name: "atvm130-w2k25", Status: HostNotStarted, Group: "windows"},
		},
		Subruns: []Subrun{
			{Name: "e2e-redhat9.6-ubuntu24.04-w2k25-fc-redhat", State: SubrunFailed, Hosts: []string{"atvm70-redhat9.6", "atvm71-redhat9.1"},
				CurrentsURL: currentsA, StartedAt: at(0, 50), EndedAt: at(27, 0), Finished: true},
			{Name: "e2e-redhat9.6-ubuntu24.04-w2k25-fc-ubuntu", State: SubrunRunning, Hosts: []string{"atvm121-ubuntu24.04"},
				CurrentsURL: currentsB, StartedAt: at(27, 30)},
			{Name: "e2e-redhat9.6-ubuntu24.04-w2k25-fc-windows", State: SubrunNotStarted, Hosts: []string{"atvm130-w2k25"}},
		},
		CurrentsURLs:   []string{currentsA, currentsB},
		TestFlow:       linux,
		TestFlowSource: "spec",
		GroupFlows: map[string][]string{
			"e2e-redhat9.6-ubuntu24.04-w2k25-fc-redhat":  linux,
			"e2e-redhat9.6-ubuntu24.04-w2k25-fc-ubuntu":  linux,
			"e2e-redhat9.6-ubuntu24.04-w2k25-fc-windows": windows,
		},
		Coverage: Coverage{Template: "cmc-e2e", ConfigFile: "cypress.atvm-config-gold.ts", ConfigFamily: "gold",
			IntegrationType: "pure", Plugin: "fc", Categorized: true},
		TemplateCommand: "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts " +
			"--specify_vms atvm70-redhat9.6,atvm71-redhat9.1,atvm121-ubuntu24.04,atvm130-w2k25 --integration_type pure --use_specified_plugin fc --ignore_force_shutdown --test_partition",
		RunnerCommand: "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-redhat9.6-ubuntu24.04-w2k25-fc --categorize",
		Version:       "v0.3.1",
	}
}

// running: a live non-categorized run, 2 of 6 hosts done, one running, three
// waiting. Truth of the ETA, by hand: average of 1200 s and 1500 s = 1350 s;
// busy = 2700 s finished + 600 s of the running host = 3300 s over 3300 s of
// wall time (now = start + 55 min) → parallelism 1.0; work left = 1350 − 600
// = 750 s for the running host + 3 × 1350 s = 4800 s → ETA now + 80 min.
func running(t testing.TB) (Status, time.Time) {
	now := *at(55, 0)
	return Status{
		Build: "e2e-debian-iscsi", Template: "cmc-e2e", State: RunRunning,
		StartedAt: at(0, 0),
		Hosts: []Host{
			{Name: "atvm9-debian12.5", Status: HostPass, StartedAt: at(0, 0), DurationS: 1200},
			{Name: "atvm10-debian12.4", Status: HostPass, StartedAt: at(20, 0), DurationS: 1500},
			{Name: "atvm11-debian11.9", Status: HostRunning, StartedAt: at(45, 0)},
			{Name: "atvm12-debian11.8", Status: HostNotStarted},
		},
		Remaining:    []string{"atvm12-debian11.8", "atvm14-debian10.13", "atvm15-debian10.12"},
		Skipped:      []Skip{{Name: "atvm113-debian9.0.0", Reason: "SUPPORT REQUEST - WAITING"}, {Name: "atvm115-debian9.1.0", Reason: "SUPPORT REQUEST - WAITING"}, {Name: "atvm116-debian9.2.0", Reason: "SUPPORT REQUEST - WAITING"}, {Name: "atvm156-debian9.3.0", Reason: "RE-CREATE MIGHT BE NEEDED"}},
		CurrentsURLs: []string{currentsC},
		TestFlow:     mustFlow(t, "cmc-e2e.ts", FlowGates{Plugin: "iscsi"}), TestFlowSource: "spec",
		Coverage: Coverage{Template: "cmc-e2e", ConfigFile: "cypress.atvm-config-gold.ts", ConfigFamily: "gold", Plugin: "iscsi",
			Flags: []string{"--ignore_force_shutdown", "--test_partition"}},
		TemplateCommand: "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --containsVm debian " +
			"--exclude_partial_match atvm6-centos6.0 atvm41-redhat6.0 atvm73-oracle6.0 atvm113-debian9.0.0 atvm115-debian9.1.0 atvm116-debian9.2.0 atvm156-debian9.3.0 atvm144-suse15.0 " +
			"--use_specified_plugin iscsi --ignore_force_shutdown --test_partition",
	}, now
}

// systemOS: no plugin or integration in the command; a stray plugin value in
// Coverage must not reach the post (P9, S7).
func systemOS(t testing.TB) Status {
	return Status{
		Build: "systemos-ubuntu24.04", Template: "cmc-systemOS", State: RunCompleted,
		StartedAt: at(0, 0), EndedAt: at(38, 20),
		Hosts:        []Host{{Name: "atvm121-ubuntu24.04", Status: HostPass, Tests: 21, StartedAt: at(0, 30), EndedAt: at(38, 5)}},
		CurrentsURLs: []string{currentsB},
		TestFlow:     mustFlow(t, "cmc-systemOS.ts", FlowGates{}), TestFlowSource: "spec",
		Notes:    []string{"Recovered host details from the parent log summary."},
		Coverage: Coverage{Template: "cmc-systemOS", ConfigFile: "cypress.atvm-config-gold.ts", Plugin: "iscsi", IntegrationType: "pure"},
		TemplateCommand: "python3 ./cmc-templates.py --template_name cmc-systemOS --config_file cypress.atvm-config-gold.ts " +
			"--specify_vms atvm121-ubuntu24.04 --ignore_force_shutdown --test_partition",
	}
}

// installOnly: cmc-e2e with test-install-only; only the install steps.
func installOnly(t testing.TB) Status {
	return Status{
		Build: "e2e-ubuntu22.04-install-only", Template: "cmc-e2e", State: RunCompleted,
		StartedAt: at(0, 0), EndedAt: at(9, 40),
		Hosts:        []Host{{Name: "atvm5-ubuntu22.04", Status: HostPass, Tests: 8, StartedAt: at(0, 20), DurationS: 548}},
		CurrentsURLs: []string{currentsC},
		TestFlow:     mustFlow(t, "cmc-e2e.ts", FlowGates{Plugin: "iscsi", InstallOnly: true}), TestFlowSource: "spec",
		Coverage: Coverage{Template: "cmc-e2e", ConfigFile: "cypress.atvm-config-gold.ts", ConfigFamily: "gold",
			Plugin: "iscsi", InstallOnly: true, Flags: []string{"--ignore_force_shutdown", "--test_partition", "--test_install_only"}},
		TemplateCommand: "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --specify_vms atvm5-ubuntu22.04 " +
			"--use_specified_plugin iscsi --test_install_only --ignore_force_shutdown --test_partition",
	}
}

// fcHung: the 03-08 entry: a Pure FC cmc-e2e run passed and uploaded, then
// the runner hung with a defunct cypress-cloud child and was stopped (D3).
func fcHung(t testing.TB) Status {
	return Status{
		Build: "e2e-redhat9.7-fc", Template: "cmc-e2e", State: RunHung, Hung: true,
		StartedAt: at(0, 0), EndedAt: at(24, 30),
		Hosts:        []Host{{Name: "atvm77-redhat9.7", Status: HostPass, Tests: 22, StartedAt: at(0, 35), EndedAt: at(23, 50)}},
		CurrentsURLs: []string{currentsA},
		TestFlow:     mustFlow(t, "cmc-e2e.ts", FlowGates{Plugin: "fc"}), TestFlowSource: "spec",
		Coverage: Coverage{Template: "cmc-e2e", ConfigFile: "cypress.atvm-config-gold.ts", ConfigFamily: "gold", IntegrationType: "pure", Plugin: "fc"},
		TemplateCommand: "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --containsVm redhat9.7 " +
			"--exclude_partial_match atvm6-centos6.0 atvm41-redhat6.0 atvm73-oracle6.0 atvm113-debian9.0.0 atvm115-debian9.1.0 atvm116-debian9.2.0 atvm156-debian9.3.0 atvm144-suse15.0 " +
			"--integration_type pure --use_specified_plugin fc --ignore_force_shutdown --test_partition",
	}
}

var distros = []string{"redhat9.1", "ubuntu22.04", "debian12.5", "oracle8.10", "suse15.5", "w2k22", "centos7.9", "rocky9.3"}

// bigFailing is a run of n hosts that all failed with long errors.
func bigFailing(t testing.TB, n int) Status {
	st := rebootFailed(t)
	st.Build = fmt.Sprintf("reboot-fleet-%d-both", n)
	st.Hosts = nil
	for i := 0; i < n; i++ {
		st.Hosts = append(st.Hosts, Host{
			Name:   fmt.Sprintf("atvm%d-%s", 200+i, distros[i%len(distros)]),
			Status: HostFail, Tests: 57, Failures: 1,
			FailedStep:     "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)",
			Error:          fmt.Sprintf("md5sum: /root/tmp/fcDisk/diskname2Reboot-%d.md5: No such file or directory", i),
			FailureExcerpt: strings.ReplaceAll(rebootExcerpt, "diskname2Reboot.md5", fmt.Sprintf("diskname2Reboot-%d.md5", i)),
			DetailSource:   "mochawesome",
			StartedAt:      at(i*3, 0), DurationS: float64(1500 + i%7*60),
		})
	}
	st.EndedAt = at(n*3+30, 0)
	return st
}
