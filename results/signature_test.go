package results

import "testing"

// Error texts from the fixtures and scenario goldens (results/testdata); the
// expected signatures are written by hand.
func TestSignature_D28_VariablePartsRemoved(t *testing.T) {
	const reboot = "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)"
	cases := []struct {
		name, step, err, want string
	}{
		{"temp path", reboot, "md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory",
			"38: md5sum: <path>: No such file or directory"},
		{"temp path under /tmp", "", "exec: md5sum -c /tmp/iscsiDisk/diskname1Disk.md5 exited 1",
			"exec: md5sum -c <path> exited <n>"},
		{"numbers in the message", "11. Verify data for cmotion", "md5sum: WARNING: 1 computed checksum did NOT match",
			"11: md5sum: WARNING: <n> computed checksum did NOT match"},
		{"ip and port", "1. Verifying set up", "ssh: connect to host 10.20.30.71 port 22: Connection refused",
			"1: ssh: connect to host <ip> port <n>: Connection refused"},
		{"timeout, short quoted value kept", "10. Verify data for cmotion",
			"AssertionError: Timed out retrying after 600000ms: expected 'unknown' to match /^10\\./\n    at Context.eval (webpack://cdc-e2e-cyp-12.17.4/./cypress/e2e/generated/x.ts:12:3)",
			"10: AssertionError: Timed out retrying after <n>ms: expected 'unknown' to match /^<n>\\./"},
		{"host names of the run", "", "ping atvm71-redhat9.1 failed; atvm88-ubuntu22.04 and atvm7 unreachable",
			"ping <host> failed; <host> and <host> unreachable"},
		{"windows host names", "", "atvm205-w2k22: WinRM timeout; see /var/log/atvm237-w2k19.log",
			"<host>: WinRM timeout; see /var/log/<host>.log"},
		{"timestamps", "", "at 2026-03-30T17:20:05.123Z and 17:21:00 the service stopped",
			"at <time> and <time> the service stopped"},
		{"hex and uuid ids", "", "volume 3f2a9c1d0e4b vanished (job 123e4567-e89b-12d3-a456-426614174000)",
			"volume <hex> vanished (job <id>)"},
		{"long quoted value", "", "CypressError: `cy.exec('sshpass -e ssh root@10.20.30.9 \"lsblk -o NAME\"')` failed",
			"CypressError: `cy.exec('…')` failed"},
		{"step only", reboot, "", "38"},
		{"step without a number", "Verifying Set Up", "Connection refused", "verifying set up: Connection refused"},
		{"names with digits stay", "", "md5sum of diskname2Reboot", "md5sum of diskname2Reboot"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Signature(c.step, c.err); got != c.want {
				t.Errorf("Signature(%q, %q)\n got %q\nwant %q", c.step, c.err, got, c.want)
			}
		})
	}
}

// The same cause on two hosts, with their own paths, IPs and names, is one
// signature; another step or another message is not.
func TestSignature_D28_SameCauseAcrossHosts(t *testing.T) {
	a := Signature("38. Verify", "md5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory")
	b := Signature("38. Verify", "md5sum: /root/tmp/iscsiDisk/diskname2Reboot-7.md5: No such file or directory")
	if a != b {
		t.Errorf("one cause, two signatures: %q vs %q", a, b)
	}
	c := Signature("38. Verify", "ssh: connect to host 10.20.30.71 port 22: Connection refused")
	d := Signature("38. Verify", "ssh: connect to host 10.20.30.88 port 22: Connection refused")
	if c != d {
		t.Errorf("one cause, two signatures: %q vs %q", c, d)
	}
	if a == c || a == Signature("39. Verify", "md5sum: /root/tmp/fcDisk/x.md5: No such file or directory") {
		t.Error("different causes share a signature")
	}
}
