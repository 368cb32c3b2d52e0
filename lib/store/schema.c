/*
 * schema.c: the state file's schema, as migration steps. Append a step
 * with the next version; never edit a step that has shipped.
 * Times are integers: milliseconds since the epoch (UTC) unless named _ns.
 */
#include "compat.h"

#include <stddef.h>

#include "store/state_int.h"

const struct aiops_migration aiops_migrations[] = {
	{ 1,
	  /* A series is a metric name plus its host and labels. */
	  "CREATE TABLE series ("
	  "  id INTEGER PRIMARY KEY,"
	  "  key TEXT NOT NULL UNIQUE,"		/* name{host=...,labels...} */
	  "  name TEXT NOT NULL,"
	  "  host TEXT,"
	  "  labels TEXT NOT NULL DEFAULT '{}',"	/* JSON object */
	  "  unit TEXT,"
	  "  first_ts INTEGER, last_ts INTEGER);"
	  "CREATE INDEX series_name ON series(name);"
	  /*
	   * Points are clustered by time: they arrive in time order, so new
	   * points append at the end of the tree (twice as fast as filing each
	   * under its series) and retention deletes a prefix. Reads go by time
	   * range; long per-series history reads the rollups. No foreign key:
	   * only lib/mstore.c writes here, with ids it took from series, and the
	   * check cost a lookup in series per point.
	   */
	  "CREATE TABLE points ("
	  "  series_id INTEGER NOT NULL,"
	  "  ts INTEGER NOT NULL,"
	  "  value REAL NOT NULL,"
	  "  PRIMARY KEY (ts, series_id)) WITHOUT ROWID;"
	  /* Rollups: bucket = start of the 5-minute or 1-hour interval. */
	  "CREATE TABLE rollup_5m ("
	  "  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,"
	  "  bucket INTEGER NOT NULL, count INTEGER NOT NULL,"
	  "  sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, last REAL NOT NULL,"
	  "  PRIMARY KEY (series_id, bucket)) WITHOUT ROWID;"
	  "CREATE TABLE rollup_1h ("
	  "  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,"
	  "  bucket INTEGER NOT NULL, count INTEGER NOT NULL,"
	  "  sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, last REAL NOT NULL,"
	  "  PRIMARY KEY (series_id, bucket)) WITHOUT ROWID;"
	  /* Where aiops-ingest --follow stopped in each file. */
	  "CREATE TABLE file_offsets ("
	  "  path TEXT PRIMARY KEY,"
	  "  dev INTEGER NOT NULL, ino INTEGER NOT NULL,"
	  "  offset INTEGER NOT NULL, lineno INTEGER NOT NULL,"
	  "  updated INTEGER NOT NULL);"
	  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
	},
	{ 2,
	  /* aiops-detect: each series' learned model, so cron runs resume. */
	  "CREATE TABLE detector_models ("
	  "  series_key TEXT PRIMARY KEY,"
	  "  name TEXT NOT NULL, host TEXT,"
	  "  model BLOB NOT NULL,"
	  "  counter_ts INTEGER, counter_value REAL,"	/* last raw counter sample, ns */
	  "  updated INTEGER NOT NULL);"
	  /* Every anomaly found, as the event written. */
	  "CREATE TABLE anomalies ("
	  "  id TEXT PRIMARY KEY,"
	  "  ts INTEGER NOT NULL,"
	  "  kind TEXT NOT NULL,"		/* metric | log */
	  "  series_key TEXT, name TEXT, host TEXT, template_id INTEGER,"
	  "  value REAL, score REAL NOT NULL, detector TEXT, reason TEXT,"
	  "  event TEXT NOT NULL);"
	  "CREATE INDEX anomalies_ts ON anomalies(ts);"
	  "CREATE INDEX anomalies_host_ts ON anomalies(host, ts);"
	},
	{ 3,
	  /* aiops-detect for logs: mined templates, stored lines, search. */
	  "CREATE TABLE log_templates ("
	  "  id INTEGER PRIMARY KEY,"		/* the template_id, stable */
	  "  template TEXT NOT NULL,"
	  "  count INTEGER NOT NULL,"
	  "  first_seen INTEGER, last_seen INTEGER);"
	  "CREATE TABLE log_lines ("
	  "  id INTEGER PRIMARY KEY,"
	  "  ts INTEGER NOT NULL, host TEXT, service TEXT, severity TEXT,"
	  "  template_id INTEGER, message TEXT NOT NULL);"
	  "CREATE INDEX log_lines_ts ON log_lines(ts);"
	  /* Full-text search with bm25 ranking, kept in step by triggers. */
	  "CREATE VIRTUAL TABLE log_fts USING fts5(message, content='log_lines', content_rowid='id');"
	  "CREATE TRIGGER log_lines_ai AFTER INSERT ON log_lines BEGIN"
	  "  INSERT INTO log_fts(rowid, message) VALUES (new.id, new.message); END;"
	  "CREATE TRIGGER log_lines_ad AFTER DELETE ON log_lines BEGIN"
	  "  INSERT INTO log_fts(log_fts, rowid, message) VALUES ('delete', old.id, old.message); END;"
	  "CREATE VIRTUAL TABLE template_fts USING fts5(template, content='log_templates', content_rowid='id');"
	  "CREATE TRIGGER log_templates_ai AFTER INSERT ON log_templates BEGIN"
	  "  INSERT INTO template_fts(rowid, template) VALUES (new.id, new.template); END;"
	  "CREATE TRIGGER log_templates_au AFTER UPDATE OF template ON log_templates BEGIN"
	  "  INSERT INTO template_fts(template_fts, rowid, template) VALUES ('delete', old.id, old.template);"
	  "  INSERT INTO template_fts(rowid, template) VALUES (new.id, new.template); END;"
	  /* Per-minute log counts not yet closed when a run ended. */
	  "CREATE TABLE log_rate_pending ("
	  "  key TEXT PRIMARY KEY, minute INTEGER NOT NULL, count INTEGER NOT NULL,"
	  "  host TEXT, template_id INTEGER);"
	  /* Incidents: anomalies and alerts grouped by aiops-detect --correlate. */
	  "CREATE TABLE incidents ("
	  "  id TEXT PRIMARY KEY,"
	  "  status TEXT NOT NULL,"		/* open | resolved */
	  "  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	  "  hosts TEXT NOT NULL,"		/* JSON array */
	  "  root_cause TEXT,"			/* JSON object: the suspected member */
	  "  members TEXT NOT NULL,"		/* JSON array */
	  "  summary TEXT);"
	  "CREATE INDEX incidents_status ON incidents(status, last_seen);"
	},
	{ 4,
	  /*
	   * Steps 2 and 3 kept some times in nanoseconds under names that say
	   * milliseconds. Incident times, the minute of a pending count and
	   * meta's detect.log_minute become ms: incident times lose what is
	   * below the ms, as every stored event time does; minutes lose
	   * nothing. The last raw sample of a counter keeps its nanoseconds,
	   * which a rate over a short interval needs, and its name says so.
	   */
	  "UPDATE incidents SET first_seen = first_seen / 1000000, last_seen = last_seen / 1000000;"
	  "UPDATE log_rate_pending SET minute = minute / 1000000;"
	  "UPDATE meta SET value = CAST(value AS INTEGER) / 1000000 WHERE key = 'detect.log_minute';"
	  "ALTER TABLE detector_models RENAME COLUMN counter_ts TO counter_ts_ns;"
	},
	{ 5,
	  /*
	   * The Prometheus type of a series (# TYPE), the first one given.
	   * Then series stored under the names of line protocol as written
	   * take the names aiops-ingest now gives them (lib/store/rename.c).
	   */
	  "ALTER TABLE series ADD COLUMN metric_type TEXT;"
	},
	{ 6,
	  /*
	   * aiops-ingest --follow knows a file again by its content, as
	   * Vector's file source does, not by its inode and size alone: head
	   * is the FNV-1a 64 of its first head_len bytes (its first line, at
	   * most 1024 bytes), tail that of the bytes just before offset (at
	   * most 1024); mtime_ns the file's mtime then, so that the files
	   * rotated or copied beside it since are known; prev_dev, prev_ino
	   * the rotated file read to its end before it, not to be read again
	   * (its mtime may be the same). A row of before this step has
	   * head_len 0 and mtime_ns 0: no fingerprint, the inode alone
	   * decides, as it did.
	   */
	  "ALTER TABLE file_offsets ADD COLUMN head INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE file_offsets ADD COLUMN head_len INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE file_offsets ADD COLUMN tail INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE file_offsets ADD COLUMN mtime_ns INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE file_offsets ADD COLUMN prev_dev INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE file_offsets ADD COLUMN prev_ino INTEGER NOT NULL DEFAULT 0;"
	},
	{ 7,
	  /*
	   * aiops-ingest --store: the alerts received, by fingerprint (the
	   * state of the latest episode, an episode being one starts_at),
	   * and the history of each episode: a row for its start and one for
	   * its end, each with when it was received and how often.
	   * lib/store/alerts.h has the rules.
	   */
	  "CREATE TABLE alerts ("
	  "  fingerprint TEXT PRIMARY KEY,"
	  "  alertname TEXT NOT NULL,"
	  "  status TEXT NOT NULL,"		/* firing | resolved */
	  "  expired INTEGER NOT NULL DEFAULT 0,"	/* 1: resolved for not being received */
	  "  severity TEXT, host TEXT,"
	  "  labels TEXT NOT NULL,"		/* JSON object: the whole label set */
	  "  annotations TEXT NOT NULL,"	/* JSON object */
	  "  starts_at INTEGER NOT NULL,"
	  "  ends_at INTEGER,"			/* NULL: firing with no end given */
	  "  generator_url TEXT, source TEXT,"
	  "  first_seen INTEGER NOT NULL,"	/* the episode first received */
	  "  last_seen INTEGER NOT NULL);"	/* last received */
	  /* The sweep: firing ones not received lately, resolved ones long ago. */
	  "CREATE INDEX alerts_status ON alerts(status, last_seen);"
	  "CREATE TABLE alert_history ("
	  "  id INTEGER PRIMARY KEY,"
	  "  fingerprint TEXT NOT NULL REFERENCES alerts(fingerprint) ON DELETE CASCADE,"
	  "  starts_at INTEGER NOT NULL,"	/* the episode */
	  "  status TEXT NOT NULL,"		/* firing: its start; resolved: its end */
	  "  ts INTEGER NOT NULL,"		/* starts_at, or the end */
	  "  expired INTEGER NOT NULL DEFAULT 0,"	/* the end is a guess */
	  "  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	  "  count INTEGER NOT NULL,"		/* notifications received; 0: inferred */
	  "  UNIQUE (fingerprint, starts_at, status));"
	  "CREATE INDEX alert_history_ts ON alert_history(ts);"
	},
	{ 8,
	  /*
	   * detector_models without the name and host its series key holds,
	   * the small columns before the model (a scan by updated, the
	   * retention, reads no overflow page of a big model). Still a rowid
	   * table: see lib/store/models.c.
	   */
	  "CREATE TABLE detector_models_8 ("
	  "  series_key TEXT PRIMARY KEY,"
	  "  updated INTEGER NOT NULL,"
	  "  counter_ts_ns INTEGER, counter_value REAL,"	/* last raw counter sample */
	  "  model BLOB NOT NULL);"
	  "INSERT INTO detector_models_8 (series_key, updated, counter_ts_ns, counter_value, model)"
	  "  SELECT series_key, updated, counter_ts_ns, counter_value, model FROM detector_models;"
	  "DROP TABLE detector_models;"
	  "ALTER TABLE detector_models_8 RENAME TO detector_models;"
	},
	{ 9,
	  /*
	   * What an incident means (aiops(7)): its severity, a title a
	   * person reads, its labels (JSON object) and their fingerprint,
	   * fixed when it opened, which aiops-notify groups on. Rows of
	   * before have none of them.
	   */
	  "ALTER TABLE incidents ADD COLUMN severity TEXT;"
	  "ALTER TABLE incidents ADD COLUMN title TEXT;"
	  "ALTER TABLE incidents ADD COLUMN labels TEXT;"
	  "ALTER TABLE incidents ADD COLUMN fingerprint TEXT;"
	},
	{ 10,
	  /*
	   * The program whose line made a log template ('' for a line of
	   * none), so that aiops-detect counts each program's templates
	   * against detect.logs.max_templates over its runs. NULL: made
	   * before this step, no program's.
	   */
	  "ALTER TABLE log_templates ADD COLUMN source TEXT;"
	},
	{ 11,
	  /*
	   * aiops-forecast: the predictions standing, one per series and
	   * threshold, as last emitted (lib/store/predictions.h has the
	   * rules). eta_hi NULL: the far edge of the interval does not
	   * reach the threshold within the horizon. seen: the last run that
	   * still predicted it, for the retention.
	   */
	  "CREATE TABLE predictions ("
	  "  series_key TEXT NOT NULL,"
	  "  threshold REAL NOT NULL,"
	  "  direction TEXT NOT NULL,"		/* above | below */
	  "  name TEXT NOT NULL, host TEXT,"
	  "  ts INTEGER NOT NULL,"		/* the series' last point then */
	  "  eta INTEGER NOT NULL, eta_lo INTEGER NOT NULL, eta_hi INTEGER,"
	  "  crossed INTEGER NOT NULL DEFAULT 0,"
	  "  value REAL, model TEXT,"
	  "  seen INTEGER NOT NULL,"
	  "  event TEXT NOT NULL,"
	  "  PRIMARY KEY (series_key, threshold, direction));"
	  "CREATE INDEX predictions_eta ON predictions(eta);"
	  "CREATE INDEX predictions_seen ON predictions(seen);"
	},
	{ 12,
	  /*
	   * aiops-notify: its groups (timer and notification log), their
	   * members, the outbox (dead letters are its rows in state dead)
	   * and the silences. lib/store/notify.h has the rules.
	   */
	  "CREATE TABLE notify_groups ("
	  "  receiver TEXT NOT NULL,"
	  "  group_key TEXT NOT NULL,"
	  "  route TEXT NOT NULL,"		/* the route's id, for its timings */
	  "  group_labels TEXT NOT NULL,"	/* JSON object */
	  "  created INTEGER NOT NULL,"
	  "  next_flush INTEGER NOT NULL,"
	  "  last_notified INTEGER,"
	  "  last_flush INTEGER,"		/* its timer last fired */
	  "  told_firing TEXT, told_resolved TEXT,"	/* the nflog: fingerprints, sorted, "," between */
	  "  external_ref TEXT,"		/* the receiver's record, JSON */
	  "  PRIMARY KEY (receiver, group_key));"
	  "CREATE INDEX notify_groups_due ON notify_groups(next_flush);"
	  "CREATE TABLE notify_members ("
	  "  receiver TEXT NOT NULL,"
	  "  group_key TEXT NOT NULL,"
	  "  fingerprint TEXT NOT NULL,"
	  "  joined INTEGER NOT NULL,"
	  "  PRIMARY KEY (receiver, group_key, fingerprint),"
	  "  FOREIGN KEY (receiver, group_key) REFERENCES notify_groups(receiver, group_key)"
	  "    ON DELETE CASCADE);"
	  "CREATE TABLE notify_outbox ("
	  "  id INTEGER PRIMARY KEY,"
	  "  receiver TEXT NOT NULL,"
	  "  group_key TEXT NOT NULL,"
	  "  dedup_key TEXT NOT NULL,"
	  "  payload TEXT NOT NULL,"		/* JSON */
	  "  created INTEGER NOT NULL,"
	  "  next_attempt INTEGER NOT NULL,"
	  "  attempts INTEGER NOT NULL DEFAULT 0,"
	  "  state TEXT NOT NULL,"		/* pending | sent | dead */
	  "  done INTEGER,"			/* sent or dead at */
	  "  status INTEGER,"			/* last HTTP or SMTP status */
	  "  error TEXT);"
	  "CREATE INDEX notify_outbox_due ON notify_outbox(state, next_attempt);"
	  "CREATE INDEX notify_outbox_done ON notify_outbox(state, done);"
	  "CREATE TABLE silences ("
	  "  id TEXT PRIMARY KEY,"
	  "  matchers TEXT NOT NULL,"		/* {a="x",b=~"y"} */
	  "  starts_at INTEGER NOT NULL,"
	  "  ends_at INTEGER NOT NULL,"
	  "  schedule TEXT,"			/* recurring: time intervals, JSON */
	  "  created_by TEXT NOT NULL,"
	  "  comment TEXT NOT NULL,"
	  "  created INTEGER NOT NULL,"
	  "  updated INTEGER NOT NULL);"
	  "CREATE INDEX silences_ends ON silences(ends_at);"
	},
	{ 13,
	  /*
	   * aiops-run: its task queue (dead letters are tasks in state
	   * dead, with the reason) and its audit log, which is append-only:
	   * a trigger refuses any UPDATE, and the retention deletes whole
	   * days. lib/store/tasks.h has the rules.
	   */
	  "CREATE TABLE run_tasks ("
	  "  id INTEGER PRIMARY KEY,"
	  "  rule TEXT NOT NULL,"
	  "  target TEXT NOT NULL,"		/* the cooldown's and breaker's key */
	  "  host TEXT,"			/* the concurrency limit's key */
	  "  throttle_key TEXT,"		/* the throttle's group, beside the rule */
	  "  event_id TEXT,"			/* the triggering event's id */
	  "  action TEXT NOT NULL,"		/* command:PROGRAM, ansible:PLAYBOOK */
	  "  spec TEXT NOT NULL,"		/* the action as rendered, JSON */
	  "  idempotent INTEGER NOT NULL,"
	  /* approval | queued | running | verifying | succeeded | verified |
	   * unverified | dead | denied | expired */
	  "  state TEXT NOT NULL,"
	  "  approval_expires INTEGER,"		/* an approval not given by then expires */
	  "  decided_by TEXT,"			/* who approved or denied it */
	  "  verify_deadline INTEGER,"
	  "  created INTEGER NOT NULL,"
	  "  next_attempt INTEGER NOT NULL,"
	  "  attempts INTEGER NOT NULL DEFAULT 0,"
	  "  max_attempts INTEGER NOT NULL,"
	  "  started INTEGER, finished INTEGER,"
	  "  worker TEXT,"			/* the process running it: pid:start time */
	  "  pgid INTEGER,"			/* its action's process group */
	  "  exit_status INTEGER,"
	  "  output TEXT,"			/* the end of what it wrote */
	  "  error TEXT);"
	  "CREATE INDEX run_tasks_due ON run_tasks(state, next_attempt);"
	  "CREATE INDEX run_tasks_cooldown ON run_tasks(rule, target, created);"
	  "CREATE INDEX run_tasks_throttle ON run_tasks(rule, throttle_key, created);"
	  "CREATE INDEX run_tasks_host ON run_tasks(host, state);"
	  /* A target's failures in a row; opened: the breaker stopped it. */
	  "CREATE TABLE run_breakers ("
	  "  target TEXT PRIMARY KEY,"
	  "  failures INTEGER NOT NULL,"
	  "  opened INTEGER,"
	  "  last_task INTEGER,"
	  "  reason TEXT);"
	  "CREATE INDEX run_tasks_finished ON run_tasks(finished);"
	  "CREATE TABLE run_audit ("
	  "  seq INTEGER PRIMARY KEY,"
	  "  ts INTEGER NOT NULL,"
	  "  decision TEXT NOT NULL,"
	  "  rule TEXT, target TEXT, task_id INTEGER, event_id TEXT,"
	  "  detail TEXT);"
	  "CREATE INDEX run_audit_ts ON run_audit(ts);"
	  "CREATE TRIGGER run_audit_append_only BEFORE UPDATE ON run_audit"
	  "  BEGIN SELECT RAISE(ABORT, 'run_audit is append-only'); END;"
	},
	{ 14,
	  /*
	   * aiops-ingest --listen: the journal of every event it accepted,
	   * written in the transaction that stores its points and alerts,
	   * before the 202 (lib/store/journal.h); named cursors into it; the
	   * tokens that may write, hashed (lib/store/tokens.h). A row holds
	   * the n events of one request, numbered seq - n + 1 to seq: one
	   * row a request, not an event, is what lets a group commit take
	   * 100,000 points a second. AUTOINCREMENT: a sequence number is
	   * never given twice, even once the retention has emptied the
	   * journal, so a cursor stays right.
	   */
	  "CREATE TABLE ingest_journal ("
	  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"	/* its last event's */
	  "  n INTEGER NOT NULL,"
	  "  received INTEGER NOT NULL,"
	  "  endpoint TEXT NOT NULL,"		/* write, alertmanager, sentry, generic/SOURCE */
	  "  token TEXT,"			/* the token's name, if one was used */
	  "  events TEXT NOT NULL);"		/* n NDJSON lines, '\n' between */
	  "CREATE INDEX ingest_journal_received ON ingest_journal(received);"
	  "CREATE TABLE ingest_cursors ("
	  "  name TEXT PRIMARY KEY,"
	  "  seq INTEGER NOT NULL,"		/* the last one written out */
	  "  updated INTEGER NOT NULL);"
	  "CREATE TABLE ingest_tokens ("
	  "  id TEXT PRIMARY KEY,"		/* the public part of the token */
	  "  name TEXT NOT NULL UNIQUE,"
	  "  hash BLOB NOT NULL,"		/* SHA-256 of the secret part */
	  "  scopes TEXT NOT NULL,"		/* "write alerts", space between */
	  "  created INTEGER NOT NULL,"
	  "  expires INTEGER,"
	  "  revoked INTEGER,"
	  "  last_used INTEGER);"
	  /*
	   * The cluster registry (aiops-ingest cluster; lib/store/clusters.h).
	   * status: online | degraded | offline | unknown, from the health
	   * polls; failures: polls in a row with no endpoint answering.
	   */
	  "CREATE TABLE clusters ("
	  "  name TEXT PRIMARY KEY,"
	  "  environment TEXT NOT NULL,"	/* prod | staging | dev */
	  "  type TEXT NOT NULL,"
	  "  labels TEXT NOT NULL,"		/* JSON object of strings */
	  "  has_gpu INTEGER NOT NULL,"
	  "  endpoints TEXT NOT NULL,"		/* JSON: {"prometheus":URL,...} */
	  "  credentials TEXT NOT NULL,"	/* JSON: endpoint -> file name, never a secret */
	  "  created INTEGER NOT NULL,"
	  "  updated INTEGER NOT NULL,"
	  "  status TEXT NOT NULL DEFAULT 'unknown',"
	  "  status_since INTEGER,"
	  "  failures INTEGER NOT NULL DEFAULT 0,"
	  "  health TEXT);"			/* JSON: endpoint -> last poll's answer */
	},
	{ 15,
	  /*
	   * aiops-ask: the documented views (aiops-ask(1) VIEWS), the only
	   * things its read-only SQL may read: times as RFC 3339 text beside
	   * the milliseconds, and never a credential (clusters' credential
	   * files, tasks' specs and outputs, tokens, the journal are left
	   * out). Its sessions, their messages and every decision an answer
	   * took (question, intent, confidence, tools called, answer).
	   */
	  "CREATE VIEW v_series AS SELECT id, name, host, labels, unit, metric_type AS type, strftime('%Y-%m-%dT%H:%M:%SZ', first_ts / 1000, 'unixepoch') AS first_seen, strftime('%Y-%m-%dT%H:%M:%SZ', last_ts / 1000, 'unixepoch') AS last_seen FROM series;"
	  "CREATE VIEW v_points AS SELECT s.name, s.host, s.labels, s.unit, strftime('%Y-%m-%dT%H:%M:%SZ', p.ts / 1000, 'unixepoch') AS ts, p.ts AS ts_ms, p.value FROM points p JOIN series s ON s.id = p.series_id;"
	  "CREATE VIEW v_rollup_1h AS SELECT s.name, s.host, s.labels, strftime('%Y-%m-%dT%H:%M:%SZ', r.bucket / 1000, 'unixepoch') AS bucket, r.bucket AS bucket_ms, r.count, r.sum / r.count AS avg, r.min, r.max, r.last FROM rollup_1h r JOIN series s ON s.id = r.series_id;"
	  "CREATE VIEW v_alerts AS SELECT fingerprint, alertname, status, severity, host, labels, annotations, strftime('%Y-%m-%dT%H:%M:%SZ', starts_at / 1000, 'unixepoch') AS starts_at, strftime('%Y-%m-%dT%H:%M:%SZ', ends_at / 1000, 'unixepoch') AS ends_at, strftime('%Y-%m-%dT%H:%M:%SZ', first_seen / 1000, 'unixepoch') AS first_seen, strftime('%Y-%m-%dT%H:%M:%SZ', last_seen / 1000, 'unixepoch') AS last_seen, source FROM alerts;"
	  "CREATE VIEW v_alert_history AS SELECT h.fingerprint, a.alertname, a.host, h.status, strftime('%Y-%m-%dT%H:%M:%SZ', h.ts / 1000, 'unixepoch') AS ts, h.ts AS ts_ms, strftime('%Y-%m-%dT%H:%M:%SZ', h.starts_at / 1000, 'unixepoch') AS starts_at, h.count FROM alert_history h JOIN alerts a ON a.fingerprint = h.fingerprint;"
	  "CREATE VIEW v_anomalies AS SELECT id, strftime('%Y-%m-%dT%H:%M:%SZ', ts / 1000, 'unixepoch') AS ts, ts AS ts_ms, kind, name, host, series_key, template_id, value, score, detector, reason FROM anomalies;"
	  "CREATE VIEW v_incidents AS SELECT id, status, severity, title, summary, hosts, strftime('%Y-%m-%dT%H:%M:%SZ', first_seen / 1000, 'unixepoch') AS first_seen, strftime('%Y-%m-%dT%H:%M:%SZ', last_seen / 1000, 'unixepoch') AS last_seen, first_seen AS first_seen_ms, last_seen AS last_seen_ms, (last_seen - first_seen) / 1000 AS duration_s, json_extract(root_cause, '$.host') AS cause_host, json_extract(root_cause, '$.what') AS cause_what, json_extract(root_cause, '$.kind') AS cause_kind, json_array_length(members) AS members, labels FROM incidents;"
	  "CREATE VIEW v_predictions AS SELECT name, host, series_key, threshold, direction, strftime('%Y-%m-%dT%H:%M:%SZ', eta / 1000, 'unixepoch') AS eta, eta AS eta_ms, strftime('%Y-%m-%dT%H:%M:%SZ', eta_lo / 1000, 'unixepoch') AS eta_lo, strftime('%Y-%m-%dT%H:%M:%SZ', eta_hi / 1000, 'unixepoch') AS eta_hi, crossed, value, model, strftime('%Y-%m-%dT%H:%M:%SZ', ts / 1000, 'unixepoch') AS computed FROM predictions;"
	  "CREATE VIEW v_log_templates AS SELECT id, template, count, strftime('%Y-%m-%dT%H:%M:%SZ', first_seen / 1000, 'unixepoch') AS first_seen, strftime('%Y-%m-%dT%H:%M:%SZ', last_seen / 1000, 'unixepoch') AS last_seen, source FROM log_templates;"
	  "CREATE VIEW v_logs AS SELECT id, strftime('%Y-%m-%dT%H:%M:%SZ', ts / 1000, 'unixepoch') AS ts, ts AS ts_ms, host, service, severity, template_id, message FROM log_lines;"
	  "CREATE VIEW v_clusters AS SELECT name, environment, type, labels, has_gpu, endpoints, status, strftime('%Y-%m-%dT%H:%M:%SZ', status_since / 1000, 'unixepoch') AS status_since, failures FROM clusters;"
	  "CREATE VIEW v_tasks AS SELECT id, rule, target, host, action, state, strftime('%Y-%m-%dT%H:%M:%SZ', created / 1000, 'unixepoch') AS created, strftime('%Y-%m-%dT%H:%M:%SZ', started / 1000, 'unixepoch') AS started, strftime('%Y-%m-%dT%H:%M:%SZ', finished / 1000, 'unixepoch') AS finished, attempts, exit_status, error FROM run_tasks;"
	  "CREATE VIEW v_audit AS SELECT seq, strftime('%Y-%m-%dT%H:%M:%SZ', ts / 1000, 'unixepoch') AS ts, ts AS ts_ms, decision, rule, target, task_id, event_id, detail FROM run_audit;"
	  "CREATE TABLE ask_sessions ("
	  "  id INTEGER PRIMARY KEY,"
	  "  started INTEGER NOT NULL, last_used INTEGER NOT NULL,"
	  "  user TEXT, persona TEXT, backend TEXT, model TEXT);"
	  "CREATE INDEX ask_sessions_last_used ON ask_sessions(last_used);"
	  "CREATE TABLE ask_messages ("
	  "  id INTEGER PRIMARY KEY,"
	  "  session INTEGER NOT NULL REFERENCES ask_sessions(id) ON DELETE CASCADE,"
	  "  ts INTEGER NOT NULL,"
	  "  role TEXT NOT NULL,"		/* user | assistant | tool */
	  "  content TEXT NOT NULL);"
	  "CREATE INDEX ask_messages_session ON ask_messages(session, id);"
	  "CREATE TABLE ask_decisions ("
	  "  id INTEGER PRIMARY KEY,"
	  "  session INTEGER REFERENCES ask_sessions(id) ON DELETE SET NULL,"
	  "  ts INTEGER NOT NULL,"
	  "  question TEXT NOT NULL,"
	  "  intent TEXT, confidence REAL,"
	  "  backend TEXT NOT NULL,"		/* offline | ollama | openai | mcp */
	  "  model TEXT,"
	  "  tools TEXT NOT NULL,"		/* JSON: [{name, arguments, rows, ms}] */
	  "  answer TEXT NOT NULL,"
	  "  elapsed_ms INTEGER);"
	  "CREATE INDEX ask_decisions_ts ON ask_decisions(ts);"
	},
};

const size_t aiops_nmigrations = sizeof(aiops_migrations) / sizeof(aiops_migrations[0]);

int
aiops_migration_code(sqlite3 *db, int version)
{
	switch (version) {
	case 5:
		return aiops_schema_rename_series(db);
	default:
		return 0;
	}
}
