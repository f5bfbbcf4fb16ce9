package results

import (
	"path"
	"strings"
	"time"
)

// ReporterStamp extracts the run timestamp from a reporter file name such as
// atvm81-redhat8.10-2026-03-30T19-01-00-000Z.txt: <host>-<ISO time with
// ':' and '.' written as '-'>Z, then an optional extension of letters and
// digits. Read by hand: it is asked of every reporter file on every poll.
func ReporterStamp(name string) (host string, at time.Time, ok bool) {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	// The stamp at the very end first (the longest host), then before an
	// extension: the order a greedy "<host>-<stamp>(.ext)?" match prefers.
	if host, at, ok = stampAtEnd(base); ok {
		return host, at, ok
	}
	if i := strings.LastIndexByte(base, '.'); i >= 0 && i < len(base)-1 && alnum(base[i+1:]) {
		return stampAtEnd(base[:i])
	}
	return "", time.Time{}, false
}

// stampAtEnd reads "<host>-2026-03-30T19-01-00-000Z" (a host of at least
// one byte).
func stampAtEnd(s string) (host string, at time.Time, ok bool) {
	const n = len("-2026-03-30T19-01-00-000Z")
	if len(s) < n+1 || s[len(s)-1] != 'Z' || s[len(s)-n] != '-' {
		return "", time.Time{}, false
	}
	host, st := s[:len(s)-n], s[len(s)-n+1:len(s)-1]
	for i := 0; i < len(st); i++ {
		c := st[i]
		switch i {
		case 4, 7, 13, 16, 19:
			if c != '-' {
				return "", time.Time{}, false
			}
		case 10:
			if c != 'T' {
				return "", time.Time{}, false
			}
		default:
			if c < '0' || c > '9' {
				return "", time.Time{}, false
			}
		}
	}
	at, err := time.Parse(time.RFC3339Nano, st[:10]+"T"+st[11:13]+":"+st[14:16]+":"+st[17:19]+"."+st[20:23]+"Z")
	if err != nil {
		return "", time.Time{}, false
	}
	return host, at.UTC(), true
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
