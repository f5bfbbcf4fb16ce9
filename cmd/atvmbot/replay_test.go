package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

const scenarioDir = "../../results/testdata/scenarios"

func applyScenarioMtimes(t *testing.T, dir string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "mtimes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for rel, v := range m {
		at, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(rel)), at, at); err != nil {
			t.Fatal(err)
		}
	}
}

// scenarioArgs turns a scenario's meta.json (the replay flags) into argv.
func scenarioArgs(t *testing.T, dir string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	args := []string{"replay", "--format", "json"}
	for _, k := range keys {
		switch v := m[k].(type) {
		case bool:
			if v {
				args = append(args, "--"+k)
			}
		case string:
			switch k {
			case "atvm-root", "tmp-dir", "ps", "inventory":
				v = filepath.Join(dir, v)
			}
			args = append(args, "--"+k, v)
		case []any:
			for _, x := range v {
				args = append(args, "--"+k, fmt.Sprint(x))
			}
		default:
			t.Fatalf("meta.json %s: unsupported %T", k, v)
		}
	}
	return args
}

func withoutVersion(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	delete(m, "version")
	return m
}

// Replay gives, for every scenario, the golden Status of the results tests.
func TestReplay_W8_ScenariosMatchGolden(t *testing.T) {
	entries, err := os.ReadDir(scenarioDir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			dir := filepath.Join(scenarioDir, e.Name())
			applyScenarioMtimes(t, dir)
			var out, errb bytes.Buffer
			if code := run(scenarioArgs(t, dir), &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			want, err := os.ReadFile(filepath.Join(dir, "golden.json"))
			if err != nil {
				t.Fatal(err)
			}
			got, exp := withoutVersion(t, out.Bytes()), withoutVersion(t, want)
			gj, _ := json.Marshal(got)
			ej, _ := json.Marshal(exp)
			if !bytes.Equal(gj, ej) {
				t.Errorf("replay differs from golden:\n%s", out.String())
			}
		})
	}
	if n == 0 {
		t.Fatal("no scenario found")
	}
}

func treeDigest(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		sum := ""
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum = fmt.Sprintf("%x", sha256.Sum256(b))
		}
		out[p] = fmt.Sprintf("%s %d %s", info.Mode(), info.ModTime().UnixNano(), sum)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// W8: replay reads the folder, writes nothing anywhere (no state, no
// database, no files in the working directory) and posts nothing.
func TestReplay_W8_NoStateNoPost(t *testing.T) {
	dir := filepath.Join(scenarioDir, "r9-late-row-0415")
	applyScenarioMtimes(t, dir)
	abs := mustAbs(t, dir)
	work := t.TempDir()
	t.Chdir(work)
	t.Setenv("HOME", work)
	t.Setenv("ATVMBOT_MATTERMOST_URL", "http://127.0.0.1:1") // nothing listens: a post attempt would show as an error
	before := treeDigest(t, abs)
	var out, errb bytes.Buffer
	args := []string{"replay", "--atvm-root", filepath.Join(abs, "atvm"), "--tmp-dir", filepath.Join(abs, "tmp"), "--build", "e2e-3vm-iscsi",
		"--since", "2026-04-15T14:00:00Z", "--now", "2026-04-15T17:00:00Z", "--template", "cmc-e2e", "--plugin", "iscsi"}
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if errb.Len() != 0 {
		t.Errorf("stderr: %s", errb.String())
	}
	var st struct {
		State string `json:"state"`
		Hosts []struct{ Name, Status string }
	}
	if err := json.Unmarshal(out.Bytes(), &st); err != nil || st.State != "FAILED" || len(st.Hosts) != 3 {
		t.Fatalf("status %+v, err %v", st, err)
	}
	after := treeDigest(t, abs)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Error("replay changed the scenario folder")
	}
	left, err := os.ReadDir(work)
	if err != nil || len(left) != 0 {
		t.Errorf("replay wrote into the working directory: %v %v", left, err)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestReplay_W8_BadFlags(t *testing.T) {
	root := t.TempDir()
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"replay", "--build", "b"}, "required"},
		{[]string{"replay", "--atvm-root", root}, "required"},
		{[]string{"replay", "--atvm-root", filepath.Join(root, "nope"), "--build", "b"}, "not a readable folder"},
		{[]string{"replay", "--atvm-root", root, "--build", "b", "--plugin", "scsi"}, "--plugin"},
		{[]string{"replay", "--atvm-root", root, "--build", "b", "--since", "yesterday"}, "--since"},
		{[]string{"replay", "--atvm-root", root, "--build", "b", "--format", "xml"}, "--format"},
		{[]string{"replay", "--atvm-root", root, "--build", "../etc"}, "not a build name"},
		{[]string{"replay", "--atvm-root", root, "--build", "b", "--skip", "nameonly"}, "MACHINE=REASON"},
		{[]string{"replay", "--atvm-root", root, "--build", "b", "--bogus"}, "bogus"},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, errb.String(), tc.msg)
		}
	}
}

// An empty folder still gives a status (exit 0): nothing found, no PASS.
func TestReplay_W8_EmptyFolderGivesStatus(t *testing.T) {
	root := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"replay", "--atvm-root", root, "--tmp-dir", root, "--build", "b", "--vms", "atvm1-redhat9.1"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), `"state": "UNKNOWN"`) || strings.Contains(out.String(), `"PASS"`) {
		t.Errorf("status: %s", out.String())
	}
}
