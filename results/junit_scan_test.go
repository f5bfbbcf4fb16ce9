package results

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkJUnitFastVsSlow fails when the hand scanner takes data but the
// parser ends otherwise than under encoding/xml, or takes what
// encoding/xml refuses. It reports whether the scanner took it.
func checkJUnitFastVsSlow(t *testing.T, data []byte) bool {
	t.Helper()
	if !utf8.Valid(data) {
		data = bytes.ToValidUTF8(data, []byte("\uFFFD")) // as ParseJUnit does
	}
	fast := newJUnitParser("r.xml", artifactMtime)
	if !fast.scan(data) {
		return false
	}
	slow := newJUnitParser("r.xml", artifactMtime)
	if err := slow.run(data); err != nil {
		t.Fatalf("fast path took what encoding/xml refuses (%v): %q", err, clipText(string(data), 300))
	}
	if fast.rootSeen != slow.rootSeen {
		t.Fatalf("root seen: fast %v, slow %v", fast.rootSeen, slow.rootSeen)
	}
	if f, s := fast.finish(true, ""), slow.finish(true, ""); !reflect.DeepEqual(f, s) {
		t.Fatalf("fast and slow readings differ for %q:\nfast %+v\nslow %+v", clipText(string(data), 300), f, s)
	}
	return true
}

// junitFixtures is every JUnit fixture: hand-written, real-reporter and scenario files.
func junitFixtures(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, glob := range []string{"junit/*.xml", "real/*/atvm/cypress/results/*.xml", "scenarios/*/atvm/cypress/results/*.xml"} {
		files, _ := filepath.Glob(filepath.Join("testdata", glob))
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		tb.Fatal("no JUnit fixtures")
	}
	return out
}

func TestParseJUnit_R1_ScanFixturesMatchDecoder(t *testing.T) {
	taken := 0
	for _, b := range junitFixtures(t) {
		if checkJUnitFastVsSlow(t, b) {
			taken++
		}
	}
	// A few fixtures are cut short or broken on purpose; the rest are real reporter output.
	if all := len(junitFixtures(t)); taken < all*3/4 {
		t.Errorf("the fast path took %d of %d fixtures", taken, all)
	}
}

const junitScanSuite = `<testsuite name="atvm1-x t" file="cypress/e2e/atvm1-x.ts" tests="2">`

// junitScanCases are documents the hand scanner takes or leaves to
// encoding/xml; the fuzz target starts from them too.
var junitScanCases = []struct {
	name, xml string
	fast      bool // the hand scanner takes it
}{
	{"plain", `<?xml version="1.0" encoding="UTF-8"?><testsuites time="1.5">` + junitScanSuite + `<testcase name="a" classname="c"/></testsuite></testsuites>`, true},
	{"entities and references", junitScanSuite + `<testcase name="a &amp; b &lt;&gt;&quot;&apos; &#65;&#x42;&#x1F600;" classname='q"'><failure message="m&#10;n" type="E">E: x &amp; y]]&gt;</failure></testcase></testsuite>`, true},
	{"CDATA and comments", `<!-- head -->` + junitScanSuite + `<!----><testcase name="a"><failure><![CDATA[E: <b> & ]] x]]>tail<![CDATA[]]></failure></testcase></testsuite><!-- end -->`, true},
	{"line ends", junitScanSuite + "<testcase name=\"a\r\nb\rc\"><failure>x\r\ny\r\r\nz&#13;\n</failure></testcase></testsuite>", true},
	{"space in tags", junitScanSuite + `<testcase  name = "a"	classname="b"/ ></testsuite>`, false},
	{"space before end", junitScanSuite + "<testcase name=\"a\"></testcase\n></testsuite >", true},
	{"text around the root", "\ufeff x " + junitScanSuite + `</testsuite> y`, true},
	{"second root", junitScanSuite + `</testsuite>` + junitScanSuite + `<testcase name="b"/></testsuite>`, true},
	{"other elements", junitScanSuite + `<properties><property name="p" value="v"/></properties><testcase name="a"><system-out>o</system-out><skipped/></testcase></testsuite>`, true},
	{"repeated attribute: the first counts", junitScanSuite + `<testcase name="a" name="b"/></testsuite>`, true},
	{"attributes without space", junitScanSuite + `<testcase name="a"classname="b"/></testsuite>`, true},
	{"DOCTYPE", `<!DOCTYPE x>` + junitScanSuite + `</testsuite>`, false},
	{"namespace prefix", junitScanSuite + `<j:testcase name="a"/></testsuite>`, false},
	{"prefixed attribute", junitScanSuite + `<testcase xml:lang="en" name="a"/></testsuite>`, false},
	{"default namespace", `<testsuite xmlns="urn:x" name="a b"></testsuite>`, false},
	{"other encoding", `<?xml version="1.0" encoding="ISO-8859-1"?>` + junitScanSuite + `</testsuite>`, false},
	{"other PI", `<?xml-stylesheet href="s"?>` + junitScanSuite + `</testsuite>`, false},
	{"unknown entity", junitScanSuite + `<testcase name="&nbsp;"/></testsuite>`, false},
	{"reference to NUL", junitScanSuite + `<testcase name="&#0;"/></testsuite>`, false},
	{"uppercase X reference", junitScanSuite + `<testcase name="&#X41;"/></testsuite>`, false},
	{"reference past Unicode", junitScanSuite + `<testcase name="&#x110000;"/></testsuite>`, false},
	{"control character", junitScanSuite + "<testcase name=\"a\x01\"/></testsuite>", false},
	{"U+FFFE", junitScanSuite + "<failure>\uFFFE</failure></testsuite>", false},
	{"]]> in text", junitScanSuite + `x]]>y</testsuite>`, false},
	{"-- in comment", `<!-- a -- b -->` + junitScanSuite + `</testsuite>`, false},
	{"< in attribute", junitScanSuite + `<testcase name="a<b"/></testsuite>`, false},
	{"unquoted attribute", junitScanSuite + `<testcase name=a/></testsuite>`, false},
	{"attribute without value", junitScanSuite + `<testcase name/></testsuite>`, false},
	{"mismatched end", junitScanSuite + `<testcase name="a"></testsuite></testcase>`, false},
	{"stray end", `</testsuite>`, false},
	{"cut short", junitScanSuite + `<testcase name="a">`, false},
	{"cut in a tag", junitScanSuite + `<testcase name="a`, false},
	{"other root", `<html></html>`, false},
}

func TestParseJUnit_R1_ScanFallsBackOnOddInput(t *testing.T) {
	for _, tc := range junitScanCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkJUnitFastVsSlow(t, []byte(tc.xml)); got != tc.fast {
				t.Errorf("fast path took it = %v, want %v", got, tc.fast)
			}
		})
	}
}

func TestParseJUnit_R1_ScanDeepNestingFallsBack(t *testing.T) {
	n := junitMaxDepth + 1
	doc := `<testsuites>` + strings.Repeat(`<testsuite name="a b">`, n) + strings.Repeat(`</testsuite>`, n) + `</testsuites>`
	if checkJUnitFastVsSlow(t, []byte(doc)) {
		t.Error("the fast path followed nesting past its bound")
	}
}

// FuzzJUnitFastVsSlow: whatever the hand scanner takes, the parser ends
// exactly as under encoding/xml.
func FuzzJUnitFastVsSlow(f *testing.F) {
	for _, b := range junitFixtures(f) {
		f.Add(b)
	}
	for _, tc := range junitScanCases {
		f.Add([]byte(tc.xml))
	}
	f.Add([]byte(`<?xml version="1.0"?><testsuites><testsuite name="a b"><testcase name="a b &amp; &#x41;" classname="c"><failure message="m" type="E"><![CDATA[E: m]]><!-- c --></failure></testcase><testcase name="a b d"><skipped/></testcase></testsuite></testsuites>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkJUnitFastVsSlow(t, data)
	})
}
