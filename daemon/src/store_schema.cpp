// Store construction, schema migrations and the event log.
#include <sqlite3.h>

#include <chrono>
#include <ctime>

#include "assay/daemon/store.hpp"
#include "event_log_read.hpp"
#include "reading_rows.hpp"

namespace assay::daemon {
namespace {

// The writer checkpoints the WAL itself once it holds this many pages (SQLite's own default).
constexpr int kCheckpointPages = 1000;

// Pages in the WAL after this thread's last commit on the writer: SQLite's WAL hook runs inside
// COMMIT on the committing thread, and write_transaction reads it on that thread right after.
thread_local int wal_pages_after_commit = 0;

int note_wal_pages(void*, sqlite3*, const char*, int pages) {
  wal_pages_after_commit = pages;
  return SQLITE_OK;
}

// Each entry migrates from user_version i to i + 1. Never edit a released step; append one.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE jobs (
  id            TEXT PRIMARY KEY,
  request_key   TEXT UNIQUE,            -- client + request id, makes submit idempotent
  protocol      TEXT NOT NULL,
  instrument    TEXT NOT NULL,
  name          TEXT NOT NULL DEFAULT '',
  priority      INTEGER NOT NULL DEFAULT 0,
  state         TEXT NOT NULL CHECK (state IN
                  ('queued','running','succeeded','failed','cancelled','interrupted')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  progress      REAL NOT NULL DEFAULT 0,
  message       TEXT NOT NULL DEFAULT '',
  error_code    TEXT NOT NULL DEFAULT '',
  error         TEXT NOT NULL DEFAULT '',
  submitted_at  TEXT NOT NULL,
  started_at    TEXT,
  finished_at   TEXT,
  spec          TEXT NOT NULL,          -- the job as submitted (JSON)
  truth         TEXT,                   -- simulator truth (JSON), NULL for real instruments
  summary       TEXT                    -- result summary (JSON)
);
CREATE INDEX jobs_queue ON jobs (instrument, state, priority DESC, submitted_at);

CREATE TABLE plates (
  job_id   TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  barcode  TEXT NOT NULL,
  format   TEXT NOT NULL,
  rows     INTEGER NOT NULL,
  columns  INTEGER NOT NULL
);

CREATE TABLE wells (
  job_id        TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  well          TEXT NOT NULL,
  row           INTEGER NOT NULL,     -- 0-based, A = 0
  col           INTEGER NOT NULL,     -- 0-based, 1 = 0
  role          TEXT NOT NULL,
  sample        TEXT NOT NULL DEFAULT '',
  compound      TEXT NOT NULL DEFAULT '',
  conc_nM       REAL NOT NULL DEFAULT 0,
  stimulated    INTEGER NOT NULL,
  cells_plated  REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (job_id, well)
);

CREATE TABLE readings (
  id         INTEGER PRIMARY KEY,     -- arrival order
  job_id     TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  attempt    INTEGER NOT NULL,
  well       TEXT NOT NULL,
  channel    TEXT NOT NULL,           -- abs590, fl494-516, ...
  cycle      INTEGER NOT NULL,
  time_s     REAL NOT NULL,
  value      REAL NOT NULL,
  saturated  INTEGER NOT NULL DEFAULT 0,
  UNIQUE (job_id, attempt, well, channel, cycle)
);

CREATE TABLE images (
  id             INTEGER PRIMARY KEY,
  job_id         TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  attempt        INTEGER NOT NULL,
  well           TEXT NOT NULL,
  field          INTEGER NOT NULL,
  kind           TEXT NOT NULL,       -- raw, overlay
  path           TEXT NOT NULL,       -- relative to the state directory
  width          INTEGER NOT NULL,
  height         INTEGER NOT NULL,
  pixel_size_um  REAL NOT NULL,
  exposure_ms    REAL NOT NULL,
  z_um           REAL NOT NULL,
  offset_x_mm    REAL NOT NULL,
  offset_y_mm    REAL NOT NULL,
  created_at     TEXT NOT NULL
);

CREATE TABLE results (
  job_id   TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  attempt  INTEGER NOT NULL,
  kind     TEXT NOT NULL,             -- well, series, qc, condition, field, colony
  key      TEXT NOT NULL,             -- A1, compound name, plate
  value    TEXT NOT NULL,             -- JSON
  PRIMARY KEY (job_id, kind, key)
);

CREATE TABLE events (
  seq     INTEGER PRIMARY KEY,        -- global, survives restarts
  time    TEXT NOT NULL,
  topic   TEXT NOT NULL,
  job_id  TEXT,
  body    TEXT NOT NULL               -- the published JSON
);
CREATE INDEX events_job ON events (job_id, seq);

CREATE VIEW job_readings AS
  SELECT r.job_id, r.attempt, r.well, w.role, w.compound, w.conc_nM, r.channel, r.cycle,
         r.time_s, r.value, r.saturated
  FROM readings r LEFT JOIN wells w ON w.job_id = r.job_id AND w.well = r.well;
)sql",
    // 2: which attempt finished which acquisition (a kinetic read is only resumable as a whole).
    R"sql(
CREATE TABLE acquisitions (
  job_id       TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  attempt      INTEGER NOT NULL,
  name         TEXT NOT NULL,           -- e.g. "kinetic read"
  completed_at TEXT NOT NULL,
  PRIMARY KEY (job_id, attempt, name)
);
)sql",
    // 3: request keys expire and remember what was asked (a reused id with another job is not a retry).
    R"sql(
ALTER TABLE jobs ADD COLUMN request_digest TEXT;
ALTER TABLE jobs ADD COLUMN request_expires_at INTEGER;  -- unix seconds; NULL = expired
)sql",
    // 4: jobs.list pages newest first by state, by instrument or by both without a scan or sort
    // (each index ends in the rowid, the submission order).
    R"sql(
CREATE INDEX jobs_by_state ON jobs (state);
CREATE INDEX jobs_by_instrument ON jobs (instrument);
CREATE INDEX jobs_by_instrument_state ON jobs (instrument, state);
)sql",
    // 5: the `waiting` state (a step waits for a person: a manual agonist addition) and the
    // additions it records. SQLite cannot change a CHECK in place, so jobs is rebuilt the way
    // its manual says (foreign keys are off during migrations, see migrate()): same columns,
    // same rowids (the submission order and the next job id), same indexes.
    R"sql(
CREATE TABLE jobs_v5 (
  id            TEXT PRIMARY KEY,
  request_key   TEXT UNIQUE,
  protocol      TEXT NOT NULL,
  instrument    TEXT NOT NULL,
  name          TEXT NOT NULL DEFAULT '',
  priority      INTEGER NOT NULL DEFAULT 0,
  state         TEXT NOT NULL CHECK (state IN
                  ('queued','running','waiting','succeeded','failed','cancelled','interrupted')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  progress      REAL NOT NULL DEFAULT 0,
  message       TEXT NOT NULL DEFAULT '',
  error_code    TEXT NOT NULL DEFAULT '',
  error         TEXT NOT NULL DEFAULT '',
  submitted_at  TEXT NOT NULL,
  started_at    TEXT,
  finished_at   TEXT,
  spec          TEXT NOT NULL,
  truth         TEXT,
  summary       TEXT,
  request_digest TEXT,
  request_expires_at INTEGER
);
INSERT INTO jobs_v5 (rowid, id, request_key, protocol, instrument, name, priority, state, attempts,
                     progress, message, error_code, error, submitted_at, started_at, finished_at,
                     spec, truth, summary, request_digest, request_expires_at)
  SELECT rowid, id, request_key, protocol, instrument, name, priority, state, attempts, progress,
         message, error_code, error, submitted_at, started_at, finished_at, spec, truth, summary,
         request_digest, request_expires_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_v5 RENAME TO jobs;
CREATE INDEX jobs_queue ON jobs (instrument, state, priority DESC, submitted_at);
CREATE INDEX jobs_by_state ON jobs (state);
CREATE INDEX jobs_by_instrument ON jobs (instrument);
CREATE INDEX jobs_by_instrument_state ON jobs (instrument, state);

-- One row per attempt that waited for a manual addition.
CREATE TABLE additions (
  job_id        TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  attempt       INTEGER NOT NULL,
  message       TEXT NOT NULL,          -- what the person is asked to do
  timeout_s     REAL NOT NULL,
  requested_at  TEXT NOT NULL,          -- when the job began waiting
  added_at      TEXT,                   -- the daemon's clock when jobs.continue arrived
  baseline_end_s REAL NOT NULL,         -- where the reads before the wait ended on the read's clock
  time_s        REAL,                   -- the addition on the read's clock (s since the first read began)
  PRIMARY KEY (job_id, attempt)
);
)sql",
    // 6: readings are stored a page at a time (a cycle of a kinetic read, a wavelength of an
    // endpoint read): one row per page with its readings as JSON, and `readings` becomes a view
    // with the old columns. migrate() moves the old rows (readings_v5) into pages and drops it.
    R"sql(
DROP VIEW job_readings;
ALTER TABLE readings RENAME TO readings_v5;
CREATE TABLE reading_pages (
  first_id  INTEGER PRIMARY KEY,      -- id of the page's first reading (readings: arrival order)
  job_id    TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  attempt   INTEGER NOT NULL,
  count     INTEGER NOT NULL,         -- its readings have ids first_id .. first_id + count - 1
  rows      TEXT NOT NULL             -- JSON [[well, channel, cycle, time_s, value, saturated], ...]
);
CREATE INDEX reading_pages_job ON reading_pages (job_id);
-- A job.<id>.reading event: its body is stored without `rows`, which are this page's.
ALTER TABLE events ADD COLUMN reading_page INTEGER;

CREATE VIEW readings AS
  SELECT p.first_id + r.key AS id, p.job_id AS job_id, p.attempt AS attempt,
         r.value ->> 0 AS well, r.value ->> 1 AS channel, r.value ->> 2 AS cycle,
         r.value ->> 3 AS time_s, r.value ->> 4 AS value, r.value ->> 5 AS saturated
  FROM reading_pages p, json_each(p.rows) r;

CREATE VIEW job_readings AS
  SELECT r.job_id, r.attempt, r.well, w.role, w.compound, w.conc_nM, r.channel, r.cycle,
         r.time_s, r.value, r.saturated
  FROM readings r LEFT JOIN wells w ON w.job_id = r.job_id AND w.well = r.well;
)sql",
    // 7: how far the facility bridge got: the last event seq its stream acknowledged.
    R"sql(
CREATE TABLE facility_cursor (
  target     TEXT PRIMARY KEY,          -- "<stream>/<host>"
  acked_seq  INTEGER NOT NULL,
  acked_at   TEXT NOT NULL
);
)sql",
};

// Step 6's data: the rows of readings_v5 become pages of consecutive ids of one job and attempt
// (written by append_reading_rows, so every double stays exact), then the table goes.
void move_v5_readings(Database& db) {
  auto select = db.prepare(
      "SELECT id, job_id, attempt, well, channel, cycle, time_s, value, saturated FROM readings_v5 ORDER BY id");
  auto insert = db.prepare("INSERT INTO reading_pages (first_id, job_id, attempt, count, rows) VALUES (?, ?, ?, ?, ?)");
  std::vector<drivers::Reading> page;
  std::int64_t first_id = 0;
  std::string job_id;
  std::int64_t attempt = 0;
  auto flush = [&] {
    if (page.empty()) return;
    std::string rows;
    append_reading_rows(rows, page);
    insert.bind(1, first_id).bind(2, job_id).bind(3, attempt).bind(4, static_cast<std::int64_t>(page.size()));
    insert.bind(5, rows).run();
    page.clear();
  };
  constexpr std::size_t kPageReadings = 4096;
  while (select.step()) {
    const auto id = select.column_int(0);
    auto job = select.column_text(1);
    const auto row_attempt = select.column_int(2);
    if (page.empty() || id != first_id + static_cast<std::int64_t>(page.size()) || job != job_id ||
        row_attempt != attempt || page.size() == kPageReadings) {
      flush();
      first_id = id;
      job_id = std::move(job);
      attempt = row_attempt;
    }
    page.push_back({select.column_text(3), select.column_text(4), static_cast<int>(select.column_int(5)),
                    select.column_double(6), select.column_double(7), select.column_int(8) != 0});
  }
  flush();
  db.exec("DROP TABLE readings_v5");
}

}  // namespace

std::string utc_now() { return utc_text(std::chrono::system_clock::now()); }

std::string utc_text(std::chrono::system_clock::time_point now) {
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];  // room for any int the compiler cannot rule out
  std::snprintf(out, sizeof out, "%s.%06dZ", text, static_cast<int>(us));
  return out;
}

Store::Store(const std::filesystem::path& database) : path_(database) {
  if (database.has_parent_path()) std::filesystem::create_directories(database.parent_path());
  writer_ = Database(database);
  migrate();
  reader_ = Database(database);
  auto statement = writer_.prepare("SELECT COALESCE(MAX(seq), 0) FROM events");
  statement.step();
  next_seq_ = statement.column_int(0) + 1;
  auto last_page = writer_.prepare("SELECT first_id + count FROM reading_pages ORDER BY first_id DESC LIMIT 1");
  if (last_page.step()) next_reading_id_ = last_page.column_int(0);
  // Checkpoints are taken out of COMMIT (where SQLite's automatic one runs them) and run after the
  // events are handed on: a checkpoint writes and syncs the database file, tens of milliseconds
  // on a busy disk, and inside the commit it delayed the events that transaction published.
  sqlite3_wal_hook(writer_.handle(), &note_wal_pages, nullptr);
  insert_event_.emplace(writer_.prepare("INSERT INTO events (seq, time, topic, job_id, body, reading_page) VALUES (?, ?, ?, ?, ?, ?)"));
  insert_page_.emplace(writer_.prepare(
      "INSERT INTO reading_pages (first_id, job_id, attempt, count, rows) VALUES (?, ?, ?, ?, ?)"));
}

void Store::migrate() {
  auto statement = writer_.prepare("PRAGMA user_version");
  statement.step();
  int version = static_cast<int>(statement.column_int(0));
  statement.reset();
  constexpr int kKnown = static_cast<int>(std::size(kMigrations));
  static_assert(kKnown == kSchemaVersion);
  if (version > kKnown) {
    throw StoreError("database " + path_.string() + " has schema version " +
                     std::to_string(version) + ", newer than this assayd understands (" +
                     std::to_string(kKnown) + "); upgrade assayd or use another state directory");
  }
  if (version == kKnown) return;
  // A step may rebuild a table that others reference (5 rebuilds jobs): with foreign keys on,
  // dropping the old table would delete every plate, well and reading through ON DELETE CASCADE.
  // The pragma is a no-op inside a transaction, so it is switched around the steps, and the
  // references are checked before it is switched back on.
  writer_.exec("PRAGMA foreign_keys=OFF");
  for (; version < kKnown; ++version) {
    Transaction transaction(writer_);
    writer_.exec(kMigrations[version]);
    if (version + 1 == 6) move_v5_readings(writer_);
    auto check = writer_.prepare("PRAGMA foreign_key_check");
    if (check.step()) {
      throw StoreError("database " + path_.string() + ": migrating to schema version " +
                       std::to_string(version + 1) + " broke a reference from table " +
                       check.column_text(0) + "; nothing was changed");
    }
    check.reset();
    writer_.exec("PRAGMA user_version = " + std::to_string(version + 1));
    transaction.commit();
  }
  writer_.exec("PRAGMA foreign_keys=ON");
}

const char* schema_migration_sql(int from_version) {
  if (from_version < 0 || from_version >= static_cast<int>(std::size(kMigrations))) return nullptr;
  return kMigrations[from_version];
}

void Store::set_event_listener(EventListener listener) {
  std::lock_guard lock(write_mutex_);
  listener_ = std::move(listener);
}

std::int64_t Store::last_seq() {
  std::lock_guard lock(write_mutex_);
  return next_seq_ - 1;
}

std::int64_t Store::emit_locked(const std::string& topic, nlohmann::json body) {
  std::int64_t seq = next_seq_++;
  const auto time = utc_now();
  body["seq"] = seq;
  body["time"] = time;
  body["topic"] = topic;
  std::string job_id = body.contains("job_id") ? body["job_id"].get<std::string>() : "";
  const auto text = body.dump();
  record_event_locked(seq, topic, job_id, time, text, 0, text);
  return seq;
}

void Store::record_event_locked(std::int64_t seq, const std::string& topic, const std::string& job_id,
                                const std::string& time, const std::string& stored_body,
                                std::int64_t reading_page, std::string published) {
  auto& insert = *insert_event_;
  insert.bind(1, seq).bind(2, time).bind(3, topic);
  if (job_id.empty()) {
    insert.bind_null(4);
  } else {
    insert.bind(4, job_id);
  }
  insert.bind(5, stored_body);
  if (reading_page > 0) {
    insert.bind(6, reading_page);
  } else {
    insert.bind_null(6);
  }
  insert.run();
  pending_events_.push_back({seq, topic, std::make_shared<const std::string>(std::move(published))});
}

void Store::write_transaction(const std::function<void()>& body) {
  std::lock_guard lock(write_mutex_);
  try {
    Transaction transaction(writer_);
    body();
    transaction.commit();
  } catch (...) {
    next_seq_ -= static_cast<std::int64_t>(pending_events_.size());
    pending_events_.clear();
    throw;
  }
  if (listener_) {
    for (const auto& event : pending_events_) listener_(event);
  }
  pending_events_.clear();
  if (wal_pages_after_commit >= kCheckpointPages) {
    wal_pages_after_commit = 0;
    // Passive: copies what no reader still needs, never waits for readers or blocks them.
    sqlite3_wal_checkpoint_v2(writer_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
}

std::int64_t Store::emit(const std::string& topic, nlohmann::json body) {
  std::int64_t seq = 0;
  write_transaction([&] { seq = emit_locked(topic, std::move(body)); });
  return seq;
}

std::vector<StoredEvent> Store::read_events_since(std::int64_t seq, int limit, const std::string& job_id) {
  return read_event_log(reader_, seq, limit, job_id);
}

}  // namespace assay::daemon
