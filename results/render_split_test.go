package results

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestRender_MentionsAndMarkdownAreInert(t *testing.T) {
	st := rebootFailed(t)
	st.Hosts[1].Error = "@channel *boom* [x](http://evil) <b>"
	post := RenderMarkdown(st, RenderOptions{Location: ny(t)})[0]
	line := ""
	for _, l := range hostsBlock(post) {
		if strings.HasPrefix(l, "- atvm71") {
			line = l
		}
	}
	if !strings.HasSuffix(line, "— @\u200bchannel \\*boom\\* \\[x\\](http://evil) \\<b\\>") {
		t.Errorf("artifact text not made inert: %q", line)
	}
}

func TestRender_Split_500HostFailingRun(t *testing.T) {
	st := bigFailing(t, 500)
	parts := RenderMarkdown(st, RenderOptions{Location: ny(t), Kind: Final})
	if len(parts) < 2 {
		t.Fatalf("a 500-host failing run fits one post? %d runes", runeLen(parts[0]))
	}
	for i, p := range parts {
		if n := runeLen(p); n > PostMaxRunes {
			t.Errorf("part %d has %d runes > %d", i, n, PostMaxRunes)
		}
		if !strings.HasSuffix(p, "\n###### atvmbot v0.3.1") {
			t.Errorf("part %d lacks the version footer (D9)", i)
		}
	}
	post := parts[0]
	if !strings.Contains(post, "**SUMMARY:** ❌ FAILED — 0 passed · 500 failed · 0 running · 0 remaining · 0 skipped") {
		t.Errorf("SUMMARY not whole in the post")
	}
	hosts := hostsBlock(post)
	if len(hosts) != 501 {
		t.Fatalf("HOSTS in the post has %d lines, want the label and 500 machines", len(hosts))
	}
	for i, h := range st.Hosts {
		if l := hosts[i+1]; l != "- "+h.Name+" - FAIL" && !strings.HasPrefix(l, "- "+h.Name+" - FAIL - ") {
			t.Fatalf("host line %d is %q", i, l)
		}
	}
	// Every failed host's note is in the replies, whole, in order.
	replies := strings.Join(parts[1:], "\n")
	last := -1
	for _, h := range st.Hosts {
		i := strings.Index(replies, "**"+h.Name+"** — 38. Verify")
		if i < 0 || i < last {
			t.Fatalf("failure note of %s missing or out of order", h.Name)
		}
		last = i
	}
	for i := range st.Hosts {
		if !strings.Contains(replies, fmt.Sprintf("md5sum: /root/tmp/fcDisk/diskname2Reboot-%d.md5: No such file or directory\n", i)) {
			t.Fatalf("the excerpt of host %d was cut or lost", i)
		}
	}
	for i, p := range parts[1:] {
		if strings.Count(p, "```")%2 != 0 {
			t.Errorf("reply %d leaves a code block open", i+1)
		}
		if !strings.Contains(p, fmt.Sprintf("— continued (reply %d of %d)", i+1, len(parts)-1)) {
			t.Errorf("reply %d is not numbered", i+1)
		}
	}
}

func TestRender_Split_BoundHoldsForAnyMax(t *testing.T) {
	st := bigFailing(t, 60)
	for _, max := range []int{300, 1000, 2500, 6000, 16383} {
		parts := RenderMarkdown(st, RenderOptions{Location: ny(t), MaxRunes: max})
		for i, p := range parts {
			if n := runeLen(p); n > max {
				t.Errorf("max %d: part %d has %d runes", max, i, n)
			}
		}
	}
}

func TestRender_Split_Golden(t *testing.T) {
	st := bigFailing(t, 40)
	parts := RenderMarkdown(st, RenderOptions{Location: ny(t), Kind: Final, MaxRunes: 6000})
	if len(parts) < 3 {
		t.Fatalf("want the post and at least two replies, got %d parts", len(parts))
	}
	if !strings.Contains(parts[0], "**FAILURE NOTES:** for 40 failed hosts — in the replies below") {
		t.Errorf("the post does not point to the moved FAILURE NOTES")
	}
	for i, p := range parts {
		checkRenderGolden(t, fmt.Sprintf("split_%d.md", i), p)
	}
}

func TestRender_S5_SameFailureTextOnce(t *testing.T) {
	st := bigFailing(t, 3)
	for i := range st.Hosts {
		st.Hosts[i].FailureExcerpt = rebootExcerpt
	}
	post := RenderMarkdown(st, RenderOptions{Location: ny(t)})[0]
	if n := strings.Count(post, "md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory\n"); n != 1 {
		t.Errorf("identical excerpt printed %d times, want once", n)
	}
	want := "**atvm202-debian12.5** — 38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test) (mochawesome): same failure text as atvm200-redhat9.1\n"
	if !strings.Contains(post, want) {
		t.Errorf("later hosts do not point to the first:\n%s", post[strings.Index(post, "**FAILURE NOTES:**"):])
	}
}

// S2: the post is a pure function of the Status reconstructed from the
// controller and the options: no cache, no state kept between renderings,
// the Status left as it was.
func TestRender_S2_NothingBeyondTheStatus(t *testing.T) {
	st := categorized(t)
	before, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	opt := RenderOptions{Location: ny(t), Kind: Live, Now: *at(40, 0)}
	first := strings.Join(RenderMarkdown(st, opt), "\n")
	_ = RenderMarkdown(rebootFailed(t), opt) // another run in between
	_ = RenderText(st, opt)
	if again := strings.Join(RenderMarkdown(st, opt), "\n"); again != first {
		t.Errorf("the same Status rendered differently the second time")
	}
	after, _ := json.Marshal(st)
	if string(before) != string(after) {
		t.Errorf("rendering changed the Status")
	}
	// What changes the post is the Status itself: a host the controller now
	// reports as passed is shown passed.
	st.Hosts[2].Status = HostPass
	if changed := strings.Join(RenderMarkdown(st, opt), "\n"); !strings.Contains(changed, "- atvm121-ubuntu24.04 - PASS\n") {
		t.Errorf("the post does not follow the Status")
	}
}
