package synth

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// BigRun describes a large synthetic categorized run for the replay
// benchmark: at scale 1, 500 hosts in 10 groups, a ~200 MB runner log and
// 2,000 artifact files (JUnit, mochawesome, reporter JSON and TXT per host).
type BigRun struct {
	Build  string
	Hosts  int
	Groups int
	// LogBytesPerHost is the console output each host's spec adds to the
	// runner log (cy:task lines); 400 kB gives 200 MB for 500 hosts.
	LogBytesPerHost int
	Start           time.Time
}

// ScaledBigRun is the benchmark's run at a scale factor (1, 2, 4 …).
func ScaledBigRun(scale int) BigRun {
	return BigRun{Build: "bench-e2e-categorized", Hosts: 500 * scale, Groups: 10, LogBytesPerHost: 400_000,
		Start: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
}

var families = []string{"redhat", "ubuntu", "debian", "oracle", "suse", "centos", "rocky", "alma", "fedora", "w2k"}

var benchFlow = []string{
	"1. Verifying set up", "2. Power on and obtain ip address and host name", "3. Uninstall CMC if still exists",
	"4. Setting up disk on the host", "5. Copy CMC install command from GUI", "6. Install CMC", "7. Create migration session",
	"8. Tracking Changes", "9. Trigger cmotion and do I/O test before actual cutover", "10. Verify data for cmotion",
	"11. Trigger revert cmotion and do I/O test before and during cmotion", "12. Verify data for revert cmotion",
	"13. Trigger cmotion again", "14. Finalize cutover", "15. Create migration report", "16. Delete migration session",
	"17. Verify local destination disk", "18. Remove enabled FC integration", "19. Remove host and volumes",
	"20. Uninstall CMC", "21. Clean up iSCSI targets", "22. Power off",
}

// BigRunSpec returns host i's spec; every 37th host fails at step 10.
func (b BigRun) BigRunSpec(i int) Spec {
	fam := families[i%b.Groups%len(families)]
	machine := fmt.Sprintf("atvm%d-%s%d.%d", 1000+i, fam, 8+i%3, i%10)
	failAt := 0
	if i%37 == 5 {
		failAt = 10
	}
	s := Spec{Path: "cypress/e2e/generated/" + machine + ".ts", Machine: machine, Template: "cmc-e2e",
		Error: "CypressError: `cy.exec('md5sum -c /root/tmp/iscsiDisk/diskname1Disk.md5')` failed because the command exited with a non-zero code.\n\nStderr:\nmd5sum: WARNING: 1 computed checksum did NOT match"}
	dur := int64(900_000 + (i*7919)%1_200_000)
	for k, t := range benchFlow {
		st := Step{Title: t, State: "passed", DurationMS: dur / int64(len(benchFlow))}
		if failAt > 0 && k+1 == failAt {
			st.State = "failed"
		} else if failAt > 0 && k+1 > failAt {
			st.State, st.DurationMS = "pending", 0
		}
		s.Steps = append(s.Steps, st)
	}
	// ~125 bytes per filler line (see WriteCypressSpec).
	s.Filler = b.LogBytesPerHost / 125
	return s
}

// Write writes the run under dir as atvm/… and tmp/<build>.log and returns
// the replay flags for it.
func (b BigRun) Write(dir string) ([]string, error) {
	t := NewTree(dir)
	var groups [][]Spec
	var all []string
	for g := 0; g < b.Groups; g++ {
		groups = append(groups, nil)
	}
	for i := 0; i < b.Hosts; i++ {
		s := b.BigRunSpec(i)
		groups[i%b.Groups] = append(groups[i%b.Groups], s)
		all = append(all, s.Path)
	}
	var vms []string
	for _, g := range groups {
		for _, s := range g {
			vms = append(vms, s.Machine)
			t.File("atvm/"+s.Path, SpecTS(s), b.Start.Add(-time.Minute))
		}
	}
	t.File("atvm/cypress.atvm-config-gold.ts", ConfigTS(all), b.Start.Add(-time.Minute))
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "tmp", b.Build+".log")
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(lf, 1<<20)
	w.WriteString(ExtractedLine(all))
	at := b.Start.Add(time.Minute)
	for gi, g := range groups {
		fam := families[gi%len(families)]
		if fam == "w2k" {
			fam = "windows" // the runner labels groups by family, not by name prefix
		}
		WriteBlock(w, Block{RunURL: fmt.Sprintf("https://app.currents.dev/run/%016x", 0xbe0000+gi), Specs: g, DetectedAfter: -1,
			BuildIDLine: "Starting grouped run: npx cypress-cloud run --parallel --record --ci-build-id " + b.Build + "-" + fam})
		for _, s := range g {
			r := Report{Spec: s, Build: b.Build + "-" + fam, Start: at, Finished: true}
			name, xml := JUnit(s, at)
			t.File("atvm/cypress/results/"+name, xml, at.Add(time.Duration(s.Row().DurationMS)*time.Millisecond))
			mname, html := Mochawesome(s, at, time.UTC)
			t.File("atvm/cypress/cmcReporter/mochawesome/"+mname, html, at.Add(time.Duration(s.Row().DurationMS)*time.Millisecond))
			jn, js := ReporterJSON(r, ShapeDict)
			t.File("atvm/cypress/cmcReporter/logs/"+s.Machine+"/"+jn, js, at.Add(time.Duration(s.Row().DurationMS)*time.Millisecond))
			tn, tx := ReporterTXT(r)
			t.File("atvm/cypress/cmcReporter/logs/"+s.Machine+"/"+tn, tx, at.Add(time.Duration(s.Row().DurationMS)*time.Millisecond))
			at = at.Add(time.Duration(s.Row().DurationMS)*time.Millisecond + 20*time.Second)
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	if err := lf.Close(); err != nil {
		return nil, err
	}
	end := at.Add(time.Minute)
	if err := os.Chtimes(logPath, end, end); err != nil {
		return nil, err
	}
	if t.Err != nil {
		return nil, t.Err
	}
	return []string{"--atvm-root", filepath.Join(dir, "atvm"), "--tmp-dir", filepath.Join(dir, "tmp"), "--build", b.Build,
		"--since", b.Start.Format(time.RFC3339), "--now", end.Add(time.Hour).Format(time.RFC3339), "--template", "cmc-e2e",
		"--plugin", "iscsi", "--categorized", "--vms", strings.Join(vms, ",")}, nil
}
