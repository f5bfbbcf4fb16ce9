package formats

import (
	"fmt"
	"strings"
)

// The two lines of the in-house wrapper run-sorry-cypress.py known from the
// operators' notes (docs/formats.md a).

// WrapperDetected is the wrapper's line after it sees a Recorded Run.
const WrapperDetected = "Detected 'Recorded Run' after 'Cloud Run Finished' - results uploaded successfully."

// WrapperExtracted is the wrapper's specPattern line, with its newline.
func WrapperExtracted(specs []string) string {
	return "Extracted specPattern: " + PythonListRepr(specs) + "\n"
}

// PythonListRepr renders a list of strings as Python's repr does: the
// wrapper prints its lists that way.
func PythonListRepr(items []string) string {
	parts := make([]string, len(items))
	for i, s := range items {
		parts[i] = pyRepr(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func pyRepr(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteString(`\` + string(q))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}
