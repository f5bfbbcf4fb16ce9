package formats

import (
	"path"
	"strings"
	"time"
)

// mochawesome-report-generator 6.3.2's page and file name.

// htmlAttrEscaper is escape-html plus marge's &#39 → &#x27.
var htmlAttrEscaper = strings.NewReplacer("&", "&amp;", `"`, "&quot;", "'", "&#x27;", "<", "&lt;", ">", "&gt;")

// HTMLAttr escapes a value as marge does for the page's data attributes.
func HTMLAttr(s string) string { return htmlAttrEscaper.Replace(s) }

// MochawesomeHTML is marge's page (inlineAssets off): the report JSON and
// the options JSON, html-escaped, in <body data-raw="…" data-config="…">.
func MochawesomeHTML(reportJSON, configJSON []byte) []byte {
	var b strings.Builder
	b.WriteString("<!doctype html>\n")
	b.WriteString(`<html lang="en"><head><meta charSet="utf-8"/><meta http-equiv="X-UA-Compatible" content="IE=edge"/>` +
		`<meta name="viewport" content="width=device-width, initial-scale=1"/><title>Mochawesome Report</title>` +
		`<link rel="stylesheet" href="assets/app.css"/></head><body data-raw="`)
	b.WriteString(HTMLAttr(string(reportJSON)))
	b.WriteString(`" data-config="`)
	b.WriteString(HTMLAttr(string(configJSON)))
	b.WriteString(`"><div id="report"></div><script src="assets/app.js"></script></body></html>`)
	return []byte(b.String())
}

// MochawesomeBase is [name]: the spec's base name with everything from its
// first dot removed (cmc-reboot-fc-atvm121-ubuntu24.04.ts →
// cmc-reboot-fc-atvm121-ubuntu24).
func MochawesomeBase(spec string) string {
	b := path.Base(spec)
	if i := strings.IndexByte(b, '.'); i >= 0 {
		b = b[:i]
	}
	if b == "" || b == "." || b == "/" {
		return "mochawesome"
	}
	return b
}

// MochawesomeFileName is marge's getFilename: reportFilename with [name],
// [status] (pass or fail) and [datetime] replaced, plus ".html". With
// timestamp on, the time is dateformat's isoDateTime in the controller's
// zone with colons removed — the UTC offset stays
// (2026-11-17T094108-0500) — appended as "_[datetime]" unless
// reportFilename places it.
func MochawesomeFileName(reportFilename, spec string, failed, timestamp bool, at time.Time, loc *time.Location) string {
	name := reportFilename
	if name == "" {
		name = "mochawesome"
	}
	if timestamp && !strings.Contains(name, "[datetime]") {
		name += "_[datetime]"
	}
	status := "pass"
	if failed {
		status = "fail"
	}
	ts := at.In(loc).Format("2006-01-02T150405-0700")
	name = strings.NewReplacer("[name]", MochawesomeBase(spec), "[status]", status, "[datetime]", ts).Replace(name)
	return name + ".html"
}
