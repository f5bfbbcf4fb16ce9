package simulator

import (
	"bytes"
	"fmt"
	"regexp"
	"time"
)

// stampHeadRE finds where a timestamp may begin: a date, T or a space, and
// the hour. The rest is read by hand (Go's regexp has no look-around).
var stampHeadRE = regexp.MustCompile(`\d{4}-[01]\d-[0-3]\d[T ][0-2]\d`)

// ShiftTimestamps moves every timestamp in b by d, keeping its layout and
// precision. It knows the forms the controller's files use:
//
//	2026-03-11T09:03:18.362Z   RFC 3339 (reporter, mochawesome; any
//	2026-03-11T09:03:18        fraction, Z, ±hh:mm or none: JUnit)
//	2026-11-22 22:58:12        the runner's "Run started:" line
//	2026-03-11T09-03-18-362Z   reporter file names
//	2026-03-11T050316          mochawesome file names
//
// A zone suffix is kept as written: moving a wall clock and its offset
// together by d is moving the instant by d. Anything that is not a valid
// date and time (digits running on, month 13, …) is left alone, as is a
// result outside years 0000–9999. Fractions are cut to their original
// digits, so equal stamps stay equal and order is kept.
func ShiftTimestamps(b []byte, d time.Duration) []byte {
	if d == 0 {
		return b
	}
	locs := stampHeadRE.FindAllIndex(b, -1)
	if len(locs) == 0 {
		return b
	}
	var out bytes.Buffer
	out.Grow(len(b))
	last := 0
	for _, loc := range locs {
		i := loc[0]
		if i < last || (i > 0 && isDigit(b[i-1])) {
			continue
		}
		st, ok := parseStamp(b[i:])
		if !ok {
			continue
		}
		repl, ok := st.shift(d)
		if !ok {
			continue
		}
		out.Write(b[last:i])
		out.WriteString(repl)
		last = i + st.n
	}
	if last == 0 {
		return b
	}
	out.Write(b[last:])
	return out.Bytes()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// stamp is one parsed timestamp and how it was written.
type stamp struct {
	t       time.Time // the wall clock, read as UTC
	sep     byte      // 'T' or ' '
	timeSep string    // ":", "-" or "" (hhmmss)
	fracSep byte      // '.', '-' or 0 when there is no fraction
	frac    int       // digits of the fraction
	zone    string    // as written: "", "Z", "+02:00", "-0400"
	n       int       // bytes consumed
}

// digits reads exactly k digits at b[i:].
func digits(b []byte, i, k int) (int, bool) {
	if i+k > len(b) {
		return 0, false
	}
	v := 0
	for _, c := range b[i : i+k] {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func parseStamp(b []byte) (stamp, bool) {
	var s stamp
	year, _ := digits(b, 0, 4)
	month, _ := digits(b, 5, 2)
	day, _ := digits(b, 8, 2)
	s.sep = b[10]
	hour, _ := digits(b, 11, 2)
	i := 13
	var min, sec int
	var ok bool
	switch {
	case i < len(b) && (b[i] == ':' || (b[i] == '-' && s.sep == 'T')):
		s.timeSep = string(b[i])
		if min, ok = digits(b, i+1, 2); !ok || i+3 >= len(b) || b[i+3] != b[i] {
			return s, false
		}
		if sec, ok = digits(b, i+4, 2); !ok {
			return s, false
		}
		i += 6
	case s.sep == 'T':
		// hhmmss
		if min, ok = digits(b, i, 2); !ok {
			return s, false
		}
		if sec, ok = digits(b, i+2, 2); !ok {
			return s, false
		}
		i += 4
	default:
		return s, false
	}
	ns := 0
	switch {
	case s.timeSep == ":" && i+1 < len(b) && b[i] == '.' && isDigit(b[i+1]):
		s.fracSep = '.'
		j := i + 1
		for j < len(b) && isDigit(b[j]) && j-i-1 < 9 {
			j++
		}
		s.frac = j - i - 1
		v, _ := digits(b, i+1, s.frac)
		ns = v
		for k := s.frac; k < 9; k++ {
			ns *= 10
		}
		i = j
	case s.timeSep == "-" && i < len(b) && b[i] == '-':
		v, ok := digits(b, i+1, 3)
		if !ok {
			return s, false
		}
		s.fracSep, s.frac, ns = '-', 3, v*1e6
		i += 4
	}
	switch {
	case i < len(b) && b[i] == 'Z':
		s.zone = "Z"
		i++
	case s.timeSep == ":" && i < len(b) && (b[i] == '+' || b[i] == '-'):
		if _, ok := digits(b, i+1, 2); ok {
			if _, ok := digits(b, i+4, 2); ok && b[i+3] == ':' {
				s.zone = string(b[i : i+6]) // ±hh:mm
			} else if _, ok := digits(b, i+3, 2); ok {
				s.zone = string(b[i : i+5]) // ±hhmm
			}
			i += len(s.zone)
		}
	}
	if i < len(b) && isDigit(b[i]) {
		return s, false // runs on: not a timestamp of a known form
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, ns, time.UTC)
	if t.Year() != year || int(t.Month()) != month || t.Day() != day || t.Hour() != hour || t.Minute() != min || t.Second() != sec {
		return s, false // month 13, 25 o'clock: not a date
	}
	s.t, s.n = t, i
	return s, true
}

// shift formats the stamp moved by d in its own layout.
func (s stamp) shift(d time.Duration) (string, bool) {
	t := s.t.Add(d)
	if t.Year() < 0 || t.Year() > 9999 {
		return "", false
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%04d-%02d-%02d%c%02d%s%02d%s%02d", t.Year(), t.Month(), t.Day(), s.sep, t.Hour(), s.timeSep, t.Minute(), s.timeSep, t.Second())
	if s.fracSep != 0 {
		f := fmt.Sprintf("%09d", t.Nanosecond())
		b.WriteByte(s.fracSep)
		b.WriteString(f[:s.frac])
	}
	b.WriteString(s.zone)
	return b.String(), true
}
