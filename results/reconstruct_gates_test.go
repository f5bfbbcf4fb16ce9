package results

import (
	"strings"
	"testing"
	"time"
)

const gatedSpec = `const performCutover = Cypress.env("cutover") != false;
describe("atvm71-redhat9.1 cmc-migrateops-compute-migration", () => {
  it("1. Verifying set up", () => {});
  if (Cypress.env("test-install-only") == true) {
    it("2. Install only", () => {});
  }
  if (performCutover) {
    it("3. Finalize cutover", () => {});
  } else {
    it("3. Keep the source running", () => {});
  }
  if (!Cypress.env("skip_cleanup")) {
    it("4. Clean up", () => {});
  }
  if (Cypress.env("vmware") && Cypress.env("static_ip") || Cypress.env("force_ip") == "yes") {
    it("5. Set static IP", () => {});
  }
});
`

func gatedConfig(env string) []byte {
	return []byte(`import { defineConfig } from "cypress";
export default defineConfig({
  e2e: {
    specPattern: ["cypress/e2e/generated/atvm71-redhat9.1.ts"],
  },
  env: {` + env + `},
});
`)
}

// S8, D4: TEST FLOW's gates read the run's own values — the env block of
// the config stored at verification, then the template command's flags —
// with JavaScript's comparison rules; a value that cannot be known is
// named in NOTES and its steps are kept.
func TestReconstruct_S8_GatesFromRunConfig(t *testing.T) {
	cases := []struct {
		name      string
		stored    string // env block of the config stored at verification; "-" = none stored
		live      string // env block of the live config
		command   string
		want      []string
		noteAbout string // a NOTES line must name this gate
	}{
		{"stored config decides", `cutover: false, "test-install-only": false, skip_cleanup: 0, vmware: true, static_ip: "10.1.1.1", force_ip: "no"`, `cutover: true`, "",
			[]string{"1", "3. Keep", "4", "5"}, ""},
		{"string false is not false", `cutover: "false", "test-install-only": false, skip_cleanup: false, vmware: false, static_ip: "", force_ip: "no"`, "", "",
			[]string{"1", "3. Finalize", "4"}, ""},
		{"zero == false", `cutover: 0, "test-install-only": 1, skip_cleanup: "x", vmware: true, static_ip: "", force_ip: "yes"`, "", "",
			[]string{"1", "2", "3. Keep", "5"}, ""},
		{"null != false", `cutover: null, "test-install-only": "true", skip_cleanup: null, vmware: 1, static_ip: 1, force_ip: "no"`, "", "",
			[]string{"1", "3. Finalize", "4", "5"}, ""},
		{"live config when none stored", "-", `cutover: false, "test-install-only": false, skip_cleanup: true, vmware: false, static_ip: false, force_ip: "no"`, "",
			[]string{"1", "3. Keep"}, ""},
		{"template flag when the env is silent", `"test-install-only": false, skip_cleanup: true, vmware: false, static_ip: false, force_ip: "no"`, "", "python3 ./cmc-templates.py --template_name cmc-migrateops-compute-migration --no_cutover",
			[]string{"1", "3. Keep"}, ""},
		{"value from the environment is unknown", `cutover: true, "test-install-only": false, skip_cleanup: process.env.SKIP_CLEANUP, vmware: false, static_ip: false, force_ip: "no"`, "", "",
			[]string{"1", "3. Finalize", "4"}, "skip_cleanup"},
		{"key absent from the env is unknown", `cutover: true, "test-install-only": false, skip_cleanup: true, vmware: true, static_ip: ""`, "", "",
			[]string{"1", "3. Finalize", "5"}, "force_ip"},
	}
	start := time.Date(2026, 11, 17, 14, 0, 0, 0, time.UTC)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			meta := Meta{Build: "b", Template: "cmc-migrateops-compute-migration", RequestedVMs: []string{"atvm71-redhat9.1"}, RunStart: start, Now: start.Add(time.Hour),
				TemplateCommand: c.command, ConfigFile: "cypress.atvm-config-gold.ts"}
			if c.stored != "-" {
				meta.Config = gatedConfig(c.stored)
			}
			files := []File{{Path: "cypress/e2e/generated/atvm71-redhat9.1.ts", ModTime: start.Add(time.Minute), Data: []byte(gatedSpec)}}
			if c.live != "" || c.stored == "-" {
				files = append(files, File{Path: "cypress.atvm-config-gold.ts", ModTime: start.Add(time.Minute), Data: gatedConfig(c.live)})
			}
			st := Reconstruct(meta, Artifacts{Files: files})
			if len(st.TestFlow) != len(c.want) {
				t.Fatalf("flow %q, want steps starting %q (notes %q)", st.TestFlow, c.want, st.Notes)
			}
			for i, w := range c.want {
				if !strings.HasPrefix(st.TestFlow[i], w) {
					t.Fatalf("flow %q, want steps starting %q (notes %q)", st.TestFlow, c.want, st.Notes)
				}
			}
			notes := strings.Join(st.Notes, "\n")
			if c.noteAbout == "" && strings.Contains(notes, "TEST FLOW") {
				t.Errorf("unexpected TEST FLOW note: %q", st.Notes)
			}
			if c.noteAbout != "" && !strings.Contains(notes, c.noteAbout) {
				t.Errorf("notes %q should name the unknown gate %s", st.Notes, c.noteAbout)
			}
		})
	}
}

func TestConfigEnv_S8_Literals(t *testing.T) {
	env, ok := ConfigEnv([]byte(`export default defineConfig({
  env: { a: true, "b-c": 'x', d: -2.5, e: null, f: undefined, g: process.env.G, h: { x: 1 }, ...extra, i: ` + "`t`" + ` },
  e2e: { env: { a: false } },
});`))
	if !ok {
		t.Fatal("no env read")
	}
	want := map[string]any{"a": false, "b-c": "x", "d": -2.5, "e": nil, "f": envUndefined{}, "g": envUnknown{}, "h": envUnknown{}, "i": "t"}
	if len(env) != len(want) {
		t.Fatalf("env %#v, want %#v", env, want)
	}
	for k, v := range want {
		if got, ok := env[k]; !ok || got != v {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}
	if _, ok := ConfigEnv([]byte(`export default { e2e: {} }`)); ok {
		t.Error("a config without env has no env block")
	}
}

func FuzzConfigEnv(f *testing.F) {
	f.Add([]byte(`env: { cutover: false, "test-install-only": true, x: process.env.X, ...y }`))
	f.Add([]byte("env: {"))
	f.Add([]byte("env: { a: { b: [1, 2] }, c: -1e3, d: `t${x}` }"))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, ok := ConfigEnv(data)
		if ok != (env != nil) {
			t.Fatalf("ok %v with env %v", ok, env)
		}
		for k, v := range env {
			if goToJS(v).kind == kUnknown && v != (envUnknown{}) {
				t.Fatalf("%s: literal %#v reads as unknown", k, v)
			}
		}
	})
}
