package results

import (
	"encoding/json"
	"testing"
)

// The escape-free fast path of unquoteBounded must read a literal exactly
// as encoding/json does, invalid UTF-8 included.
func TestUnquoteBounded_FastPathMatchesJSON(t *testing.T) {
	for _, lit := range []string{`""`, `"plain"`, `"ünïcödé ✔"`, "\"bad \xff utf8\"", `"esc \" quote"`, `"tab \t esc"`, `"\u00e9"`} {
		var want string
		if err := json.Unmarshal([]byte(lit), &want); err != nil {
			t.Fatalf("%q: %v", lit, err)
		}
		if got := unquoteBounded([]byte(lit), maxScanText); got != want {
			t.Errorf("%q: got %q, want %q", lit, got, want)
		}
	}
}
