package results

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// junitGroup collects one machine's suites inside a JUnit file. A file
// normally holds one machine; merged files may hold several.
type junitGroup struct {
	ev        Evidence
	fromName  bool // machine taken from a suite title, not from file=
	declared  int  // sum of testsuite tests= (pending tests included)
	cases     int
	suiteTime float64
}

// ParseJUnit reads one mocha-junit-reporter XML file (docs/formats.md (b)). The
// machine comes from the XML, never from the file name, because
// [hash]-named files carry none (R1). A check-xml-files.ts file is returned
// as Bookkeeping with no machine and no host status. A file cut short gives
// Evidence with Complete=false and a note, never PASS; an error is returned
// only when the bytes are not JUnit XML at all.
func ParseJUnit(path string, mtime time.Time, data []byte) ([]Evidence, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("junit: empty file")
	}
	if !utf8.Valid(data) {
		// A stray byte in a test title must not make the whole file unreadable.
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	p := newJUnitParser(path, mtime)
	var err error
	if !p.scan(data) {
		// Anything the hand scanner does not take is read by encoding/xml.
		p = newJUnitParser(path, mtime)
		err = p.run(data)
	}
	if !p.rootSeen {
		if err != nil {
			return nil, fmt.Errorf("junit: not JUnit XML: %v", err)
		}
		return nil, errors.New("junit: not JUnit XML: no <testsuites> or <testsuite> root")
	}
	var note string
	if err != nil {
		if p.eof {
			note = "truncated XML"
		} else {
			note = clipText("unreadable XML: "+err.Error(), maxFieldLen)
		}
	}
	return p.finish(err == nil, note), nil
}

// junitSuite is the open <testsuite>, held until its tests show whose it is.
type junitSuite struct {
	open      bool
	candidate string // first word of a later suite's title: maybe another machine
	declared  int
	start     *time.Time
	secs      float64
}

func newJUnitParser(path string, mtime time.Time) *junitParser {
	return &junitParser{path: path, mtime: mtime, byKey: map[string]*junitGroup{}}
}

type junitParser struct {
	path     string
	mtime    time.Time
	rootSeen bool
	eof      bool // input ended inside the document
	rootTime float64

	groups []*junitGroup
	byKey  map[string]*junitGroup
	cur    *junitGroup // group of the current testsuite
	suite  junitSuite

	inCase    bool
	caseName  string
	caseClass string
	caseFail  bool
	caseSkip  bool
	inFailure bool
	failText  strings.Builder
	failMsg   string
	failType  string
}

func (p *junitParser) run(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	// The declaration says UTF-8; any other label is read as is rather than refused.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if depth > 0 {
				p.eof = true
				return errors.New("unexpected EOF")
			}
			return nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) && strings.Contains(se.Msg, "unexpected EOF") {
				p.eof = true
			}
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				if t.Name.Local != "testsuites" && t.Name.Local != "testsuite" {
					return fmt.Errorf("root element <%s>", clipText(t.Name.Local, 64))
				}
				p.rootSeen = true
			}
			p.start(&junitTag{local: t.Name.Local, xml: t.Attr})
		case xml.EndElement:
			depth--
			p.end(t.Name.Local)
		case xml.CharData:
			p.charData(t)
		}
	}
}

func (p *junitParser) charData(t []byte) {
	if p.inFailure && p.failText.Len() < maxScanText {
		p.failText.Write(t[:min(len(t), maxScanText-p.failText.Len())])
	}
}

// junitTag is a start tag as encoding/xml or the hand scanner read it.
type junitTag struct {
	local string
	xml   []xml.Attr
	fast  []junitAttr
}

// attr is the first attribute of that local name, or "".
func (t *junitTag) attr(name string) string {
	for _, a := range t.xml {
		if a.Name.Local == name {
			return a.Value
		}
	}
	for _, a := range t.fast {
		if string(a.name) == name {
			return string(a.val)
		}
	}
	return ""
}

func (p *junitParser) group(key string, fromName bool) *junitGroup {
	if g, ok := p.byKey[key]; ok {
		return g
	}
	g := &junitGroup{fromName: fromName, ev: Evidence{
		Machine: key, Source: SourceJUnit, Path: p.path, ModTime: p.mtime,
	}}
	if key == "\x00bookkeeping" {
		g.ev.Machine = ""
		g.ev.Bookkeeping = true
	}
	p.byKey[key] = g
	p.groups = append(p.groups, g)
	return g
}

func (p *junitParser) start(t *junitTag) {
	switch t.local {
	case "testsuites":
		p.rootTime, _ = strconv.ParseFloat(t.attr("time"), 64)
	case "testsuite":
		p.startSuite(t)
	case "testcase":
		p.inCase = true
		p.caseName, p.caseClass = t.attr("name"), t.attr("classname")
		p.caseFail, p.caseSkip = false, false
		p.startCase()
	case "failure", "error":
		if p.inCase {
			p.inFailure = true
			p.failText.Reset()
			p.failMsg, p.failType = t.attr("message"), t.attr("type")
		}
	case "skipped":
		if p.inCase {
			p.caseSkip = true
		}
	}
}

func (p *junitParser) startSuite(t *junitTag) {
	name, file := t.attr("name"), t.attr("file")
	p.suite = junitSuite{open: true}
	switch {
	case file != "" && isBookkeepingSpec(file):
		p.cur = p.group("\x00bookkeeping", false)
	case file != "" && machineFromSpec(file) != "":
		p.cur = p.group(machineFromSpec(file), false)
		if p.cur.ev.Spec == "" {
			p.cur.ev.Spec = clipText(file, maxFieldLen)
		}
	case name == "" || name == "Root Suite":
	case p.cur == nil:
		// No file= seen: the describe title names the machine.
		if m := leadingWord(name); isMachineLike(m) {
			p.cur = p.group(m, true)
		}
	case p.cur.fromName:
		// Either a nested describe or, in a merged file, the next machine's
		// describe: the first testcase's full title tells which.
		p.suite.candidate = leadingWord(name)
	}
	if p.cur != nil && p.cur.ev.Title == "" && name != "" && name != "Root Suite" {
		p.cur.ev.Title = clipText(name, maxFieldLen)
	}
	p.suite.declared, _ = strconv.Atoi(t.attr("tests"))
	p.suite.start = parseArtifactTime(t.attr("timestamp"))
	p.suite.secs, _ = strconv.ParseFloat(t.attr("time"), 64)
}

// commitSuite books the open suite's totals to the group its tests belong to.
func (p *junitParser) commitSuite() {
	s := &p.suite
	if !s.open || p.cur == nil {
		return
	}
	s.open = false
	g := p.cur
	if s.declared > 0 {
		g.declared += s.declared
	}
	if s.start != nil && (g.ev.StartedAt == nil || s.start.Before(*g.ev.StartedAt)) {
		g.ev.StartedAt = s.start
	}
	if s.secs > 0 {
		g.suiteTime += s.secs
	}
}

// startCase picks the testcase's group when no file= named it (R1, third source).
func (p *junitParser) startCase() {
	m := leadingWord(p.caseName)
	switch {
	case p.cur == nil:
		if isMachineLike(m) {
			p.cur = p.group(m, true)
		}
	case p.cur.fromName && p.suite.candidate != "" && m == p.suite.candidate && m != p.cur.ev.Machine && isMachineLike(m):
		p.cur = p.group(m, true)
	}
	p.commitSuite()
}

func (p *junitParser) end(local string) {
	switch local {
	case "testsuite":
		p.commitSuite()
	case "failure", "error":
		if p.inFailure {
			p.inFailure = false
			p.recordFailure()
		}
	case "testcase":
		if !p.inCase {
			return
		}
		p.inCase = false
		g := p.cur
		if g == nil {
			return
		}
		g.cases++
		switch {
		case p.caseFail:
			g.ev.Failures++
		case p.caseSkip:
			g.ev.Pending++
		default:
			g.ev.Passes++
		}
	}
}

func (p *junitParser) recordFailure() {
	first := !p.caseFail
	p.caseFail = true
	g := p.cur
	if g == nil || !first || g.ev.FailedStep != "" {
		return
	}
	step := p.caseClass
	if step == "" {
		step = p.caseName
	}
	g.ev.FailedStep = clipText(strings.TrimSpace(cleanText(step)), maxFieldLen)
	// The CDATA is "Name: message" plus frames; the message attribute lacks the name.
	text := p.failText.String()
	if strings.TrimSpace(text) == "" {
		text = p.failMsg
		if p.failType != "" && text != "" {
			text = p.failType + ": " + text
		}
	}
	g.ev.Error = shortError(text)
	g.ev.Excerpt = errorExcerpt(text)
}

func (p *junitParser) finish(complete bool, note string) []Evidence {
	if len(p.groups) == 0 {
		// A root and nothing else: there is no machine to speak of yet.
		ev := Evidence{Source: SourceJUnit, Path: p.path, ModTime: p.mtime, Complete: complete, Status: HostUnknown}
		if note == "" {
			note = "no test suites in XML"
		}
		ev.Notes = []string{note}
		return []Evidence{ev}
	}
	out := make([]Evidence, 0, len(p.groups))
	for _, g := range p.groups {
		ev := g.ev
		ev.Complete = complete
		// tests= counts pending tests that mocha-junit-reporter leaves out.
		ev.Tests = max(g.declared, g.cases)
		ev.Pending += ev.Tests - g.cases
		secs := g.suiteTime
		if len(p.groups) == 1 && p.rootTime > secs {
			secs = p.rootTime
		}
		if ev.StartedAt != nil && complete && secs > 0 {
			e := ev.StartedAt.Add(time.Duration(secs * float64(time.Second)))
			ev.EndedAt = &e
		}
		switch {
		case ev.Bookkeeping:
			// Bookkeeping says nothing about a host (R1, R3).
			ev.Status = HostUnknown
		case ev.Failures > 0:
			ev.Status = HostFail
		case complete && ev.Passes > 0:
			ev.Status = HostPass
		default:
			ev.Status = HostUnknown
			if complete {
				ev.Notes = append(ev.Notes, "no passed test cases in XML")
			}
		}
		if note != "" {
			ev.Notes = append(ev.Notes, note)
		}
		out = append(out, ev)
	}
	return out
}
