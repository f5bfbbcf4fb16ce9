package formats

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// JUnit XML as mocha-junit-reporter 2.2.1 writes it under Cypress: the
// declaration, two-space indent, childless elements as open and close tags
// on two lines, a Root Suite carrying file= (set by Cypress) with time
// 0.000, pending tests counted in tests= but not written, the error message
// raw in message= (newlines stay newlines) and the stack in CDATA.

// JUnitSuite is one <testsuite>.
type JUnitSuite struct {
	Name      string
	Timestamp time.Time
	Tests     int // suite.tests.length: pending tests count
	File      string
	TimeS     float64
	Cases     []JUnitCase
}

// JUnitCase is one written <testcase> (passed or failed).
type JUnitCase struct {
	Name, Classname string
	TimeS           float64
	Failure         *JUnitFailure
}

// JUnitFailure is a failed test's error: Message without the name, Type the
// error's name, Body its stack ("Name: message" and the frames).
type JUnitFailure struct {
	Message, Type, Body string
}

// JUnit renders a whole file: totalS is the run's time, failures and
// pending the run's counts (skipped= is written only when pending > 0).
func JUnit(totalS float64, failures, pending int, suites []JUnitSuite) []byte {
	var b strings.Builder
	tests := 0
	for _, s := range suites {
		tests += s.Tests
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<testsuites name="Mocha Tests" time="%.3f" tests="%d" failures="%d"`, totalS, tests, failures)
	if pending > 0 {
		fmt.Fprintf(&b, ` skipped="%d"`, pending)
	}
	b.WriteString(">\n")
	for _, s := range suites {
		fails := 0
		for _, c := range s.Cases {
			if c.Failure != nil {
				fails++
			}
		}
		fmt.Fprintf(&b, `  <testsuite name="%s" timestamp="%s" tests="%d"`, XMLAttr(s.Name), s.Timestamp.UTC().Format("2006-01-02T15:04:05"), s.Tests)
		if s.File != "" {
			fmt.Fprintf(&b, ` file="%s"`, XMLAttr(s.File))
		}
		fmt.Fprintf(&b, ` time="%.3f" failures="%d">`+"\n", s.TimeS, fails)
		for _, c := range s.Cases {
			fmt.Fprintf(&b, `    <testcase name="%s" time="%.3f" classname="%s">`+"\n", XMLAttr(c.Name), c.TimeS, XMLAttr(c.Classname))
			if f := c.Failure; f != nil {
				fmt.Fprintf(&b, `      <failure message="%s" type="%s">%s</failure>`+"\n",
					XMLAttr(CleanXML(f.Message)), XMLAttr(f.Type), CDATA(CleanXML(f.Body)))
			}
			b.WriteString("    </testcase>\n")
		}
		b.WriteString("  </testsuite>\n")
	}
	b.WriteString("</testsuites>")
	return []byte(b.String())
}

// JUnitFileName is mochaFile test-result-[hash].xml, [hash] the md5 of the
// XML text.
func JUnitFileName(xml []byte) string {
	sum := md5.Sum(xml)
	return "test-result-" + hex.EncodeToString(sum[:]) + ".xml"
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", `"`, "&quot;", "'", "&apos;", "<", "&lt;", ">", "&gt;")

// XMLAttr escapes an attribute value as dylang/xml does.
func XMLAttr(s string) string { return xmlEscaper.Replace(s) }

// CDATA wraps text as dylang/xml does, splitting any "]]>".
func CDATA(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
}

// invalidXMLRE is mocha-junit-reporter's INVALID_CHARACTERS_REGEX.
var invalidXMLRE = regexp.MustCompile(`[\x{0000}-\x{0008}\x{000B}\x{000C}\x{000E}-\x{001F}\x{007F}-\x{0084}\x{0086}-\x{009F}\x{FDD0}-\x{FDFF}\x{FFFF}\x{C008}]`)

// CleanXML drops what mocha-junit-reporter removes before writing.
func CleanXML(s string) string {
	return invalidXMLRE.ReplaceAllString(strings.ToValidUTF8(s, ""), "")
}
