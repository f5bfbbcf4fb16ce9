package controller

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// fetchRun starts a fake run "now" in controller time.
func (e *env) fetchRun(t testing.TB, build string) RunRef {
	t.Helper()
	now, err := e.c.Clock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // files written next are newer than the start
	return RunRef{ID: "run-" + build, Build: build, Start: now}
}

func deltasByPath(fr FetchResult) map[string]Delta {
	m := map[string]Delta{}
	for _, d := range fr.Deltas {
		m[d.Path] = d
	}
	return m
}

func mustWrite(t testing.TB, p, s string, appendTo bool) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(p, flag, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestFetch_D5_TruncatedFileReread(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			ctx := ctxT(t)
			run := e.fetchRun(t, "fetch-d5")
			logP := filepath.Join(e.tmp, "fetch-d5.log")
			xmlP := filepath.Join(e.root, "cypress/results/test-result-0a1b.xml")
			txtP := filepath.Join(e.root, "cypress/cmcReporter/logs/atvm9-debian12.5/atvm9-debian12.5-2026-05-11T14-02-07-118Z.txt")
			oldP := filepath.Join(e.root, "cypress/results/test-result-old.xml")
			mustWrite(t, oldP, "<old/>", false)
			old := run.Start.Add(-time.Hour)
			if err := os.Chtimes(oldP, old, old); err != nil { // from an earlier run
				t.Fatal(err)
			}
			mustWrite(t, logP, "line1\n", false)
			mustWrite(t, xmlP, "<a/>", false)
			mustWrite(t, txtP, "host: atvm9\n", false)

			fr, err := e.c.Fetch(ctx, run)
			if err != nil {
				t.Fatal(err)
			}
			d := deltasByPath(fr)
			if len(d) != 3 || string(d[logP].Data) != "line1\n" || string(d[xmlP].Data) != "<a/>" || !d[xmlP].Whole {
				t.Fatalf("first poll: %+v", fr.Deltas)
			}
			if _, ok := d[oldP]; ok {
				t.Error("a file older than the run start was fetched")
			}

			mustWrite(t, logP, "line2\n", true)
			mustWrite(t, xmlP, "<a><b/></a>", false)
			fr, err = e.c.Fetch(ctx, run)
			if err != nil {
				t.Fatal(err)
			}
			d = deltasByPath(fr)
			if got := d[logP]; got.Offset != 6 || string(got.Data) != "line2\n" || got.Whole {
				t.Errorf("appended log: %+v, want only the new line from offset 6", got)
			}
			if got := d[xmlP]; !got.Whole || string(got.Data) != "<a><b/></a>" {
				t.Errorf("rewritten xml: %+v, want it whole", got)
			}
			if _, ok := d[txtP]; ok {
				t.Error("unchanged transcript fetched again")
			}

			// truncated and rewritten shorter: read whole again (D5)
			mustWrite(t, logP, "new\n", false)
			fr, err = e.c.Fetch(ctx, run)
			if err != nil {
				t.Fatal(err)
			}
			if got := deltasByPath(fr)[logP]; !got.Whole || !got.Truncated || got.Offset != 0 || string(got.Data) != "new\n" {
				t.Errorf("truncated log: %+v, want it whole and marked truncated", got)
			}

			fr, err = e.c.Fetch(ctx, run)
			if err != nil {
				t.Fatal(err)
			}
			if len(fr.Deltas) != 0 || fr.RoundTrips != 1 {
				t.Errorf("idle poll: %d deltas in %d round trips, want none in 1", len(fr.Deltas), fr.RoundTrips)
			}

			// a restarted bot with the same store re-reads nothing
			c2 := New(e.c.T, e.cfg, e.c.Watch, nil, e.c.Offsets, zerolog.Nop())
			fr, err = c2.Fetch(ctx, run)
			if err != nil {
				t.Fatal(err)
			}
			if len(fr.Deltas) != 0 {
				t.Errorf("restarted bot fetched %d files again", len(fr.Deltas))
			}
			mustWrite(t, txtP, "TEST START 1\n", true)
			fr, err = c2.Fetch(ctx, run)
			if err != nil {
				t.Fatal(err)
			}
			if got := deltasByPath(fr)[txtP]; string(got.Data) != "TEST START 1\n" || got.Offset != int64(len("host: atvm9\n")) {
				t.Errorf("after restart: %+v", got)
			}
		})
	}
}

// writeHosts writes n hosts' worth of finished artifacts; returns their bytes.
func writeHosts(t testing.TB, root string, n int, tag string) int64 {
	var total int64
	for i := 0; i < n; i++ {
		vm := fmt.Sprintf("atvm%d-debian12.%d", i, i%10)
		files := map[string]string{
			"cypress/results/test-result-" + vm + tag + ".xml":                          strings.Repeat("<testcase/>", 200),
			"cypress/cmcReporter/mochawesome/" + vm + tag + ".html":                     strings.Repeat("&quot;x&quot;", 400),
			"cypress/cmcReporter/logs/" + vm + "/" + vm + "-2026-05-11" + tag + ".json": strings.Repeat(`{"a":1}`, 300),
			"cypress/cmcReporter/logs/" + vm + "/" + vm + "-2026-05-11" + tag + ".txt":  strings.Repeat("TEST PASS x\n", 100),
		}
		for rel, s := range files {
			mustWrite(t, filepath.Join(root, rel), s, false)
			total += int64(len(s))
		}
	}
	return total
}

func TestFetch_RoundTripsPerPoll(t *testing.T) {
	for _, tg := range targets(t, true) {
		t.Run(tg.name, func(t *testing.T) {
			e := newEnv(t, tg)
			run := e.fetchRun(t, "fetch-500")
			total := writeHosts(t, e.root, 500, "")
			fr, err := e.c.Fetch(ctxT(t), run)
			if err != nil {
				t.Fatal(err)
			}
			if fr.RoundTrips > 3 {
				t.Errorf("%d round trips for 500 hosts, want ≤ 3", fr.RoundTrips)
			}
			if len(fr.Deltas) != 2000 || fr.DataBytes != total {
				t.Errorf("got %d files, %d bytes; want 2000 files, %d bytes", len(fr.Deltas), fr.DataBytes, total)
			}
			if float64(fr.WireBytes) > 1.1*float64(total) {
				t.Errorf("wire bytes %d > 1.1 × %d", fr.WireBytes, total)
			}
			fr, err = e.c.Fetch(ctxT(t), run)
			if err != nil {
				t.Fatal(err)
			}
			if fr.RoundTrips != 1 || len(fr.Deltas) != 0 {
				t.Errorf("idle poll: %d round trips, %d deltas", fr.RoundTrips, len(fr.Deltas))
			}
		})
	}
}

// BenchmarkFetch500Hosts plays a 500-host run over 25 polls (hosts run
// three polls each, their transcripts growing, their XML/HTML/JSON written
// when they finish; the runner log grows every poll) and reports round
// trips per poll and the bytes fetched over the whole run relative to the
// artifacts' final bytes. Over SSH (as the non-root user) when sshd runs.
func BenchmarkFetch500Hosts(b *testing.B) {
	tg := target{name: "local"}
	for _, s := range sshds {
		if s.env["SSH_USER"] != "root" {
			tg = target{name: s.name, sshd: s}
		}
	}
	const hosts, polls = 500, 25
	var rtPerPoll, wireRatio, dataRatio float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b, tg)
		run := e.fetchRun(b, fmt.Sprintf("bench-%d", i))
		logP := filepath.Join(e.tmp, run.Build+".log")
		b.StartTimer()
		var rt, wire, data int64
		for p := 0; p < polls; p++ {
			b.StopTimer()
			mustWrite(b, logP, strings.Repeat("Running: spec (n/500)\n", 50), true)
			for h := 0; h < hosts; h++ {
				start := h * (polls - 3) / hosts
				if p < start || p >= start+3 {
					continue
				}
				vm := fmt.Sprintf("atvm%d-debian12.%d", h, h%10)
				dir := filepath.Join(e.root, "cypress/cmcReporter/logs", vm)
				mustWrite(b, filepath.Join(dir, vm+"-2026.txt"), strings.Repeat("TEST PASS x\n", 40), true)
				if p == start+2 {
					mustWrite(b, filepath.Join(dir, vm+"-2026.json"), strings.Repeat(`{"a":1}`, 300), false)
					mustWrite(b, filepath.Join(e.root, "cypress/results/test-result-"+vm+".xml"), strings.Repeat("<testcase/>", 200), false)
					mustWrite(b, filepath.Join(e.root, "cypress/cmcReporter/mochawesome/"+vm+".html"), strings.Repeat("&quot;x&quot;", 400), false)
				}
			}
			// Real polls are 30 s apart; a short gap keeps the benchmark quick
			// while letting the listing watermark move past the last poll.
			time.Sleep(300 * time.Millisecond)
			b.StartTimer()
			fr, err := e.c.Fetch(context.Background(), run)
			if err != nil {
				b.Fatal(err)
			}
			rt += int64(fr.RoundTrips)
			wire += fr.WireBytes
			data += fr.DataBytes
		}
		b.StopTimer()
		var artifacts int64
		_ = filepath.Walk(e.base, func(p string, fi os.FileInfo, err error) error {
			if err == nil && fi.Mode().IsRegular() && (strings.Contains(p, "/cypress/") || p == logP) {
				artifacts += fi.Size()
			}
			return nil
		})
		rtPerPoll = float64(rt) / polls
		wireRatio = float64(wire) / float64(artifacts)
		dataRatio = float64(data) / float64(artifacts)
		b.StartTimer()
	}
	b.ReportMetric(rtPerPoll, "round-trips/poll")
	b.ReportMetric(wireRatio, "fetched/artifact-bytes")
	b.ReportMetric(dataRatio, "file-bytes/artifact-bytes")
	b.Logf("transport %s: %.2f round trips per poll, fetched %.3f× the artifacts' bytes (file data alone %.3f×)", tg.name, rtPerPoll, wireRatio, dataRatio)
}
