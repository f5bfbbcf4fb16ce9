package commands

import (
	"fmt"
	"strings"
)

// Summary is the `atvmbot plan --format json` shape.
type Summary struct {
	Build             string    `json:"build"`
	Template          string    `json:"template"`
	TemplateCommand   string    `json:"template_command"`
	RunnerCommand     string    `json:"runner_command"`
	Watcher           bool      `json:"watcher"`
	NeedsConfirmation bool      `json:"needs_confirmation"`
	Warnings          []string  `json:"warnings"`
	Skipped           []Skipped `json:"skipped"`
	Hash              string    `json:"hash"`
}

// Summary returns the plan's short JSON shape; lists are never null.
func (p Plan) Summary() Summary {
	s := Summary{Build: p.Build, Template: p.Template, TemplateCommand: p.TemplateCommand,
		RunnerCommand: p.RunnerCommand, Watcher: p.Watcher, NeedsConfirmation: p.NeedsConfirmation,
		Warnings: p.Warnings, Skipped: p.Skipped, Hash: p.Hash}
	if s.Warnings == nil {
		s.Warnings = []string{}
	}
	if s.Skipped == nil {
		s.Skipped = []Skipped{}
	}
	return s
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// Text is the plain-text plan (console and `atvmbot plan`): build, both
// exact commands, watcher, defaults, warnings, skipped machines.
func (p Plan) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "PLAN %s: %s\n", p.ID, p.Build)
	fmt.Fprintf(&b, "template: %s\n", p.Template)
	if p.Controller != "" {
		fmt.Fprintf(&b, "controller: %s\n", p.Controller)
	}
	fmt.Fprintf(&b, "template command:\n  %s\n", p.TemplateCommand)
	fmt.Fprintf(&b, "runner command:\n  %s\n", p.RunnerCommand)
	fmt.Fprintf(&b, "watcher: %s\n", onOff(p.Watcher))
	writeList(&b, "defaults added", p.Defaults)
	writeList(&b, "warnings", p.Warnings)
	var sk []string
	for _, s := range p.Skipped {
		sk = append(sk, s.Name+" - "+s.Reason)
	}
	writeList(&b, "skipped (blacklisted)", sk)
	if p.NeedsConfirmation {
		fmt.Fprintf(&b, "needs confirmation: /atvm approve %s --confirm-both\n", p.ID)
	}
	fmt.Fprintf(&b, "hash: %s\n", p.Hash)
	return b.String()
}

// markdownSpecial are the characters Mattermost reads as markup (emphasis,
// links, tags, headings, tables, code) in a line of text.
var markdownSpecial = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "~", `\~`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`, "@", "@\u200b",
)

// EscapeMarkdown makes a text someone typed (a blacklist reason) show as
// typed in a Mattermost post: no emphasis, link, tag, heading or
// @mention comes of it.
func EscapeMarkdown(s string) string { return markdownSpecial.Replace(s) }

func writeList(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		fmt.Fprintf(b, "%s: none\n", title)
		return
	}
	fmt.Fprintf(b, "%s:\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "  - %s\n", it)
	}
}

// Markdown is the plan as a Mattermost post: the exact commands in code
// blocks (P1, P17) and what approving does.
func (p Plan) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#### Plan `%s`: `%s`\n", p.ID, p.Build)
	if p.Controller != "" {
		fmt.Fprintf(&b, "**Controller:** `%s`\n", p.Controller)
	}
	fmt.Fprintf(&b, "**Template command** (runs first, in the ATVM root):\n```\n%s\n```\n", p.TemplateCommand)
	fmt.Fprintf(&b, "**Runner command:**\n```\n%s\n```\n", p.RunnerCommand)
	fmt.Fprintf(&b, "**Watcher:** %s\n", onOff(p.Watcher))
	if len(p.Defaults) > 0 {
		var ds []string
		for _, d := range p.Defaults {
			// "--flag value (why)": the option in code, the why in words.
			if opt, why, ok := strings.Cut(d, " ("); ok {
				ds = append(ds, "`"+opt+"` ("+EscapeMarkdown(why))
			} else {
				ds = append(ds, "`"+d+"`")
			}
		}
		fmt.Fprintf(&b, "**Defaults added:** %s\n", strings.Join(ds, "; "))
	}
	if len(p.Skipped) > 0 {
		b.WriteString("**Skipped (blacklisted):**\n")
		for _, s := range p.Skipped {
			fmt.Fprintf(&b, "- `%s` - %s\n", s.Name, EscapeMarkdown(s.Reason))
		}
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, ":warning: %s\n", w)
	}
	if p.NeedsConfirmation {
		fmt.Fprintf(&b, "Nothing runs until approved: `/atvm approve %s --confirm-both`.\n", p.ID)
	} else {
		fmt.Fprintf(&b, "Nothing runs until approved: `/atvm approve %s` or `/atvm approve %s without watcher`.\n", p.ID, p.ID)
	}
	return b.String()
}
