package main

import (
	"time"

	"github.com/atvm/atvmbot/internal/synth"
)

// named is a host whose generated spec is not named <vm>.ts: the template
// prefixes it (cmc-reboot-fc-atvm121-ubuntu24.04.ts), so the name is longer
// than the table's Spec column and wraps.
func named(prefix string, h synth.Spec) synth.Spec {
	h.Path = "cypress/e2e/generated/" + prefix + h.Machine + ".ts"
	return h
}

func d25Hosts() []synth.Spec {
	return []synth.Spec{
		named("cmc-reboot-fc-", host("atvm121-ubuntu24.04", "cmc-reboot", rebootFlow(), 0, 2100000, "")),
		named("cmc-reboot-fc-", host("atvm72-redhat9.6", "cmc-reboot", rebootFlow(), 38, 1900000, md5Err)),
		named("cmc-reboot-fc-", host("atvm5-ubuntu22.04", "cmc-reboot", rebootFlow(), 0, 6320000, "")),
		named("cmc-reboot-fc-", host("atvm9-debian12.5", "cmc-reboot", rebootFlow(), 0, 1750000, "")),
		named("cmc-reboot-fc-", host("atvm88-oracle8.10", "cmc-reboot", rebootFlow(), 1, 95000, sshErr)),
	}
}

// phantomHosts: D25 — five hosts whose specs carry a template prefix;
// JUnit, mochawesome and the wrapped table rows all name the spec, the
// scope names the machine. A finished JUnit of a machine outside the scope
// was written in the run's window as well.
func phantomHosts(root string) {
	start := ts("2026-11-17T14:00:00Z")
	hs := d25Hosts()
	vms := ""
	for i, h := range hs {
		if i > 0 {
			vms += ","
		}
		vms += h.Machine
	}
	s := newScen(root, "d25-phantom-hosts", "reboot-5vm-fc", map[string]any{"since": rfc(start), "now": rfc(start.Add(5 * time.Hour)),
		"template": "cmc-reboot", "plugin": "fc", "vms": vms})
	s.specs(hs, start.Add(-2*time.Minute))
	var paths []string
	for _, h := range hs {
		paths = append(paths, h.Path)
	}
	s.log.WriteString(synth.ExtractedLine(paths))
	synth.WriteBlock(&s.log, synth.Block{RunURL: "https://app.currents.dev/run/1117d25d25d25d25", Specs: hs, DetectedAfter: 2})
	t := start.Add(time.Minute)
	for _, h := range hs {
		s.junit(h, t)
		s.mocha(h, t)
		t = t.Add(dur(h) + 30*time.Second)
	}
	out := host("atvm300-ubuntu22.04", "cmc-reboot", rebootFlow(), 0, 600000, "")
	s.junit(out, start.Add(2*time.Minute))
	s.checkXML("test-result-reboot-5vm-fc.xml", t)
	s.writeLog(t.Add(3 * time.Second))
	s.done()
}

// phantomHostsNoLog: the same run without its runner log (R8), scope from
// the config: the real hosts carry the results, none is NOT_STARTED.
func phantomHostsNoLog(root string) {
	start := ts("2026-11-17T14:00:00Z")
	hs := d25Hosts()
	s := newScen(root, "d25-phantom-hosts-no-log", "reboot-5vm-fc", map[string]any{"since": rfc(start), "now": rfc(start.Add(5 * time.Hour)),
		"template": "cmc-reboot", "plugin": "fc"})
	s.specs(hs, start.Add(-2*time.Minute))
	t := start.Add(time.Minute)
	for _, h := range hs {
		s.junit(h, t)
		s.mocha(h, t)
		t = t.Add(dur(h) + 30*time.Second)
	}
	s.checkXML("test-result-reboot-5vm-fc.xml", t)
	s.done()
}
