package commands

import (
	"os"
	"path/filepath"
	"testing"
)

// The registered hint and description are the only autocomplete a custom
// slash command gets, so their exact text is reviewed as a golden file.
func TestAutocomplete_Golden(t *testing.T) {
	got := "hint: " + AutocompleteHint + "\ndescription: " + AutocompleteDescription + "\n"
	path := filepath.Join("testdata", "golden", "autocomplete.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs; -update rewrites it after review.\n got:\n%s\nwant:\n%s", path, got, want)
	}
	// Mattermost shows the hint on one line of the suggestion list.
	if n := len([]rune(AutocompleteHint)); n > 200 {
		t.Errorf("hint is %d runes; keep it to one line", n)
	}
}
