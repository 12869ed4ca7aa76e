// Store construction, schema migrations and the event log.
#include <chrono>
#include <ctime>

#include "assay/daemon/store.hpp"

namespace assay::daemon {
namespace {

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
    // 6: how far the facility bridge got: the last event seq its stream acknowledged.
    R"sql(
CREATE TABLE facility_cursor (
  target     TEXT PRIMARY KEY,          -- "<stream>/<host>"
  acked_seq  INTEGER NOT NULL,
  acked_at   TEXT NOT NULL
);
)sql",
};

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
  body["seq"] = seq;
  body["time"] = utc_now();
  body["topic"] = topic;
  std::string job_id = body.contains("job_id") ? body["job_id"].get<std::string>() : "";
  auto statement = writer_.prepare(
      "INSERT INTO events (seq, time, topic, job_id, body) VALUES (?, ?, ?, ?, ?)");
  statement.bind(1, seq).bind(2, body["time"].get<std::string>()).bind(3, topic);
  if (job_id.empty()) {
    statement.bind_null(4);
  } else {
    statement.bind(4, job_id);
  }
  statement.bind(5, body.dump());
  statement.run();
  pending_events_.push_back({seq, topic, std::move(body)});
  return seq;
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
}

std::int64_t Store::emit(const std::string& topic, nlohmann::json body) {
  std::int64_t seq = 0;
  write_transaction([&] { seq = emit_locked(topic, std::move(body)); });
  return seq;
}

std::vector<StoredEvent> Store::read_events_since(std::int64_t seq, int limit, const std::string& job_id) {
  auto statement = reader_.prepare(
      job_id.empty() ? "SELECT seq, topic, body FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2"
                     : "SELECT seq, topic, body FROM events WHERE job_id = ?3 AND seq > ?1 "
                       "ORDER BY seq LIMIT ?2");
  statement.bind(1, seq).bind(2, limit);
  if (!job_id.empty()) statement.bind(3, job_id);
  std::vector<StoredEvent> events;
  while (statement.step()) {
    events.push_back({statement.column_int(0), statement.column_text(1),
                      nlohmann::json::parse(statement.column_text(2))});
  }
  return events;
}

}  // namespace assay::daemon
