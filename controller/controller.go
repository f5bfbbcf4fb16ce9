// Package controller speaks to the controller machine: SSH (host key
// checked) or local commands, the launch sequence (P5, P15–P17), process
// inspection and stopping (W4, W5), and the incremental artifact fetch.
// Durable state goes through the small interfaces declared here (D19).
package controller

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atvm/atvmbot/config"
	"github.com/rs/zerolog"
)

// Event is one recorded step of a run's life on the controller.
type Event struct {
	RunID  string
	Build  string
	Step   string // StepClock, StepConfig, StepTemplate, …
	OK     bool
	Detail string
	At     time.Time
}

// Steps, in launch order.
const (
	StepPreflight = "preflight"
	StepClock     = "clock"
	StepConfig    = "config"
	StepTemplate  = "template"
	StepVerify    = "verify"
	StepRunner    = "runner"
	StepStop      = "stop"
	StepCancel    = "cancel"
)

// EventSink records events durably (storage implements it).
type EventSink interface {
	RecordEvent(ctx context.Context, e Event) error
}

// FileOffset is how much of a file was read and the mtime it then had.
type FileOffset struct {
	Size    int64
	MtimeNS int64
}

// OffsetStore persists fetch offsets per run (D5), so a restarted bot
// re-reads nothing. Keys are absolute controller paths, plus the reserved
// key WatermarkKey for the listing's time watermark.
type OffsetStore interface {
	LoadOffsets(ctx context.Context, runID string) (map[string]FileOffset, error)
	SaveOffsets(ctx context.Context, runID string, changed map[string]FileOffset) error
	ResetOffsets(ctx context.Context, runID string) error
}

// WatermarkKey holds, in MtimeNS, the controller time before which no file
// needs listing again. Paths are absolute, so it never collides with one.
const WatermarkKey = ":watermark"

// RunRef identifies a launched run on the controller.
type RunRef struct {
	ID          string    // the bot's run id (storage key)
	Build       string    // build name
	Start       time.Time // controller clock before the template step (D4)
	RunnerPID   int       // the runner's process group leader
	RunnerStart uint64    // its /proc start time: (pid, start) is the identity (D16)
}

// RoundTripObserver is told how long each command on the controller took,
// failed ones included. bot.Metrics implements it
// (atvmbot_ssh_round_trip_seconds); cmd wires it in.
type RoundTripObserver interface {
	ObserveSSH(d time.Duration)
}

// Controller runs the ATVM steps through a Transport.
type Controller struct {
	T       Transport
	Cfg     config.Controller
	Watch   config.Watch
	Events  EventSink   // nil: events only logged
	Offsets OffsetStore // nil: kept in memory
	Log     zerolog.Logger
	// Observer, when set, gets every round trip's duration.
	Observer RoundTripObserver
	// TailEvery is how often the launch log is tailed during the template
	// step (LaunchSpec.TemplateTail); zero means every 30 s.
	TailEvery time.Duration

	// env is added to every script's environment; tests put stubs first
	// in PATH with it.
	env map[string]string

	roundTrips atomic.Int64
	wireBytes  atomic.Int64

	chunk     int           // stream chunk size; 0 = defaultChunk (tests make it tiny)
	lineGrace time.Duration // 0 = partialLineGrace

	mu         sync.Mutex
	fetchLocks map[string]*sync.Mutex           // run id → its poll lock
	noted      map[string]bool                  // over-cap notes already given
	cancelled  map[string]bool                  // build → cancel requested during launch
	offCache   map[string]map[string]FileOffset // run id → offsets
}

// New returns a Controller. events and offsets may be nil.
func New(t Transport, cfg config.Controller, watch config.Watch, events EventSink, offsets OffsetStore, log zerolog.Logger) *Controller {
	if offsets == nil {
		offsets = NewMemoryOffsets()
	}
	return &Controller{T: t, Cfg: cfg, Watch: watch, Events: events, Offsets: offsets, Log: log}
}

// RoundTrips is the number of commands run on the controller so far: each
// is one session, i.e. one round trip. /metrics and the benchmark read it.
func (c *Controller) RoundTrips() int64 { return c.roundTrips.Load() }

// WireBytes is the number of bytes the controller sent back so far.
func (c *Controller) WireBytes() int64 { return c.wireBytes.Load() }

// run is the one place commands go through, so every round trip is counted.
// A command whose caller set no deadline gets controller.command_timeout:
// none may wait forever.
func (c *Controller) run(ctx context.Context, argv []string, opt RunOpts) (Result, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = withTimeout(ctx, "command "+argv[0], c.Cfg.CommandTimeout, defaultCommandTimeout)
		defer cancel()
	}
	c.roundTrips.Add(1)
	t0 := time.Now()
	res, err := c.T.Run(ctx, argv, opt)
	if c.Observer != nil {
		c.Observer.ObserveSSH(time.Since(t0))
	}
	if err != nil && ctx.Err() != nil {
		err = ctxErr(ctx) // the deadline's reason, whatever the transport said
	}
	c.wireBytes.Add(int64(len(res.Stdout) + len(res.Stderr)))
	return res, err
}

// sh runs one of the scripts with its positional parameters.
func (c *Controller) sh(ctx context.Context, script string, stdin []byte, args ...string) (Result, error) {
	argv := append([]string{"sh", "-c", script, "atvmbot"}, args...)
	opt := RunOpts{Env: c.env}
	if stdin != nil {
		opt.Stdin = bytes.NewReader(stdin)
	}
	res, err := c.run(ctx, argv, opt)
	if err == nil && res.ExitCode != 0 {
		err = fmt.Errorf("controller script exited %d: %s", res.ExitCode, Redact(strings.TrimSpace(string(res.Stderr))))
	}
	return res, err
}

func (c *Controller) record(ctx context.Context, run RunRef, step string, ok bool, detail string) error {
	detail = Redact(detail)
	ev := c.Log.Info()
	if !ok {
		ev = c.Log.Warn()
	}
	ev.Str("run", run.ID).Str("build", run.Build).Str("step", step).Bool("ok", ok).Str("detail", detail).Msg("controller event")
	if c.Events == nil {
		return nil
	}
	if err := c.Events.RecordEvent(ctx, Event{RunID: run.ID, Build: run.Build, Step: step, OK: ok, Detail: detail, At: time.Now().UTC()}); err != nil {
		return fmt.Errorf("record %s event: %w", step, err)
	}
	return nil
}

// Clock reads the controller's own clock: "since the run start" is judged
// in controller time only (D4).
func (c *Controller) Clock(ctx context.Context) (time.Time, error) {
	res, err := c.run(ctx, []string{"date", "+%s.%N"}, RunOpts{})
	if err != nil {
		return time.Time{}, err
	}
	return parseEpoch(lastLine(res.Stdout))
}

// parseEpoch reads "seconds.fraction" exactly (no float rounding).
func parseEpoch(s string) (time.Time, error) {
	ns, err := epochNS(s)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, ns).UTC(), nil
}

func epochNS(s string) (int64, error) {
	s = strings.TrimSpace(s)
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || sec == "" {
		return 0, fmt.Errorf("not an epoch time: %q", s)
	}
	if len(frac) > 9 {
		frac = frac[:9]
	}
	for len(frac) < 9 {
		frac += "0"
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not an epoch time: %q", s)
	}
	return n*1e9 + f, nil
}

func formatEpoch(t time.Time) string {
	ns := t.UnixNano()
	return fmt.Sprintf("%d.%09d", ns/1e9, ns%1e9)
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return lines[len(lines)-1]
}

// sections splits script output at "@@name" lines. A name seen twice keeps
// every body, in order. Text before the first marker (e.g. a login
// script's noise) goes under "".
func sections(out []byte) map[string][]string {
	m := map[string][]string{}
	name := ""
	var cur []string
	flush := func() { m[name] = append(m[name], strings.Join(cur, "\n")) }
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "@@") {
			flush()
			name, cur = strings.TrimSpace(l[2:]), nil
			continue
		}
		cur = append(cur, l)
	}
	flush()
	return m
}

func first(m map[string][]string, k string) string {
	if v := m[k]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// buildName is what may name a build: it becomes part of /tmp paths.
var buildName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// runPaths are the files of one build on the controller.
type runPaths struct {
	Log, LaunchLog, Exit, PID, TemplatePID string
}

func (c *Controller) paths(build string) runPaths {
	tmp := c.Cfg.TmpDir
	if tmp == "" {
		tmp = "/tmp"
	}
	p := func(suffix string) string { return path.Join(tmp, build+suffix) }
	return runPaths{Log: p(".log"), LaunchLog: p(".launch.log"), Exit: p(".exit"), PID: p(".pid"), TemplatePID: p(".launch.pid")}
}

// abs resolves p against the ATVM root.
func (c *Controller) abs(p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(c.Cfg.ATVMRoot, p)
}

// MemoryOffsets is an OffsetStore in memory (demo, tests).
type MemoryOffsets struct {
	mu sync.Mutex
	m  map[string]map[string]FileOffset
}

// NewMemoryOffsets returns an empty store.
func NewMemoryOffsets() *MemoryOffsets {
	return &MemoryOffsets{m: map[string]map[string]FileOffset{}}
}

// LoadOffsets returns a copy of the run's offsets.
func (s *MemoryOffsets) LoadOffsets(_ context.Context, runID string) (map[string]FileOffset, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]FileOffset{}
	for k, v := range s.m[runID] {
		out[k] = v
	}
	return out, nil
}

// SaveOffsets merges changed into the run's offsets.
func (s *MemoryOffsets) SaveOffsets(_ context.Context, runID string, changed map[string]FileOffset) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[runID] == nil {
		s.m[runID] = map[string]FileOffset{}
	}
	for k, v := range changed {
		s.m[runID][k] = v
	}
	return nil
}

// ResetOffsets forgets the run's offsets.
func (s *MemoryOffsets) ResetOffsets(_ context.Context, runID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, runID)
	return nil
}

var errCancelled = errors.New("cancelled")
