package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

var (
	botPlanID   = regexp.MustCompile("(?m)^#### Plan `(p-[0-9a-f]{6})`")
	botCommands = regexp.MustCompile("(?s)\\*\\*Template command\\*\\*[^\n]*\n```\n([^\n]*)\n```\n\\*\\*Runner command:\\*\\*\n```\n([^\n]*)\n```")
	cliPlanID   = regexp.MustCompile(`(?m)^PLAN (p-[0-9a-f]{6}):`)
	cliCommands = regexp.MustCompile(`(?s)template command:\n  ([^\n]*)\nrunner command:\n  ([^\n]*)\n`)
)

// `atvmbot plan` prints the plan the bot posts for the same words: the same
// id, hash and commands, with the blacklist in the order the bot reads it
// from storage.
func TestPlanCmd_EqualsTheBotsPlan(t *testing.T) {
	words := [][]string{
		{"cmc-e2e", "--containsVm", "redhat9.6,ubuntu24.04,w2k25", "--use_specified_plugin", "fc", "--categorize"},
		{"cmc-reboot", "--containsVm", "redhat8.10", "--use_specified_plugin", "both", "--categorize"},
		{"cmc-systemOS", "--containsVm", "debian"},
		{"cmc-migrateops-compute-migration", "--specify_vms", "atvm121-ubuntu24.04"},
	}
	var script strings.Builder
	for _, w := range words {
		script.WriteString("/atvm plan " + strings.Join(w, " ") + "\n")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := demo(ctx, t.TempDir(), "qa-lead", strings.NewReader(script.String()), &out, zerolog.Nop()); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	posts := strings.Split(out.String(), "── post #")[1:]
	var plans []string
	for _, p := range posts {
		if botPlanID.MatchString(p) {
			plans = append(plans, p)
		}
	}
	if len(plans) != len(words) {
		t.Fatalf("%d plan posts for %d plans:\n%s", len(plans), len(words), out.String())
	}
	for i, w := range words {
		code, text, errOut := runCLI(t, append([]string{"plan"}, w...)...)
		if code != 0 {
			t.Fatalf("plan %v: %d %s", w, code, errOut)
		}
		_, js, _ := runCLI(t, append([]string{"plan", "--format", "json"}, w...)...)
		var sum struct{ Hash string }
		if err := json.Unmarshal([]byte(js), &sum); err != nil {
			t.Fatal(err)
		}
		botID := botPlanID.FindStringSubmatch(plans[i])[1]
		cliID := cliPlanID.FindStringSubmatch(text)[1]
		bc, cc := botCommands.FindStringSubmatch(plans[i]), cliCommands.FindStringSubmatch(text)
		if bc == nil || cc == nil {
			t.Fatalf("commands not found:\n%s\n%s", plans[i], text)
		}
		if botID != cliID || sum.Hash == "" || !strings.HasPrefix(sum.Hash, strings.TrimPrefix(botID, "p-")) || !strings.Contains(text, "hash: "+sum.Hash+"\n") {
			t.Errorf("%v: bot plan %s, atvmbot plan %s, hash %s", w, botID, cliID, sum.Hash)
		}
		if bc[1] != cc[1] || bc[2] != cc[2] {
			t.Errorf("%v: commands differ:\nbot: %s\n     %s\ncli: %s\n     %s", w, bc[1], bc[2], cc[1], cc[2])
		}
	}
}

var readmePlan = regexp.MustCompile(`(?m)^\$ atvmbot plan ([^\n#]*[^\s#])(\s+# exit 2, on stderr:)?\n`)

// The README's plan examples are what `atvmbot plan` prints today.
func TestPlanCmd_ReadmeExamplesCurrent(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	ms := readmePlan.FindAllStringSubmatchIndex(readme, -1)
	if len(ms) < 4 {
		t.Fatalf("%d plan examples in the README", len(ms))
	}
	for i, m := range ms {
		words := strings.Fields(readme[m[2]:m[3]])
		end := len(readme)
		if i+1 < len(ms) {
			end = ms[i+1][0]
		}
		want := readme[m[1]:end]
		if k := strings.Index(want, "\n```"); k >= 0 {
			want = want[:k+1]
		}
		code, out, errOut := runCLI(t, append([]string{"plan"}, words...)...)
		got := out
		if m[4] >= 0 {
			got = errOut
			if code != 2 {
				t.Errorf("%v: exit %d, want 2", words, code)
			}
		}
		if strings.TrimSpace(got) != strings.TrimSpace(want) {
			t.Errorf("README example %v is stale:\nREADME:\n%s\nnow:\n%s", words, want, got)
		}
	}
}
