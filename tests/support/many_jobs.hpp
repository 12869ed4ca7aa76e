// A database with many stored jobs, as a lab has after a year or two: for the jobs.list test and
// benchmark. Written in one transaction straight into the store's schema (a real submit per job
// would take minutes and test nothing more here).
#pragma once

#include <filesystem>
#include <string>

#include "assay/daemon/sqlite.hpp"
#include "assay/daemon/store.hpp"

namespace assay::testing {

// The instruments the jobs are spread over, in turn.
inline const char* const kManyJobsInstruments[] = {"reader-1", "reader-2", "imager-1"};

// Creates (migrating) the store at `database` and adds `count` jobs "j000001"... in submission
// order. Job i runs on kManyJobsInstruments[i % 3]; it failed when i % 1000 == 0, is queued when
// i % 1000 == 1, and succeeded otherwise.
inline void fill_many_jobs(const std::filesystem::path& database, int count) {
  { daemon::Store store(database); }
  daemon::Database db(database);
  daemon::Transaction transaction(db);
  auto statement = db.prepare(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) "
      "INSERT INTO jobs (id, protocol, instrument, name, priority, state, attempts, progress, "
      "                  submitted_at, started_at, finished_at, spec, summary) "
      "SELECT printf('j%06d', i), 'plate_read', "
      "       CASE i % 3 WHEN 0 THEN 'reader-1' WHEN 1 THEN 'reader-2' ELSE 'imager-1' END, "
      "       'plate ' || i, i % 5, "
      "       CASE i % 1000 WHEN 0 THEN 'failed' WHEN 1 THEN 'queued' ELSE 'succeeded' END, "
      "       1, 1.0, printf('2026-01-01T00:00:%06d.000000Z', i), NULL, NULL, "
      "       '{\"protocol\":\"plate_read\",\"params\":{\"wavelengths_nm\":[450,590]}}', "
      "       '{\"wells\":96,\"blank_mean\":{\"abs590\":0.04}}' "
      "FROM n");
  statement.bind(1, count).run();
  transaction.commit();
}

}  // namespace assay::testing
