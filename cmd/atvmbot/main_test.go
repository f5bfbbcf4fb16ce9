package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestVersion_W9_Printed(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "atvmbot ") || strings.TrimSpace(strings.TrimPrefix(out, "atvmbot ")) == "" {
		t.Fatalf("version: code %d out %q", code, out)
	}
	old := version
	version = "v9.9.9-test"
	defer func() { version = old }()
	if _, out, _ := runCLI(t, "version"); out != "atvmbot v9.9.9-test\n" {
		t.Fatalf("ldflags version not used: %q", out)
	}
}

func TestUnknownCommandDidYouMean(t *testing.T) {
	code, _, errOut := runCLI(t, "check-confg")
	if code != 2 || !strings.Contains(errOut, "Did you mean this?\n\tcheck-config\n") {
		t.Fatalf("code %d stderr %q", code, errOut)
	}
}

// The example names secret files that do not exist here: serve would not
// start, so check-config must not say OK; offline it is fine.
func TestCheckConfig_ExampleNamesMissingSecretFiles(t *testing.T) {
	code, out, errOut := runCLI(t, "check-config", "--config", "../../config.example.yaml")
	if code != 1 || strings.Contains(errOut, "config OK") || !strings.Contains(out, "atvm_root: /root/cdc-e2e-cyp-12.17.4") {
		t.Fatalf("code %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"secret_files.signing_key (../../config.example.yaml line ", "ATVMBOT_SIGNING_KEY: NOT READABLE"} {
		if !strings.Contains(out+errOut, want) {
			t.Errorf("want %q in:\n%s", want, out+errOut)
		}
	}
	if code, _, errOut := runCLI(t, "check-config", "--offline", "--config", "../../config.example.yaml"); code != 0 || !strings.Contains(errOut, "config OK") {
		t.Fatalf("offline: code %d\n%s", code, errOut)
	}
}

func TestCheckConfig_BrokenListsAllAndExitsOne(t *testing.T) {
	t.Setenv("ATVMBOT_SLASH_TOKEN", "do-not-print-me")
	code, out, errOut := runCLI(t, "check-config", "--config", "../../config/testdata/broken.yaml")
	if code != 1 {
		t.Fatalf("code %d, want 1", code)
	}
	if n := strings.Count(errOut, "\n  - "); n < 15 {
		t.Fatalf("only %d problems listed:\n%s", n, errOut)
	}
	if strings.Contains(out+errOut, "do-not-print-me") {
		t.Fatal("a secret was printed")
	}
}

func TestCheckConfig_MissingFile(t *testing.T) {
	code, _, errOut := runCLI(t, "check-config", "--config", filepath.Join(t.TempDir(), "nope.yaml"))
	if code != 1 || !strings.Contains(errOut, "nope.yaml") {
		t.Fatalf("code %d stderr %q", code, errOut)
	}
}
