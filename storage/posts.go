package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Post states.
const (
	PostPending = "pending" // reserved before sending; the server may or may not have it
	PostSent    = "sent"    // the server returned it
)

// Post is the record of one chat post under its idempotency key (W1).
type Post struct {
	IdemKey, RunID, Kind, Subrun string
	Revision, Part               int
	ChannelID, RootID, PostID    string
	State, Digest                string
	CreatedAt, SentAt            time.Time
	SupersededBy                 string
}

// ReservePost records the intent to send p before it is sent. When the key
// exists already, the stored record is returned with created=false: the
// caller must not send blindly but check the server (pending) or stop (sent).
func (db *DB) ReservePost(ctx context.Context, p Post) (stored Post, created bool, err error) {
	res, err := db.exec(ctx, `INSERT OR IGNORE INTO posts(idem_key, run_id, kind, subrun, revision, part, channel_id, root_id, state, digest, created_at)
		VALUES (?,?,?,?,?,?,?,?, 'pending', ?, ?)`,
		p.IdemKey, p.RunID, p.Kind, p.Subrun, p.Revision, p.Part, p.ChannelID, p.RootID, p.Digest, ts(db.now()))
	if err != nil {
		return Post{}, false, err
	}
	n, _ := res.RowsAffected()
	stored, err = db.GetPost(ctx, p.IdemKey)
	return stored, n == 1, err
}

// MarkPostSent records that the server returned postID for key. digest is
// what the sent post claims when it differs from the reservation's (a
// retry after a crash sends the content of its own time); "" keeps the
// reserved one. Kept in the same write, so the record never claims what
// the post does not say.
func (db *DB) MarkPostSent(ctx context.Context, key, postID, digest string) error {
	res, err := db.exec(ctx, `UPDATE posts SET state = 'sent', post_id = ?, sent_at = ?,
		digest = CASE WHEN ? != '' THEN ? ELSE digest END WHERE idem_key = ?`, postID, ts(db.now()), digest, digest, key)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// MarkSuperseded records that the post under key was replaced by byKey (W7).
func (db *DB) MarkSuperseded(ctx context.Context, key, byKey string) error {
	_, err := db.exec(ctx, `UPDATE posts SET superseded_by = ? WHERE idem_key = ?`, byKey, key)
	return err
}

const postCols = `idem_key, run_id, kind, subrun, revision, part, channel_id, root_id, post_id, state, digest, created_at, sent_at, superseded_by`

func scanPost(s interface{ Scan(...any) error }) (Post, error) {
	var p Post
	var c, sent sql.NullString
	err := s.Scan(&p.IdemKey, &p.RunID, &p.Kind, &p.Subrun, &p.Revision, &p.Part, &p.ChannelID, &p.RootID, &p.PostID, &p.State, &p.Digest, &c, &sent, &p.SupersededBy)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	p.CreatedAt, p.SentAt = parseTS(c), parseTS(sent)
	return p, err
}

// GetPost returns the record under key.
func (db *DB) GetPost(ctx context.Context, key string) (Post, error) {
	return scanPost(db.queryRow(ctx, `SELECT `+postCols+` FROM posts WHERE idem_key = ?`, key))
}

// RunPosts lists a run's post records in the order they were reserved.
func (db *DB) RunPosts(ctx context.Context, runID string) ([]Post, error) {
	rows, err := db.query(ctx, `SELECT `+postCols+` FROM posts WHERE run_id = ? ORDER BY created_at, rowid`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
