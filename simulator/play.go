package simulator

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A run is decided up front as a schedule of actions at simulated times;
// playing it waits for each time on a clock. The real clock maps simulated
// time onto wall time at the scenario's speed; the instant clock does not
// wait (golden tests, `simulate render`).

type clock interface {
	wait(ctx context.Context, at time.Time) error
}

type realClock struct {
	anchorReal, anchorSim time.Time
	speed                 float64
}

func (c realClock) wait(ctx context.Context, at time.Time) error {
	d := time.Duration(float64(at.Sub(c.anchorSim))/c.speed) - time.Since(c.anchorReal)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// encode passes the clock to a child process.
func (c realClock) encode() string {
	return fmt.Sprintf("%d,%d,%g", c.anchorReal.UnixNano(), c.anchorSim.UnixNano(), c.speed)
}

func decodeClock(s string) (clock, error) {
	if s == "instant" {
		return instantClock{}, nil
	}
	p := strings.Split(s, ",")
	if len(p) != 3 {
		return nil, fmt.Errorf("bad clock %q", s)
	}
	r, err1 := strconv.ParseInt(p[0], 10, 64)
	m, err2 := strconv.ParseInt(p[1], 10, 64)
	sp, err3 := strconv.ParseFloat(p[2], 64)
	if err1 != nil || err2 != nil || err3 != nil || sp <= 0 {
		return nil, fmt.Errorf("bad clock %q", s)
	}
	return realClock{anchorReal: time.Unix(0, r), anchorSim: time.Unix(0, m), speed: sp}, nil
}

type instantClock struct{}

func (instantClock) wait(ctx context.Context, _ time.Time) error { return ctx.Err() }

// action is one scheduled thing: files to write, then text to print.
type action struct {
	at  time.Time
	do  func() error
	out string
	// outAfter is text known only once do ran (the name a report was saved
	// under), written after out.
	outAfter func() string
}

// play runs a schedule, writing its text to w.
func play(ctx context.Context, c clock, w io.Writer, acts []action) error {
	for _, a := range acts {
		if err := c.wait(ctx, a.at); err != nil {
			return err
		}
		if a.do != nil {
			if err := a.do(); err != nil {
				return err
			}
		}
		out := a.out
		if a.outAfter != nil {
			out += a.outAfter()
		}
		if out != "" {
			if _, err := io.WriteString(w, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// currentsURL is a run's Currents URL: 16 hex digits, stable for a build id
// and start.
func currentsURL(buildID string, start time.Time) string {
	sum := md5.Sum([]byte(buildID + "@" + strconv.FormatInt(start.UnixNano(), 10)))
	return "https://app.currents.dev/run/" + hex.EncodeToString(sum[:])[:16]
}

// File effects. JSON is replaced atomically so a reader never sees half a
// document; transcripts are appended, as the reporter does.

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func appendFile(path string, data string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeUnique writes dir/base.html, or base_001.html, … when taken
// (mochawesome's overwrite:false), and returns the name it took.
func writeUnique(dir, base, ext string, data []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for i := 0; i < 1000; i++ {
		name := base + ext
		if i > 0 {
			name = fmt.Sprintf("%s_%03d%s", base, i, ext)
		}
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if os.IsExist(err) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return name, err
	}
	return "", fmt.Errorf("mochawesome: no free name for %s", base)
}
