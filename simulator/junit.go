package simulator

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// JUnit XML as mocha-junit-reporter 2.x writes it under Cypress (docs/formats.md
// b): declaration, two-space indent, childless elements as open and close
// tags on two lines, a Root Suite carrying file= and no time, pending tests
// counted in tests= but not written, the failure body in CDATA.

type junitCase struct {
	name, classname string
	timeS           float64
	failure         *testErr
}

type junitSuite struct {
	name      string
	timestamp time.Time
	tests     int
	file      string
	timeS     float64
	cases     []junitCase
}

// RenderJUnit writes a host's spec run as mocha-junit-reporter does.
func (h *hostRun) RenderJUnit() []byte {
	suiteTitle := h.VM + " " + h.Template
	inner := junitSuite{name: suiteTitle, timestamp: h.Start, tests: len(h.Tests), timeS: float64(h.DurationMS) / 1000}
	for _, t := range h.Tests {
		switch t.State {
		case statePassed:
			inner.cases = append(inner.cases, junitCase{name: suiteTitle + " " + t.Title, classname: t.Title, timeS: float64(t.DurationMS) / 1000})
		case stateFailed:
			// Cypress often reports 0 for the failed test.
			inner.cases = append(inner.cases, junitCase{name: suiteTitle + " " + t.Title, classname: t.Title, failure: t.Err})
		}
	}
	root := junitSuite{name: "Root Suite", timestamp: h.Start, file: h.Spec}
	return renderJUnit(float64(h.DurationMS)/1000, h.Failures, h.Pending, []junitSuite{root, inner})
}

// RenderBookkeepingJUnit is the XML of the wrapper's check-xml-files.ts
// spec: one passing testcase per machine checked. It proves nothing about
// the machines (R1, R3, R4).
func RenderBookkeepingJUnit(vms []string, start time.Time) []byte {
	const title = "check-xml-files"
	inner := junitSuite{name: title, timestamp: start, tests: len(vms)}
	for i, vm := range vms {
		d := 0.2 + float64(hashN(vm, 99+i)%400)/1000
		inner.timeS += d
		c := "Verify result XML for " + vm
		inner.cases = append(inner.cases, junitCase{name: title + " " + c, classname: c, timeS: d})
	}
	root := junitSuite{name: "Root Suite", timestamp: start, file: "cypress/e2e/check-xml-files.ts"}
	return renderJUnit(inner.timeS+0.11, 0, 0, []junitSuite{root, inner})
}

func renderJUnit(totalS float64, failures, pending int, suites []junitSuite) []byte {
	var b strings.Builder
	tests := 0
	for _, s := range suites {
		tests += s.tests
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<testsuites name="Mocha Tests" time="%.3f" tests="%d" failures="%d"`, totalS, tests, failures)
	if pending > 0 {
		fmt.Fprintf(&b, ` skipped="%d"`, pending)
	}
	b.WriteString(">\n")
	for _, s := range suites {
		fails := 0
		for _, c := range s.cases {
			if c.failure != nil {
				fails++
			}
		}
		fmt.Fprintf(&b, `  <testsuite name="%s" timestamp="%s" tests="%d"`, xmlAttr(s.name), s.timestamp.UTC().Format("2006-01-02T15:04:05"), s.tests)
		if s.file != "" {
			fmt.Fprintf(&b, ` file="%s"`, xmlAttr(s.file))
		}
		fmt.Fprintf(&b, ` time="%.3f" failures="%d">`+"\n", s.timeS, fails)
		for _, c := range s.cases {
			fmt.Fprintf(&b, `    <testcase name="%s" time="%.3f" classname="%s">`+"\n", xmlAttr(c.name), c.timeS, xmlAttr(c.classname))
			if c.failure != nil {
				fmt.Fprintf(&b, `      <failure message="%s" type="%s">%s</failure>`+"\n",
					xmlAttr(cleanXML(c.failure.Message)), xmlAttr(c.failure.Name), cdata(cleanXML(c.failure.Stack)))
			}
			b.WriteString("    </testcase>\n")
		}
		b.WriteString("  </testsuite>\n")
	}
	b.WriteString("</testsuites>")
	return []byte(b.String())
}

// JUnitFileName is mochaFile test-result-[hash].xml with [hash] the md5 of
// the XML text.
func JUnitFileName(xml []byte) string {
	sum := md5.Sum(xml)
	return "test-result-" + hex.EncodeToString(sum[:]) + ".xml"
}

// BookkeepingFileName is the wrapper's check-xml-files XML of a (child) build.
func BookkeepingFileName(buildID string) string { return "test-result-" + buildID + ".xml" }

var xmlEscaper = strings.NewReplacer("&", "&amp;", `"`, "&quot;", "'", "&apos;", "<", "&lt;", ">", "&gt;")

func xmlAttr(s string) string { return xmlEscaper.Replace(s) }

// cdata wraps text as dylang/xml does, splitting any "]]>".
func cdata(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
}

// invalidXMLRE is mocha-junit-reporter's INVALID_CHARACTERS_REGEX.
var invalidXMLRE = regexp.MustCompile(`[\x{0000}-\x{0008}\x{000B}\x{000C}\x{000E}-\x{001F}\x{007F}-\x{0084}\x{0086}-\x{009F}\x{FDD0}-\x{FDFF}\x{FFFF}\x{C008}]`)

func cleanXML(s string) string { return invalidXMLRE.ReplaceAllString(strings.ToValidUTF8(s, ""), "") }
