package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/atvm/atvmbot/config"
)

func readSpec(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "specs", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func flowBool(b bool) *bool { return &b }

// stepNumbers lists the leading numbers of steps, to assert gaps by hand.
func stepNumbers(steps []string) []int {
	var out []int
	for _, s := range steps {
		n, _, _ := strings.Cut(s, ".")
		v, err := strconv.Atoi(n)
		if err != nil {
			v = -1
		}
		out = append(out, v)
	}
	return out
}

func stepSeq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// The step counts per template and case are the table of the generated-spec
// format: every fixture must evaluate to exactly these.
func TestTestFlow_S8_FixtureStepCounts(t *testing.T) {
	tests := []struct {
		spec    string
		gates   FlowGates
		want    int
		numbers []int // nil: not checked
	}{
		{"cmc-e2e.ts", FlowGates{Plugin: "fc"}, 22, stepSeq(1, 22)},
		{"cmc-e2e.ts", FlowGates{Plugin: "iscsi"}, 20, stepSeq(1, 20)},
		{"cmc-e2e.ts", FlowGates{Plugin: "both"}, 39, append(stepSeq(1, 22), stepSeq(4, 20)...)},
		{"cmc-e2e.ts", FlowGates{Plugin: "iscsi", InstallOnly: true}, 8, stepSeq(1, 8)},
		{"cmc-reboot.ts", FlowGates{Plugin: "fc"}, 43, append(stepSeq(1, 10), stepSeq(25, 57)...)},
		{"cmc-reboot.ts", FlowGates{Plugin: "iscsi"}, 37, append(stepSeq(1, 24), stepSeq(45, 57)...)},
		{"cmc-reboot.ts", FlowGates{Plugin: "both"}, 57, stepSeq(1, 57)},
		{"cmc-systemOS.ts", FlowGates{}, 21, stepSeq(1, 21)},
		{"cmc-migrateops-compute-migration.ts", FlowGates{}, 17, append(stepSeq(1, 15), 18, 19)},
		{"cmc-migrateops-compute-migration.ts", FlowGates{Cutover: flowBool(true)}, 17, append(stepSeq(1, 15), 18, 19)},
		{"cmc-migrateops-compute-migration.ts", FlowGates{Cutover: flowBool(false)}, 14, append(stepSeq(1, 10), 16, 17, 18, 19)},
	}
	for _, tc := range tests {
		name := tc.spec + "/" + tc.gates.Plugin
		if tc.gates.InstallOnly {
			name += "/install-only"
		}
		if tc.gates.Cutover != nil {
			name += "/cutover=" + strconv.FormatBool(*tc.gates.Cutover)
		}
		t.Run(name, func(t *testing.T) {
			steps, notes, err := TestFlow(readSpec(t, tc.spec), tc.gates)
			if err != nil {
				t.Fatal(err)
			}
			if len(steps) != tc.want {
				t.Errorf("got %d steps, want %d:\n%s", len(steps), tc.want, strings.Join(steps, "\n"))
			}
			if tc.numbers != nil {
				if d := diffList(tc.numbers, stepNumbers(steps)); d != "" {
					t.Errorf("step numbers (-want +got):\n%s", d)
				}
			}
			if len(notes) != 0 {
				t.Errorf("no gate should be unknown, got notes %q", notes)
			}
		})
	}
}

func TestTestFlow_S8_E2EFCMatchesStaticFlow(t *testing.T) {
	steps, _, err := TestFlow(readSpec(t, "cmc-e2e.ts"), FlowGates{Plugin: "fc"})
	if err != nil {
		t.Fatal(err)
	}
	want := config.Default().Templates["cmc-e2e"].StaticFlow
	if d := diffList(want, steps); d != "" {
		t.Errorf("cmc-e2e fc flow differs from the operators' 22 steps (-static +spec):\n%s", d)
	}
	if n := strings.Count(string(readSpec(t, "cmc-e2e.ts")), "it("); n != 44 {
		t.Errorf("raw it( count = %d, want 44", n)
	}
}

func TestTestFlow_S8_PluginGates(t *testing.T) {
	// cmc-e2e names its gates useFCPlugin / useIscsiPlugin; both branches are
	// in the file, the FC run shows only the FC one.
	steps, _, err := TestFlow(readSpec(t, "cmc-e2e.ts"), FlowGates{Plugin: "fc"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if strings.Contains(s, "Setting up iSCSI disk") {
			t.Errorf("FC flow holds the iSCSI branch step %q", s)
		}
	}
	if !hasString(steps, "18. Remove enabled FC integration") {
		t.Errorf("FC flow lacks the FC step: %q", steps)
	}

	// cmc-reboot names them usePureFCPlugin / usePureIscsiPlugin.
	reboot, _, err := TestFlow(readSpec(t, "cmc-reboot.ts"), FlowGates{Plugin: "fc"})
	if err != nil {
		t.Fatal(err)
	}
	if !hasString(reboot, "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)") {
		t.Errorf("reboot FC flow lacks step 38: %q", reboot)
	}
	if hasString(reboot, "20. Verify diskname1Reboot file is the same as diskname1Reboots source (Reboot test)") {
		t.Errorf("reboot FC flow holds an iSCSI step")
	}

	// Gates matched by name alone: a new template's variables work without
	// code changes, with or without Pure in the name, whatever the casing.
	spec := []byte(`
describe("x", () => {
  it("1. common", () => {});
  if (enableNvmeFcPath) { it("2. fc a", () => {}); }
  if (usePureISCSIPlugin) { it("3. iscsi a", () => {}); }
  if (use_iscsi_plugin && use_fc_plugin) { it("4. both only", () => {}); }
  if (!useFcPlugin) { it("5. not fc", () => {}); }
  else if (useIscsi) { it("6. fc and iscsi", () => {}); }
  else { it("7. fc else", () => {}); }
  if (pluginType === "fc") { it("8. direct fc", () => {}); }
  if (Cypress.env("pure_plugin_type") == "iscsi") { it("9. env iscsi", () => {}); }
  if (["fc", "both"].includes(Cypress.env("plugin_type"))) { it("10. includes fc", () => {}); }
});
`)
	tests := []struct {
		plugin string
		want   []string
	}{
		{"fc", []string{"1. common", "2. fc a", "7. fc else", "10. includes fc"}},
		{"iscsi", []string{"1. common", "3. iscsi a", "5. not fc", "9. env iscsi"}},
		{"both", []string{"1. common", "2. fc a", "3. iscsi a", "4. both only", "6. fc and iscsi", "10. includes fc"}},
		{"none", []string{"1. common", "5. not fc"}},
	}
	for _, tc := range tests {
		got, _, err := TestFlow(spec, FlowGates{Plugin: tc.plugin, Env: map[string]any{}})
		if err != nil {
			t.Fatal(err)
		}
		// pluginType is undefined in this spec: its gate is unknown, kept.
		want := append([]string{}, tc.want...)
		want = insertSorted(want, "8. direct fc")
		if d := diffList(want, got); d != "" {
			t.Errorf("plugin %s (-want +got):\n%s", tc.plugin, d)
		}
	}
}

// insertSorted inserts s among numbered steps by its number.
func insertSorted(steps []string, s string) []string {
	n := stepNumbers([]string{s})[0]
	for i, x := range steps {
		if stepNumbers([]string{x})[0] > n {
			return append(steps[:i], append([]string{s}, steps[i:]...)...)
		}
	}
	return append(steps, s)
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestTestFlow_S8_InstallOnly(t *testing.T) {
	steps, notes, err := TestFlow(readSpec(t, "cmc-e2e.ts"), FlowGates{Plugin: "iscsi", InstallOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1. Verifying set up",
		"2. Power on and obtain ip address and host name",
		"3. Uninstall CMC if still exists",
		"4. Setting up disk on the host",
		"5. Copy CMC install command from GUI",
		"6. Install CMC",
		"7. Verify CMC services are running",
		"8. Power off",
	}
	if d := diffList(want, steps); d != "" {
		t.Errorf("install-only flow (-want +got):\n%s", d)
	}
	if len(notes) != 0 {
		t.Errorf("notes: %q", notes)
	}
	// With the env var unset, neither install-only branch runs (JavaScript:
	// undefined == true and undefined == false are both false).
	unset, _, err := TestFlow(readSpec(t, "cmc-e2e.ts"), FlowGates{Plugin: "fc", Env: map[string]any{"test-install-only": nil}})
	if err != nil {
		t.Fatal(err)
	}
	if len(unset) != 3 {
		t.Errorf("unset test-install-only: got %d steps, want the 3 common ones: %q", len(unset), unset)
	}
}

func TestTestFlow_S9_TextIsNoProof(t *testing.T) {
	spec := []byte(`
// it("99. commented out step", () => {});
/* if (useFCPlugin) { it("98. in a block comment", () => {}) } */
const note = 'if (useIscsiPlugin) { it("97. in a string") }';
const tpl = ` + "`it(\"96. in a template ${JSON.stringify({ a: { b: 1 } })} literal\")`" + `;
const re = /it\("95. in a regex"\)[{}]/;
describe("atvm1-x cmc-e2e", () => {
  it("1. Verifying set up", () => {
    cy.log("if (useIscsiPlugin) { iSCSI steps run }");
  });
  if (useIscsiPlugin) {
    it("2. Setting up iSCSI disk on the host", () => {});
  }
  it.skip("3. skipped step", () => {});
  it.only("4. focused step", () => {});
  it(` + "`5. template title`" + `, () => {});
});
`)
	steps, notes, err := TestFlow(spec, FlowGates{Plugin: "fc"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1. Verifying set up", "4. focused step", "5. template title"}
	if d := diffList(want, steps); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if len(notes) != 0 {
		t.Errorf("notes: %q", notes)
	}
}

func TestTestFlow_S8_UnknownGateKeepsSteps(t *testing.T) {
	spec := []byte(`
const weird = computeSomething();
describe("d", () => {
  it("1. a", () => {});
  if (weird > 3) {
    it("2. b", () => {});
  } else {
    it("3. c", () => {});
  }
  if (Cypress.env("some_flag")) { it("4. d", () => {}); }
  if (useFCPlugin) { it("5. fc", () => {}); }
  if (host.os === "windows") { cy.log("not a gate on steps: no note"); }
});
`)
	steps, notes, err := TestFlow(spec, FlowGates{})
	if err != nil {
		t.Fatal(err)
	}
	if d := diffList([]string{"1. a", "2. b", "3. c", "4. d", "5. fc"}, steps); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	wantNotes := []string{
		"unknown gate `weird > 3`: steps kept",
		"unknown gate `Cypress.env(\"some_flag\")`: steps kept",
		"unknown gate `useFCPlugin`: steps kept",
	}
	if d := diffList(wantNotes, notes); d != "" {
		t.Errorf("notes (-want +got):\n%s", d)
	}
}

func TestTestFlow_S8_GateSemantics(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		gates FlowGates
		want  []string
	}{
		{"cutover unset runs", `const c = Cypress.env("cutover") != false; if (c) { it("1. x") }`, FlowGates{}, []string{"1. x"}},
		{"cutover false skips", `const c = Cypress.env("cutover") != false; if (c) { it("1. x") } else { it("2. y") }`, FlowGates{Cutover: flowBool(false)}, []string{"2. y"}},
		{"else if chain", `if (Cypress.env("pure_plugin_type") === "fc") { it("1. fc") } else if (Cypress.env("pure_plugin_type") === "iscsi") { it("2. iscsi") } else { it("3. none") }`, FlowGates{Plugin: "iscsi"}, []string{"2. iscsi"}},
		{"single statement if", "if (useFCPlugin) it(\"1. fc\", () => {});\nelse it(\"2. other\", () => {});\nit(\"3. after\")", FlowGates{Plugin: "iscsi"}, []string{"2. other", "3. after"}},
		{"nested gates", `if (Cypress.env("test-install-only") == false) { if (usePureFCPlugin) { it("1. fc") } if (usePureIscsiPlugin) { it("2. iscsi") } }`, FlowGates{Plugin: "both"}, []string{"1. fc", "2. iscsi"}},
		{"typed const and ??", `const p: string = Cypress.env("plugin") ?? "iscsi"; const f = p === "fc"; if (f) { it("1. fc") } else { it("2. not") }`, FlowGates{Plugin: "fc"}, []string{"1. fc"}},
		{"env override wins", `if (Cypress.env("test-install-only") == true) { it("1. io") } else { it("2. full") }`, FlowGates{InstallOnly: false, Env: map[string]any{"test-install-only": true}}, []string{"1. io"}},
		{"ternary and not", `const x = Cypress.env("cutover") === false ? false : true; if (!x) { it("1. no") } else { it("2. yes") }`, FlowGates{}, []string{"2. yes"}},
		{"lowercase compare", `if (Cypress.env("pure_plugin_type").toLowerCase() === "fc") { it("1. fc") }`, FlowGates{Plugin: "FC"}, []string{"1. fc"}},
		{"self word not fc", `if (selfCheck) { it("1. kept, unknown") }`, FlowGates{Plugin: "iscsi"}, []string{"1. kept, unknown"}},
		{"single quotes", `it('1. single', () => {}); it("2. escaped \"q\"", () => {})`, FlowGates{}, []string{"1. single", `2. escaped "q"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := TestFlow([]byte(tc.src), tc.gates)
			if err != nil {
				t.Fatal(err)
			}
			if d := diffList(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestTestFlow_S8_UnreadableSpec(t *testing.T) {
	for name, src := range map[string]string{
		"empty":             "",
		"no steps":          `describe("x", () => { cy.log("nothing") })`,
		"unterminated str":  `it("1. a`,
		"unbalanced brace":  `describe("x", () => { it("1. a", () => {}) `,
		"unterminated tmpl": "it(`1. a",
	} {
		if _, _, err := TestFlow([]byte(src), FlowGates{}); err == nil {
			t.Errorf("%s: want an error so the caller falls back", name)
		}
	}
}

// checkFlowMemo: a flow from a remembered parse equals one from a fresh
// parse (an evaluation never changes the parse it reads).
func checkFlowMemo(t *testing.T, spec []byte, g FlowGates) {
	t.Helper()
	steps, notes, err := TestFlow(spec, g)
	p, perr := parseSpec(spec)
	if perr == nil && p.its == 0 {
		perr = errors.New("no it(…) step in the spec")
	}
	if (err == nil) != (perr == nil) {
		t.Fatalf("remembered parse error %v, fresh %v", err, perr)
	}
	if perr != nil {
		return
	}
	ev := &flowEval{p: p, ge: &gateEval{gates: g, memo: map[*binding]jsVal{}}, seen: map[string]bool{}}
	ev.run(p.nodes)
	if !reflect.DeepEqual(steps, ev.steps) || !reflect.DeepEqual(notes, ev.notes) {
		t.Fatalf("remembered parse gives %q %q, a fresh one %q %q", steps, notes, ev.steps, ev.notes)
	}
}

// A spec asked for again, under other gates, reads as a fresh parse does.
func TestFlow_S8_RememberedParseUnchanged(t *testing.T) {
	for _, name := range []string{"cmc-e2e.ts", "cmc-reboot.ts", "cmc-systemOS.ts", "cmc-migrateops-compute-migration.ts"} {
		spec := readSpec(t, name)
		for _, g := range []FlowGates{{Plugin: "fc"}, {Plugin: "iscsi"}, {Plugin: "both", InstallOnly: true}, {}, {Plugin: "fc"}} {
			checkFlowMemo(t, spec, g)
		}
	}
}

func FuzzTestFlow(f *testing.F) {
	for _, name := range []string{"cmc-e2e.ts", "cmc-reboot.ts", "cmc-systemOS.ts", "cmc-migrateops-compute-migration.ts"} {
		f.Add(readSpec(f, name), "fc", false)
	}
	f.Add([]byte(`if (a) it("1. x"); else if (b) { it("2. y") } else it("3. z")`), "both", true)
	f.Add([]byte("const a = `${`${x}`}`; if (!(a ?? b) || c[0]) { it(`1. ${a}`) }"), "", false)
	f.Fuzz(func(t *testing.T, spec []byte, plugin string, installOnly bool) {
		checkFlowMemo(t, spec, FlowGates{Plugin: "none"})
		steps, _, err := TestFlow(spec, FlowGates{Plugin: plugin, InstallOnly: installOnly})
		checkFlowMemo(t, spec, FlowGates{Plugin: plugin, InstallOnly: installOnly})
		if err != nil {
			return
		}
		all, err := specTitles(spec)
		if err != nil {
			t.Fatalf("TestFlow read the spec but specTitles failed: %v", err)
		}
		// Every step is one of the file's it titles, in file order.
		j := 0
		for _, s := range steps {
			for j < len(all) && all[j] != s {
				j++
			}
			if j == len(all) {
				t.Fatalf("step %q is not in order among the spec's titles %q", s, all)
			}
			j++
		}
	})
}

// diffList reports how two lists differ ("" when equal), as -want +got.
func diffList[T comparable](want, got []T) string {
	if len(want) == len(got) {
		same := true
		for i := range want {
			if want[i] != got[i] {
				same = false
				break
			}
		}
		if same {
			return ""
		}
	}
	var b strings.Builder
	for i := 0; i < len(want) || i < len(got); i++ {
		switch {
		case i >= len(got):
			fmt.Fprintf(&b, "  [%d] -%v\n", i, want[i])
		case i >= len(want):
			fmt.Fprintf(&b, "  [%d] +%v\n", i, got[i])
		case want[i] != got[i]:
			fmt.Fprintf(&b, "  [%d] -%v +%v\n", i, want[i], got[i])
		}
	}
	return b.String()
}
