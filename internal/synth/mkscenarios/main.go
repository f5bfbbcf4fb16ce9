// Command mkscenarios writes the controller-shaped replay scenarios under
// results/testdata/scenarios: the artifacts, meta.json (the replay flags),
// mtimes.json and ps.txt. Each scenario's truth.json is written by hand and
// is never touched here.
//
//	go run ./internal/synth/mkscenarios results/testdata/scenarios
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/atvm/atvmbot/internal/synth"
)

var edt = time.FixedZone("EDT", -4*3600)

var e2eFlow = []string{
	"1. Verifying set up", "2. Power on and obtain ip address and host name", "3. Uninstall CMC if still exists",
	"4. Setting up disk on the host", "5. Copy CMC install command from GUI", "6. Install CMC", "7. Create migration session",
	"8. Tracking Changes", "9. Trigger cmotion and do I/O test before actual cutover", "10. Verify data for cmotion",
	"11. Trigger revert cmotion and do I/O test before and during cmotion", "12. Verify data for revert cmotion",
	"13. Trigger cmotion again", "14. Finalize cutover", "15. Create migration report", "16. Delete migration session",
	"17. Verify local destination disk", "18. Remove enabled FC integration", "19. Remove host and volumes",
	"20. Uninstall CMC", "21. Clean up iSCSI targets", "22. Power off",
}

func rebootFlow() []string {
	var out []string
	for i := 1; i <= 40; i++ {
		t := fmt.Sprintf("%d. Reboot validation step %d", i, i)
		switch i {
		case 1:
			t = "1. Verifying set up"
		case 36:
			t = "36. Write diskname2Reboot file and md5 before reboot"
		case 37:
			t = "37. Write diskname2Reboot file and md5 after reboot"
		case 38:
			t = "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)"
		}
		out = append(out, t)
	}
	return out
}

func migrateFlow() []string {
	var out []string
	for i := 1; i <= 17; i++ {
		out = append(out, fmt.Sprintf("%d. Compute migration step %d", i, i))
	}
	out[10] = "11. Verify data for cmotion"
	return out
}

const (
	md5Err     = "CypressError: `cy.exec('sshpass -e ssh -o StrictHostKeyChecking=no root@10.20.30.71 \"md5sum -c /root/tmp/fcDisk/diskname2Reboot.md5\"')` failed because the command exited with a non-zero code.\n\nPass `{failOnNonZeroExit: false}` to ignore exit code failures.\n\nInformation about the failure:\nCode: 1\n\nStderr:\nmd5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory\n\nhttps://on.cypress.io/exec"
	sshErr     = "CypressError: `cy.task('sshExec')` failed with the following error:\n\n> ssh: connect to host 10.20.30.71 port 22: Connection refused\n\nhttps://on.cypress.io/api/task"
	cmotionErr = "CypressError: `cy.exec('md5sum -c /root/tmp/iscsiDisk/diskname1Disk.md5')` failed because the command exited with a non-zero code.\n\nPass `{failOnNonZeroExit: false}` to ignore exit code failures.\n\nInformation about the failure:\nCode: 1\n\nStderr:\nmd5sum: WARNING: 1 computed checksum did NOT match\n\nhttps://on.cypress.io/exec"
	authNoise  = "iscsid[2210]: connection1:0 login rejected: auth error encountered, retrying (1/3)"
)

// host builds a spec: flow steps, failAt (1-based step index, 0 = pass)
// fails that step and leaves the rest pending.
func host(machine, template string, flow []string, failAt int, durMS int64, errText string) synth.Spec {
	s := synth.Spec{Path: "cypress/e2e/generated/" + machine + ".ts", Machine: machine, Template: template, Error: errText}
	per := durMS / int64(len(flow))
	for i, t := range flow {
		st := synth.Step{Title: t, State: "passed", DurationMS: per}
		if failAt > 0 && i+1 == failAt {
			st.State = "failed"
		} else if failAt > 0 && i+1 > failAt {
			st.State, st.DurationMS = "pending", 0
		}
		s.Steps = append(s.Steps, st)
	}
	if failAt == 0 {
		s.Steps[len(s.Steps)-1].DurationMS += durMS - per*int64(len(flow))
	}
	return s
}

func dur(s synth.Spec) time.Duration { return time.Duration(s.Row().DurationMS) * time.Millisecond }

type scen struct {
	*synth.Tree
	build string
	meta  map[string]any
	log   bytes.Buffer
}

func newScen(root, name, build string, meta map[string]any) *scen {
	dir := filepath.Join(root, name)
	for _, sub := range []string{"atvm", "tmp"} {
		os.RemoveAll(filepath.Join(dir, sub))
	}
	os.Remove(filepath.Join(dir, "ps.txt"))
	os.Remove(filepath.Join(dir, "inventory.md"))
	meta["build"] = build
	meta["atvm-root"] = "atvm"
	meta["tmp-dir"] = "tmp"
	return &scen{Tree: synth.NewTree(dir), build: build, meta: meta}
}

func (s *scen) specs(hosts []synth.Spec, at time.Time) {
	var paths []string
	for _, h := range hosts {
		paths = append(paths, h.Path)
		s.File("atvm/"+h.Path, synth.SpecTS(h), at)
	}
	s.File("atvm/cypress.atvm-config-gold.ts", synth.ConfigTS(paths), at)
}

func (s *scen) junit(h synth.Spec, start time.Time) {
	name, data := synth.JUnit(h, start)
	s.File("atvm/cypress/results/"+name, data, start.Add(dur(h)).Add(2*time.Second))
}

func (s *scen) checkXML(name string, at time.Time) {
	s.File("atvm/cypress/results/"+name, synth.CheckXMLJUnit(at.Add(-2*time.Second)), at)
}

func (s *scen) mocha(h synth.Spec, start time.Time) {
	name, data := synth.Mochawesome(h, start, edt)
	s.File("atvm/cypress/cmcReporter/mochawesome/"+name, data, start.Add(dur(h)).Add(3*time.Second))
}

func (s *scen) repJSON(r synth.Report, shape int) {
	name, data := synth.ReporterJSON(r, shape)
	s.File("atvm/cypress/cmcReporter/logs/"+r.Spec.Machine+"/"+name, data, r.Start.Add(dur(r.Spec)).Add(time.Second))
}

func (s *scen) repTXT(r synth.Report) {
	name, data := synth.ReporterTXT(r)
	s.File("atvm/cypress/cmcReporter/logs/"+r.Spec.Machine+"/"+name, data, r.Start.Add(dur(r.Spec)).Add(time.Second))
}

func (s *scen) writeLog(mtime time.Time) {
	s.File("tmp/"+s.build+".log", s.log.Bytes(), mtime)
}

func (s *scen) done() {
	s.JSON("meta.json", s.meta)
	s.WriteMtimes()
	if s.Err != nil {
		fmt.Fprintln(os.Stderr, s.Dir, s.Err)
		os.Exit(1)
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func main() {
	root := "results/testdata/scenarios"
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	for _, f := range []func(string){lateRow0415, windowsDrift0416, wrappedS0422, falsePass0424, dictEvents0429,
		authNoise0330, mochaPairing0331, groupedCheckXML0327, missingLog, categorizedNoLog, hung, staleNewest,
		buildIDMismatch, liveCategorized, badInput, phantomHosts, phantomHostsNoLog, finishedInRunningGroup} {
		f(root)
	}
}

func lateRow0415(root string) {
	start := ts("2026-04-15T14:00:00Z")
	s := newScen(root, "r9-late-row-0415", "e2e-3vm-iscsi", map[string]any{"since": rfc(start), "now": rfc(start.Add(3 * time.Hour)),
		"template": "cmc-e2e", "plugin": "iscsi", "vms": "atvm71-redhat9.1,atvm5-ubuntu22.04,atvm9-debian12.5",
		"template-command": "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --specify_vms atvm71-redhat9.1,atvm5-ubuntu22.04,atvm9-debian12.5 --use_specified_plugin iscsi --ignore_force_shutdown --test_partition",
		"runner-command":   "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-3vm-iscsi",
		"inventory":        "inventory.md"})
	hs := []synth.Spec{
		host("atvm71-redhat9.1", "cmc-e2e", e2eFlow, 0, 1820400, ""),
		host("atvm5-ubuntu22.04", "cmc-e2e", e2eFlow, 0, 1650300, ""),
		host("atvm9-debian12.5", "cmc-e2e", e2eFlow, 10, 921000, cmotionErr),
	}
	s.specs(hs, start.Add(-2*time.Minute))
	s.log.WriteString(synth.ExtractedLine([]string{hs[0].Path, hs[1].Path, hs[2].Path}))
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/3c9e0b7d51a2f846", Specs: hs, DetectedAfter: 1})
	t := start.Add(time.Minute)
	for _, h := range hs {
		s.junit(h, t)
		s.repJSON(synth.Report{Spec: h, Build: s.build, Start: t, Finished: true}, synth.ShapeEventLog)
		t = t.Add(dur(h) + 40*time.Second)
	}
	s.checkXML("test-result-e2e-3vm-iscsi.xml", t)
	s.writeLog(t.Add(5 * time.Second))
	s.File("inventory.md", []byte("# VM inventory\n\n| VM | OS | Kernel |\n|---|---|---|\n| atvm71-redhat9.1 | RHEL 9.1 | 5.14.0-162.6.1.el9_1.x86_64 |\n| atvm5-ubuntu22.04 | Ubuntu 22.04 | 5.15.0-105-generic |\n| atvm9-debian12.5 | Debian 12.5 | 6.1.0-18-amd64 |\n"), start.Add(-48*time.Hour))
	s.done()
}

func windowsDrift0416(root string) {
	start := ts("2026-04-16T13:00:00Z")
	s := newScen(root, "r9-windows-drift-0416", "e2e-redhat-w2k25-fc", map[string]any{"since": rfc(start), "now": rfc(start.Add(4 * time.Hour)),
		"template": "cmc-e2e", "plugin": "fc", "categorized": true, "vms": "atvm71-redhat9.1,atvm72-redhat9.2,atvm200-w2k25",
		"runner-command": "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-redhat-w2k25-fc --categorize"})
	lin := []synth.Spec{host("atvm71-redhat9.1", "cmc-e2e", e2eFlow, 0, 1320000, ""), host("atvm72-redhat9.2", "cmc-e2e", e2eFlow, 0, 1410000, "")}
	win := []synth.Spec{host("atvm200-w2k25", "cmc-e2e", e2eFlow, 0, 2110000, "")}
	s.specs(append(append([]synth.Spec{}, lin...), win...), start.Add(-2*time.Minute))
	s.log.WriteString(synth.ExtractedLine([]string{lin[0].Path, lin[1].Path, win[0].Path}))
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/aa00000000000001", Specs: lin, DetectedAfter: -1,
		BuildIDLine: "Starting grouped run: npx cypress-cloud run --parallel --record --ci-build-id e2e-redhat-w2k25-fc-redhat"})
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/aa00000000000002", Specs: win, DetectedAfter: -1,
		BuildIDLine: "Starting grouped run: npx cypress-cloud run --parallel --record --ci-build-id e2e-redhat-w2k25-fc-windows"})
	t := start.Add(time.Minute)
	for _, h := range lin {
		s.junit(h, t)
		s.repJSON(synth.Report{Spec: h, Build: s.build + "-redhat", Start: t, Finished: true}, synth.ShapeDict)
		t = t.Add(dur(h) + 30*time.Second)
	}
	s.checkXML("test-result-e2e-redhat-w2k25-fc-redhat.xml", t)
	t = t.Add(2 * time.Minute)
	s.junit(win[0], t)
	s.repJSON(synth.Report{Spec: win[0], Build: s.build + "-windows", Start: t, Finished: true}, synth.ShapeDict)
	t = t.Add(dur(win[0]) + 30*time.Second)
	s.checkXML("test-result-e2e-redhat-w2k25-fc-windows.xml", t)
	s.writeLog(t.Add(3 * time.Second))
	s.done()
}

func wrappedS0422(root string) {
	start := ts("2026-04-22T15:00:00Z")
	tpl := "cmc-migrateops-compute-migration"
	s := newScen(root, "r9-wrapped-s-0422", "migrate-4vm-vmware", map[string]any{"since": rfc(start), "now": rfc(start.Add(4 * time.Hour)),
		"template": tpl, "plugin": "none",
		"template-command": "python3 ./cmc-templates.py --template_name cmc-migrateops-compute-migration --config_file cypress.atvm-config-gold.ts --containsVm redhat9 --exclude_partial_match atvm6-centos6.0,atvm41-redhat6.0 --ignore_force_shutdown --vm_platforms vmware --test_partition --set_static_ip_dest"})
	hs := []synth.Spec{
		host("atvm71-redhat9.1", tpl, migrateFlow(), 0, 973900, ""),
		host("atvm72-redhat9.2", tpl, migrateFlow(), 0, 2335900, ""),
		host("atvm73-redhat9.3", tpl, migrateFlow(), 0, 61000, ""),
		host("atvm74-redhat9.4", tpl, migrateFlow(), 0, 1516400, ""),
	}
	s.specs(hs, start.Add(-2*time.Minute))
	s.log.WriteString(synth.ExtractedLine([]string{hs[0].Path, hs[1].Path, hs[2].Path, hs[3].Path}))
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/0422aaaabbbbcccc", Specs: hs, DetectedAfter: -1})
	t := start.Add(time.Minute)
	for _, h := range hs {
		s.repJSON(synth.Report{Spec: h, Build: s.build, Start: t, Finished: true}, synth.ShapeDict)
		t = t.Add(dur(h) + 20*time.Second)
	}
	s.checkXML("test-result-migrate-4vm-vmware.xml", t)
	s.writeLog(t.Add(4 * time.Second))
	s.meta["skip"] = []string{"atvm6-centos6.0=CMC INSTALL - CAN'T COMPILE"}
	s.done()
}

func falsePass0424(root string) {
	start := ts("2026-04-24T12:00:00Z")
	tpl := "cmc-migrateops-compute-migration"
	s := newScen(root, "r3-categorized-false-pass-0424", "migrate-redhat-ubuntu", map[string]any{"since": rfc(start), "now": rfc(start.Add(3 * time.Hour)),
		"template": tpl, "plugin": "none", "categorized": true, "vms": "atvm71-redhat9.1,atvm121-ubuntu24.04"})
	rh := host("atvm71-redhat9.1", tpl, migrateFlow(), 0, 1200000, "")
	ub := host("atvm121-ubuntu24.04", tpl, migrateFlow(), 11, 800000, cmotionErr)
	s.specs([]synth.Spec{rh, ub}, start.Add(-2*time.Minute))
	s.log.WriteString(synth.ExtractedLine([]string{rh.Path, ub.Path}))
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/0424000000000001", Specs: []synth.Spec{rh}, DetectedAfter: -1})
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/0424000000000002", Specs: []synth.Spec{ub}, DetectedAfter: -1})
	t := start.Add(time.Minute)
	s.repJSON(synth.Report{Spec: rh, Build: s.build + "-redhat", Start: t, Finished: true}, synth.ShapeDict)
	t = t.Add(dur(rh) + 30*time.Second)
	s.checkXML("test-result-migrate-redhat-ubuntu-redhat.xml", t)
	t = t.Add(time.Minute)
	// The Ubuntu group's only XML is the bookkeeping one, failures="0": the
	// trap that produced the false PASS.
	t = t.Add(dur(ub) + 30*time.Second)
	s.checkXML("test-result-migrate-redhat-ubuntu-ubuntu.xml", t)
	s.writeLog(t.Add(2 * time.Second))
	s.done()
}

func dictEvents0429(root string) {
	start := ts("2026-04-29T16:00:00Z")
	tpl := "cmc-migrateops-compute-migration"
	s := newScen(root, "r5-dict-events-0429", "migrate-ubuntu22.04", map[string]any{"since": rfc(start), "now": rfc(start.Add(2 * time.Hour)),
		"template": tpl, "plugin": "none", "vms": "atvm5-ubuntu22.04"})
	h := host("atvm5-ubuntu22.04", tpl, migrateFlow(), 11, 1300000, "exec: md5sum -c /root/tmp/iscsiDisk/diskname1Disk.md5 exited 1")
	s.specs([]synth.Spec{h}, start.Add(-2*time.Minute))
	t := start.Add(90 * time.Second)
	r := synth.Report{Spec: h, Build: s.build, Start: t, Finished: true}
	s.repJSON(r, synth.ShapeDict)
	s.repTXT(r)
	s.checkXML("test-result-migrate-ubuntu22.04.xml", t.Add(dur(h)+time.Minute))
	s.done() // the runner log was never written
}

func authNoise0330(root string) {
	start := ts("2026-03-30T19:00:00Z")
	s := newScen(root, "r6-auth-error-pass-0330", "reboot-redhat8.10-iscsi", map[string]any{"since": rfc(start), "now": rfc(start.Add(2 * time.Hour)),
		"template": "cmc-reboot", "plugin": "iscsi", "vms": "atvm81-redhat8.10"})
	h := host("atvm81-redhat8.10", "cmc-reboot", rebootFlow(), 0, 2900000, "")
	s.specs([]synth.Spec{h}, start.Add(-2*time.Minute))
	s.log.WriteString(synth.ExtractedLine([]string{h.Path}))
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/0330a0b0c0d0e0f0", Specs: []synth.Spec{h}, DetectedAfter: -1})
	t := start.Add(time.Minute)
	s.repTXT(synth.Report{Spec: h, Build: s.build, Start: t, Finished: true, Noise: authNoise})
	s.writeLog(t.Add(dur(h) + time.Minute))
	s.done()
}

func mochaPairing0331(root string) {
	start := ts("2026-03-31T14:00:00Z")
	s := newScen(root, "r7-mochawesome-pairing-0331", "reboot-redhat-both", map[string]any{"since": rfc(start), "now": rfc(start.Add(3 * time.Hour)),
		"template": "cmc-reboot", "plugin": "both", "vms": "atvm71-redhat9.1,atvm88-oracle8.10"})
	a := host("atvm71-redhat9.1", "cmc-reboot", rebootFlow(), 38, 1800000, md5Err)
	b := host("atvm88-oracle8.10", "cmc-reboot", rebootFlow(), 38, 1700000, strings.ReplaceAll(md5Err, "10.20.30.71", "10.20.30.88"))
	s.specs([]synth.Spec{a, b}, start.Add(-2*time.Minute))
	t := start.Add(time.Minute)
	s.mocha(a, t)
	s.repJSON(synth.Report{Spec: a, Build: s.build, Start: t, Finished: true}, synth.ShapeEventLog)
	t = t.Add(dur(a) + 30*time.Second)
	// atvm88: an older attempt left mochawesome blaming step 36, while the
	// reporter has step 38: the reporter's step is kept (R7).
	b36 := b
	b36.Steps = append([]synth.Step(nil), b.Steps...)
	b36.Steps[35].State, b36.Steps[37].State = "failed", "pending"
	s.mocha(b36, t)
	s.repJSON(synth.Report{Spec: b, Build: s.build, Start: t, Finished: true}, synth.ShapeEventLog)
	t = t.Add(dur(b) + 30*time.Second)
	s.checkXML("test-result-reboot-redhat-both.xml", t)
	s.done()
}
