package controller

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// histLine is one shell-history line naming the template or runner script.
type histLine struct {
	n    int       // line number within the tail that was read
	at   time.Time // bash's "#epoch" stamp before it; zero when none
	text string    // redacted (D17)
}

type history struct {
	file  string
	lines []histLine
}

func parseHistory(text string) history {
	var h history
	for _, l := range strings.Split(text, "\n") {
		f := strings.SplitN(l, "\t", 4)
		switch {
		case len(f) == 2 && f[0] == "file":
			h.file = f[1]
		case len(f) == 4 && f[0] == "h":
			n, err := strconv.Atoi(f[1])
			if err != nil {
				continue
			}
			hl := histLine{n: n, text: Redact(stripHistoryPrefix(f[3]))}
			if sec, err := strconv.ParseInt(f[2], 10, 64); err == nil && sec > 0 {
				hl.at = time.Unix(sec, 0).UTC()
			}
			h.lines = append(h.lines, hl)
		}
	}
	sort.SliceStable(h.lines, func(i, j int) bool { return h.lines[i].n < h.lines[j].n })
	return h
}

// stripHistoryPrefix drops zsh's ": 1712345678:0;" and fish's "- cmd: ".
func stripHistoryPrefix(s string) string {
	if strings.HasPrefix(s, ": ") {
		if i := strings.IndexByte(s, ';'); i > 0 {
			return s[i+1:]
		}
	}
	if rest, ok := strings.CutPrefix(s, "- cmd: "); ok {
		return rest
	}
	return s
}

// ScriptCommand cuts the command that runs script out of a shell line,
// without any outer wrapper (P17): it starts at the python interpreter
// before the script (or the script itself) and ends at the first
// unquoted ; & | < > or ), or at a quote the wrapper opened before it
// (`ssh host "cd /x && python3 ./s.py --a b"`). "" when script is not run
// by the line.
func ScriptCommand(line, script string) string {
	if script == "" {
		return ""
	}
	from := 0
	for {
		i := strings.Index(line[from:], script)
		if i < 0 {
			return ""
		}
		i += from
		from = i + len(script)
		end := i + len(script)
		if end < len(line) && !strings.ContainsRune(" \t'\";&|<>)", rune(line[end])) {
			continue // a longer name, e.g. script.py.bak
		}
		start := strings.LastIndexAny(line[:i], " \t'\"(;&|") + 1
		if start > 0 && (line[start-1] == '\'' || line[start-1] == '"') {
			start-- // a quoted script path: keep its quotes
		}
		if prev := lastToken(line[:start]); prev != "" && strings.HasPrefix(path.Base(unquote(prev)), "python") {
			start = strings.LastIndex(line[:start], prev)
		}
		if cmd := cutCommand(line[start:]); strings.Contains(cmd, script) {
			return cmd
		}
	}
}

func lastToken(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// cutCommand ends s at its first unquoted operator; a quote left open at
// the end belonged to a wrapper and ends the command where it opened.
func cutCommand(s string) string {
	var q byte
	open := -1
	end := len(s)
scan:
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case q != 0:
			if ch == q {
				q, open = 0, -1
			}
		case ch == '\'' || ch == '"':
			q, open = ch, i
		case strings.IndexByte(";&|<>)", ch) >= 0:
			end = i
			break scan
		}
	}
	if q != 0 && open >= 0 && end == len(s) {
		end = open
	}
	out := strings.TrimSpace(s[:end])
	// "… 2>&1": the descriptor number belongs to the redirection.
	if f := strings.Fields(out); len(f) > 1 && end < len(s) && (s[end] == '>' || s[end] == '<') {
		if _, err := strconv.Atoi(f[len(f)-1]); err == nil && strings.HasSuffix(out, " "+f[len(f)-1]) {
			out = strings.TrimSpace(strings.TrimSuffix(out, f[len(f)-1]))
		}
	}
	return out
}

// templateFor finds the template command that preceded the last runner
// command of build in the history: the nearest template line before it
// with no other runner line between them and the same config file. Shell
// history is written when a shell exits: with no runner line for build,
// the template command is unknown; an older line is never taken (D17).
func templateFor(h history, build string, opt DiscoverOptions) (tpl, runner string, runnerAt time.Time, why string) {
	if h.file == "" {
		return "", "", time.Time{}, "no shell history was read"
	}
	at := -1
	for i, l := range h.lines {
		if cmd := ScriptCommand(l.text, opt.RunnerScript); cmd != "" && flagValue(strings.Fields(cmd), "--build_name") == build {
			at, runner, runnerAt = i, cmd, l.at
		}
	}
	if at < 0 {
		return "", "", time.Time{}, "no runner command for " + build + " in " + h.file + " (a shell writes its history only when it exits)"
	}
	for i := at - 1; i >= 0; i-- {
		if ScriptCommand(h.lines[i].text, opt.RunnerScript) != "" {
			break
		}
		cmd := ScriptCommand(h.lines[i].text, opt.TemplateScript)
		if cmd == "" {
			continue
		}
		rc, tc := flagValue(strings.Fields(runner), "--config_file"), flagValue(strings.Fields(cmd), "--config_file")
		if rc != "" && tc != "" && path.Base(rc) != path.Base(tc) {
			return "", runner, runnerAt, fmt.Sprintf("the template line before the runner in %s writes %s, the runner reads %s", h.file, tc, rc)
		}
		return cmd, runner, runnerAt, ""
	}
	return "", runner, runnerAt, "no template command before the runner command in " + h.file
}

func attachHistory(r *Discovered, h history, opt DiscoverOptions) {
	tpl, runner, _, why := templateFor(h, r.Build, opt)
	if r.RunnerCommand == "" {
		r.RunnerCommand = runner
	}
	if tpl != "" {
		r.TemplateCommand, r.TemplateSource = tpl, "shell history "+h.file
		r.Evidence = append(r.Evidence, "template command from "+r.TemplateSource)
		return
	}
	r.HistoryNote = why
	r.Evidence = append(r.Evidence, "template command unknown: "+why)
}

// historical reads the runner logs of the tmp dir, newest first. A log is
// a run's when it says so: its `Extracted specPattern:` line, a launch log
// or exit-code file beside it, or a runner command for its build in the
// history. Live runs' logs are theirs, not candidates.
func historical(text string, h history, opt DiscoverOptions, live []Discovered) []Discovered {
	isLive := map[string]*Discovered{}
	for i := range live {
		isLive[live[i].Build] = &live[i]
	}
	var out []Discovered
	for _, l := range strings.Split(text, "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 8 || f[0] != "log" {
			continue
		}
		p := f[1]
		build := strings.TrimSuffix(path.Base(p), ".log")
		mt, err := parseEpoch(f[2])
		if err != nil || !buildName.MatchString(build) {
			continue
		}
		if l := isLive[build]; l != nil {
			if l.LogPath == p { // a live run's scope comes from its own log (D4)
				l.LastActivity, l.SpecPattern = mt, ParseSpecPatternLine(f[7])
			}
			continue
		}
		r := Discovered{Build: build, LogPath: p, LastActivity: mt}
		size, _ := strconv.ParseInt(f[3], 10, 64)
		r.Evidence = append(r.Evidence, fmt.Sprintf("runner log %s, %d bytes, last written %s", p, size, mt.UTC().Format(time.RFC3339)))
		if sp := strings.TrimSpace(f[7]); strings.Contains(sp, "Extracted specPattern:") {
			r.SpecPattern = ParseSpecPatternLine(sp)
			r.Evidence = append(r.Evidence, fmt.Sprintf("its Extracted specPattern names %d spec(s)", len(r.SpecPattern)))
		}
		var launchAt time.Time
		if t, err := parseEpoch(f[5]); err == nil {
			r.LaunchLog, launchAt = true, t
			r.Evidence = append(r.Evidence, "launch log "+strings.TrimSuffix(p, ".log")+".launch.log")
		}
		if n, err := strconv.Atoi(f[6]); err == nil {
			r.ExitCode = &n
			r.Evidence = append(r.Evidence, fmt.Sprintf("runner exit code %d", n))
		}
		tpl, runner, runnerAt, why := templateFor(h, build, opt)
		if len(r.SpecPattern) == 0 && !r.LaunchLog && r.ExitCode == nil && runner == "" {
			continue // some other program's log
		}
		r.RunnerCommand = runner
		if a := strings.Fields(runner); len(a) > 0 {
			r.Categorized, r.ConfigFile = hasFlag(a, "--categorize"), flagValue(a, "--config_file")
		}
		if tpl != "" {
			r.TemplateCommand, r.TemplateSource = tpl, "shell history "+h.file
			r.Evidence = append(r.Evidence, "template command from "+r.TemplateSource)
		} else {
			r.HistoryNote = why
			r.Evidence = append(r.Evidence, "template command unknown: "+why)
		}
		// The run's start: the log's birth, else the end of the template
		// step, else the history's stamp of the runner command.
		if bt, err := parseEpoch(f[4]); err == nil && bt.Unix() > 0 && !bt.After(mt) {
			r.Start, r.StartSource = bt, "runner log birth time"
		} else if !launchAt.IsZero() && !launchAt.After(mt) {
			r.Start, r.StartSource = launchAt, "launch log end"
		} else if !runnerAt.IsZero() && !runnerAt.After(mt) {
			r.Start, r.StartSource = runnerAt, "shell history stamp"
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastActivity.After(out[j].LastActivity) })
	return out
}

// ParseSpecPatternLine reads the wrapper's `Extracted specPattern: [...]`
// line (a Python list repr) into its spec paths.
func ParseSpecPatternLine(line string) []string {
	_, rest, ok := strings.Cut(line, "Extracted specPattern:")
	if !ok {
		return nil
	}
	var out []string
	for {
		i := strings.IndexAny(rest, `'"`)
		if i < 0 {
			return out
		}
		q := rest[i]
		j := strings.IndexByte(rest[i+1:], q)
		if j < 0 {
			return out
		}
		if s := rest[i+1 : i+1+j]; s != "" {
			out = append(out, s)
		}
		rest = rest[i+2+j:]
	}
}
