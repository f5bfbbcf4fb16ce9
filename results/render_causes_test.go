package results

import (
	"strings"
	"testing"
	"time"
)

// threeFailing: rebootFailed plus two hosts failing step 38 with their own
// paths (one cause) and one failing elsewhere.
func threeFailing(t testing.TB) Status {
	st := rebootFailed(t)
	st.Hosts = append(st.Hosts,
		Host{Name: "atvm70-ubuntu22.04", Status: HostFail, FailedStep: st.Hosts[1].FailedStep,
			Error: "md5sum: /root/tmp/iscsiDisk/diskname2Reboot.md5: No such file or directory"},
		Host{Name: "atvm72-debian12.5", Status: HostFail, FailedStep: "11. Verify data for cmotion",
			Error: "ssh: connect to host 10.20.30.72 port 22: Connection refused"})
	return st
}

// Each FAIL line ends with its host's tag; a pass whose host failed last
// time says FIXED; a host without a tag shows none.
func TestRender_D28_TagsEndTheLines(t *testing.T) {
	st := threeFailing(t)
	since := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	tags := map[string]Tag{
		"atvm71-redhat9.1":   {Kind: TagKnown, K: 3, N: 5, SinceBuild: "reboot-1128", Since: since},
		"atvm70-ubuntu22.04": {Kind: TagNew},
		"atvm88-redhat8.10":  {Kind: TagFixed},
	}
	post := RenderMarkdown(st, RenderOptions{Location: ny(t), Kind: Final, Tags: tags})[0]
	want := map[string]string{
		"atvm71-redhat9.1":   " — KNOWN since reboot-1128, 2026-11-28 (3 of 5)",
		"atvm70-ubuntu22.04": " — NEW",
		"atvm88-redhat8.10":  " - PASS — FIXED",
	}
	for _, l := range hostsBlock(post) {
		for host, end := range want {
			if strings.HasPrefix(l, "- "+host+" ") && !strings.HasSuffix(l, end) {
				t.Errorf("line %q does not end with %q", l, end)
			}
		}
		if strings.HasPrefix(l, "- atvm72-debian12.5 ") && strings.Contains(l, "NEW") {
			t.Errorf("untagged host shows a tag: %q", l)
		}
	}
	// A build name's markdown is inert.
	tags["atvm71-redhat9.1"] = Tag{Kind: TagKnown, K: 1, N: 1, SinceBuild: "reboot_nightly_", Since: since}
	if post := RenderMarkdown(st, RenderOptions{Location: ny(t), Kind: Final, Tags: tags})[0]; !strings.Contains(post, `KNOWN since reboot\_nightly\_, 2026-11-28 (1 of 1)`) {
		t.Errorf("build name not escaped:\n%s", strings.Join(hostsBlock(post), "\n"))
	}
	if plain := RenderText(st, RenderOptions{Location: ny(t), Kind: Final}); strings.Contains(plain, "NEW") || strings.Contains(plain, "FIXED") {
		t.Error("no tags given, yet tags shown")
	}
}

// A cause shared by several hosts is named once in SUMMARY with its hosts;
// a cause of one host is not grouped.
func TestRender_D28_SharedCauseGroupedInSummary(t *testing.T) {
	post := RenderMarkdown(threeFailing(t), RenderOptions{Location: ny(t), Kind: Final})[0]
	summary := post[strings.Index(post, "**SUMMARY:**"):strings.Index(post, "**HOSTS:**")]
	want := "- 2 hosts failed at 38. Verify diskname2Reboot file is the same as… — md5sum: …: No such file or directory: atvm71-redhat9.1, atvm70-ubuntu22.04"
	if !strings.Contains(summary, want) {
		t.Errorf("SUMMARY lacks the shared cause\n%s\nwant line %q", summary, want)
	}
	if strings.Contains(summary, "atvm72") {
		t.Errorf("a one-host cause is grouped:\n%s", summary)
	}
	if n := strings.Count(post, "hosts failed at"); n != 1 {
		t.Errorf("%d cause lines, want 1", n)
	}
}

// Identical error lines are shown as they are; only differing ones are
// shown in their signature's form.
func TestRender_D28_SharedCauseSameTextVerbatim(t *testing.T) {
	st := threeFailing(t)
	st.Hosts[2].Error = st.Hosts[1].Error
	post := RenderMarkdown(st, RenderOptions{Location: ny(t), Kind: Final})[0]
	if !strings.Contains(post, "— md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory: atvm71-redhat9.1, atvm70-ubuntu22.04") {
		t.Errorf("identical errors not shown verbatim:\n%s", post)
	}
}

// Tags never push a host line out of the post: a 500-host run, every host
// tagged, keeps SUMMARY and every machine's line in the post, each part
// within the limit.
func TestRender_D28_S4_TagsKeepTheSplitBound(t *testing.T) {
	st := bigFailing(t, 500)
	tags := map[string]Tag{}
	for _, h := range st.Hosts {
		tags[h.Name] = Tag{Kind: TagKnown, K: 4, N: 10, SinceBuild: "reboot-fleet-1101", Since: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
	}
	for _, n := range []int{40, 500} {
		st := st
		st.Hosts = st.Hosts[:n]
		parts := RenderMarkdown(st, RenderOptions{Location: ny(t), Kind: Final, Tags: tags})
		for i, p := range parts {
			if runeLen(p) > PostMaxRunes {
				t.Errorf("%d hosts: part %d has %d runes", n, i, runeLen(p))
			}
		}
		hosts := hostsBlock(parts[0])
		if len(hosts) != n+1 {
			t.Fatalf("%d hosts: HOSTS in the post has %d lines", n, len(hosts))
		}
		if n == 40 && !strings.HasSuffix(hosts[1], " — KNOWN since reboot-fleet-1101, 2026-11-01 (4 of 10)") {
			t.Errorf("40 hosts: the full tag is lost: %q", hosts[1])
		}
	}
}
