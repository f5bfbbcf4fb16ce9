package e2e

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// hostileFragments are malformed or malicious option texts, each refused
// on its own whatever valid words surround it.
var hostileFragments = []string{
	"--containsVm redhat;reboot",
	"--containsVm 'redhat9.6; rm -rf /'",
	"--containsVm $(reboot)",
	"--containsVm \"`reboot`\"",
	"--containsVm redhat\nreboot",
	"--containsVm redhat\rx",
	"--containsVm red\x00hat",
	"--containsVm red\x1b[31mhat",
	`--containsVm "red'hat"`,
	"--containsVm redhat|tee /etc/passwd",
	"--containsVm redhat&&reboot",
	"--containsVm redhat>x",
	"--containsVm red*",
	"--containsVm ~root",
	"--containsVm ${IFS}",
	`--containsVm red\hat`,
	"--containsVm ../../etc",
	"--containsVm -rf",
	"--containsVm redhat9.6 ; reboot",
	"--containsVm redhat9.6 $(reboot)",
	"--containsVm " + strings.Repeat("a", 10240),
	"--containsVm " + strings.Repeat("ab,", 1400),
	"--config_file ../../etc/passwd.ts",
	"--config_file /etc/cypress.ts",
	"--config_file cypress.ts;id",
	"--config_file cypress.atvm-config-gold.js",
	"--build ../evil",
	"--build a/b",
	"--build $HOME",
	"--build=`id`",
	"--build " + strings.Repeat("b", 81),
	"--specify_vms atvm1-x,$(id)",
	"--specify_vms 'atvm1;atvm2'",
	"--randomize 5;id",
	"--randomize 0",
	"--randomize 99999999999",
	"--randomize -1",
	"--use_specified_plugin fc;id",
	"--use_specified_plugin iscsi\u200b",
	"--integration_type 'pure&&x'",
	"--vm_platforms vmware,$(id)",
	"--exclude_partial_match 'x y'",
	"--test_partition=$(id)",
	"\u2014containsVm redhat",
	"\u2212\u2212containsVm redhat",
	"\uff0d\uff0dcontainsVm redhat",
	"--contain\u200bsVm redhat",
	"--containsVm \uff52\uff45\uff44\uff48\uff41\uff54",
	"--containsVm r\u0435dhat",
	"--containsVm redhat\u00a0x",
	"--containsVm redhat\u202e",
	"--containsVm \u201credhat\u201d",
	"--containsVm \ufeffredhat",
	"--containsVm red\xffhat",
	"--containsVm 'redhat",
	"--containsVM-evil=x",
	"--rm -rf",
	"--exec /bin/sh",
	"--python /bin/sh",
	"--template_script ./evil.py",
	"--containsVm",
	"--containsVm @channel;x",
}

// hostileWhole are whole command texts refused for what they are.
var hostileWhole = []string{
	"plan --categorize", // options and no template (bare `plan` opens the form)
	"plan cmc-e2e",      // no selector (D13)
	"plan cmc-e2e --specify_vms atvm144-suse15.0", // blacklisted by name (P13)
	"plan cmc-e2e --specify_vms atvm6-centos6.0,atvm71-redhat9.1",
	"plan cmc-evil --containsVm redhat",
	"plan cmc-e2e;reboot --containsVm redhat",
	"plan $(id) --containsVm redhat",
	"plan ../../bin/sh --containsVm redhat",
	"plan cmc-e2\u0435 --containsVm redhat",
	"plan cmc-e2e\u200b --containsVm redhat",
	"plan cmc-systemOS --containsVm redhat --use_specified_plugin fc",
	"plan cmc-e2e --containsVm redhat --containsVm redhat --build x --build y",
	"plan cmc-e2e " + strings.Repeat("--categorize ", 300),
	"plan cmc-e2e --containsVm redhat " + strings.Repeat("x", 5000),
	strings.Repeat("x ", 20000),
	"rm -rf /",
	"sudo plan cmc-e2e --containsVm redhat",
	"plan\x00 cmc-e2e --containsVm redhat",
	"\u202eplan cmc-e2e --containsVm redhat",
	"ｐｌａｎ cmc-e2e --containsVm redhat",
	"approve p-000000",
	"approve p-000000; reboot",
	"approve $(id)",
	"cancel r-nothing --yes",
	"blacklist add atvm71-redhat9.1 because",
	"blacklist remove atvm144-suse15.0",
	"status ../../etc/passwd",
	"unwatch $(id)",
}

// hostileTexts is every hostile input: the fragments after two templates,
// alone and after a valid selector, plus the whole texts; deduplicated and
// shuffled with seed.
func hostileTexts(seed uint64) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, tmpl := range []string{"cmc-e2e", "cmc-reboot"} {
		for _, f := range hostileFragments {
			add("plan " + tmpl + " " + f)
			add("plan " + tmpl + " --containsVm redhat9.6 " + f)
		}
	}
	for _, s := range hostileWhole {
		add(s)
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// validTexts are n plans, many of them near misses of the hostile ones
// (quoting, `=`, commas, template aliases; options only in their documented
// spellings, since a variant spelling is refused), each with its own build
// name so that each makes a plan of its own. Build names: nm-<i>.
func validTexts(seed uint64, n int) []string {
	templates := []string{"cmc-e2e", "e2e", "CMC-E2E", "cmc-reboot", "cmc-migrateops-compute-migration", "migrate", "cmc-systemos"}
	selectors := []string{
		"--containsVm redhat9.6", "--containsVm=redhat9.6", "--containsVm ubuntu24.04", "--containsVm=w2k25,redhat9.6",
		"--containsVm redhat", "--specify_vms atvm71-redhat9.1", "--specify_vms atvm71-redhat9.1,atvm5-ubuntu22.04",
		"--randomize 3", "--containsVm 'redhat9.6'", "--containsVm \"ubuntu\"", "--containsVm redhat9.6, ubuntu24.04",
		"--containsVm atvm113-debian9.0.0", "--containsVm W2K25", "--randomize 007", "--containsVm " + strings.Repeat("a", 64),
		"--containsVm\tredhat9.6", "  --containsVm   redhat9.6  ",
	}
	options := []string{"", "--categorize", "--no-watcher", "--no-test-partition", "--exclude_partial_match ubuntu",
		"--test_install_only", "--categorize --no-watcher", "--vm_platforms vmware", "--use_specified_plugin fc",
		"--config_file cypress.atvm-config-silver.ts"}
	var all []string
	for _, t := range templates {
		for _, s := range selectors {
			for _, o := range options {
				if o == "--use_specified_plugin fc" && (strings.Contains(t, "migrat") || t == "cmc-systemos") {
					continue // P9: those templates take no plugin; refused, rightly
				}
				all = append(all, strings.TrimSpace("plan "+t+" "+s+" "+o))
			}
		}
	}
	sort.Strings(all)
	r := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	if n > len(all) {
		n = len(all)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s --build nm-%d", all[i], i)
	}
	return out
}
