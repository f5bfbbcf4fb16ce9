package main

import (
	"time"

	"github.com/atvm/atvmbot/internal/synth"
)

// finishedInRunningGroup: D21 — a categorized run. The Red Hat group ran
// its three specs in one batch (cypress-cloud's default batch size) and has
// finished; its middle spec failed. In the Ubuntu group, run one spec at a
// time, two specs have finished (one passed, one failed, each with its own
// (Run Finished) row, complete JUnit and reporter end marker) while the
// third is still running: the two are PASS and FAIL, the group RUNNING.
func finishedInRunningGroup(root string) {
	start := ts("2026-11-18T13:00:00Z")
	tpl := "cmc-e2e"
	s := newScen(root, "d21-finished-host-running-group", "e2e-batch-iscsi", map[string]any{"since": rfc(start), "ps": "ps.txt",
		"template": tpl, "plugin": "iscsi", "categorized": true,
		"vms":            "atvm71-redhat9.1,atvm72-redhat9.2,atvm73-redhat9.3,atvm5-ubuntu22.04,atvm6-ubuntu20.04,atvm121-ubuntu24.04",
		"runner-command": "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-batch-iscsi --categorize"})
	rh := []synth.Spec{
		host("atvm71-redhat9.1", tpl, e2eFlow, 0, 1200000, ""),
		host("atvm72-redhat9.2", tpl, e2eFlow, 10, 900000, cmotionErr),
		host("atvm73-redhat9.3", tpl, e2eFlow, 0, 1300000, ""),
	}
	ub := []synth.Spec{
		host("atvm5-ubuntu22.04", tpl, e2eFlow, 0, 1400000, ""),
		host("atvm6-ubuntu20.04", tpl, e2eFlow, 1, 95000, sshErr),
		host("atvm121-ubuntu24.04", tpl, e2eFlow, 0, 1400000, ""),
	}
	all := append(append([]synth.Spec{}, rh...), ub...)
	var paths []string
	for _, h := range all {
		paths = append(paths, h.Path)
		s.File("atvm/"+h.Path, synth.SpecTS(h), start.Add(-2*time.Minute))
	}
	s.File("atvm/cypress.atvm-config-gold.ts", synth.ConfigTS([]string{ub[0].Path, ub[1].Path, ub[2].Path}), start.Add(70*time.Minute))
	s.log.WriteString(synth.ExtractedLine(paths))
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/1118000000000001", Specs: rh, BatchSize: 3, DetectedAfter: -1,
		BuildIDLine: "Starting grouped run: npx cypress-cloud run --parallel --record --batch-size 3 --ci-build-id e2e-batch-iscsi-redhat"})
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/1118000000000002", Specs: ub, Running: 3,
		BuildIDLine: "Starting grouped run: npx cypress-cloud run --parallel --record --batch-size 1 --ci-build-id e2e-batch-iscsi-ubuntu"})
	t := start.Add(time.Minute)
	for _, h := range rh {
		s.junit(h, t)
		s.repJSON(synth.Report{Spec: h, Build: s.build + "-redhat", Start: t, Finished: true}, synth.ShapeDict)
		t = t.Add(dur(h) + 30*time.Second)
	}
	s.checkXML("test-result-e2e-batch-iscsi-redhat.xml", t)
	t = t.Add(time.Minute)
	for _, h := range ub[:2] {
		s.junit(h, t)
		s.repJSON(synth.Report{Spec: h, Build: s.build + "-ubuntu", Start: t, Finished: true}, synth.ShapeDict)
		t = t.Add(dur(h) + 30*time.Second)
	}
	s.repJSON(synth.Report{Spec: ub[2], Build: s.build + "-ubuntu", Start: t, Finished: false}, synth.ShapeDict)
	now := t.Add(10 * time.Minute)
	s.meta["now"] = rfc(now)
	s.writeLog(now.Add(-20 * time.Second))
	s.File("ps.txt", []byte(`    PID    PPID STAT  ELAPSED COMMAND
   8001       1 S        9000 python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name e2e-batch-iscsi --categorize
   8002    8001 Sl        900 npm exec cypress-cloud run --parallel --record --key [REDACTED] --batch-size 3 --ci-build-id e2e-batch-iscsi-ubuntu
   8010    8002 Sl        890 /root/.cache/Cypress/12.17.4/Cypress/Cypress --no-sandbox -- --run-project /root/cdc-e2e-cyp-12.17.4
`), now)
	s.done()
}
