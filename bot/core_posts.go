package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// postSpec is one post under an idempotency key.
type postSpec struct {
	key, run, kind, subrun string
	revision, part         int
	channel, root          string
	message                string
	digest                 string
	files                  []OutFile // attached to part 0
	buttons                []Button  // on the first part only
}

// postOnce creates a post exactly once (W1): the key is written to storage
// before sending; a key left pending by a crash is first looked for on the
// server; a post counts as done only when the server returned it.
func (c *Core) postOnce(ctx context.Context, p postSpec) (string, error) {
	defer postingKeys.lock(p.key)()
	rec, created, err := c.DB.ReservePost(ctx, storage.Post{IdemKey: p.key, RunID: p.run, Kind: p.kind, Subrun: p.subrun,
		Revision: p.revision, Part: p.part, ChannelID: p.channel, RootID: p.root, Digest: p.digest})
	if err != nil {
		c.Log.Error().Err(err).Str("key", p.key).Msg("reserving a post")
		return "", err
	}
	if rec.State == storage.PostSent {
		return rec.PostID, nil
	}
	if !created {
		if id, found, err := c.Chat.FindByIdemKey(ctx, p.channel, p.root, p.key, rec.CreatedAt); err == nil && found {
			// The server has what was sent before the crash: the reserved digest stands.
			return id, c.DB.MarkPostSent(ctx, p.key, id, "")
		}
	}
	FaultPoint(FaultBeforeCreatePost)
	id, err := c.Chat.CreatePost(ctx, OutPost{ChannelID: p.channel, RootID: p.root, Message: p.message, IdemKey: p.key, Since: rec.CreatedAt,
		Files: p.files, Buttons: p.buttons})
	if err != nil {
		// Left pending: the next tick retries, after looking for the key.
		c.Log.Warn().Err(err).Str("key", p.key).Msg("post not created yet")
		return "", err
	}
	FaultPoint(FaultAfterCreatePost)
	if err := c.DB.MarkPostSent(ctx, p.key, id, p.digest); err != nil {
		c.Log.Error().Err(err).Str("key", p.key).Msg("recording a sent post")
		return id, err
	}
	return id, nil
}

// postingKeys serializes postOnce per key within the process: the launch
// goroutine and a tick may both post a run's root, and a key the other is
// still sending would look like one a crash left pending, and be sent again.
var postingKeys keyedMutex

type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	mu    sync.Mutex
	users int
}

// lock locks key and returns its unlock.
func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedEntry{}
	}
	e := k.m[key]
	if e == nil {
		e = &keyedEntry{}
		k.m[key] = e
	}
	e.users++
	k.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		if e.users--; e.users == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}

// postParts posts a rendering split for length, one key per part (D7).
// It returns the first part's post id.
func (c *Core) postParts(ctx context.Context, base postSpec, parts []string) (string, error) {
	var first string
	for i, msg := range parts {
		p := base
		p.part, p.message = i, msg
		p.key = base.key + "/" + strconv.Itoa(i)
		if i > 0 {
			p.digest, p.files, p.buttons = "", nil, nil
		}
		id, err := c.postOnce(ctx, p)
		if err != nil {
			return first, err
		}
		if i == 0 {
			first = id
		}
	}
	return first, nil
}

// renderOpts shape a result post in a run's thread, whose root shows the
// template command and the TEST FLOW once (InThread).
func (c *Core) renderOpts(kind results.Kind, subrun string) results.RenderOptions {
	return results.RenderOptions{Location: c.Cfg.Location(), Now: c.now(), Kind: kind, Subrun: subrun, Version: c.Version,
		InThread: kind == results.SubrunResult || kind == results.Final}
}

// postSubrun posts a finished grouped sub-run once (W3), and a correction
// when a later reconstruction differs from what was posted (W7). A revision
// left incomplete (a crash before the server answered, a part refused) is
// finished first, still as the correction it was; an error means the run
// still owes this post.
func (c *Core) postSubrun(ctx context.Context, run storage.Run, st results.Status, sr results.Subrun) error {
	only := map[string]bool{}
	for _, h := range sr.Hosts {
		only[h] = true
	}
	d := digestOf(sr.State, st.Hosts, only)
	posts, err := c.DB.RunPosts(ctx, run.ID)
	if err != nil {
		return err
	}
	prev, complete := lastRevision(posts, "subrun", sr.Name)
	rev := 0
	var older *storage.Post // the posted revision this one corrects
	switch {
	case prev == nil:
	case !complete:
		rev = prev.Revision
		older = revisionPost(posts, "subrun", sr.Name, rev-1)
	default:
		var old resultDigest
		_ = json.Unmarshal([]byte(prev.Digest), &old)
		if len(d.changes(old)) == 0 {
			// A crash may have come between a correction and the mark
			// on what it corrects.
			if o := revisionPost(posts, "subrun", sr.Name, prev.Revision-1); o != nil && o.SupersededBy == "" {
				c.supersede(ctx, o, prev.IdemKey, prev.PostID)
			}
			return nil
		}
		rev, older = prev.Revision+1, prev
	}
	opt := c.renderOpts(results.SubrunResult, sr.Name)
	opt.Tags = c.tagsFor(ctx, run, st)
	parts := results.RenderMarkdown(st, opt)
	if older != nil {
		var old resultDigest
		_ = json.Unmarshal([]byte(older.Digest), &old)
		if changes := d.changes(old); len(changes) > 0 {
			parts[0] = c.correctionHeader(older, changes) + "\n\n" + parts[0]
		}
	}
	base := postSpec{key: fmt.Sprintf("%s/sub/%s/r%d", run.ID, sr.Name, rev), run: run.ID, kind: "subrun", subrun: sr.Name,
		revision: rev, channel: run.ChannelID, root: c.rootOf(ctx, run), digest: d.String()}
	id, err := c.postParts(ctx, base, parts)
	if err != nil {
		return err
	}
	if older != nil && older.SupersededBy == "" {
		c.supersede(ctx, older, base.key+"/0", id)
	}
	return nil
}

// lastRevision returns the first part of the newest revision reserved for
// a sub-run ("" = the whole run), or nil, and whether all its parts were
// sent (D7 keys each part: one left pending is not posted yet).
func lastRevision(posts []storage.Post, kind, subrun string) (*storage.Post, bool) {
	rev := -1
	for _, p := range posts {
		if p.Kind == kind && p.Subrun == subrun && p.Revision > rev {
			rev = p.Revision
		}
	}
	if rev < 0 {
		return nil, false
	}
	complete := true
	for _, p := range posts {
		if p.Kind == kind && p.Subrun == subrun && p.Revision == rev && p.State != storage.PostSent {
			complete = false
		}
	}
	p := revisionPost(posts, kind, subrun, rev)
	return p, complete && p != nil
}

// revisionPost returns the first part of one revision, or nil.
func revisionPost(posts []storage.Post, kind, subrun string, rev int) *storage.Post {
	for i := range posts {
		p := posts[i]
		if p.Kind == kind && p.Subrun == subrun && p.Revision == rev && p.Part == 0 {
			return &p
		}
	}
	return nil
}

func (c *Core) correctionHeader(prev *storage.Post, changes []string) string {
	return fmt.Sprintf("🔁 **CORRECTION** — this supersedes the [earlier result](%s). What changed:\n- %s",
		c.Chat.PostLink(prev.PostID), strings.Join(changes, "\n- "))
}

// supersede marks the old post with a line linking its correction (W7).
// Storage records the mark only once the post carries it: a crash or a
// failed patch leaves it to the next tick.
func (c *Core) supersede(ctx context.Context, prev *storage.Post, newKey, newID string) {
	line := fmt.Sprintf("⚠️ **Superseded** by a [correction](%s): this result was found wrong later.", c.Chat.PostLink(newID))
	FaultPoint(FaultBeforeSupersede)
	if err := c.Chat.PatchPost(ctx, prev.PostID, line+"\n\n"+c.postedText(ctx, prev), nil); err != nil {
		c.Log.Warn().Err(err).Str("post", prev.PostID).Msg("marking a superseded post")
		return
	}
	_ = c.DB.MarkSuperseded(ctx, prev.IdemKey, newKey)
}

// postedText is a best effort at the text of an earlier post: the bot keeps
// digests, not messages, so the superseded post keeps a short stand-in.
func (c *Core) postedText(_ context.Context, prev *storage.Post) string {
	return fmt.Sprintf("_(earlier result for %s, revision %d)_", orDash(prev.Subrun), prev.Revision)
}

func (c *Core) rootOf(ctx context.Context, run storage.Run) string {
	if run.RootPostID != "" {
		return run.RootPostID
	}
	if r, err := c.DB.GetRun(ctx, run.ID); err == nil {
		return r.RootPostID
	}
	return ""
}

// finish ends a run: the final summary for COMPLETED/FAILED (once, with the
// @mentions, W1, D7), a short state reply otherwise; the root is patched to
// the verdict and the state recorded (which frees the controller).
func (c *Core) finish(ctx context.Context, run storage.Run, st results.Status, note, recordState string) {
	if hasResults(st) {
		// The run's finished hosts join the history (D28) however the run
		// ended: a host with its own PASS or FAIL evidence is a result even
		// when the run was TERMINATED or ends UNKNOWN.
		if err := c.recordHistory(ctx, run, st); err != nil {
			c.Log.Error().Err(err).Str("run", run.ID).Msg("recording the run's history")
			return // retried next tick; the run stays active until recorded
		}
	}
	if run.Watcher {
		root := c.rootOf(ctx, run)
		switch {
		case st.State == results.RunCompleted || st.State == results.RunFailed:
			opt := c.renderOpts(results.Final, "")
			opt.Tags = c.tagsFor(ctx, run, st)
			parts := results.RenderMarkdown(st, opt)
			parts[0] = fmt.Sprintf("📣 **Final summary** for `%s` — %s\n\n%s", run.Build, mentions(run.PlannedBy, run.ApprovedBy), parts[0])
			if note != "" {
				parts[0] += "\n\n" + note
			}
			d := digestOf(st.State, st.Hosts, nil)
			spec := postSpec{key: run.ID + "/final/r0", run: run.ID, kind: "final", channel: run.ChannelID, root: root, digest: d.String(),
				files: c.timelineFiles(run, st)}
			if failedHosts(st) > 0 {
				spec.buttons = []Button{rerunButton(run)}
			}
			if _, err := c.postParts(ctx, spec, parts); err != nil {
				return // retried next tick; the run stays active until posted
			}
		default:
			msg := fmt.Sprintf("⚠️ `%s` ended **%s** with no confirmed result; nothing to post. %s", run.Build, st.State, strings.Join(st.Notes, " "))
			if n := finishedHosts(st); n > 0 {
				// Some hosts finished on their own evidence: say where they are
				// rather than "no result" (the run still gets no result post).
				msg = fmt.Sprintf("⚠️ `%s` ended **%s** before every host finished: no run result to post. %d of %d hosts have their own result (%d failed), kept in their history: `/atvm status %s`. %s",
					run.Build, st.State, n, len(st.Hosts), failedHosts(st), run.Build, strings.Join(st.Notes, " "))
			}
			if _, err := c.postOnce(ctx, postSpec{key: run.ID + "/state", run: run.ID, kind: "state", channel: run.ChannelID, root: root, message: msg}); err != nil {
				return
			}
		}
		run.RootPostID = root
		c.patchIfChanged(ctx, root, c.progressText(run, st))
	}
	state := recordState
	if state == "" {
		state = st.State
	}
	if won, _ := c.transition(ctx, run.ID, storage.Transition{From: []string{results.RunRunning}, To: state}); won {
		c.forgetOwner(run.ID)
	}
	c.Log.Info().Str("run", run.ID).Str("build", run.Build).Str("state", state).Msg("run finished")
}

func failedHosts(st results.Status) int {
	n := 0
	for _, h := range st.Hosts {
		if h.Status == results.HostFail {
			n++
		}
	}
	return n
}

func finishedHosts(st results.Status) int {
	n := 0
	for _, h := range st.Hosts {
		if h.Status == results.HostPass || h.Status == results.HostFail {
			n++
		}
	}
	return n
}

func hasResults(st results.Status) bool { return finishedHosts(st) > 0 }

// hung captures first, then stops the runner, then posts the captured
// result once with a note (W4, D3).
func (c *Core) hung(ctx context.Context, run storage.Run, st results.Status) {
	_ = c.DB.AddEvent(ctx, run.ID, "hung", "results captured; stopping the runner")
	if err := c.runnerOf(run).Stop(ctx, run); err != nil {
		c.Log.Warn().Err(err).Str("run", run.ID).Msg("stopping a hung runner")
		return // try again next tick; the captured status is stored
	}
	// D3: a hung run whose results were confirmed posts them once with its
	// real verdict; with none confirmed it gets only the short state reply.
	if hasResults(st) {
		st.State = results.RunCompleted
		for _, h := range st.Hosts {
			if h.Status == results.HostFail {
				st.State = results.RunFailed
			}
		}
	}
	st.Hung = true
	c.finish(ctx, run, st, "⚠️ The runner hung after uploading its results and was stopped by the bot.", results.RunHung)
}

// newRunID is a run's ID: its approval time and build, and with several
// controllers the controller's name before the build ("r-…-lab2.nightly";
// a controller name has no "."), so the same build approved on two
// controllers in one millisecond still gets two IDs.
func (c *Core) newRunID(build string, rn Runner, now time.Time) string {
	id := "r-" + strconv.FormatInt(now.UnixMilli(), 36) + "-"
	if len(c.Runners) > 1 {
		for _, name := range sortedRunnerNames(c.Runners) {
			if c.Runners[name] == rn {
				id += name + "."
				break
			}
		}
	}
	return id + build
}
