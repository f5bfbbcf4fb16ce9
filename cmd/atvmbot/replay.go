package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/results"
)

func init() {
	register("replay", func() *cobra.Command {
		var f replayFlags
		cmd := &cobra.Command{
			Use:   "replay --atvm-root DIR --build NAME [flags]",
			Short: "rebuild a run's status from a local controller-shaped folder; posts nothing, writes nothing (W8)",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return exitWith(runReplay(&f, cmd.OutOrStdout(), cmd.ErrOrStderr()))
			},
		}
		f.register(cmd.Flags())
		return cmd
	})
}

// maxArtifactBytes bounds one artifact read whole; the runner log is
// streamed and has no bound.
const maxArtifactBytes = 64 << 20

type skipList []results.Skip

func (s *skipList) String() string { return fmt.Sprint(*s) }
func (s *skipList) Type() string   { return "MACHINE=REASON" }
func (s *skipList) Set(v string) error {
	name, reason, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return errors.New("want MACHINE=REASON")
	}
	*s = append(*s, results.Skip{Name: strings.TrimSpace(name), Reason: strings.TrimSpace(reason)})
	return nil
}

type replayOpts struct {
	root, tmp, format, psFile, inventory string
	meta                                 results.Meta
}

// replayFlags are replay's flags as given; check turns them into options.
type replayFlags struct {
	o                               replayOpts
	since, now, plugin, vms, posted string
	skips                           skipList
}

func (f *replayFlags) register(fs *pflag.FlagSet) {
	o := &f.o
	m := &o.meta
	fs.StringVar(&o.root, "atvm-root", "", "local copy of the controller's ATVM root (required)")
	fs.StringVar(&o.tmp, "tmp-dir", "/tmp", "folder holding <build>.log and <build>.launch.log")
	fs.StringVar(&m.Build, "build", "", "build name of the run (required)")
	fs.StringVar(&f.since, "since", "", "run start, RFC 3339 (controller clock); artifacts older than it are ignored")
	fs.StringVar(&m.Template, "template", "", "template name, e.g. cmc-e2e")
	fs.StringVar(&f.plugin, "plugin", "", "fc, iscsi, both or none")
	fs.BoolVar(&m.Categorized, "categorized", false, "the run was started with --categorize")
	fs.BoolVar(&m.InstallOnly, "install-only", false, "the run was install-only")
	fs.StringVar(&f.vms, "vms", "", "the run's stored scope, comma-separated (default: the log's specPattern, else the config's)")
	fs.StringVar(&m.TemplateCommand, "template-command", "", "the exact template command")
	fs.StringVar(&m.RunnerCommand, "runner-command", "", "the exact runner command")
	fs.StringVar(&m.ConfigFile, "config-file", config.DefaultConfigFile, "config file name in the ATVM root")
	fs.StringVar(&o.psFile, "ps", "", "saved `ps -eo pid,ppid,stat,etimes,args` of the controller (without it the runner counts as gone)")
	fs.StringVar(&f.now, "now", "", "when the snapshot was taken, RFC 3339 (default: now)")
	fs.StringVar(&o.format, "format", "json", "json, text or markdown")
	fs.StringVar(&m.Layout.JUnitGlob, "junit-glob", results.DefaultLayout.JUnitGlob, "JUnit files, relative to the ATVM root (controller.junit_glob)")
	fs.StringVar(&m.Layout.MochawesomeDir, "mochawesome-dir", results.DefaultLayout.MochawesomeDir, "mochawesome HTML folder (controller.mochawesome_dir)")
	fs.StringVar(&m.Layout.ReporterDir, "reporter-dir", results.DefaultLayout.ReporterDir, "per-host reporter folder (controller.reporter_dir)")
	fs.StringVar(&f.posted, "posted-urls", "", "Currents URLs persisted earlier, comma-separated, in block order (R11)")
	fs.StringVar(&o.inventory, "inventory", "", "VM inventory markdown file for kernels (R12)")
	fs.Var(&f.skips, "skip", "blacklisted machine left out of the run, MACHINE=REASON (repeatable)")
	fs.DurationVar(&m.HungGrace, "hung-grace", results.DefaultHungGrace, "no log growth this long with the runner alive and all recorded = HUNG (D3)")
	fs.DurationVar(&m.SettleDelay, "settle-delay", results.DefaultSettleDelay, "a recorded group counts as finished this long after the log stops, artifacts or not (D6)")
}

// check validates the flags and returns the options.
func (f *replayFlags) check() (*replayOpts, error) {
	o := &f.o
	m := &o.meta
	since, now, plugin, vms, posted, skips := f.since, f.now, f.plugin, f.vms, f.posted, f.skips
	if o.root == "" || m.Build == "" {
		return nil, errors.New("--atvm-root and --build are required")
	}
	if st, err := os.Stat(o.root); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("--atvm-root %s: not a readable folder", o.root)
	}
	if strings.ContainsAny(m.Build, `/\`) || m.Build == "." || m.Build == ".." {
		return nil, fmt.Errorf("--build %q: not a build name", m.Build)
	}
	switch plugin {
	case "", "fc", "iscsi", "both", "none":
		m.Plugin = plugin
	default:
		return nil, fmt.Errorf("--plugin: want fc, iscsi, both or none, got %q", plugin)
	}
	switch o.format {
	case "json", "text", "markdown":
	default:
		return nil, fmt.Errorf("--format: want json, text or markdown, got %q", o.format)
	}
	var err error
	if m.RunStart, err = parseFlagTime("--since", since); err != nil {
		return nil, err
	}
	if m.Now, err = parseFlagTime("--now", now); err != nil {
		return nil, err
	}
	if m.Now.IsZero() {
		m.Now = time.Now().UTC()
	}
	m.RequestedVMs = splitList(vms)
	m.PostedURLs = splitList(posted)
	m.Skipped = skips
	m.Version = versionString()
	return o, nil
}

func parseFlagTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: want RFC 3339 such as 2026-03-30T17:20:00Z, got %q", name, v)
	}
	return t.UTC(), nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func runReplay(f *replayFlags, stdout, stderr io.Writer) int {
	if os.Getenv("GOGC") == "" {
		// Replay is a short batch job whose live heap is small (the parsed
		// facts, a few artifacts in flight): collecting at 5× the live heap
		// instead of 2× cut its CPU by about a tenth on the 500-host
		// benchmark, for about 14 MB more peak RSS (34 → 48 MB).
		debug.SetGCPercent(400)
	}
	o, err := f.check()
	if err != nil {
		fmt.Fprintf(stderr, "atvmbot replay: %v\n", err)
		return 2
	}
	if o.psFile != "" {
		b, err := os.ReadFile(o.psFile)
		if err != nil {
			fmt.Fprintf(stderr, "atvmbot replay: --ps: %v\n", err)
			return 2
		}
		o.meta.Processes = results.ParsePS(b)
		if o.meta.Processes == nil {
			o.meta.Processes = []results.Process{}
		}
	}
	if o.inventory != "" {
		b, err := os.ReadFile(o.inventory)
		if err != nil {
			fmt.Fprintf(stderr, "atvmbot replay: --inventory: %v\n", err)
			return 2
		}
		o.meta.Inventory = results.ParseInventory(b)
	}
	arts, warnings := loadReplayArtifacts(o.root, o.tmp, o.meta)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "atvmbot replay: warning: %s\n", w)
	}
	st := results.Reconstruct(o.meta, arts)
	return writeReplay(stdout, stderr, o.format, st, o.meta.Now)
}

func writeReplay(stdout, stderr io.Writer, format string, st results.Status, now time.Time) int {
	switch format {
	case "text":
		fmt.Fprint(stdout, results.RenderText(st, results.RenderOptions{Now: now, Kind: results.Final}))
	case "markdown":
		for i, part := range results.RenderMarkdown(st, results.RenderOptions{Now: now, Kind: results.Final}) {
			if i > 0 {
				fmt.Fprintln(stdout, "\n---")
			}
			fmt.Fprintln(stdout, part)
		}
	default:
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			fmt.Fprintf(stderr, "atvmbot replay: %v\n", err)
			return 1
		}
		stdout.Write(b.Bytes())
	}
	return 0
}

// loadReplayArtifacts reads only the folders the controller writes results
// to (never node_modules), parses the artifacts on all cores while the
// runner log streams, and keeps what they say, not their bytes.
func loadReplayArtifacts(root, tmp string, meta results.Meta) (results.Artifacts, []string) {
	var arts results.Artifacts
	var warnings []string
	var refs []results.FileRef
	// The log is most of the bytes: its read starts before the folder walk
	// and runs beside the artifact workers. It sets only RunLog and
	// LogModTime; everything below touches only Parsed.
	logDone := make(chan []string, 1)
	go func() { logDone <- streamRunLog(filepath.Join(tmp, meta.Build+".log"), &arts) }()
	add := func(abs string, d fs.DirEntry) {
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			return
		}
		rel = filepath.ToSlash(rel)
		kind := meta.Layout.Classify(rel)
		if kind == results.KindUnknown {
			return
		}
		info, err := d.Info()
		if err != nil {
			warnings = append(warnings, err.Error())
			return
		}
		mt := info.ModTime().UTC()
		artifact := kind != results.KindConfig && kind != results.KindSpec
		if artifact && !meta.RunStart.IsZero() && mt.Before(meta.RunStart) {
			return // older than the run: never read (R1)
		}
		if info.Size() > maxArtifactBytes {
			arts.Parsed = append(arts.Parsed, results.ParsedFile{Path: rel, Kind: kind, ModTime: mt,
				Err: fmt.Sprintf("%d bytes, larger than the %d MiB read limit", info.Size(), maxArtifactBytes>>20)})
			return
		}
		refs = append(refs, results.FileRef{Path: rel, ModTime: mt})
	}
	walk := func(dir string, depth int) {
		base := filepath.Join(root, filepath.FromSlash(dir))
		err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == base && errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			rel, _ := filepath.Rel(base, p)
			n := 0
			if rel != "." {
				n = strings.Count(filepath.ToSlash(rel), "/") + 1
			}
			if d.IsDir() {
				if n >= depth && p != base {
					return fs.SkipDir
				}
				return nil
			}
			if n <= depth {
				add(p, d)
			}
			return nil
		})
		if err != nil {
			warnings = append(warnings, err.Error())
		}
	}
	l := meta.Layout
	jdir, _ := path.Split(l.JUnitGlob)
	walk(".", 1)                          // config files at the root
	walk(path.Clean(jdir), 1)             // JUnit
	walk(path.Clean(l.MochawesomeDir), 1) // mochawesome HTML
	walk(path.Clean(l.ReporterDir), 2)    // <host>/*.json|*.txt
	walk("cypress/e2e", 8)                // generated specs, for TEST FLOW

	read := func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(root, filepath.FromSlash(rel))) }
	arts.Parsed = append(arts.Parsed, meta.Layout.ParseFiles(refs, read, runtime.GOMAXPROCS(0))...)
	warnings = append(warnings, <-logDone...)
	if f, err := os.Open(filepath.Join(tmp, meta.Build+".launch.log")); err == nil {
		arts.LaunchLog, _ = io.ReadAll(io.LimitReader(f, 1<<20))
		f.Close()
	}
	return arts, warnings
}

// streamRunLog copies the runner log through the parser: never whole in
// memory, whatever its size. A missing log leaves RunLog nil (R8).
func streamRunLog(logPath string, arts *results.Artifacts) []string {
	f, err := os.Open(logPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	var warnings []string
	p := results.NewRunLogParser()
	// The struct hides *os.File's WriteTo, which would copy through its own
	// 32 KiB buffer: 256 KiB chunks mean an eighth of the reads and parser
	// calls.
	if _, err := io.CopyBuffer(p, struct{ io.Reader }{f}, make([]byte, 256<<10)); err != nil {
		warnings = append(warnings, fmt.Sprintf("%s: %v", logPath, err))
	}
	facts := p.Facts()
	arts.RunLog = &facts
	if info, err := f.Stat(); err == nil {
		arts.LogModTime = info.ModTime().UTC()
	}
	return warnings
}
