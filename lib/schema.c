/*
 * schema.c: the state file's schema, as migration steps. Append a step
 * with the next version; never edit a step that has shipped.
 * Times are integers: milliseconds since the epoch (UTC) unless named _ns.
 */
#include "compat.h"

#include <stddef.h>

#include "state.h"

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
	  "CREATE TABLE points ("
	  "  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,"
	  "  ts INTEGER NOT NULL,"
	  "  value REAL NOT NULL,"
	  "  PRIMARY KEY (series_id, ts)) WITHOUT ROWID;"
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
};

const size_t aiops_nmigrations = sizeof(aiops_migrations) / sizeof(aiops_migrations[0]);
