package commands

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// outsideCode is s without its fenced blocks and code spans: the text
// Mattermost parses as markdown.
func outsideCode(s string) string {
	var b strings.Builder
	fenced := false
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		parts := strings.Split(line, "`")
		for i := 0; i < len(parts); i += 2 { // even parts are outside spans
			b.WriteString(parts[i])
		}
		b.WriteString("\n")
	}
	return b.String()
}

var reRuleID = regexp.MustCompile(`\([PSRWD][0-9]+\)|\b[PSRWD][0-9]{1,2}\b`)

// The help is markdown that Mattermost cannot misread: every `[`, `]`,
// `<`, `>` and `|` sits in code (`[BUILD|PLAN] [--yes]` was shown as a
// link, `<template>` as a tag), spans are balanced, and no rule ID shows.
func TestHelp_D27_MarkdownSafe(t *testing.T) {
	for _, topic := range append([]string{"", "nosuch"}, CommandNames...) {
		h := Help(topic)
		if strings.Count(h, "```")%2 != 0 {
			t.Errorf("help %q: unbalanced fence", topic)
		}
		for _, line := range strings.Split(h, "\n") {
			if !strings.HasPrefix(line, "```") && strings.Count(line, "`")%2 != 0 {
				t.Errorf("help %q: unbalanced code span in %q", topic, line)
			}
		}
		if out := outsideCode(h); strings.ContainsAny(out, "[]<>|") {
			t.Errorf("help %q has markdown-active characters outside code:\n%s", topic, out)
		}
		if m := reRuleID.FindString(h); m != "" {
			t.Errorf("help %q shows the rule ID %q", topic, m)
		}
	}
}

// The whole help, as posted, is a golden file: -update rewrites it after
// review.
func TestHelp_D27_Golden(t *testing.T) {
	var b strings.Builder
	for _, topic := range append([]string{""}, CommandNames...) {
		b.WriteString(strings.TrimSpace("$ /atvm help "+topic) + "\n" + Help(topic) + "\n\n")
	}
	path := filepath.Join("testdata", "golden", "help.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if b.String() != string(want) {
		t.Errorf("%s differs; -update rewrites it after review.\n got:\n%s", path, b.String())
	}
}

// What someone typed shows as typed in a post: a blacklist reason with
// markup characters makes no emphasis, link, tag or @mention.
func TestEscapeMarkdown_D27_TypedTextInert(t *testing.T) {
	got := EscapeMarkdown("CAN'T_COMPILE *now* [see](x) <b> #1 @channel a|b")
	want := `CAN'T\_COMPILE \*now\* \[see\](x) \<b\> \#1 @` + "\u200b" + `channel a\|b`
	if got != want {
		t.Errorf("EscapeMarkdown = %q, want %q", got, want)
	}
	p := plan(t, "plan cmc-e2e --containsVm redhat6")
	md := p.Markdown()
	if !strings.Contains(md, "**Defaults added:** `--config_file cypress.atvm-config-gold.ts` (default)") {
		t.Errorf("defaults are not in code:\n%s", md)
	}
	if !strings.Contains(md, "CAN'T COMPILE") {
		t.Errorf("skipped reasons missing:\n%s", md)
	}
	if out := outsideCode(md); strings.ContainsAny(out, "[]<>|") || reRuleID.MatchString(md) {
		t.Errorf("plan post has markup or rule IDs outside code:\n%s", out)
	}
}
