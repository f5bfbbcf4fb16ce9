package results

import (
	"bytes"
	"path"
	"strings"
	"sync"
	"time"
)

// Meta is what the bot knows about a run apart from the controller's files:
// what was asked for, what was stored at launch (D4) and when it is judged.
type Meta struct {
	Build       string
	RunStart    time.Time // controller clock at launch (D4); zero = no time filter
	Now         time.Time // when the snapshot was taken; judgments on elapsed time use it
	Template    string
	Plugin      string // fc, iscsi, both, none or ""
	Categorized bool
	InstallOnly bool

	RequestedVMs    []string // the stored scope (D4); empty = take it from the log, else the config
	Skipped         []Skip   // blacklisted machines left out on purpose (P12)
	TemplateCommand string
	RunnerCommand   string
	ConfigFile      string // config file name, e.g. cypress.atvm-config-gold.ts
	// Config is the config file's bytes as stored at verification (D4):
	// its env block gives the gates of TEST FLOW. Nil = read the live one.
	Config []byte

	Processes   []Process     // parsed ps snapshot; nil = no snapshot: the runner counts as gone
	HungGrace   time.Duration // D3; zero = 20 minutes
	SettleDelay time.Duration // D6; zero = 60 seconds
	Version     string        // bot version (W9)

	// PostedURLs are Currents run URLs persisted as they appeared (R11), in
	// the order of the log's cypress-cloud blocks. They win over scraping.
	PostedURLs []string
	Inventory  map[string]string // machine → kernel (R12)
	StaticFlow []string          // the template's configured flow, used only when no spec can be read (S8)
	// Layout says where the artifacts live (the configured folders); the
	// zero Layout is the ATVM tree's own.
	Layout Layout
}

// Artifacts is what was fetched from the controller for one run.
type Artifacts struct {
	RunLog     *RunLogFacts // nil = the runner log was never written (R8)
	LaunchLog  []byte       // template phase output; kept for the record, not read for results
	LogModTime time.Time    // last write of the runner log (D3 log growth)
	Files      []File       // every artifact, classified by path
	// Parsed holds files already reduced by ParseFile, for callers that
	// stream many files and must not keep their bytes (replay).
	Parsed []ParsedFile
}

// File is one controller file: its path (relative to the ATVM root or
// absolute), its modification time on the controller and its bytes.
type File struct {
	Path    string
	ModTime time.Time
	Data    []byte
}

// File kinds, by path (ARCHITECTURE.md, the controller's files).
const (
	KindUnknown      = ""
	KindJUnit        = "junit"
	KindMochawesome  = "mochawesome"
	KindReporterJSON = "reporter-json"
	KindReporterTXT  = "reporter-txt"
	KindConfig       = "config"
	KindSpec         = "spec"
)

// ClassifyPath tells which artifact a controller path is. Paths may be
// relative to the ATVM root or absolute.
func ClassifyPath(p string) string { return DefaultLayout.Classify(p) }

// ParsedFile is one artifact reduced to what Reconstruct needs.
type ParsedFile struct {
	Path        string
	Kind        string
	ModTime     time.Time
	Evidence    []Evidence
	SpecPattern []string       // config files only
	Env         map[string]any // config files only: the env block (nil = none readable)
	Data        []byte         // generated specs only: read for TEST FLOW
	Err         string         // why the file could not be read; a note, never a verdict
	stamp       fileStamp      // reporter files: the time in the name, read once
}

// fileStamp is a reporter file name's time, read when the file is parsed;
// the zero value means not read yet.
type fileStamp struct {
	read bool
	ok   bool
	at   time.Time
}

// reporterStamp is the time in a reporter file's name (ReporterStamp).
func (pf *ParsedFile) reporterStamp() (time.Time, bool) {
	if !pf.stamp.read {
		_, at, ok := ReporterStamp(path.Base(pf.Path))
		pf.stamp = fileStamp{read: true, ok: ok, at: at}
	}
	return pf.stamp.at, pf.stamp.ok
}

// ParseFile classifies a file by path (the default layout) and parses it.
func ParseFile(f File) ParsedFile { return ParseFileAs(ClassifyPath(f.Path), f) }

// ParseFileAs parses a file of a known kind (Layout.Classify). It never
// panics on hostile bytes: a parser panic becomes Err.
func ParseFileAs(kind string, f File) (pf ParsedFile) {
	pf = ParsedFile{Path: f.Path, Kind: kind, ModTime: f.ModTime}
	defer func() {
		if r := recover(); r != nil {
			pf.Evidence = nil
			pf.Err = "parser failed on unreadable content"
		}
	}()
	var err error
	switch pf.Kind {
	case KindJUnit:
		pf.Evidence, err = ParseJUnit(f.Path, f.ModTime, f.Data)
	case KindMochawesome:
		pf.Evidence, err = ParseMochawesome(f.Path, f.ModTime, f.Data)
	case KindReporterJSON, KindReporterTXT:
		var ev Evidence
		if pf.Kind == KindReporterJSON {
			ev, err = ParseReporterJSON(f.Path, f.ModTime, f.Data)
		} else {
			ev, err = ParseReporterTXT(f.Path, f.ModTime, f.Data)
		}
		reporterFile(&pf, ev, err)
		err = nil // reporterFile kept it
		pf.reporterStamp()
	case KindConfig:
		pf.SpecPattern = ConfigSpecPattern(f.Data)
		pf.Env, _ = ConfigEnv(f.Data)
	case KindSpec:
		pf.Data = f.Data
	}
	if err != nil {
		pf.Err = err.Error()
	}
	return pf
}

// reporterFile fills pf from one reporter file's reading.
func reporterFile(pf *ParsedFile, ev Evidence, err error) {
	if ev.Machine == "" {
		// The reporter's directory is named after the host (docs/formats.md d).
		ev.Machine = path.Base(path.Dir(strings.ReplaceAll(pf.Path, "\\", "/")))
	}
	if ev.Source == "" {
		ev.Source = pf.Kind
	}
	if ev.Path == "" {
		ev.Path, ev.ModTime = pf.Path, pf.ModTime
	}
	if err == nil || ev.Status != "" {
		pf.Evidence = []Evidence{ev}
	}
	if err != nil {
		pf.Err = err.Error()
	}
}

// ConfigSpecPattern reads e2e.specPattern from a Cypress config file
// (docs/formats.md f): a quoted string or an array of them.
func ConfigSpecPattern(data []byte) []string {
	v, ok := cfgSpecPatternValue(data)
	if !ok {
		return nil
	}
	var out []string
	cfgQuotedEach(v, func(_ byte, body []byte) {
		if len(body) > 0 {
			out = append(out, string(body))
		}
	})
	return out
}

// cfgSpecPatternValue finds the first `specPattern`, white space, `:`,
// white space, then a [ … ] list (up to the first ]) or a '…' or "…"
// string, and returns that value with its brackets or quotes. Hand-written
// rather than a regexp: a config file lists every spec of the run.
func cfgSpecPatternValue(data []byte) ([]byte, bool) {
	const key = "specPattern"
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte(key))
		if i < 0 {
			return nil, false
		}
		p := cfgSkipSpace(data, off+i+len(key))
		if p < len(data) && data[p] == ':' {
			if p = cfgSkipSpace(data, p+1); p < len(data) {
				closing := byte(0)
				switch data[p] {
				case '[':
					closing = ']'
				case '"', '\'':
					closing = data[p]
				}
				if closing != 0 {
					if j := bytes.IndexByte(data[p+1:], closing); j >= 0 {
						return data[p : p+j+2], true
					}
				}
			}
		}
		off += i + 1
	}
}

// cfgSkipSpace skips RE2's \s (which leaves out \v) from p.
func cfgSkipSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\f' || b[p] == '\r') {
		p++
	}
	return p
}

// cfgQuotedEach calls fn, left to right, with the quote and the raw body
// of each "…", '…' or `…` string in s. In "…" and '…' a backslash takes
// the next character (not a newline) with it, and a string that cannot
// close is not one: the search goes on from the next character.
func cfgQuotedEach[T ~string | ~[]byte](s T, fn func(quote byte, body T)) {
	for p := 0; p < len(s); p++ {
		q := s[p]
		if q != '"' && q != '\'' && q != '`' {
			continue
		}
		if end := cfgQuoteEnd(s, p); end >= 0 {
			fn(q, s[p+1:end])
			p = end
		}
	}
}

// cfgQuoteEnd is the index of the quote closing the string opened at p,
// or -1. Skipping one byte after a backslash is enough: the bytes of a
// multi-byte character are never quotes, backslashes or newlines.
func cfgQuoteEnd[T ~string | ~[]byte](s T, p int) int {
	q := s[p]
	for i := p + 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == q:
			return i
		case c == '\\' && q != '`':
			if i+1 >= len(s) || s[i+1] == '\n' {
				return -1
			}
			i++
		}
	}
	return -1
}

// ParseInventory reads the VM inventory (R12): a markdown table whose header
// names a machine column (vm, host, machine, name) and a kernel column.
func ParseInventory(data []byte) map[string]string {
	out := map[string]string{}
	nameCol, kernelCol := -1, -1
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			nameCol, kernelCol = -1, -1
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if nameCol < 0 || kernelCol < 0 {
			nameCol, kernelCol = -1, -1
			for i, c := range cells {
				lc := strings.ToLower(c)
				switch {
				case strings.Contains(lc, "kernel"):
					kernelCol = i
				case nameCol < 0 && (lc == "vm" || lc == "host" || lc == "machine" || lc == "name" || strings.Contains(lc, "vm name") || lc == "hostname"):
					nameCol = i
				}
			}
			continue
		}
		if nameCol >= len(cells) || kernelCol >= len(cells) || strings.Trim(cells[nameCol], "-: ") == "" {
			continue
		}
		name := strings.Trim(cells[nameCol], "`* ")
		if k := strings.Trim(cells[kernelCol], "`* "); k != "" {
			out[name] = k
		}
	}
	return out
}

// FileRef names a controller file before it is read.
type FileRef struct {
	Path    string // relative to the ATVM root
	ModTime time.Time
}

// ParseFiles reads and parses many artifacts on workers goroutines, with
// read supplied by the caller (this package opens nothing). Only bytes of
// the files in flight are held. A reporter .txt is read only when no
// complete JSON of the same host and stamp exists (R5: the JSON wins).
// The result is in the order of refs; read errors become Err.
func ParseFiles(refs []FileRef, read func(path string) ([]byte, error), workers int) []ParsedFile {
	return DefaultLayout.ParseFiles(refs, read, workers)
}

// ParseFiles is ParseFiles with the files classified by l.
func (l Layout) ParseFiles(refs []FileRef, read func(path string) ([]byte, error), workers int) []ParsedFile {
	out := make([]ParsedFile, len(refs))
	var txt, rest []int
	for i, r := range refs {
		if l.Classify(r.Path) == KindReporterTXT {
			txt = append(txt, i)
		} else {
			rest = append(rest, i)
		}
	}
	parse := func(i int) {
		data, err := read(refs[i].Path)
		if err != nil {
			out[i] = ParsedFile{Path: refs[i].Path, Kind: l.Classify(refs[i].Path), ModTime: refs[i].ModTime, Err: err.Error()}
			return
		}
		out[i] = ParseFileAs(l.Classify(refs[i].Path), File{Path: refs[i].Path, ModTime: refs[i].ModTime, Data: data})
	}
	runAll(rest, parse, workers)
	complete := map[string]bool{}
	for _, i := range rest {
		if out[i].Kind == KindReporterJSON && len(out[i].Evidence) == 1 && out[i].Evidence[0].Complete {
			complete[strings.TrimSuffix(refs[i].Path, ".json")] = true
		}
	}
	var need []int
	for _, i := range txt {
		if complete[strings.TrimSuffix(refs[i].Path, ".txt")] {
			out[i] = ParsedFile{Path: refs[i].Path, Kind: KindReporterTXT, ModTime: refs[i].ModTime} // superseded, not read
			continue
		}
		need = append(need, i)
	}
	runAll(need, parse, workers)
	return out
}

func runAll(idx []int, f func(int), workers int) {
	if workers < 1 {
		workers = 1
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for _, i := range idx {
		next <- i
	}
	close(next)
	wg.Wait()
}
