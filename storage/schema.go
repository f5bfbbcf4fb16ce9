package storage

// migrations are applied in order; PRAGMA user_version counts the applied
// ones. Never edit a released entry: append a new one.
var migrations = []string{
	// 1: the initial schema.
	`
CREATE TABLE schema_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO schema_info(key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ','now'));

CREATE TABLE plans (
	id            TEXT PRIMARY KEY,
	hash          TEXT NOT NULL,
	channel_id    TEXT NOT NULL,
	root_id       TEXT NOT NULL DEFAULT '',
	post_id       TEXT NOT NULL DEFAULT '',
	template      TEXT NOT NULL,
	build         TEXT NOT NULL,
	plan_json     TEXT NOT NULL,
	created_by    TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	expires_at    TEXT NOT NULL,
	state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','superseded','used','cancelled','expired')),
	superseded_by TEXT NOT NULL DEFAULT '',
	blacklist_version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX plans_channel_state ON plans(channel_id, state);

CREATE TABLE approvals (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	plan_id    TEXT NOT NULL,
	user_name  TEXT NOT NULL,
	watcher    INTEGER NOT NULL,
	at         TEXT NOT NULL,
	outcome    TEXT NOT NULL CHECK (outcome IN ('accepted','refused')),
	reason     TEXT NOT NULL DEFAULT ''
);

CREATE TABLE runs (
	id             TEXT PRIMARY KEY,
	plan_id        TEXT NOT NULL DEFAULT '',
	build          TEXT NOT NULL,
	controller     TEXT NOT NULL,
	template       TEXT NOT NULL DEFAULT '',
	categorized    INTEGER NOT NULL DEFAULT 0,
	watcher        INTEGER NOT NULL DEFAULT 1,
	adopted        INTEGER NOT NULL DEFAULT 0,
	state          TEXT NOT NULL,
	reason         TEXT NOT NULL DEFAULT '',
	planned_by     TEXT NOT NULL DEFAULT '',
	approved_by    TEXT NOT NULL DEFAULT '',
	channel_id     TEXT NOT NULL DEFAULT '',
	root_post_id   TEXT NOT NULL DEFAULT '',
	controller_start TEXT,
	runner_pid     INTEGER NOT NULL DEFAULT 0,
	runner_start   TEXT NOT NULL DEFAULT '',
	scope_json     TEXT NOT NULL DEFAULT '',
	status_json    TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	ended_at       TEXT
);
CREATE INDEX runs_build ON runs(build, created_at);
CREATE INDEX runs_state ON runs(state);

CREATE TABLE subruns (
	run_id       TEXT NOT NULL REFERENCES runs(id),
	name         TEXT NOT NULL,
	state        TEXT NOT NULL,
	hosts_json   TEXT NOT NULL DEFAULT '[]',
	currents_url TEXT NOT NULL DEFAULT '',
	finished     INTEGER NOT NULL DEFAULT 0,
	updated_at   TEXT NOT NULL,
	PRIMARY KEY (run_id, name)
);

CREATE TABLE host_results (
	run_id      TEXT NOT NULL REFERENCES runs(id),
	host        TEXT NOT NULL,
	subrun      TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL,
	failed_step TEXT NOT NULL DEFAULT '',
	error       TEXT NOT NULL DEFAULT '',
	updated_at  TEXT NOT NULL,
	PRIMARY KEY (run_id, host)
);

CREATE TABLE posts (
	idem_key     TEXT PRIMARY KEY,
	run_id       TEXT NOT NULL DEFAULT '',
	kind         TEXT NOT NULL,
	subrun       TEXT NOT NULL DEFAULT '',
	revision     INTEGER NOT NULL DEFAULT 0,
	part         INTEGER NOT NULL DEFAULT 0,
	channel_id   TEXT NOT NULL,
	root_id      TEXT NOT NULL DEFAULT '',
	post_id      TEXT NOT NULL DEFAULT '',
	state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent')),
	digest       TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	sent_at      TEXT,
	superseded_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX posts_run ON posts(run_id, kind, subrun);

CREATE TABLE currents_urls (
	run_id  TEXT NOT NULL REFERENCES runs(id),
	subrun  TEXT NOT NULL DEFAULT '',
	url     TEXT NOT NULL,
	seen_at TEXT NOT NULL,
	UNIQUE (run_id, url)
);

CREATE TABLE fetch_offsets (
	run_id  TEXT NOT NULL REFERENCES runs(id),
	path    TEXT NOT NULL,
	offset  INTEGER NOT NULL,
	size    INTEGER NOT NULL,
	mtime   TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (run_id, path)
);

CREATE TABLE run_events (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	run_id TEXT NOT NULL,
	at     TEXT NOT NULL,
	kind   TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX run_events_run ON run_events(run_id, id);

CREATE TABLE locks (
	controller  TEXT PRIMARY KEY,
	run_id      TEXT NOT NULL,
	holder      TEXT NOT NULL,
	acquired_at TEXT NOT NULL
);

CREATE TABLE blacklist (
	machine  TEXT PRIMARY KEY,
	reason   TEXT NOT NULL,
	added_by TEXT NOT NULL DEFAULT '',
	added_at TEXT NOT NULL
);
CREATE TABLE blacklist_meta (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, seeded INTEGER NOT NULL);
INSERT INTO blacklist_meta(id, version, seeded) VALUES (1, 0, 0);

CREATE TABLE audit_log (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	at     TEXT NOT NULL,
	actor  TEXT NOT NULL,
	action TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT ''
);
`,
	// 2: who acts is a Mattermost user id (names are for display); a lock
	// may outlive its run's terminal state while a started runner is being
	// stopped (draining), released only once the runner is gone.
	`
ALTER TABLE plans ADD COLUMN created_by_id TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN planned_by_id TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN approved_by_id TEXT NOT NULL DEFAULT '';
ALTER TABLE approvals ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN actor_id TEXT NOT NULL DEFAULT '';
ALTER TABLE locks ADD COLUMN draining INTEGER NOT NULL DEFAULT 0;
`,
	// 3: times rewritten fixed-width (tsLayout) by the Go step below.
	`UPDATE schema_info SET value = value WHERE 0;`,
	// 4: schedules, and each fire of one taken once (its key).
	`
CREATE TABLE schedules (
	id             TEXT PRIMARY KEY,
	channel_id     TEXT NOT NULL,
	owner_id       TEXT NOT NULL,
	owner_name     TEXT NOT NULL,
	spec           TEXT NOT NULL,
	words          TEXT NOT NULL,
	paused         INTEGER NOT NULL DEFAULT 0,
	removed        INTEGER NOT NULL DEFAULT 0,
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	checked_until  TEXT NOT NULL,
	standing_hash  TEXT NOT NULL DEFAULT '',
	standing_by_id TEXT NOT NULL DEFAULT '',
	standing_by    TEXT NOT NULL DEFAULT '',
	standing_at    TEXT NOT NULL DEFAULT ''
);
CREATE TABLE schedule_fires (
	schedule_id TEXT NOT NULL REFERENCES schedules(id),
	fire_at     TEXT NOT NULL,
	outcome     TEXT NOT NULL,
	detail      TEXT NOT NULL DEFAULT '',
	at          TEXT NOT NULL,
	PRIMARY KEY (schedule_id, fire_at)
);
`,
	// 5: failure history (D28): every finished host result of a run, kept
	// past the run for the tags and /atvm history. Runs finished before
	// this migration are copied in from host_results (no signature, times
	// or duration: those were not kept).
	`
CREATE TABLE IF NOT EXISTS host_history (
	run_id       TEXT NOT NULL,
	build        TEXT NOT NULL,
	template     TEXT NOT NULL DEFAULT '',
	plugin       TEXT NOT NULL DEFAULT '',
	host         TEXT NOT NULL,
	subrun       TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	step_num     INTEGER NOT NULL DEFAULT 0,
	step_title   TEXT NOT NULL DEFAULT '',
	signature    TEXT NOT NULL DEFAULT '',
	error        TEXT NOT NULL DEFAULT '',
	duration_s   REAL NOT NULL DEFAULT 0,
	adopted      INTEGER NOT NULL DEFAULT 0,
	run_started  TEXT NOT NULL,
	host_started TEXT,
	host_ended   TEXT,
	recorded_at  TEXT NOT NULL,
	PRIMARY KEY (run_id, host)
);
CREATE INDEX IF NOT EXISTS host_history_host ON host_history(host, template, run_started);
CREATE INDEX IF NOT EXISTS host_history_template ON host_history(template, run_started);
CREATE INDEX IF NOT EXISTS host_history_started ON host_history(run_started);

INSERT OR IGNORE INTO host_history(run_id, build, template, host, subrun, status, step_num, step_title, error, adopted, run_started, recorded_at)
SELECT r.id, r.build, r.template, h.host, h.subrun, h.status,
       CASE WHEN h.failed_step GLOB '[0-9]*.*' THEN CAST(h.failed_step AS INTEGER) ELSE 0 END,
       h.failed_step, h.error, r.adopted, COALESCE(r.controller_start, r.created_at), COALESCE(r.ended_at, r.updated_at)
FROM host_results h JOIN runs r ON r.id = h.run_id
WHERE r.state IN ('COMPLETED','FAILED','HUNG') AND h.status IN ('PASS','FAIL');
`,
	// 6: the controller a plan runs on, by its configured name ('' = the
	// bot's one controller, as every plan before names existed). Runs
	// already name theirs: runs.controller, the key of the lock they hold.
	`
ALTER TABLE plans ADD COLUMN controller TEXT NOT NULL DEFAULT '';
`,
}
