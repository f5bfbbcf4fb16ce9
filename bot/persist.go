package bot

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// persisted is what the owner last wrote of its run: a poll writes only
// what differs from it. It lives as long as the owner; a new process
// starts with none and writes the whole truth once.
type persisted struct {
	runID   string
	full    bool // nothing written yet by this process: the host table is replaced whole
	status  string
	hosts   map[string]storage.HostResult
	subruns map[string]storage.Subrun
	urls    map[storage.CurrentsURL]bool
}

// persist keeps the latest truth: status, hosts, sub-runs and every
// Currents URL the moment it appears (R11). The caller is the run's owner.
// Only what changed since the owner's last write is written: a watched
// run's poll costs the same at its end as at its start.
func (c *Core) persist(ctx context.Context, o *runOwner, run storage.Run, st results.Status) {
	p := o.persisted
	if p == nil || p.runID != run.ID {
		p = &persisted{runID: run.ID, hosts: map[string]storage.HostResult{}, subruns: map[string]storage.Subrun{}, urls: map[storage.CurrentsURL]bool{}}
		o.persisted = p
		p.full = true
	}
	if b, err := json.Marshal(st); err == nil && string(b) != p.status {
		s := string(b)
		if c.DB.UpdateRun(ctx, run.ID, storage.RunUpdate{StatusJSON: &s}) == nil {
			p.status = s
		}
	}
	hosts := make(map[string]storage.HostResult, len(st.Hosts))
	for _, h := range st.Hosts {
		hosts[h.Name] = storage.HostResult{Host: h.Name, Subrun: h.Group, Status: h.Status, FailedStep: h.FailedStep, Error: clip(h.Error, 500)}
	}
	if p.full {
		// The first write of this process: whatever an earlier one left goes.
		rows := make([]storage.HostResult, 0, len(st.Hosts))
		for _, h := range st.Hosts {
			rows = append(rows, hosts[h.Name])
		}
		if c.DB.ReplaceHostResults(ctx, run.ID, rows) == nil {
			p.hosts, p.full = hosts, false
		}
	} else {
		var upsert []storage.HostResult
		var remove []string
		for _, h := range st.Hosts {
			if row := hosts[h.Name]; p.hosts[h.Name] != row {
				upsert = append(upsert, row)
			}
		}
		for name := range p.hosts {
			if _, ok := hosts[name]; !ok {
				remove = append(remove, name)
			}
		}
		slices.Sort(remove)
		if c.DB.UpdateHostResults(ctx, run.ID, upsert, remove) == nil {
			p.hosts = hosts
		}
	}
	for _, sr := range st.Subruns {
		row := storage.Subrun{RunID: run.ID, Name: sr.Name, State: sr.State, Hosts: sr.Hosts, CurrentsURL: sr.CurrentsURL, Finished: sr.Finished}
		if have, ok := p.subruns[sr.Name]; !ok || !sameSubrun(have, row) {
			if c.DB.UpsertSubrun(ctx, row) == nil {
				p.subruns[sr.Name] = row
			}
		}
		if sr.CurrentsURL != "" {
			c.addURL(ctx, p, run.ID, storage.CurrentsURL{Subrun: sr.Name, URL: sr.CurrentsURL})
		}
	}
	for _, u := range st.CurrentsURLs {
		c.addURL(ctx, p, run.ID, storage.CurrentsURL{URL: u})
	}
}

func (c *Core) addURL(ctx context.Context, p *persisted, runID string, u storage.CurrentsURL) {
	if p.urls[u] {
		return
	}
	if c.DB.AddCurrentsURL(ctx, runID, u.Subrun, u.URL) == nil {
		p.urls[u] = true
	}
}

func sameSubrun(a, b storage.Subrun) bool {
	return a.RunID == b.RunID && a.Name == b.Name && a.State == b.State && a.CurrentsURL == b.CurrentsURL &&
		a.Finished == b.Finished && slices.Equal(a.Hosts, b.Hosts)
}
