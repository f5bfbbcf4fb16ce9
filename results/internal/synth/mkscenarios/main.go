// Command mkscenarios writes the controller-shaped replay scenarios under
// results/testdata/scenarios: the artifacts, meta.json (the replay flags),
// mtimes.json and ps.txt. Each scenario's truth.json is written by hand and
// is never touched here.
//
//	go run ./results/internal/synth/mkscenarios results/testdata/scenarios
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/atvm/atvmbot/results/internal/synth"
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
		buildIDMismatch, liveCategorized, badInput} {
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

func groupedCheckXML0327(root string) {
	start := ts("2026-03-27T18:00:00Z")
	s := newScen(root, "r4-grouped-checkxml-0327", "reboot-rh-ub-iscsi", map[string]any{"since": rfc(start), "now": rfc(start.Add(4 * time.Hour)),
		"template": "cmc-reboot", "plugin": "iscsi", "categorized": true, "vms": "atvm71-redhat9.1,atvm72-redhat9.2,atvm5-ubuntu22.04"})
	f1 := host("atvm71-redhat9.1", "cmc-reboot", rebootFlow(), 1, 95000, sshErr)
	p2 := host("atvm72-redhat9.2", "cmc-reboot", rebootFlow(), 0, 2400000, "")
	u := host("atvm5-ubuntu22.04", "cmc-reboot", rebootFlow(), 0, 2500000, "")
	s.specs([]synth.Spec{f1, p2, u}, start.Add(-2*time.Minute))
	s.log.WriteString(synth.ExtractedLine([]string{f1.Path, p2.Path, u.Path}))
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/0327000000000001", Specs: []synth.Spec{f1, p2}, DetectedAfter: -1})
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/0327000000000002", Specs: []synth.Spec{u}, DetectedAfter: -1})
	// A stale PASS of atvm71 from the day before: outside the window (R1).
	old := host("atvm71-redhat9.1", "cmc-reboot", rebootFlow(), 0, 2400000, "")
	s.repJSON(synth.Report{Spec: old, Build: "reboot-old-redhat", Start: start.Add(-20 * time.Hour), Finished: true}, synth.ShapeStats)
	t := start.Add(2 * time.Minute)
	s.repJSON(synth.Report{Spec: f1, Build: s.build + "-redhat", Start: t, Finished: true}, synth.ShapeEventLog)
	t = t.Add(dur(f1) + 20*time.Second)
	s.repJSON(synth.Report{Spec: p2, Build: s.build + "-redhat", Start: t, Finished: true}, synth.ShapeEventLog)
	t = t.Add(dur(p2) + 20*time.Second)
	s.checkXML("test-result-reboot-rh-ub-iscsi-redhat.xml", t)
	t = t.Add(time.Minute)
	s.repJSON(synth.Report{Spec: u, Build: s.build + "-ubuntu", Start: t, Finished: true}, synth.ShapeEventLog)
	t = t.Add(dur(u) + 20*time.Second)
	s.checkXML("test-result-reboot-rh-ub-iscsi-ubuntu.xml", t)
	s.writeLog(t.Add(2 * time.Second))
	s.done()
}

func missingLog(root string) {
	start := ts("2026-03-27T13:00:00Z")
	s := newScen(root, "r8-missing-log-pass", "e2e-redhat9.7-fc", map[string]any{"since": rfc(start), "now": rfc(start.Add(3 * time.Hour)),
		"template": "cmc-e2e", "plugin": "fc", "posted-urls": "https://app.currents.dev/run/0327feedbeefcafe"})
	a := host("atvm97-redhat9.7", "cmc-e2e", e2eFlow, 0, 1500000, "")
	b := host("atvm98-redhat9.7", "cmc-e2e", e2eFlow, 0, 1600000, "")
	s.specs([]synth.Spec{a, b}, start.Add(-2*time.Minute))
	t := start.Add(time.Minute)
	for _, h := range []synth.Spec{a, b} {
		r := synth.Report{Spec: h, Build: s.build, Start: t, Finished: true}
		s.repJSON(r, synth.ShapeStats)
		s.repTXT(r)
		t = t.Add(dur(h) + 30*time.Second)
	}
	s.checkXML("test-result-e2e-redhat9.7-fc.xml", t)
	s.done()
}

func categorizedNoLog(root string) {
	start := ts("2026-03-30T17:20:00Z")
	s := newScen(root, "r8-categorized-no-log", "reboot-redhat-iscsi", map[string]any{"since": rfc(start), "now": rfc(start.Add(3 * time.Hour)),
		"template": "cmc-reboot", "plugin": "iscsi", "categorized": true, "vms": "atvm71-redhat9.1,atvm72-redhat9.2"})
	f1 := host("atvm71-redhat9.1", "cmc-reboot", rebootFlow(), 1, 95000, sshErr)
	p2 := host("atvm72-redhat9.2", "cmc-reboot", rebootFlow(), 0, 2400000, "")
	s.specs([]synth.Spec{f1, p2}, start.Add(-2*time.Minute))
	t := start.Add(3 * time.Minute)
	s.repJSON(synth.Report{Spec: f1, Build: s.build + "-redhat", Start: t, Finished: true}, synth.ShapeList)
	t = t.Add(dur(f1) + 20*time.Second)
	s.repJSON(synth.Report{Spec: p2, Build: s.build + "-redhat", Start: t, Finished: true}, synth.ShapeList)
	t = t.Add(dur(p2) + 20*time.Second)
	s.checkXML("test-result-reboot-redhat-iscsi-redhat.xml", t)
	s.done()
}

func hung(root string) {
	start := ts("2026-03-08T10:00:00Z")
	s := newScen(root, "w4-hung", "e2e-redhat9.7-pure-fc", map[string]any{"since": rfc(start), "now": rfc(start.Add(90 * time.Minute)),
		"template": "cmc-e2e", "plugin": "fc", "vms": "atvm97-redhat9.7", "ps": "ps.txt",
		"runner-command": "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-redhat9.7-pure-fc"})
	h := host("atvm97-redhat9.7", "cmc-e2e", e2eFlow[:1], 0, 1800000, "")
	s.specs([]synth.Spec{h}, start.Add(-2*time.Minute))
	s.log.WriteString(synth.ExtractedLine([]string{h.Path}))
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/0308deadbeef0001", Specs: []synth.Spec{h}, DetectedAfter: -1})
	t := start.Add(time.Minute)
	s.junit(h, t)
	s.repJSON(synth.Report{Spec: h, Build: s.build, Start: t, Finished: true}, synth.ShapeDict)
	s.writeLog(t.Add(dur(h) + 30*time.Second)) // about 58 minutes before "now"
	s.File("ps.txt", []byte(`    PID    PPID STAT  ELAPSED COMMAND
      1       0 Ss      91234 /sbin/init
   4100       1 Ss       5400 bash -c cd /root/cdc-e2e-cyp-12.17.4 && setsid nohup python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-redhat9.7-pure-fc
   4101    4100 S        5400 python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-redhat9.7-pure-fc
   4122    4101 Z        5390 [npm exec cypress] <defunct>
   5000       1 Ss      80000 /usr/sbin/sshd -D
`), start.Add(90*time.Minute))
	s.done()
}

func staleNewest(root string) {
	start := ts("2026-03-11T09:00:00Z")
	s := newScen(root, "r1-stale-newest", "e2e-2vm-iscsi", map[string]any{"since": rfc(start), "now": rfc(start.Add(3 * time.Hour)),
		"template": "cmc-e2e", "plugin": "iscsi", "vms": "atvm71-redhat9.1,atvm72-redhat9.2"})
	a := host("atvm71-redhat9.1", "cmc-e2e", e2eFlow, 0, 1500000, "")
	aFail := host("atvm71-redhat9.1", "cmc-e2e", e2eFlow, 6, 500000, cmotionErr)
	b := host("atvm72-redhat9.2", "cmc-e2e", e2eFlow, 0, 1400000, "")
	bOld := host("atvm72-redhat9.2", "cmc-e2e", e2eFlow, 3, 300000, sshErr)
	s.specs([]synth.Spec{a, b}, start.Add(-2*time.Minute))
	s.junit(bOld, start.Add(-6*time.Hour)) // yesterday's failure: before the run start
	t := start.Add(time.Minute)
	s.junit(aFail, t) // first attempt crashed after its reporters flushed
	s.mocha(aFail, t)
	t = t.Add(dur(aFail) + 10*time.Second)
	s.junit(a, t) // the retry passed: newest wins (R1)
	s.mocha(a, t)
	t = t.Add(dur(a) + 20*time.Second)
	s.junit(b, t)
	t = t.Add(dur(b) + 20*time.Second)
	s.checkXML("test-result-e2e-2vm-iscsi.xml", t)
	s.done()
}

func buildIDMismatch(root string) {
	start := ts("2026-04-10T12:00:00Z")
	s := newScen(root, "r10-build-id-mismatch", "e2e-rh-ub-iscsi", map[string]any{"since": rfc(start), "now": rfc(start.Add(3 * time.Hour)),
		"template": "cmc-e2e", "plugin": "iscsi", "categorized": true, "vms": "atvm71-redhat9.1,atvm5-ubuntu22.04"})
	rh := host("atvm71-redhat9.1", "cmc-e2e", e2eFlow, 0, 1300000, "")
	ub := host("atvm5-ubuntu22.04", "cmc-e2e", e2eFlow, 0, 1250000, "")
	s.specs([]synth.Spec{rh, ub}, start.Add(-2*time.Minute))
	s.log.WriteString(synth.ExtractedLine([]string{rh.Path, ub.Path}))
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/1010000000000001", Specs: []synth.Spec{rh}, DetectedAfter: -1,
		BuildIDLine: "cypress-cloud: --ci-build-id e2e-rh-ub-iscsi-redhat"})
	// The runner reused the first group's label for the Ubuntu batch.
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/1010000000000002", Specs: []synth.Spec{ub}, DetectedAfter: -1,
		BuildIDLine: "cypress-cloud: --ci-build-id e2e-rh-ub-iscsi-redhat"})
	t := start.Add(time.Minute)
	s.junit(rh, t)
	t = t.Add(dur(rh) + time.Minute)
	s.junit(ub, t)
	s.writeLog(t.Add(dur(ub) + time.Minute))
	s.done()
}

func liveCategorized(root string) {
	start := ts("2026-03-16T08:00:00Z")
	s := newScen(root, "r2-live-categorized", "e2e-3group-iscsi", map[string]any{"since": rfc(start), "ps": "ps.txt",
		"template": "cmc-e2e", "plugin": "iscsi", "categorized": true,
		"vms":            "atvm71-redhat9.1,atvm72-redhat9.2,atvm5-ubuntu22.04,atvm6-ubuntu20.04,atvm90-suse15.4",
		"runner-command": "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-3group-iscsi --categorize"})
	rh := []synth.Spec{host("atvm71-redhat9.1", "cmc-e2e", e2eFlow, 0, 1200000, ""), host("atvm72-redhat9.2", "cmc-e2e", e2eFlow, 0, 1500000, "")}
	ub := []synth.Spec{host("atvm5-ubuntu22.04", "cmc-e2e", e2eFlow, 0, 1400000, ""), host("atvm6-ubuntu20.04", "cmc-e2e", e2eFlow, 0, 1400000, "")}
	su := host("atvm90-suse15.4", "cmc-e2e", e2eFlow, 0, 1400000, "")
	all := []synth.Spec{rh[0], rh[1], ub[0], ub[1], su}
	for _, h := range all {
		s.File("atvm/"+h.Path, synth.SpecTS(h), start.Add(-2*time.Minute))
	}
	// The categorized runner rewrote the config to the current batch (R2).
	s.File("atvm/cypress.atvm-config-gold.ts", synth.ConfigTS([]string{ub[0].Path, ub[1].Path}), start.Add(50*time.Minute))
	s.log.WriteString(synth.ExtractedLine([]string{rh[0].Path, rh[1].Path, ub[0].Path, ub[1].Path, su.Path}))
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/0316000000000001", Specs: rh, DetectedAfter: -1})
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/0316000000000002", Specs: ub, Running: 2})
	t := start.Add(time.Minute)
	for _, h := range rh {
		s.repJSON(synth.Report{Spec: h, Build: s.build + "-redhat", Start: t, Finished: true}, synth.ShapeDict)
		t = t.Add(dur(h) + 30*time.Second)
	}
	s.checkXML("test-result-e2e-3group-iscsi-redhat.xml", t)
	t = t.Add(time.Minute)
	s.repJSON(synth.Report{Spec: ub[0], Build: s.build + "-ubuntu", Start: t, Finished: true}, synth.ShapeDict)
	t = t.Add(dur(ub[0]) + 30*time.Second)
	s.repJSON(synth.Report{Spec: ub[1], Build: s.build + "-ubuntu", Start: t, Finished: false}, synth.ShapeDict)
	now := t.Add(10 * time.Minute)
	s.meta["now"] = rfc(now)
	s.writeLog(now.Add(-20 * time.Second))
	s.File("ps.txt", []byte(`    PID    PPID STAT  ELAPSED COMMAND
   7001       1 S        9000 python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-3group-iscsi --categorize
   7002    7001 Sl        600 npm exec cypress-cloud run --parallel --record --key [REDACTED] --ci-build-id e2e-3group-iscsi-ubuntu
   7010    7002 Sl        590 /root/.cache/Cypress/12.17.4/Cypress/Cypress --no-sandbox -- --run-project /root/cdc-e2e-cyp-12.17.4
`), now)
	s.done()
}

func badInput(root string) {
	start := ts("2026-05-02T10:00:00Z")
	s := newScen(root, "bad-input", "e2e-bad-input", map[string]any{"since": rfc(start), "now": rfc(start.Add(3 * time.Hour)),
		"template": "cmc-e2e", "plugin": "iscsi", "vms": "atvm71-redhat9.1,atvm72-redhat9.2,atvm73-redhat9.3"})
	a := host("atvm71-redhat9.1", "cmc-e2e", e2eFlow, 0, 1500000, "")
	b := host("atvm72-redhat9.2", "cmc-e2e", e2eFlow, 0, 1500000, "")
	c := host("atvm73-redhat9.3", "cmc-e2e", e2eFlow, 0, 1500000, "")
	s.specs([]synth.Spec{a, b, c}, start.Add(-2*time.Minute))
	t := start.Add(time.Minute)
	name, xml := synth.JUnit(a, t)
	s.File("atvm/cypress/results/"+name, xml[:len(xml)*2/3], t.Add(dur(a))) // truncated XML
	mname, _ := synth.Mochawesome(b, t, edt)
	bin := make([]byte, 4096)
	for i := range bin {
		bin[i] = byte(i*131 + 7)
	}
	s.File("atvm/cypress/cmcReporter/mochawesome/"+mname, bin, t.Add(dur(b))) // binary garbage
	rname, rjs := synth.ReporterJSON(synth.Report{Spec: c, Build: s.build, Start: t, Finished: true}, synth.ShapeDict)
	rjs = bytes.Replace(rjs, []byte(`"passed"`), []byte("\"pa\xff\xfessed\""), 3)
	s.File("atvm/cypress/cmcReporter/logs/atvm73-redhat9.3/"+rname, rjs[:len(rjs)-40], t.Add(dur(c))) // invalid UTF-8, cut
	s.File("tmp/e2e-bad-input.log", nil, t.Add(dur(c)))                                               // empty runner log
	s.done()
}
