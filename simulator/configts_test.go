package simulator

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func bp(b bool) *bool { return &b }

func TestConfig_P16_SpecPatternRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		specs []string
	}{
		{"empty", nil},
		{"one", []string{"cypress/e2e/generated/atvm71-redhat9.1.ts"}},
		{"three", []string{"cypress/e2e/generated/a.ts", "cypress/e2e/generated/b.ts", "cypress/e2e/generated/c.ts"}},
		{"quotes", []string{`cypress/e2e/generated/we"ird.ts`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := RenderConfig(tc.specs, Env{Plugin: "iscsi"})
			got, err := ParseSpecPattern(cfg)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.specs
			if want == nil {
				want = []string{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("specPattern = %q, want %q", got, want)
			}
			// Rewriting keeps everything else byte for byte (R2: a batch rewrite).
			next, err := ReplaceSpecPattern(cfg, []string{"cypress/e2e/generated/x.ts"})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(next, RenderConfig([]string{"cypress/e2e/generated/x.ts"}, Env{Plugin: "iscsi"})) {
				t.Errorf("rewrite changed more than specPattern:\n%s", next)
			}
		})
	}
}

func TestParseSpecPattern_P16_Forms(t *testing.T) {
	for _, tc := range []struct {
		name, cfg string
		want      []string
		wantErr   bool
	}{
		{"single quotes", "e2e: {\n  specPattern: ['a.ts', 'b.ts'],\n}", []string{"a.ts", "b.ts"}, false},
		{"one string", "e2e: {\n    specPattern: \"cypress/e2e/generated/a.ts\",\n}", []string{"cypress/e2e/generated/a.ts"}, false},
		{"multi line", "  specPattern: [\n    \"a.ts\",\n    // \"commented.ts\" is text, not a spec\n  ],", []string{"a.ts", "commented.ts"}, false},
		{"missing", "e2e: {}", nil, true},
		{"unterminated", "  specPattern: [\"a.ts\",", nil, true},
		{"not a string", "  specPattern: glob,", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSpecPattern([]byte(tc.cfg))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestConfig_S8_EnvRoundTrip(t *testing.T) {
	for _, env := range []Env{
		{},
		{Plugin: "both", InstallOnly: bp(false)},
		{Plugin: "fc", Integration: "pure", InstallOnly: bp(true)},
		{InstallOnly: bp(false), Cutover: bp(false)},
	} {
		cfg := RenderConfig([]string{"a.ts"}, env)
		if got := ParseEnv(cfg); !reflect.DeepEqual(got, env) {
			t.Errorf("ParseEnv(RenderConfig(%+v)) = %+v", env, got)
		}
		other := Env{Plugin: "iscsi", Cutover: bp(true)}
		next, err := ReplaceEnv(cfg, other)
		if err != nil {
			t.Fatal(err)
		}
		if got := ParseEnv(next); !reflect.DeepEqual(got, other) {
			t.Errorf("after ReplaceEnv: %+v, want %+v", got, other)
		}
		if specs, _ := ParseSpecPattern(next); !reflect.DeepEqual(specs, []string{"a.ts"}) {
			t.Errorf("ReplaceEnv touched specPattern: %q", specs)
		}
	}
	// A config without an env block gets one before the closing });.
	next, err := ReplaceEnv([]byte("export default defineConfig({\n  e2e: { specPattern: [] },\n});\n"), Env{Plugin: "fc"})
	if err != nil || ParseEnv(next).Plugin != "fc" {
		t.Errorf("added env block: %v\n%s", err, next)
	}
}

func TestPythonListRepr_S8_ExtractedLine(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, "[]"},
		{[]string{"cypress/e2e/generated/a.ts", "cypress/e2e/generated/b.ts"}, "['cypress/e2e/generated/a.ts', 'cypress/e2e/generated/b.ts']"},
		{[]string{"it's"}, `["it's"]`},
		{[]string{`a'b"c`}, `['a\'b"c']`},
		{[]string{"tab\there", `back\slash`}, `['tab\there', 'back\\slash']`},
	} {
		if got := PythonListRepr(tc.in); got != tc.want {
			t.Errorf("PythonListRepr(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func FuzzParseSpecPattern(f *testing.F) {
	f.Add(RenderConfig([]string{"cypress/e2e/generated/a.ts"}, Env{Plugin: "fc"}))
	f.Add([]byte("specPattern: 'x'"))
	f.Add([]byte("  specPattern: [\"a\\\"b\", 'c\\'d', `e`]"))
	f.Add([]byte("specPattern: [[[\"a\"]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		specs, err := ParseSpecPattern(data)
		if err != nil {
			return
		}
		// What parses can be rewritten, and the rewrite parses back to the new list.
		next, err := ReplaceSpecPattern(data, specs)
		if err != nil {
			t.Fatalf("parsed but cannot rewrite: %v", err)
		}
		again, err := ParseSpecPattern(next)
		if err != nil {
			t.Fatalf("rewrite does not parse: %v\n%q", err, next)
		}
		if len(again) != len(specs) {
			t.Fatalf("round trip: %q then %q", specs, again)
		}
		_ = ParseEnv(data)
	})
}

func FuzzParseEnv(f *testing.F) {
	f.Add(RenderConfig(nil, Env{Plugin: "both", InstallOnly: bp(true), Cutover: bp(false)}))
	f.Add([]byte("env: { cutover: false, 'test-install-only': true }"))
	f.Add([]byte("env: {"))
	f.Fuzz(func(t *testing.T, data []byte) {
		env := ParseEnv(data)
		for _, g := range []string{gateFC, gateIscsi, gateInstallOnly, gateFullRun, gateCutover, gateNoCutover} {
			_ = env.open(g)
		}
		if out, err := ReplaceEnv(data, env); err == nil && !strings.Contains(string(out), "env: {") {
			t.Fatalf("ReplaceEnv wrote no env block: %q", out)
		}
	})
}
