package main

import (
	"bytes"
	"time"

	"github.com/atvm/atvmbot/internal/synth"
)

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
