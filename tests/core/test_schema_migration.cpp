// A database of schema version 4 (before the `waiting` state) opens in this assayd: jobs is
// rebuilt with the new CHECK, and nothing stored is lost: not the jobs, their rowids (the
// submission order and the next job id), their plates, wells and readings (which reference
// jobs with ON DELETE CASCADE), nor the indexes.
#include <catch2/catch.hpp>

#include <filesystem>

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
