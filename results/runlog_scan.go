package results

import (
	"bytes"
	"math/bits"
)

// The line filter of the runner-log scan: what decides, from the bytes
// alone, that a line cannot change the facts.

// Prefixes rlMayAct looks for.
var (
	cloudFinishedTag  = []byte("Cloud Run Finished")
	usingTag          = []byte("Using config file:")
	recordedTag       = []byte("🏁 Recorded Run")
	runURLTag         = []byte("🎥 Run URL:")
	runningTag        = []byte("Running: ")
	failingTag        = []byte(" failing")
	runFinishedTag    = []byte("(Run Finished)")
	cypressRunningTag = []byte("Running:")
)

// rlStripSGR drops colour codes (ESC [ digits/; m) into a new slice: raw
// is the caller's buffer and must not change.
func rlStripSGR(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for {
		i := bytes.IndexByte(raw, 0x1b)
		if i < 0 {
			return append(out, raw...)
		}
		j := i + 1
		if j < len(raw) && raw[j] == '[' {
			j++
			for j < len(raw) && (raw[j] >= '0' && raw[j] <= '9' || raw[j] == ';') {
				j++
			}
			if j < len(raw) && raw[j] == 'm' {
				out = append(out, raw[:i]...)
				raw = raw[j+1:]
				continue
			}
		}
		out = append(out, raw[:i+1]...)
		raw = raw[i+1:]
	}
}

// rlTrimLeft skips indentation eight bytes at a time: Cypress indents
// most of its output, and the filter needs the first visible byte.
func rlTrimLeft(b []byte) []byte {
	for len(b) >= 8 {
		w := rlWord(b) ^ 0x2020202020202020
		if w == 0 {
			b = b[8:]
			continue
		}
		b = b[bits.TrailingZeros64(w)>>3:]
		if b[0] != '\t' {
			return b
		}
		b = b[1:]
	}
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// rlWord is b's first eight bytes, little-endian (one load once compiled).
func rlWord(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// rlInteresting is the cheap filter that lets the bulk of Cypress's output
// through untouched: only lines that can change the facts go further. It
// looks at the first byte; the wrapper's lines may also carry a bracketed
// prefix, and a child build id (R10) is looked for only in lines that start
// like a command echo or a label ("$ npx …", "+ …", "Starting …",
// "Build ID: …", "ci-build-id: …", "cypress-cloud: …").
func rlInteresting(t []byte) bool {
	if len(t) == 0 {
		return false
	}
	switch t[0] {
	case 'E', 'D', 'U', 'R', 'C', 0xF0: // Extracted, Detected, Using, Running, Cloud, 🎥 🏁
		return true
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true // mocha's "N failing" and "1) title", or a timestamp prefix
	case '(':
		return bytes.HasPrefix(t, runFinishedTag) // Cypress's own box (D21)
	case '[':
		return bytes.Contains(t, extractedTag) || bytes.Contains(t, detectedTag) || bytes.Contains(t, uildTag)
	case 'S', 's', '$', '+', '>', 'n', 'N', 'B', 'b':
		return bytes.Contains(t, uildTag)
	case 'c':
		// The second byte first: Cypress's own "cy:…" lines are most of a log.
		if len(t) < 2 || t[1] != 'i' && (t[1] != 'y' || !bytes.HasPrefix(t, []byte("cypress"))) {
			return false
		}
		return bytes.Contains(t, uildTag)
	}
	return false
}

// rlMayAct reports whether handle could change the facts for a line
// outside a table or failure capture: a marker prefix, mocha's "N
// failing", or one of the tags looked for anywhere in the line. Lines
// that pass rlInteresting on their first byte alone mostly fail here.
func rlMayAct(raw, t []byte) bool {
	switch t[0] {
	case 'C':
		if bytes.HasPrefix(t, cloudFinishedTag) {
			return true
		}
	case 'U':
		if bytes.HasPrefix(t, usingTag) {
			return true
		}
	case 0xF0:
		if bytes.HasPrefix(t, recordedTag) || bytes.HasPrefix(t, runURLTag) {
			return true
		}
	case 'R':
		if bytes.HasPrefix(raw, runningTag) || len(raw) > len(t) && bytes.HasPrefix(t, cypressRunningTag) {
			return true // cypress-cloud's Running line, or Cypress's own indented one (D21)
		}
	case '(':
		if bytes.HasPrefix(t, runFinishedTag) {
			return true
		}
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if bytes.Contains(t, failingTag) {
			return true
		}
	}
	return bytes.Contains(t, extractedTag) || bytes.Contains(t, detectedTag) || bytes.Contains(t, uildTag)
}
