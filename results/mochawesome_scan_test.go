package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// mawSlow is the reference decoding mawScan must reproduce.
func mawSlow(js []byte) (mawReport, error) {
	var rep mawReport
	_, err := decodeJSON(js, &rep)
	return rep, err
}

// checkMawFastVsSlow fails when mawScan accepts js but decodes it otherwise
// than encoding/json, or accepts what encoding/json refuses.
func checkMawFastVsSlow(t *testing.T, js []byte) bool {
	t.Helper()
	fast, ok := mawScan(js)
	if !ok {
		return false
	}
	var strict mawReport
	if err := json.Unmarshal(js, &strict); err != nil {
		t.Fatalf("fast path accepted what encoding/json refuses (%v): %q", err, clipText(string(js), 300))
	}
	slow, err := mawSlow(js)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("fast and slow decodings differ for %q:\nfast %+v\nslow %+v", clipText(string(js), 300), fast, slow)
	}
	return true
}

// mawFixtureJSON is the data-raw JSON of every mochawesome fixture.
func mawFixtureJSON(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, glob := range []string{"mochawesome/*.html", "real/*/atvm/cypress/cmcReporter/mochawesome/*.html",
		"scenarios/*/atvm/cypress/cmcReporter/mochawesome/*.html"} {
		files, _ := filepath.Glob(filepath.Join("testdata", glob))
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				tb.Fatal(err)
			}
			raw, err := bodyDataRaw(b)
			if err != nil {
				continue // a fixture of a broken report
			}
			out = append(out, htmlUnescapeBytes(raw))
		}
	}
	if len(out) == 0 {
		tb.Fatal("no mochawesome fixtures")
	}
	return out
}

func TestMochawesome_R7_ScanFixturesMatchDecoder(t *testing.T) {
	for i, js := range mawFixtureJSON(t) {
		if !checkMawFastVsSlow(t, js) {
			t.Errorf("fixture %d: the fast path refused a real report", i)
		}
	}
}

// mawScanCases are reports the hand scanner takes or leaves to
// encoding/json; the fuzz target starts from them too.
var mawScanCases = []struct {
	name, js string
	fast     bool // the hand scanner takes it
}{
	{"plain", `{"stats":{"tests":1,"end":"x"},"results":[{"file":"a.ts","tests":[{"title":"t","state":"passed","err":{}}]}]}`, true},
	{"nulls", `{"stats":null,"results":[null,{"tests":null,"suites":[null],"title":null}]}`, true},
	{"empty lists stay non-nil", `{"results":[{"tests":[],"suites":[],"beforeHooks":[],"afterHooks":[]}]}`, true},
	{"unused members skipped", `{"copyrightYear":2026,"results":[{"uuid":"u","tests":[{"fullTitle":"f","code":"x\n","duration":1.5e3,"err":{"diff":null}}]}]}`, true},
	{"escaped strings", `{"results":[{"title":"a\"b\u00e9\n","tests":[{"err":{"message":"\ud83d\ude00 x","estack":""}}]}]}`, true},
	{"negative count", `{"stats":{"tests":-3}}`, true},
	{"float count", `{"stats":{"tests":1.0}}`, false},
	{"string count", `{"stats":{"tests":"3"}}`, false},
	{"numeric title", `{"results":[{"title":12}]}`, false},
	{"err as string", `{"results":[{"tests":[{"err":"boom"}]}]}`, false},
	{"key in other case", `{"Stats":{}}`, false},
	{"repeated key", `{"results":[],"results":null}`, false},
	{"non-ASCII key", `{"résults":[]}`, false},
	{"trailing data", `{"results":[]} x`, false},
	{"not an object", `null`, false},
	{"bad escape", `{"results":[{"title":"\x"}]}`, false},
	{"cut short", `{"results":[{"title":"a"`, false},
}

func TestMochawesome_R7_ScanFallsBackOnOddInput(t *testing.T) {
	for _, tc := range mawScanCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkMawFastVsSlow(t, []byte(tc.js)); got != tc.fast {
				t.Errorf("fast path took it = %v, want %v", got, tc.fast)
			}
		})
	}
}

func TestMochawesome_R7_ScanDeepSuitesFallBack(t *testing.T) {
	js := `{"results":[` + strings.Repeat(`{"suites":[`, mawMaxDepth+2) + strings.Repeat(`]}`, mawMaxDepth+2) + `]}`
	if checkMawFastVsSlow(t, []byte(js)) {
		t.Error("the fast path followed suites past its depth bound")
	}
	if _, err := decodeMawReport([]byte(js)); err != nil {
		t.Errorf("the slow path refused deep suites: %v", err)
	}
}

// FuzzMochawesomeFastVsSlow: whatever the hand scanner accepts, it decodes
// exactly as the encoding/json fallback does.
func FuzzMochawesomeFastVsSlow(f *testing.F) {
	for _, js := range mawFixtureJSON(f) {
		f.Add(js)
	}
	for _, tc := range mawScanCases {
		f.Add([]byte(tc.js))
	}
	f.Add([]byte(`{"stats":{"tests":1,"passes":0,"end":"x"},"results":[{"file":"a.ts","suites":[{"title":"h t","tests":[{"title":"1","state":"failed","err":{"message":"m","estack":"s"}}]}]}]}`))
	f.Fuzz(func(t *testing.T, js []byte) {
		checkMawFastVsSlow(t, js)
	})
}

// The unescape buffer is reused across reports: nothing decoded from one
// report may change when the next is read.
func TestParseMochawesome_R7_PooledBufferNotAliased(t *testing.T) {
	a, b := artifactFixture(t, "mochawesome/atvm71-redhat9.html"), artifactFixture(t, "mochawesome/atvm121-ubuntu24.html")
	evs, err := ParseMochawesome("a.html", artifactMtime, a)
	if err != nil {
		t.Fatal(err)
	}
	before := fmt.Sprintf("%+v", evs)
	for range 3 {
		if _, err := ParseMochawesome("b.html", artifactMtime, b); err != nil {
			t.Fatal(err)
		}
	}
	if after := fmt.Sprintf("%+v", evs); after != before {
		t.Errorf("evidence changed after the next report:\nbefore %s\nafter  %s", before, after)
	}
}

// tagAttrsByMap is the map-building attribute reader tagAttr replaced: the reference.
func tagAttrsByMap(b []byte) (map[string][]byte, int, bool) {
	attrs := map[string][]byte{}
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
	i := 0
	// Skip the rest of the tag name.
	for i < len(b) && !isSpace(b[i]) && b[i] != '>' && b[i] != '/' {
		i++
	}
	for i < len(b) {
		for i < len(b) && (isSpace(b[i]) || b[i] == '/') {
			i++
		}
		if i >= len(b) {
			break
		}
		if b[i] == '>' {
			return attrs, i + 1, true
		}
		start := i
		for i < len(b) && !isSpace(b[i]) && b[i] != '=' && b[i] != '>' && b[i] != '/' {
			i++
		}
		name := strings.ToLower(string(b[start:min(i, start+64)]))
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) || b[i] != '=' {
			if _, dup := attrs[name]; !dup {
				attrs[name] = nil
			}
			continue
		}
		i++
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			break
		}
		var val []byte
		if q := b[i]; q == '"' || q == '\'' {
			k := bytes.IndexByte(b[i+1:], q)
			if k < 0 {
				return attrs, len(b), false
			}
			val, i = b[i+1:i+1+k], i+1+k+1
		} else {
			s := i
			for i < len(b) && !isSpace(b[i]) && b[i] != '>' {
				i++
			}
			val = b[s:i]
		}
		if _, dup := attrs[name]; !dup { // the first of duplicated attributes wins, as in HTML
			attrs[name] = val
		}
	}
	return attrs, len(b), false
}

// tagAttrCases are start tags (after "<body") for the attribute reader.
var tagAttrCases = []string{
	` data-raw="{}">`, ` class=x DATA-RAW='a' data-raw="b">`, ` data-raw>`, ` data-raw data-raw="x">`,
	` a=1 / data-raw = "v" >`, ` =x data-raw="y">`, ` data-raw="cut`, ` data-raw=`, ``, `>`,
	" Data-Ra\u212A=\"k\" data-raw=1>", " DATA-RAW\t=\n'q'>", ` data-rawx="no" data-ra="no">`,
	" \u0130data-raw=\"i\">", ` ` + strings.Repeat("d", 70) + `="long">`,
}

func checkTagAttr(t *testing.T, b []byte) {
	t.Helper()
	for _, want := range []string{"data-raw", ""} {
		val, found, n, closed := tagAttr(b, want)
		attrs, n2, closed2 := tagAttrsByMap(b)
		if n != n2 || closed != closed2 {
			t.Fatalf("%q: consumed/closed %d %v, want %d %v", b, n, closed, n2, closed2)
		}
		if want == "" || !closed {
			continue // the caller reads no value then
		}
		v2, found2 := attrs[want]
		if found != found2 || !bytes.Equal(val, v2) || (val == nil) != (v2 == nil) {
			t.Fatalf("%q: %q %v, want %q %v", b, val, found, v2, found2)
		}
	}
}

func TestParseMochawesome_R7_TagAttrMatchesMap(t *testing.T) {
	for _, c := range tagAttrCases {
		checkTagAttr(t, []byte(c))
	}
}

func FuzzTagAttrFastVsMap(f *testing.F) {
	for _, c := range tagAttrCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkTagAttr(t, b)
	})
}
