package commands

import "testing"

func TestFlagValue_FoundCommandLines(t *testing.T) {
	words := []string{"python3", "./cmc-templates.py", "--template_name", "cmc-e2e", "--use_specified_plugin='fc'", "--config_file", `"x.ts"`, "--last"}
	cases := map[string]string{
		"--template_name":        "cmc-e2e",
		"--use_specified_plugin": "fc",
		"--config_file":          "x.ts",
		"--last":                 "",
		"--missing":              "",
	}
	for name, want := range cases {
		if got := FlagValue(words, name); got != want {
			t.Errorf("FlagValue(%s) = %q, want %q", name, got, want)
		}
	}
}
