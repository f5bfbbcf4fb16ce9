package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atvm/atvmbot/commands"
)

// onlyMessage is the one post of a chat.
func onlyMessage(t *testing.T, c *testChat) string {
	t.Helper()
	ms := c.finalMessages()
	if len(ms) != 1 {
		t.Fatalf("%d posts, want the plan only", len(ms))
	}
	for _, p := range ms {
		return p.message
	}
	return ""
}

// P1, P14: a submitted form posts exactly the plan its words make when
// typed, and runs nothing.
func TestCore_P1_FormPostsThePlanOfTheSameWords(t *testing.T) {
	at := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
	form := map[string]string{commands.FieldTemplate: "cmc-reboot", commands.FieldSelector: "containsVm",
		commands.FieldVMs: "redhat8.10, ubuntu24.04", commands.FieldPlugin: "fc", commands.FieldCategorize: "true", commands.FieldWatcher: "false"}
	words, _ := commands.PlanWords(form)

	byForm, byWords := newCore(t), newCore(t)
	for _, f := range []*coreFixture{byForm, byWords} {
		f.core.Now = func() time.Time { return at }
	}
	in := Incoming{UserID: "u-alice", UserName: "alice", ChannelID: byForm.console.Channel()}
	formIn, wordsIn := in, in
	formIn.Source, formIn.Form = SourceDialog, form
	wordsIn.Source, wordsIn.Text = SourceSlash, words

	rep := byForm.core.Handle(context.Background(), formIn)
	if rep.FieldErrors != nil || rep.FormError != "" || !strings.Contains(rep.Ephemeral, "posted") {
		t.Fatalf("form reply %+v", rep)
	}
	byWords.core.Handle(context.Background(), wordsIn)
	if got, want := onlyMessage(t, byForm.console), onlyMessage(t, byWords.console); got != want {
		t.Fatalf("the form's plan differs from the typed one:\nform:\n%s\nwords:\n%s", got, want)
	}
	if len(byForm.runner.launched) != 0 {
		t.Fatal("a form submission launched something")
	}
}

// Refusals come back on the field they are about, or for the whole form.
func TestCore_FormRefusalsPerField(t *testing.T) {
	ok := map[string]string{commands.FieldTemplate: "cmc-e2e", commands.FieldSelector: "randomize", commands.FieldCount: "2"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range ok {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name    string
		user    string
		form    map[string]string
		field   string // "" = FormError
		contain string
	}{
		{"P13 a blacklisted machine named", "u-alice", with(commands.FieldSelector, "specify_vms", commands.FieldVMs, "atvm144-suse15.0"), commands.FieldVMs, "atvm144-suse15.0"},
		{"D13 random with no count", "u-alice", with(commands.FieldCount, ""), commands.FieldCount, "how many"},
		{"P9 plugin on a template without one", "u-alice", with(commands.FieldTemplate, "cmc-systemOS", commands.FieldPlugin, "both"), commands.FieldPlugin, "no plugin"},
		{"randomize out of range", "u-alice", with(commands.FieldCount, "1000"), commands.FieldCount, "out of range"},
		{"D23 no user id from the server", "", ok, "", "cannot tell who"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newCore(t)
			rep := f.core.Handle(context.Background(), Incoming{Source: SourceDialog, UserID: c.user, UserName: "alice", ChannelID: f.console.Channel(), Form: c.form})
			got := rep.FormError
			if c.field != "" {
				got = rep.FieldErrors[c.field]
			}
			if !strings.Contains(got, c.contain) || (c.field != "" && len(rep.FieldErrors) != 1) {
				t.Fatalf("reply %+v; want %q on field %q", rep, c.contain, c.field)
			}
			if n := len(f.console.finalMessages()); n != 0 {
				t.Fatalf("a refused form posted %d messages", n)
			}
		})
	}
}

// The same form twice: the plan is already open, said for the whole form.
func TestCore_P2_FormTwiceSaysThePlanIsOpen(t *testing.T) {
	f := newCore(t)
	in := Incoming{Source: SourceDialog, UserID: "u-alice", UserName: "alice", ChannelID: f.console.Channel(),
		Form: map[string]string{commands.FieldTemplate: "cmc-e2e", commands.FieldSelector: "randomize", commands.FieldCount: "2"}}
	f.core.Handle(context.Background(), in)
	rep := f.core.Handle(context.Background(), in)
	if !strings.Contains(rep.FormError, "already open") || rep.Ephemeral != "" {
		t.Fatalf("second submission %+v", rep)
	}
}
