package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot/console"

	"github.com/atvm/atvmbot/commands"
)

// The demo installs shims that exec this binary as `<bin> simulate …`: when
// the test binary is that bin, it must behave like atvmbot.
// With ATVMBOT_TEST_AS_MAIN=1 it is atvmbot whatever the command (tests
// that need a whole process).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && (os.Args[1] == "simulate" || os.Getenv("ATVMBOT_TEST_AS_MAIN") == "1") {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// D20: with no input the demo plays plan → approve → a categorized run of
// at least two groups with two hosts failing alike → one post per group → final
// summary, and ends cleanly.
func TestDemo_D20_BuiltInScript(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a whole simulated run")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := demo(ctx, t.TempDir(), "qa-lead", strings.NewReader(demoScript), &out, zerolog.Nop()); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := out.String()
	subruns := strings.Count(text, "— sub-run ")
	if subruns < 2 {
		t.Fatalf("%d sub-run posts, want one per group (≥ 2):\n%s", subruns, text)
	}
	for _, want := range []string{"What happens: plan → approve → a simulated categorized run", "simulated at 300× speed",
		"── note ──\nThe run was simulated at 300× speed", "python3 ./cmc-templates.py --template_name cmc-e2e", "**Approved** by @qa-lead", "Final summary", "❌ FAILED", " - FAIL - ",
		// D28: the seeded earlier run makes this the template's second run.
		"did NOT match — KNOWN since e2e-demo-yesterday", "- atvm88-redhat8.10 - PASS — FIXED", "did NOT match — REGRESSION",
		"- 2 hosts failed at 10. Verify data for cmotion — md5sum: WARNING: 1 computed checksum did NOT match: atvm121-ubuntu24.04, atvm71-redhat9.1"} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if n := strings.Count(text, "Final summary"); n != 1 {
		t.Errorf("%d final summaries, want exactly 1", n)
	}
}

// The examples of `help plan`, pasted into the demo as they are, and
// without their /atvm, are planned, none refused.
func TestDemo_HelpPlanExamplesPasteAsTheyAre(t *testing.T) {
	_, ex, _ := strings.Cut(commands.Help(commands.CmdPlan), "Examples:\n")
	var pasted, bare []string
	for _, l := range strings.Split(ex, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "/atvm plan ") {
			pasted, bare = append(pasted, l), append(bare, strings.TrimPrefix(l, "/atvm "))
		}
	}
	if len(pasted) < 4 {
		t.Fatalf("examples: %q", pasted)
	}
	// One demo each: the same plan twice in one channel is one open plan.
	for _, lines := range [][]string{pasted, bare} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		var out bytes.Buffer
		err := demo(ctx, t.TempDir(), "qa-lead", strings.NewReader(strings.Join(lines, "\n")), &out, zerolog.Nop())
		cancel()
		if err != nil {
			t.Fatalf("demo: %v\n%s", err, out.String())
		}
		text := out.String()
		if n := strings.Count(text, "\n#### Plan `p-"); n != len(lines) || strings.Contains(text, "⚠️") {
			t.Errorf("%d plans for %d examples:\n%s", n, len(lines), text)
		}
	}
}

// `demo --controllers 2`: a plan for each of two simulated
// controllers, both approved, both runs at once, each posting its own
// final summary once; status then names both controllers.
func TestDemo_C21_TwoControllersTwoRunsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("plays two whole simulated runs")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	ui := demoUI{input: console.InputBuiltIn, echo: true, controllers: 2}
	if err := demoWith(ctx, t.TempDir(), "qa-lead", strings.NewReader(builtInScript(2)), &out, zerolog.Nop(), ui); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"Here with 2 simulated controllers, a and b", "launching `e2e-demo-a`", "launching `e2e-demo-b`",
		"📣 **Final summary** for `e2e-demo-a`", "📣 **Final summary** for `e2e-demo-b`", "**Controllers:**\n- `a` — idle\n- `b` — idle",
		"The runs were simulated at 300× speed"} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	for _, b := range []string{"e2e-demo-a", "e2e-demo-b"} {
		if n := strings.Count(text, "📣 **Final summary** for `"+b+"`"); n != 1 {
			t.Errorf("%d final summaries of %s, want exactly 1", n, b)
		}
	}
	// Both ran at once: the second was approved while the first ran, not
	// refused as busy.
	if strings.Contains(text, "is busy") {
		t.Errorf("one controller's run held the other:\n%s", text)
	}
}
