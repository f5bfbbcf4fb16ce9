package formats

import "testing"

func TestWrapperExtracted_D4_PythonRepr(t *testing.T) {
	for _, c := range []struct {
		specs []string
		want  string
	}{
		{[]string{"cypress/e2e/generated/a.ts", "cypress/e2e/generated/b.ts"}, "Extracted specPattern: ['cypress/e2e/generated/a.ts', 'cypress/e2e/generated/b.ts']\n"},
		{[]string{"it's.ts"}, "Extracted specPattern: [\"it's.ts\"]\n"},
		{[]string{`a'b".ts`, "c\\d\n"}, `Extracted specPattern: ['a\'b".ts', 'c\\d\n']` + "\n"},
		{nil, "Extracted specPattern: []\n"},
	} {
		if got := WrapperExtracted(c.specs); got != c.want {
			t.Errorf("%q: %q, want %q", c.specs, got, c.want)
		}
	}
}
