package results

import (
	"path"
	"strings"
)

// Layout says where a run's artifacts live under the ATVM root, as the
// configuration names them (controller.junit_glob, mochawesome_dir,
// reporter_dir). A file is classified by these, so a moved folder is parsed
// where it is fetched from. The zero Layout is DefaultLayout.
type Layout struct {
	JUnitGlob      string // e.g. cypress/results/test-result-*.xml
	MochawesomeDir string // e.g. cypress/cmcReporter/mochawesome
	ReporterDir    string // e.g. cypress/cmcReporter/logs (one folder per host below it)
}

// DefaultLayout is the ATVM tree's own layout.
var DefaultLayout = Layout{
	JUnitGlob:      "cypress/results/test-result-*.xml",
	MochawesomeDir: "cypress/cmcReporter/mochawesome",
	ReporterDir:    "cypress/cmcReporter/logs",
}

func (l Layout) orDefault() Layout {
	if l.JUnitGlob == "" {
		l.JUnitGlob = DefaultLayout.JUnitGlob
	}
	if l.MochawesomeDir == "" {
		l.MochawesomeDir = DefaultLayout.MochawesomeDir
	}
	if l.ReporterDir == "" {
		l.ReporterDir = DefaultLayout.ReporterDir
	}
	return l
}

// dirSuffix is a configured folder as the suffix a path's folder ends with.
func dirSuffix(d string) string {
	d = path.Clean("/" + strings.Trim(strings.ReplaceAll(d, "\\", "/"), "/"))
	if d == "/" {
		return ""
	}
	return d
}

// endsWithDir reports whether dir (a clean slash path) is, or ends with, the
// configured folder suf.
func endsWithDir(dir, suf string) bool {
	return dir == suf || strings.HasSuffix(dir, suf)
}

// Classify tells a file's kind from its path (relative to the ATVM root or
// absolute on the controller).
func (l Layout) Classify(p string) string {
	l = l.orDefault()
	p = "/" + strings.TrimPrefix(strings.ReplaceAll(p, "\\", "/"), "/")
	base := path.Base(p)
	dir := path.Dir(p)
	jdir, jpat := path.Split(l.JUnitGlob)
	switch {
	case endsWithDir(dir, dirSuffix(jdir)) && matchBase(jpat, base):
		return KindJUnit
	case endsWithDir(dir, dirSuffix(l.MochawesomeDir)) && strings.HasSuffix(base, ".html"):
		return KindMochawesome
	case endsWithDir(path.Dir(dir), dirSuffix(l.ReporterDir)) && strings.HasSuffix(base, ".json"):
		return KindReporterJSON
	case endsWithDir(path.Dir(dir), dirSuffix(l.ReporterDir)) && strings.HasSuffix(base, ".txt"):
		return KindReporterTXT
	case strings.Contains(p, "/cypress/e2e/") && strings.HasSuffix(base, ".ts"):
		return KindSpec
	case strings.HasPrefix(base, "cypress.") && strings.HasSuffix(base, ".ts"):
		return KindConfig
	}
	return KindUnknown
}

func matchBase(pattern, base string) bool {
	if pattern == "" {
		return strings.HasSuffix(base, ".xml")
	}
	ok, err := path.Match(pattern, base)
	return err == nil && ok
}
