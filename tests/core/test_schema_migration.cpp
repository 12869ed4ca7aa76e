// A database of schema version 4 (before the `waiting` state) opens in this assayd: jobs is
// rebuilt with the new CHECK, and nothing stored is lost: not the jobs, their rowids (the
// submission order and the next job id), their plates, wells and readings (which reference
// jobs with ON DELETE CASCADE), nor the indexes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <vector>

#include <unistd.h>

#include "assay/daemon/store.hpp"

using assay::daemon::Database;

namespace {

std::int64_t count(Database& db, const std::string& sql) {
  auto statement = db.prepare(sql);
  REQUIRE(statement.step());
  return statement.column_int(0);
}

}  // namespace

TEST_CASE("a version 4 database migrates to the waiting state without losing jobs, rowids or readings") {
  auto dir = std::filesystem::temp_directory_path() / ("assay-migrate-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto path = dir / "assay.db";
  {
    Database old(path);
    for (int version = 0; version < 4; ++version) {
      REQUIRE(assay::daemon::schema_migration_sql(version) != nullptr);
      old.exec(assay::daemon::schema_migration_sql(version));
      old.exec("PRAGMA user_version = " + std::to_string(version + 1));
    }
    old.exec(R"sql(
INSERT INTO jobs (rowid, id, protocol, instrument, state, submitted_at, spec)
  VALUES (3, 'J000003', 'calcium_flux', 'sim-reader', 'succeeded', '2026-01-01T00:00:00Z', '{}'),
         (7, 'J000007', 'calcium_flux', 'sim-reader', 'running', '2026-01-02T00:00:00Z', '{}');
INSERT INTO plates (job_id, barcode, format, rows, columns) VALUES ('J000007', 'P7', '96', 8, 12);
INSERT INTO wells (job_id, well, row, col, role, stimulated) VALUES ('J000007', 'A1', 0, 0, 'sample', 1);
INSERT INTO readings (job_id, attempt, well, channel, cycle, time_s, value)
  VALUES ('J000007', 1, 'A1', 'fl494-516', 0, 0.0, 100.0), ('J000007', 1, 'A1', 'fl494-516', 1, 1.0, 101.0);
)sql");
  }
  {
    assay::daemon::Store store(path);  // migrates
    // The next job id follows the largest rowid, as before the rebuild.
    assay::protocols::JobSpec spec = assay::protocols::JobSpec::from_json(
        {{"protocol", "plate_read"},
         {"instrument", "sim-reader"},
         {"plate", {{"format", "96"}}},
         {"layout", {{{"wells", "A1"}}}}});
    CHECK(store.insert_job(spec).job_id == "J000008");
  }
  Database db(path);
  CHECK(count(db, "PRAGMA user_version") == assay::daemon::kSchemaVersion);
  CHECK(count(db, "SELECT COUNT(*) FROM jobs") == 3);
  CHECK(count(db, "SELECT rowid FROM jobs WHERE id = 'J000007'") == 7);
  CHECK(count(db, "SELECT COUNT(*) FROM plates WHERE job_id = 'J000007'") == 1);
  CHECK(count(db, "SELECT COUNT(*) FROM wells WHERE job_id = 'J000007'") == 1);
  CHECK(count(db, "SELECT COUNT(*) FROM readings WHERE job_id = 'J000007'") == 2);
  CHECK(count(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                  "('jobs_queue', 'jobs_by_state', 'jobs_by_instrument', 'jobs_by_instrument_state')") == 4);
  // The new state is accepted; a state outside the list still is not.
  db.exec("UPDATE jobs SET state = 'waiting' WHERE id = 'J000007'");
  CHECK_THROWS(db.exec("UPDATE jobs SET state = 'paused' WHERE id = 'J000007'"));
  // The references still point at the rebuilt table: deleting a job deletes its rows.
  db.exec("DELETE FROM jobs WHERE id = 'J000007'");
  CHECK(count(db, "SELECT COUNT(*) FROM readings") == 0);
  CHECK(count(db, "SELECT COUNT(*) FROM plates WHERE job_id = 'J000007'") == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a version 5 database moves its readings into pages with the same ids and the same doubles") {
  auto dir = std::filesystem::temp_directory_path() / ("assay-migrate-v5-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto path = dir / "assay.db";
  struct Row {
    std::int64_t id;
    const char* job;
    int attempt;
    const char* well;
    int cycle;
    double time_s;
    double value;
    int saturated;
  };
  // Two jobs interleaved, a second attempt, and a gap in the ids (rows deleted long ago).
  const std::vector<Row> rows{{1, "J000001", 1, "A1", 0, 0.1, 1234.5678901234567, 0},
                              {2, "J000001", 1, "A2", 0, 0.30000000000000004, 65535.0, 1},
                              {3, "J000002", 1, "A1", 0, 0.0, 1e-300, 0},
                              {4, "J000001", 1, "A1", 1, 1.1, 2.5e17, 0},
                              {7, "J000001", 1, "A2", 1, 1.3, 0.1, 0},
                              {8, "J000001", 2, "A1", 0, 0.1, 3.0, 0}};
  {
    Database old(path);
    for (int version = 0; version < 5; ++version) {
      old.exec(assay::daemon::schema_migration_sql(version));
      old.exec("PRAGMA user_version = " + std::to_string(version + 1));
    }
    old.exec(R"sql(
INSERT INTO jobs (id, protocol, instrument, state, submitted_at, spec)
  VALUES ('J000001', 'plate_read', 'sim-reader', 'succeeded', '2026-01-01T00:00:00Z', '{}'),
         ('J000002', 'plate_read', 'sim-reader', 'succeeded', '2026-01-01T00:00:01Z', '{}');
)sql");
    auto insert = old.prepare(
        "INSERT INTO readings (id, job_id, attempt, well, channel, cycle, time_s, value, saturated) "
        "VALUES (?, ?, ?, ?, 'abs590', ?, ?, ?, ?)");
    for (const auto& r : rows) {
      insert.bind(1, r.id).bind(2, r.job).bind(3, r.attempt).bind(4, r.well).bind(5, r.cycle);
      insert.bind(6, r.time_s).bind(7, r.value).bind(8, r.saturated).run();
    }
  }
  {
    assay::daemon::Store store(path);  // migrates
    CHECK(store.read_job_counts("J000001")["readings"] == 5);
    CHECK(store.readings_before_attempt("J000001", 2).size() == 4);
    // New readings are numbered after the moved ones.
    std::vector<assay::drivers::Reading> page{{"B1", "abs590", 0, 0.5, 0.25, false}};
    store.append_readings("J000002", 2, page);
    auto got = store.read_readings("J000002", 3, 10);
    REQUIRE(got["rows"].size() == 1);
    CHECK(got["last_id"] == 9);
  }
  Database db(path);
  CHECK(count(db, "PRAGMA user_version") == assay::daemon::kSchemaVersion);
  CHECK(count(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'readings_v5'") == 0);
  auto select = db.prepare(
      "SELECT id, job_id, attempt, well, cycle, time_s, value, saturated FROM readings WHERE id < 9 ORDER BY id");
  for (const auto& r : rows) {
    INFO("reading id " << r.id);
    REQUIRE(select.step());
    CHECK(select.column_int(0) == r.id);
    CHECK(select.column_text(1) == r.job);
    CHECK(select.column_int(2) == r.attempt);
    CHECK(select.column_text(3) == r.well);
    CHECK(select.column_int(4) == r.cycle);
    CHECK(select.column_double(5) == r.time_s);
    CHECK(select.column_double(6) == r.value);
    CHECK(select.column_int(7) == r.saturated);
  }
  CHECK_FALSE(select.step());
  std::filesystem::remove_all(dir);
}
