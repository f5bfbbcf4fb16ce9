package controller

import (
	"strings"
	"testing"
	"time"
)

// discoverOut builds discoverScript output: the controller clock is
// 1778500000 s, uptime 5000 s, 100 ticks a second, root /atvm.
func discoverOut(ps, procs, logs, hist string) []byte {
	return []byte("login banner noise\n@@clock\n1778500000.000000000\n@@uptime\n5000.00 9000.00\n@@hz\n100\n@@root\n/atvm\n@@ps\n" + ps +
		"@@procs\n" + procs + "@@logs\n" + logs + "@@history\nfile\t/root/.bash_history\n" + hist +
		"@@artifacts\njunit\t1778499000.5\nreporter\t\n")
}

const (
	psLive = "  10     1    10 Ss   4000 /usr/sbin/sshd -D\n" +
		// the bot's own wrapper names the runner in its -c text: not a runner
		" 200     1   200 Ss     60 /bin/sh -c ex=$1; shift; \"$@\" runner /tmp/b1.exit python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name b1\n" +
		" 201   200   200 S      60 python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name b1 --categorize\n" +
		" 202   201   200 Sl     20 node /usr/bin/npx cypress-cloud run --key s3cr3t-key --ci-build-id b1-redhat\n" +
		" 203   201   200 Z      50 [node] <defunct>\n" +
		" 204   201   200 Sl     55 node /usr/bin/npx cypress-cloud run --key s3cr3t-key --ci-build-id b1-ubuntu\n" +
		// a runner of another ATVM tree, and one whose cwd cannot be read
		" 300     1   300 S     100 python3 ./run-sorry-cypress.py --config_file c.ts --build_name other\n" +
		" 400     1   400 S     100 /usr/bin/python3.11 ./run-sorry-cypress.py --config_file c.ts --build_name hidden\n" +
		// a hand-started runner whose shell has exited, and its re-exec
		" 500     1   499 S      30 python3 /atvm/run-sorry-cypress.py --build_name=b2 --config_file cypress.atvm-config-gold.ts\n" +
		" 501   500   499 S      29 python3 ./run-sorry-cypress.py --build_name b2\n" +
		" 600     1   600 S       5 python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts\n" +
		" 700     1   700 S       5 sh -c discover atvmbot /atvm all cmc-templates.py run-sorry-cypress.py\n"
	procsLive = "proc\t200\t494000\t494000\t/atvm\t/tmp/b1.log\n" +
		"proc\t201\t494001\t494000\t/atvm\t/tmp/b1.log\n" +
		"proc\t202\t498000\t494000\t/atvm\tpipe:[1]\n" +
		"proc\t204\t494500\t494000\t/atvm\tpipe:[1]\n" +
		"proc\t300\t490000\t490000\t/other\t/tmp/other.log\n" +
		"proc\t400\t490000\t490000\t\t\n" +
		"proc\t500\t497000\t\t/atvm\t/tmp/b2.log\n" +
		"proc\t501\t497100\t\t/atvm\t/tmp/b2.log\n" +
		"proc\t600\t499500\t499500\t/atvm\t/tmp/x.launch.log\n" +
		"proc\t700\t499900\t499900\t/atvm\tpipe:[9]\n"
)

func TestParseDiscovery_S2_LiveRunsOfThisTreeOnly(t *testing.T) {
	d, err := ParseDiscovery(discoverOut(psLive, procsLive, "", ""), DiscoverOptions{TmpDir: "/tmp"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Live) != 2 {
		t.Fatalf("live runs %+v, want b1 and b2", d.Live)
	}
	b1, b2 := d.Live[0], d.Live[1]
	if b1.Build != "b1" || b2.Build != "b2" {
		t.Fatalf("builds %s, %s (oldest first)", b1.Build, b2.Build)
	}
	// D16: b1 runs under the bot's wrapper, which leads its group.
	if b1.ProcPID != 201 || b1.RunnerPID != 200 || b1.RunnerStart != 494000 || !b1.Categorized || b1.ConfigFile != "cypress.atvm-config-gold.ts" {
		t.Errorf("b1 identity %+v", b1)
	}
	// start = now - (uptime - start/hz) = 1778500000 - (5000 - 4940.01)
	if want := time.Unix(1778500000, 0).Add(-59990 * time.Millisecond); !b1.Start.Equal(want) {
		t.Errorf("b1 start %s, want %s", b1.Start, want)
	}
	if b1.CIBuildID != "b1-redhat" || len(b1.Children) != 2 || b1.Defunct != 1 || b1.LogPath != "/tmp/b1.log" {
		t.Errorf("b1 children: id %q, %d live, %d defunct, log %s", b1.CIBuildID, len(b1.Children), b1.Defunct, b1.LogPath)
	}
	// b2's shell is gone: its group is the run's; the re-exec is not a second run.
	if b2.RunnerPID != 499 || b2.RunnerStart != 0 || b2.ProcPID != 500 {
		t.Errorf("b2 identity %+v", b2)
	}
	if d.Unattributed != 1 || len(d.Templates) != 1 || d.Templates[0].PID != 600 {
		t.Errorf("unattributed %d, templates %+v", d.Unattributed, d.Templates)
	}
	if d.Recent != nil || !d.Busy() {
		t.Errorf("a live controller has no historical fallback: %+v", d.Recent)
	}
	for _, r := range d.Live {
		for _, k := range r.Children {
			if strings.Contains(k.Args, "s3cr3t") {
				t.Errorf("D17: record key not redacted: %s", k.Args)
			}
		}
		if !strings.Contains(strings.Join(r.Evidence, "\n"), "template command unknown") {
			t.Errorf("%s: evidence %q should say the template command is unknown", r.Build, r.Evidence)
		}
	}
}

func TestParseDiscovery_S1_HistoricalNewestWins(t *testing.T) {
	logs := "log\t/tmp/old.log\t1778400000.0\t9000\t1778390000\t1778389990.5\t0\tExtracted specPattern: ['cypress/e2e/generated/atvm9-debian12.5.ts']\n" +
		"log\t/tmp/new.log\t1778480000.25\t12000\t0\t1778470000.0\t1\tExtracted specPattern: ['cypress/e2e/generated/atvm71-redhat9.1.ts', \"cypress/e2e/generated/atvm5-ubuntu22.04.ts\"]\n" +
		"log\t/tmp/apt.log\t1778490000.0\t100\t0\t\t\t\n" + // some other program's log
		"log\t/tmp/bad name.log\t1778495000.0\t100\t0\t\t\tExtracted specPattern: []\n"
	hist := "h\t1\t\tpython3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts --specify_vms atvm9-debian12.5\n" +
		"h\t2\t\tnohup python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name old > /tmp/old.log 2>&1 &\n" +
		"h\t5\t1778469000\tcd /atvm && python3 ./cmc-templates.py --template_name cmc-reboot --config_file cypress.atvm-config-gold.ts --containsVm atvm --use_specified_plugin fc\n" +
		"h\t7\t1778470001\tpython3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name new --categorize > /tmp/new.log\n"
	d, err := ParseDiscovery(discoverOut("", "", logs, hist), DiscoverOptions{TmpDir: "/tmp"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Recent == nil || d.Recent.Build != "new" {
		t.Fatalf("recent %+v, want the newest log's run", d.Recent)
	}
	if len(d.Candidates) != 2 || d.Candidates[1].Build != "old" {
		t.Fatalf("candidates %+v: want new, old (not apt.log, not a bad name)", d.Candidates)
	}
	r := d.Recent
	if r.TemplateCommand != "python3 ./cmc-templates.py --template_name cmc-reboot --config_file cypress.atvm-config-gold.ts --containsVm atvm --use_specified_plugin fc" {
		t.Errorf("template command %q", r.TemplateCommand)
	}
	if r.RunnerCommand != "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name new --categorize" || !r.Categorized {
		t.Errorf("runner command %q categorized %v", r.RunnerCommand, r.Categorized)
	}
	if !r.Start.Equal(time.Unix(1778470000, 0)) || r.StartSource != "launch log end" {
		t.Errorf("start %s from %s", r.Start, r.StartSource)
	}
	if len(r.SpecPattern) != 2 || r.SpecPattern[1] != "cypress/e2e/generated/atvm5-ubuntu22.04.ts" || r.ExitCode == nil || *r.ExitCode != 1 {
		t.Errorf("spec pattern %q exit %v", r.SpecPattern, r.ExitCode)
	}
	ev := strings.Join(r.Evidence, "\n")
	for _, want := range []string{"runner log /tmp/new.log", "launch log /tmp/new.launch.log", "runner exit code 1", "shell history /root/.bash_history", "newest JUnit XML"} {
		if !strings.Contains(ev, want) {
			t.Errorf("evidence lacks %q:\n%s", want, ev)
		}
	}
	if old := d.Candidates[1]; !old.Start.Equal(time.Unix(1778390000, 0)) || old.StartSource != "runner log birth time" || !strings.Contains(old.TemplateCommand, "--specify_vms atvm9-debian12.5") {
		t.Errorf("old candidate %+v", old)
	}
}

func TestTemplateFor_D17_NeverAnOlderLine(t *testing.T) {
	opt := DiscoverOptions{TemplateScript: "cmc-templates.py", RunnerScript: "run-sorry-cypress.py"}
	tpl := func(n int, extra string) histLine {
		return histLine{n: n, text: "python3 ./cmc-templates.py --template_name cmc-e2e --config_file cypress.atvm-config-gold.ts " + extra}
	}
	run := func(n int, build string) histLine {
		return histLine{n: n, text: "python3 ./run-sorry-cypress.py --config_file cypress.atvm-config-gold.ts --build_name " + build}
	}
	cases := []struct {
		name, build, want, why string
		lines                  []histLine
	}{
		{"pair", "b", "--containsVm x", "", []histLine{tpl(1, "--containsVm x"), run(2, "b")}},
		{"nearest template wins", "b", "--containsVm y", "", []histLine{tpl(1, "--containsVm x"), tpl(2, "--containsVm y"), run(3, "b")}},
		{"last runner of the build", "b", "--containsVm z", "", []histLine{tpl(1, "--containsVm x"), run(2, "b"), tpl(3, "--containsVm z"), run(4, "b")}},
		{"runner not in history yet", "new", "", "a shell writes its history only when it exits", []histLine{tpl(1, "--containsVm x"), run(2, "old"), tpl(3, "--containsVm z")}},
		{"other runner in between", "b", "", "no template command before", []histLine{tpl(1, "--containsVm x"), run(2, "a"), run(3, "b")}},
		{"config differs", "b", "", "writes", []histLine{{n: 1, text: "python3 ./cmc-templates.py --config_file cypress.atvm-config.ts"}, run(2, "b")}},
		{"sshpass wrapper dropped", "b", "python3 ./cmc-templates.py --containsVm x", "", []histLine{{n: 1, text: Redact("sshpass -p hunter2 ssh root@ctl 'cd /atvm && python3 ./cmc-templates.py --containsVm x'")}, run(2, "b")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _, _, why := templateFor(history{file: "~/.bash_history", lines: tc.lines}, tc.build, opt)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) || !strings.Contains(why, tc.why) {
				t.Fatalf("got %q (why %q), want %q (why %q)", got, why, tc.want, tc.why)
			}
			if strings.Contains(got, "hunter2") {
				t.Fatal("D17: password kept")
			}
		})
	}
}

func TestScriptCommand_P17_NoOuterWrapper(t *testing.T) {
	const s = "cmc-templates.py"
	for in, want := range map[string]string{
		"python3 ./cmc-templates.py --a b":                                           "python3 ./cmc-templates.py --a b",
		"cd /atvm && python3 ./cmc-templates.py --a b > /tmp/x.launch.log 2>&1":      "python3 ./cmc-templates.py --a b",
		`ssh root@ctl "cd /atvm && /usr/bin/python3 cmc-templates.py --a 'b c'"`:     "/usr/bin/python3 cmc-templates.py --a 'b c'",
		"./cmc-templates.py --a b; echo done":                                        "./cmc-templates.py --a b",
		": 1778470000:0;python3 ./cmc-templates.py --a b | tee log":                  "python3 ./cmc-templates.py --a b",
		"vi cmc-templates.py.bak":                                                    "",
		"nohup python3 ./cmc-templates.py --exclude_partial_match 'a;b' --c d 2>err": "python3 ./cmc-templates.py --exclude_partial_match 'a;b' --c d",
		"echo nothing": "",
	} {
		if got := ScriptCommand(stripHistoryPrefix(in), s); got != want {
			t.Errorf("%s:\n got %q\nwant %q", in, got, want)
		}
	}
}

func FuzzParseDiscovery(f *testing.F) {
	f.Add(discoverOut(psLive, procsLive, "", ""))
	f.Add(discoverOut("", "", "log\t/tmp/a.log\t1.5\t3\t0\t1.0\t0\tExtracted specPattern: ['a.ts']\n", "h\t1\t\tpython3 ./run-sorry-cypress.py --build_name a\n"))
	f.Add([]byte("@@clock\n1.0\n@@procs\nproc\t1\t2\t3\t4\t5\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		d, err := ParseDiscovery(out, DiscoverOptions{})
		if err != nil {
			return
		}
		for _, r := range d.Live {
			if r.Build != "" && strings.Contains(r.RunnerCommand, "--key s") {
				t.Fatalf("unredacted key: %q", r.RunnerCommand)
			}
		}
		if d.Recent != nil && (len(d.Live) > 0 || d.Recent.Build != d.Candidates[0].Build) {
			t.Fatalf("recent %+v with %d live", d.Recent, len(d.Live))
		}
	})
}

func FuzzScriptCommand(f *testing.F) {
	for _, s := range []string{"cd /x && python3 ./run-sorry-cypress.py --build_name b > /tmp/b.log 2>&1 &", `ssh h "python3 run-sorry-cypress.py 'a`, ": 1:0;run-sorry-cypress.py"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		got := ScriptCommand(line, "run-sorry-cypress.py")
		if got != "" && (!strings.Contains(got, "run-sorry-cypress.py") || !strings.Contains(line, got)) {
			t.Fatalf("ScriptCommand(%q) = %q: not a part of the line running the script", line, got)
		}
	})
}
