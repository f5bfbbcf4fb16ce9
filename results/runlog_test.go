package results

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/atvm/atvmbot/internal/synth"
)

// mkSpec builds a host's spec with n steps lasting durMS in total; failAt
// (1-based, 0 = none) fails that step and leaves the rest pending.
func mkSpec(machine, template string, n, failAt int, durMS int64, errText string) synth.Spec {
	s := synth.Spec{Path: "cypress/e2e/generated/" + machine + ".ts", Machine: machine, Template: template, Error: errText}
	for i := 1; i <= n; i++ {
		st := synth.Step{Title: fmt.Sprintf("%d. Step number %d", i, i), State: "passed", DurationMS: durMS / int64(n)}
		switch {
		case failAt > 0 && i == failAt:
			st.State = "failed"
		case failAt > 0 && i > failAt:
			st.State, st.DurationMS = "pending", 0
		}
		s.Steps = append(s.Steps, st)
	}
	if rem := durMS - s.Row().DurationMS; rem > 0 && failAt == 0 {
		s.Steps[n-1].DurationMS += rem
	}
	return s
}

func parseLog(t testing.TB, log string) RunLogFacts {
	t.Helper()
	p := NewRunLogParser()
	if n, err := p.Write([]byte(log)); n != len(log) || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	return p.Facts()
}

func rowsOf(b CloudBlock) map[string]SummaryRow {
	m := map[string]SummaryRow{}
	for _, r := range b.Rows {
		m[r.Machine] = r
	}
	return m
}

const md5Err = "CypressError: `cy.exec('sshpass -e ssh root@10.20.30.71 \"md5sum -c /root/tmp/fcDisk/diskname2Reboot.md5\"')` failed because the command exited with a non-zero code.\n\nPass `{failOnNonZeroExit: false}` to ignore exit code failures.\n\nInformation about the failure:\nCode: 1\n\nStderr:\nmd5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory\n\nhttps://on.cypress.io/exec"

func TestRunLog_R9_LateHostRowAfterDetected(t *testing.T) {
	var b bytes.Buffer
	specs := []synth.Spec{
		mkSpec("atvm71-redhat9.1", "cmc-e2e", 5, 0, 300000, ""),
		mkSpec("atvm5-ubuntu22.04", "cmc-e2e", 5, 0, 200000, ""),
		mkSpec("atvm9-debian12.5", "cmc-e2e", 5, 3, 100000, md5Err),
	}
	b.WriteString(synth.ExtractedLine([]string{specs[0].Path, specs[1].Path, specs[2].Path}))
	synth.WriteBlock(&b, synth.Block{RunURL: "https://app.currents.dev/run/3c9e0b7d51a2f846", Specs: specs, DetectedAfter: 1})
	f := parseLog(t, b.String())
	if len(f.Blocks) != 1 {
		t.Fatalf("blocks = %d, want 1", len(f.Blocks))
	}
	blk := f.Blocks[0]
	rows := rowsOf(blk)
	if len(blk.Rows) != 3 || len(rows) != 3 {
		t.Fatalf("rows = %+v, want 3 hosts (the late rows after Detected belong to the table)", blk.Rows)
	}
	if r := rows["atvm9-debian12.5"]; !r.Failed() || r.Failing != 1 || r.Pending != 2 || r.Tests != 5 {
		t.Errorf("late failed row = %+v", r)
	}
	if len(f.Detected) != 1 || !blk.TableComplete || !blk.Finished || blk.Totals == nil || blk.Totals.Spec != "1 of 3 failed" {
		t.Errorf("detected=%v complete=%v finished=%v totals=%+v", f.Detected, blk.TableComplete, blk.Finished, blk.Totals)
	}
	if len(f.SpecPatterns) != 1 || !reflect.DeepEqual(f.SpecPatterns[0].Specs, []string{specs[0].Path, specs[1].Path, specs[2].Path}) {
		t.Errorf("spec patterns = %+v", f.SpecPatterns)
	}
}

func TestRunLog_R9_WrappedDuration(t *testing.T) {
	var b bytes.Buffer
	specs := []synth.Spec{
		mkSpec("atvm71-redhat9.1", "cmc-migrateops-compute-migration", 4, 0, 973900, ""),
		mkSpec("atvm72-redhat9.2", "cmc-migrateops-compute-migration", 4, 0, 60000, ""),
		mkSpec("atvm121-ubuntu24.04", "cmc-migrateops-compute-migration", 4, 0, 2335900, ""),
		mkSpec("atvm5-ubuntu22.04", "cmc-migrateops-compute-migration", 4, 0, 3000, ""),
	}
	synth.WriteBlock(&b, synth.Block{RunURL: "https://app.currents.dev/run/aaaabbbbccccdddd", Specs: specs, DetectedAfter: -1})
	if !strings.Contains(b.String(), "\n  │                                            s   ") {
		t.Fatal("fixture lost its lone-s continuation row")
	}
	f := parseLog(t, b.String())
	rows := rowsOf(f.Blocks[0])
	want := map[string]struct {
		d string
		s float64
	}{"atvm71-redhat9.1": {"16m 13.9s", 973.9}, "atvm72-redhat9.2": {"1m", 60}, "atvm121-ubuntu24.04": {"38m 55.9s", 2335.9}, "atvm5-ubuntu22.04": {"3s", 3}}
	if len(f.Blocks[0].Rows) != 4 {
		t.Fatalf("rows = %d, want 4 (a lone s is a continuation, not a row)", len(f.Blocks[0].Rows))
	}
	for m, w := range want {
		if r := rows[m]; r.Duration != w.d || r.DurationS < w.s-0.01 || r.DurationS > w.s+0.01 {
			t.Errorf("%s: duration %q (%.1fs), want %q", m, r.Duration, r.DurationS, w.d)
		}
	}
	if tot := f.Blocks[0].Totals; tot == nil || tot.Duration != "56m 12.8s" || tot.Passing != 16 {
		t.Errorf("totals = %+v", tot)
	}
}

func TestRunLog_R9_HourLongTotalAndLongSpecName(t *testing.T) {
	rows := []synth.Row{
		{Spec: "cmc-reboot-atvm121-ubuntu24.04.ts", DurationMS: 2335900, Tests: 57, Passing: 57},
		{Spec: "atvm71-redhat9.1.ts", DurationMS: 1516400, Tests: 57, Passing: 56, Failing: 1},
	}
	log := "\n  Cloud Run Finished  \n\n" + synth.SummaryTable(rows, -1) + "\n🏁 Recorded Run: https://app.currents.dev/run/0123456789abcdef\n"
	f := parseLog(t, log)
	b := f.Blocks[0]
	if len(b.Rows) != 2 || b.Rows[0].Spec != "cmc-reboot-atvm121-ubuntu24.04.ts" || b.Rows[0].Machine != "atvm121-ubuntu24.04" {
		t.Fatalf("rows = %+v", b.Rows)
	}
	if b.Totals == nil || b.Totals.Duration != "1h 4m 12.3s" || b.Totals.DurationS < 3852.2 || b.Totals.DurationS > 3852.4 {
		t.Fatalf("totals = %+v, want the .3s continuation merged", b.Totals)
	}
	if b.RecordedURL != "https://app.currents.dev/run/0123456789abcdef" {
		t.Errorf("recorded url = %q", b.RecordedURL)
	}
}

// 04-16: the next group starts without a new Extracted specPattern line;
// each grouped block must end at its own Recorded Run line.
func TestRunLog_R9_GroupedBlocksEndAtRecordedRun(t *testing.T) {
	var b bytes.Buffer
	lin := []synth.Spec{mkSpec("atvm71-redhat9.1", "cmc-e2e", 4, 0, 400000, ""), mkSpec("atvm72-redhat9.2", "cmc-e2e", 4, 0, 420000, "")}
	win := []synth.Spec{mkSpec("atvm200-w2k25", "cmc-e2e", 4, 2, 100000, md5Err)}
	b.WriteString(synth.ExtractedLine([]string{lin[0].Path, lin[1].Path, win[0].Path}))
	synth.WriteBlock(&b, synth.Block{RunURL: "https://app.currents.dev/run/1111111111111111", Specs: lin, DetectedAfter: -1,
		BuildIDLine: "Running cypress-cloud: npx cypress-cloud run --parallel --record --ci-build-id e2e-mixed-redhat"})
	synth.WriteBlock(&b, synth.Block{RunURL: "https://app.currents.dev/run/2222222222222222", Specs: win, DetectedAfter: -1,
		BuildIDLine: "Running cypress-cloud: npx cypress-cloud run --parallel --record --ci-build-id e2e-mixed-windows"})
	f := parseLog(t, b.String())
	if len(f.Blocks) != 2 {
		t.Fatalf("blocks = %d, want 2", len(f.Blocks))
	}
	g1, g2 := f.Blocks[0], f.Blocks[1]
	if len(g1.Rows) != 2 || len(g2.Rows) != 1 || g2.Rows[0].Machine != "atvm200-w2k25" || !g2.Rows[0].Failed() {
		t.Fatalf("rows drifted across groups: %+v / %+v", g1.Rows, g2.Rows)
	}
	if g1.BuildID != "e2e-mixed-redhat" || g2.BuildID != "e2e-mixed-windows" {
		t.Errorf("build ids = %q, %q (R10)", g1.BuildID, g2.BuildID)
	}
	if g1.RecordedURL != "https://app.currents.dev/run/1111111111111111" || g2.RecordedURL != "https://app.currents.dev/run/2222222222222222" || !g1.Finished || !g2.Finished {
		t.Errorf("urls = %q %q (R11)", g1.RecordedURL, g2.RecordedURL)
	}
	sp := g2.Specs[0]
	if sp.Machine != "atvm200-w2k25" || sp.FailedStep != "2. Step number 2" || sp.Error != "md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory" || !strings.HasPrefix(sp.Excerpt, "CypressError: `cy.exec(") || !strings.Contains(sp.Excerpt, "No such file or directory") || sp.Failing != 1 {
		t.Errorf("failure detail from the log = %+v (R7)", sp)
	}
}

func TestRunLog_R9_IgnoresCypressRunFinishedTable(t *testing.T) {
	var b bytes.Buffer
	synth.WriteCypressSpec(&b, mkSpec("atvm9-debian12.5", "cmc-e2e", 3, 2, 9000, md5Err))
	b.WriteString("\n  Cloud Run Finished  \n\n")
	b.WriteString("Warning: something\n")
	synth.WriteCypressSpec(&b, mkSpec("check-xml-files", "cmc-e2e", 1, 0, 9000, ""))
	f := parseLog(t, b.String())
	for _, blk := range f.Blocks {
		if len(blk.Rows) != 0 || blk.Totals != nil {
			t.Fatalf("Cypress's own (Run Finished) table read as a summary: %+v", blk)
		}
	}
}

func TestRunLog_R9_ANSIStripped(t *testing.T) {
	var b bytes.Buffer
	synth.WriteBlock(&b, synth.Block{RunURL: "https://app.currents.dev/run/3c9e0b7d51a2f846", DetectedAfter: -1,
		Specs: []synth.Spec{mkSpec("atvm71-redhat9.1", "cmc-e2e", 2, 0, 973900, ""), mkSpec("atvm72-redhat9.2", "cmc-e2e", 2, 1, 1000, md5Err)}})
	plain := parseLog(t, b.String())
	colored := strings.NewReplacer("│", "\x1b[90m│\x1b[39m", "✔", "\x1b[92m✔\x1b[39m", "✖", "\x1b[91m✖\x1b[39m",
		"Cloud Run Finished", "\x1b[1mCloud Run Finished\x1b[22m", "🏁", "\x1b[32m🏁\x1b[39m").Replace(b.String())
	got := parseLog(t, colored)
	if len(got.Blocks) != 1 || !reflect.DeepEqual(rowsOf(got.Blocks[0]), rowsOf(plain.Blocks[0])) || got.Blocks[0].RecordedURL == "" {
		t.Fatalf("colored log differs: %+v\nplain: %+v", got.Blocks, plain.Blocks)
	}
}

func TestRunLog_R11_URLsAndMidRunSnapshot(t *testing.T) {
	var b bytes.Buffer
	synth.WriteBlock(&b, synth.Block{RunURL: "https://app.currents.dev/run/feedfacefeedface", Running: 2,
		Specs: []synth.Spec{mkSpec("atvm71-redhat9.1", "cmc-e2e", 2, 0, 1000, ""), mkSpec("atvm72-redhat9.2", "cmc-e2e", 2, 0, 1000, "")}})
	p := NewRunLogParser()
	log := b.Bytes()
	p.Write(log[:len(log)/2])
	mid := p.Facts()
	p.Write(log[len(log)/2:])
	f := p.Facts()
	if len(f.Blocks) != 1 || f.Blocks[0].RunURL != "https://app.currents.dev/run/feedfacefeedface" || f.Blocks[0].Finished || len(f.Blocks[0].Specs) != 2 {
		t.Fatalf("facts = %+v", f.Blocks)
	}
	if mid.Bytes >= f.Bytes || mid.Lines >= f.Lines {
		t.Errorf("mid-run snapshot %d bytes, final %d", mid.Bytes, f.Bytes)
	}
	if f.Bytes != int64(len(log)) {
		t.Errorf("bytes = %d, want %d", f.Bytes, len(log))
	}
}

func TestRunLog_R10_BuildIDForms(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"$ npx cypress-cloud run --record --key XXXX --ci-build-id reboot-x-redhat --parallel", "reboot-x-redhat"},
		{"+ npx cypress-cloud run --ci-build-id='reboot-x-ubuntu'", "reboot-x-ubuntu"},
		{"[runner] Starting group: --ci-build-id reboot-x-debian", "reboot-x-debian"},
		{"ci-build-id: reboot-x-windows", "reboot-x-windows"},
		{"Build ID = reboot-x-suse", "reboot-x-suse"},
	} {
		f := parseLog(t, tc.line+"\nUsing config file: 'x'\n🎥 Run URL: https://app.currents.dev/run/0000000000000001\n")
		if len(f.Blocks) != 1 || f.Blocks[0].BuildID != tc.want {
			t.Errorf("%q: blocks %+v", tc.line, f.Blocks)
		}
	}
}

func TestRunLog_BadInput(t *testing.T) {
	// A 3 MiB line without newline, invalid UTF-8, a binary blob, CRLF.
	huge := bytes.Repeat([]byte("x"), 3<<20)
	p := NewRunLogParser()
	p.Write(huge)
	p.Write(huge)
	f := p.Facts()
	if f.LongLines != 1 || f.Bytes != int64(2*len(huge)) || len(p.partial) > rlMaxLineBytes {
		t.Fatalf("long line: %+v, kept %d", f, len(p.partial))
	}
	p.Write([]byte("\nExtracted specPattern: ['a\xff.ts', 'b.ts']\r\n\x00\x01\x02\xfe\n"))
	f = p.Facts()
	if len(f.SpecPatterns) != 1 || len(f.SpecPatterns[0].Specs) != 2 || f.SpecPatterns[0].Specs[0] != "a\uFFFD.ts" || f.InvalidUTF8 != 1 {
		t.Fatalf("spec patterns = %+v, invalid = %d", f.SpecPatterns, f.InvalidUTF8)
	}
	if e := parseLog(t, ""); e.Lines != 0 || len(e.Blocks) != 0 {
		t.Fatalf("empty log = %+v", e)
	}
}

func TestRunLog_ChunkingInvariant(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(synth.ExtractedLine([]string{"cypress/e2e/generated/atvm71-redhat9.1.ts"}))
	synth.WriteBlock(&b, synth.Block{RunURL: "https://app.currents.dev/run/3c9e0b7d51a2f846", DetectedAfter: 0,
		Specs: []synth.Spec{mkSpec("atvm71-redhat9.1", "cmc-e2e", 3, 2, 973900, md5Err)}})
	b.WriteString("🏁 Recorded Run: https://app.currents.dev/run/ffff") // no trailing newline
	whole := parseLog(t, b.String())
	for _, size := range []int{1, 2, 3, 7, 64, 4096} {
		p := NewRunLogParser()
		data := b.Bytes()
		for len(data) > 0 {
			n := min(size, len(data))
			p.Write(data[:n])
			data = data[n:]
		}
		if got := p.Facts(); !reflect.DeepEqual(got, whole) {
			t.Fatalf("chunk %d: facts differ\n got %+v\nwant %+v", size, got, whole)
		}
	}
	if !whole.Partial || len(whole.Blocks) != 2 || whole.Blocks[1].RecordedURL != "https://app.currents.dev/run/ffff" {
		t.Fatalf("last line without newline: %+v", whole.Blocks)
	}
}

func FuzzRunLog(f *testing.F) {
	var b bytes.Buffer
	b.WriteString(synth.ExtractedLine([]string{"cypress/e2e/generated/atvm71-redhat9.1.ts"}))
	synth.WriteBlock(&b, synth.Block{RunURL: "https://app.currents.dev/run/3c9e0b7d51a2f846", DetectedAfter: 1,
		Specs: []synth.Spec{mkSpec("atvm71-redhat9.1", "cmc-e2e", 3, 2, 973900, md5Err), mkSpec("cmc-reboot-atvm121-ubuntu24.04", "cmc-e2e", 2, 0, 3852300, "")}})
	f.Add(b.Bytes(), uint16(7))
	f.Add([]byte("  Cloud Run Finished\n  ┌─┐\n  │ ✔   a.ts   1s  1 1 - - - │\n  │        s │\n"), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		whole := NewRunLogParser()
		whole.Write(data)
		want := whole.Facts()
		p := NewRunLogParser()
		size := int(chunk%97) + 1
		for d := data; len(d) > 0; {
			n := min(size, len(d))
			p.Write(d[:n])
			d = d[n:]
		}
		got := p.Facts()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("facts depend on chunking (size %d)", size)
		}
		if want.Bytes != int64(len(data)) {
			t.Fatalf("bytes = %d, want %d", want.Bytes, len(data))
		}
	})
}
