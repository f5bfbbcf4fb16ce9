package runner

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/atvm/atvmbot/controller"
	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

func (r *ControllerRunner) mirror(runID string) string {
	return filepath.Join(r.MirrorDir, strings.NewReplacer("/", "_", "..", "_").Replace(runID))
}

// view returns the run's fetched state, rebuilding it from the mirror
// after a restart.
func (r *ControllerRunner) view(ctx context.Context, run storage.Run) (*runView, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v := r.views[run.ID]; v != nil {
		return v, nil
	}
	v := &runView{files: map[string]results.ParsedFile{}, txt: map[string]*results.ReporterTXTStream{}}
	dir := r.mirror(run.ID)
	// Offsets are committed after the bytes are in the mirror and applied:
	// after a crash the mirror may hold bytes past them (an uncommitted
	// fetch, read again next poll: cut here) or, from an older bot, fewer
	// (then, and only then, the run is fetched again from the start).
	offs, err := r.DB.Offsets(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	committed := map[string]bool{}
	for p, o := range offs {
		if p == controller.WatermarkKey {
			continue
		}
		committed[escapePath(p)] = true
		name := filepath.Join(dir, escapePath(p))
		fi, err := os.Stat(name)
		if err == nil && fi.Size() > o.Size {
			mt := fi.ModTime()
			err = os.Truncate(name, o.Size)
			_ = os.Chtimes(name, mt, mt)
			if err == nil {
				continue
			}
		}
		if err != nil || fi.Size() < o.Size {
			r.Log.Warn().Str("run", run.ID).Str("path", p).Msg("mirror behind the offsets; fetching the run again")
			if err := r.DB.ResetOffsets(ctx, run.ID); err != nil {
				return nil, err
			}
			_ = os.RemoveAll(dir)
			committed = map[string]bool{}
			break
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := filepath.Join(dir, e.Name())
		if !committed[e.Name()] {
			_ = os.Remove(name) // written by a fetch that was never committed
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		p := unescapePath(e.Name())
		if r.isRunLog(run, p) {
			// The runner log may be large: streamed through its parser.
			f, err := os.Open(name)
			if err != nil {
				continue
			}
			v.log = results.NewRunLogParser()
			_, _ = io.Copy(v.log, f)
			f.Close()
			v.logMtime = info.ModTime()
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		r.absorb(run, v, p, data, info.ModTime(), true)
	}
	r.views[run.ID] = v
	return v, nil
}

// apply feeds the view what this poll streamed into the mirror. The
// runner log is copied through its parser in pieces; an artifact (capped
// in size by the fetch) is read whole to be parsed.
func (r *ControllerRunner) apply(run storage.Run, v *runView, m *controller.Mirror, deltas []controller.Delta) error {
	for _, d := range deltas {
		v.gen++
		mt := time.Unix(0, d.MtimeNS)
		whole := d.Whole || d.Truncated || d.Offset == 0
		rc, err := m.NewBytes(d)
		if err != nil {
			return err
		}
		if r.isRunLog(run, d.Path) {
			if whole || v.log == nil {
				v.log = results.NewRunLogParser()
			}
			_, err = io.Copy(v.log, rc)
			v.logMtime = mt
			rc.Close()
			if err != nil {
				return err
			}
			continue
		}
		if r.layout().Classify(d.Path) == results.KindReporterTXT {
			// A transcript grows by what is new: streamed into its reader.
			if whole || v.txt[d.Path] == nil {
				v.txt[d.Path] = results.NewReporterTXTStream()
			}
			_, err = io.Copy(v.txt[d.Path], rc)
			rc.Close()
			if err != nil {
				return err
			}
			v.files[d.Path] = v.txt[d.Path].Parsed(d.Path, mt)
			continue
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		r.absorb(run, v, d.Path, data, mt, whole)
	}
	return nil
}

func (r *ControllerRunner) isRunLog(run storage.Run, p string) bool {
	return p == strings.TrimSuffix(r.Cfg.Controller.TmpDir, "/")+"/"+run.Build+".log"
}

// absorb feeds one file's new bytes to the view.
func (r *ControllerRunner) absorb(run storage.Run, v *runView, p string, data []byte, mt time.Time, whole bool) {
	v.gen++
	tmp := strings.TrimSuffix(r.Cfg.Controller.TmpDir, "/") + "/"
	switch {
	case p == tmp+run.Build+".log":
		if whole || v.log == nil {
			v.log = results.NewRunLogParser()
		}
		_, _ = v.log.Write(data)
		v.logMtime = mt
	case p == tmp+run.Build+".launch.log":
		if whole {
			v.launch = nil
		}
		v.launch = append(v.launch, data...)
	case r.layout().Classify(p) == results.KindReporterTXT:
		// Read as it grows, never kept whole nor read again from the start.
		if whole || v.txt[p] == nil {
			v.txt[p] = results.NewReporterTXTStream()
		}
		_, _ = v.txt[p].Write(data)
		v.files[p] = v.txt[p].Parsed(p, mt)
	default:
		pf := results.ParseFileAs(r.layout().Classify(p), results.File{Path: p, ModTime: mt, Data: data})
		pf.Data = nil // only specs are kept, and those come from the stored scope
		v.files[p] = pf
	}
}

// layout is where the configuration says the artifacts are: the same
// folders are fetched and parsed.
func (r *ControllerRunner) layout() results.Layout {
	c := r.Cfg.Controller
	return results.Layout{JUnitGlob: c.JUnitGlob, MochawesomeDir: c.MochawesomeDir, ReporterDir: c.ReporterDir}
}

func escapePath(p string) string {
	return strings.ReplaceAll(strings.ReplaceAll(p, "%", "%25"), "/", "%2F")
}

func unescapePath(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "%2F", "/"), "%25", "%")
}
