package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/atvm/atvmbot/bot"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/internal/synth"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// The watch-loop benchmark: the 500-host synthetic run fed to a
// controller folder in 50 increments (the runner log cut at line ends, the
// artifacts in the order they were written), each followed by one poll
// through the bot's own path (Core.PollNow: inspect, fetch into the mirror,
// read, reconstruct, persist) over the local transport. The bot's own CPU
// per poll (getrusage of this process; the controller-side commands run
// as child processes and are not counted) is reported for the first and
// the last 10 polls, and for 10 polls with nothing new.
//
//	go test ./bot/runner -run '^$' -bench WatchLoop -benchtime 1x
//
// The run's trees are written once into $ATVMBOT_BENCH_DIR (default: the
// temp dir), shared with the replay benchmark. ATVMBOT_BENCH_LOG_MB sets
// the runner log's size (default 200; 1000 for the 1 GB run), and
// ATVMBOT_BENCH_SSH=1 polls over a private OpenSSH server on 127.0.0.1
// (root, as in the sshd tests) instead of the local transport.

const watchIncrements = 50

var watchSrcOnce sync.Once
var watchSrc string
var watchSrcErr error

func watchSource(b *testing.B) (string, synth.BigRun) {
	run := synth.ScaledBigRun(1)
	name := "x1"
	if mb, err := strconv.Atoi(os.Getenv("ATVMBOT_BENCH_LOG_MB")); err == nil && mb > 0 && mb != 200 {
		run.LogBytesPerHost = mb * 1_000_000 / run.Hosts
		name = fmt.Sprintf("x1-log%dmb", mb)
	}
	watchSrcOnce.Do(func() {
		base := os.Getenv("ATVMBOT_BENCH_DIR")
		if base == "" {
			base = filepath.Join(os.TempDir(), "atvmbot-bench")
		}
		watchSrc = filepath.Join(base, name)
		if _, err := os.Stat(filepath.Join(watchSrc, "args")); err == nil {
			return
		}
		os.RemoveAll(watchSrc)
		args, err := run.Write(watchSrc)
		if err != nil {
			watchSrcErr = err
			return
		}
		watchSrcErr = os.WriteFile(filepath.Join(watchSrc, "args"), []byte(strings.Join(args, "\n")+"\n"), 0o644)
	})
	if watchSrcErr != nil {
		b.Fatal(watchSrcErr)
	}
	return watchSrc, run
}

type srcFile struct {
	rel   string
	mtime time.Time
}

func cpuSelf() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuTransport counts the bot's CPU spent inside the controller's round
// trips (starting the command, reading its answer).
type cpuTransport struct {
	controller.Transport
	in time.Duration
}

func (t *cpuTransport) Run(ctx context.Context, argv []string, opt controller.RunOpts) (controller.Result, error) {
	c0 := cpuSelf()
	defer func() { t.in += cpuSelf() - c0 }()
	return t.Transport.Run(ctx, argv, opt)
}

func BenchmarkWatchLoop(b *testing.B) {
	src, big := watchSource(b)
	for i := 0; i < b.N; i++ {
		watchLoopOnce(b, src, big)
	}
}

func watchLoopOnce(b *testing.B, src string, big synth.BigRun) {
	b.StopTimer()
	ctx := context.Background()
	dir := b.TempDir()
	ctl := filepath.Join(dir, "controller")
	// What exists before the run: the generated specs and the config, held
	// in the run's stored scope as a launch stores them.
	var arts []srcFile
	scope := controller.Scope{Specs: map[string][]byte{}, ConfigFile: "cypress.atvm-config-gold.ts"}
	err := filepath.WalkDir(filepath.Join(src, "atvm"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(rel, "atvm/cypress/e2e/"):
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			scope.Specs[strings.TrimPrefix(rel, "atvm/")] = data
		case strings.HasPrefix(rel, "atvm/cypress/"):
			arts = append(arts, srcFile{rel: rel, mtime: info.ModTime()})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	sort.Slice(arts, func(i, j int) bool {
		if !arts[i].mtime.Equal(arts[j].mtime) {
			return arts[i].mtime.Before(arts[j].mtime)
		}
		return arts[i].rel < arts[j].rel
	})
	// The log is copied in ranges, never held: the process's peak RSS is
	// the bot's.
	logSrc, err := os.Open(filepath.Join(src, "tmp", big.Build+".log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logSrc.Close()
	cuts, err := lineCuts(logSrc, watchIncrements)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < big.Hosts; i++ {
		scope.VMs = append(scope.VMs, big.BigRunSpec(i).Machine)
	}
	for _, d := range []string{"atvm/cypress/results", "atvm/cypress/cmcReporter/mochawesome", "atvm/cypress/cmcReporter/logs", "tmp"} {
		if err := os.MkdirAll(filepath.Join(ctl, d), 0o755); err != nil {
			b.Fatal(err)
		}
	}
	logPath := filepath.Join(ctl, "tmp", big.Build+".log")

	cfg := config.Default()
	cfg.Controller.Transport = "local"
	cfg.Controller.ATVMRoot, cfg.Controller.TmpDir = filepath.Join(ctl, "atvm"), filepath.Join(ctl, "tmp")
	db, err := storage.Open(ctx, filepath.Join(dir, "state.db"), 5*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	scopeJSON, _ := json.Marshal(runScope{Scope: scope})
	// The runner is this process: alive for the whole benchmark.
	run := storage.Run{ID: "r-bench", Build: big.Build, Controller: "local", Template: "cmc-e2e", Categorized: true,
		State: storage.StateRunning, RunnerPID: os.Getpid(), RunnerStart: "0", ControllerStart: time.Now().Add(-time.Second), ScopeJSON: string(scopeJSON)}
	if err := db.CreateRunLocked(ctx, run, "bench"); err != nil {
		b.Fatal(err)
	}
	tr := &cpuTransport{Transport: controller.NewLocal(zerolog.Nop())}
	if os.Getenv("ATVMBOT_BENCH_SSH") == "1" {
		sc := startSSHController(b)
		ssh := sc.cfg.Controller
		cfg.Controller.Transport, cfg.Controller.Host, cfg.Controller.Port, cfg.Controller.User, cfg.Controller.KnownHosts =
			ssh.Transport, ssh.Host, ssh.Port, ssh.User, ssh.KnownHosts
		tr.Transport = sc.t
	}
	r := NewControllerRunner(tr, &cfg, db, filepath.Join(dir, "mirror"), "local", zerolog.Nop())
	core := &bot.Core{Cfg: &cfg, DB: db, Runner: r, Log: zerolog.Nop(), Version: "bench"}

	var cpu, rt []time.Duration
	var writes []int64
	var last results.Status
	var logAt int64
	artAt := 0
	poll := func() {
		w0, c0, t0 := db.Writes(), cpuSelf(), tr.in
		b.StartTimer()
		st, err := core.PollNow(ctx, run.ID)
		b.StopTimer()
		cpu, rt, writes = append(cpu, cpuSelf()-c0), append(rt, tr.in-t0), append(writes, db.Writes()-w0)
		if err != nil {
			b.Fatalf("poll %d: %v", len(cpu), err)
		}
		last = st
	}
	for k := 1; k <= watchIncrements; k++ {
		if end := cuts[k-1]; end > logAt {
			f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
			if err != nil {
				b.Fatal(err)
			}
			_, err = io.Copy(f, io.NewSectionReader(logSrc, logAt, end-logAt))
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			logAt = end
		}
		for n := len(arts) * k / watchIncrements; artAt < n; artAt++ {
			data, err := os.ReadFile(filepath.Join(src, arts[artAt].rel))
			if err != nil {
				b.Fatal(err)
			}
			dst := filepath.Join(ctl, arts[artAt].rel)
			_ = os.MkdirAll(filepath.Dir(dst), 0o755)
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		// Older than the fetch's partial-line grace, so each poll reads
		// every byte written before it.
		old := time.Now().Add(-10 * time.Second)
		_ = os.Chtimes(logPath, old, old)
		poll()
	}
	for k := 0; k < 10; k++ {
		poll() // nothing new
	}
	sum := func(d []time.Duration) time.Duration {
		var t time.Duration
		for _, x := range d {
			t += x
		}
		return t
	}
	if len(last.Hosts) != big.Hosts {
		b.Fatalf("the last poll saw %d hosts, want %d", len(last.Hosts), big.Hosts)
	}
	first, lastTen, idle, idleRT := sum(cpu[:10]), sum(cpu[watchIncrements-10:watchIncrements]), sum(cpu[watchIncrements:]), sum(rt[watchIncrements:])
	var idleWrites int64
	for _, w := range writes[watchIncrements:] {
		idleWrites += w
	}
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 / 10 }
	b.ReportMetric(ms(first), "first10-cpu-ms/poll")
	b.ReportMetric(ms(lastTen), "last10-cpu-ms/poll")
	b.ReportMetric(float64(lastTen)/float64(first), "last/first")
	b.ReportMetric(ms(idle), "idle-cpu-ms/poll")
	b.ReportMetric(ms(idleRT), "idle-roundtrip-cpu-ms/poll")
	b.ReportMetric(ms(idle-idleRT), "idle-own-cpu-ms/poll")
	b.ReportMetric(float64(idleWrites)/10, "idle-writes/poll")
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	b.ReportMetric(float64(ru.Maxrss)/1024, "peak-rss-MB")
	if testing.Verbose() {
		for i, d := range cpu {
			fmt.Fprintf(os.Stderr, "poll %2d: %6.1f ms cpu (%5.1f in round trips), %d writes\n", i+1, float64(d)/1e6, float64(rt[i])/1e6, writes[i])
		}
		fmt.Fprintf(os.Stderr, "last poll: %s, %d hosts\n", last.State, len(last.Hosts))
	}
}

// lineCuts returns n offsets into f, each the end of the line that ends
// nearest after k/n of its bytes (the last one its size).
func lineCuts(f *os.File, n int) ([]int64, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := info.Size()
	cuts := make([]int64, n)
	buf := make([]byte, 64<<10)
	for k := 1; k <= n; k++ {
		at := size * int64(k) / int64(n)
		cuts[k-1] = size
		for k < n && at < size {
			m, err := f.ReadAt(buf, at)
			if i := bytes.IndexByte(buf[:m], '\n'); i >= 0 {
				cuts[k-1] = at + int64(i) + 1
				break
			}
			if err != nil {
				break
			}
			at += int64(m)
		}
	}
	return cuts, nil
}
