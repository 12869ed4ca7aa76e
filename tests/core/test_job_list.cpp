// jobs.list with 100,000 stored jobs: every filter is answered from an index walked newest
// first (no scan of the table, no sort), pages are bounded and follow each other without a gap
// or an overlap. Checked through the query plan and the pages, not with a stopwatch; the time is
// measured in bench/bench_job_list.cpp.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "assay/daemon/store.hpp"
#include "job_list_reader.hpp"
#include "support/many_jobs.hpp"

using assay::daemon::JobListFilter;
using assay::daemon::JobState;

namespace {

constexpr int kJobs = 100000;

struct ManyJobs {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("assay-job-list-" + std::to_string(::getpid()));
  ManyJobs() {
    std::filesystem::create_directories(dir);
    assay::testing::fill_many_jobs(dir / "assay.db", kJobs);
  }
  ~ManyJobs() { std::filesystem::remove_all(dir); }
};

// The lines of SQLite's plan for the query behind `filter`.
std::vector<std::string> plan_of(assay::daemon::Database& db, const JobListFilter& filter) {
  auto statement = db.prepare("EXPLAIN QUERY PLAN " + assay::daemon::job_list_sql(filter));
  std::vector<std::string> lines;
  while (statement.step()) lines.push_back(statement.column_text(3));
  return lines;
}

}  // namespace

TEST_CASE("jobs.list reads 100,000 stored jobs through an index, newest first, without a sort") {
  ManyJobs jobs;
  assay::daemon::Database db(jobs.dir / "assay.db", true);
  for (bool by_state : {false, true}) {
    for (bool by_instrument : {false, true}) {
      for (bool paged : {false, true}) {
        JobListFilter filter;
        if (by_state) filter.state = JobState::failed;
        if (by_instrument) filter.instrument = "reader-2";
        if (paged) filter.before = "j050000";
        const auto plan = plan_of(db, filter);
        std::string text;
        for (const auto& line : plan) text += line + "\n";
        INFO("filter: state " << by_state << ", instrument " << by_instrument << ", before " << paged
                              << "\nplan:\n" << text);
        REQUIRE_FALSE(plan.empty());
        for (const auto& line : plan) CHECK(line.find("TEMP B-TREE") == std::string::npos);
        const auto& outer = plan.front();
        if (by_state || by_instrument) {
          // Only the rows of that state and/or instrument are visited, from the newest on.
          const std::string index = by_state && by_instrument ? "jobs_by_instrument_state"
                                    : by_state                ? "jobs_by_state"
                                                              : "jobs_by_instrument";
          CHECK_THAT(outer, Catch::StartsWith("SEARCH jobs USING") && Catch::Contains("INDEX " + index + " "));
        } else if (paged) {
          CHECK_THAT(outer, Catch::StartsWith("SEARCH jobs USING INTEGER PRIMARY KEY (rowid<?)"));
        } else {
          CHECK(outer == "SCAN jobs");  // backwards from the newest row, stopped by the LIMIT
        }
      }
    }
  }
}

TEST_CASE("jobs.list pages through 100,000 stored jobs, bounded, without a gap or an overlap") {
  ManyJobs jobs;
  assay::daemon::Store store(jobs.dir / "assay.db");

  JobListFilter newest;
  newest.limit = 3;
  auto page = store.read_jobs(newest);
  REQUIRE(page.size() == 3);
  CHECK(page[0].id == "j100000");
  CHECK(page[2].id == "j099998");
  CHECK(page[0].spec.is_null());  // a list carries no spec
  CHECK(page[0].summary["wells"] == 96);

  // Every failed job of reader-1 (i % 3 == 0 and i % 1000 == 0: i = 3000, 6000, ..., 99000),
  // in pages of 7.
  JobListFilter failed;
  failed.state = JobState::failed;
  failed.instrument = "reader-1";
  failed.limit = 7;
  std::vector<std::string> seen;
  for (int pages = 0; pages < 10; ++pages) {
    page = store.read_jobs(failed);
    REQUIRE(static_cast<int>(page.size()) <= failed.limit);
    for (const auto& job : page) {
      CHECK(job.state == JobState::failed);
      CHECK(job.instrument == "reader-1");
      seen.push_back(job.id);
    }
    if (static_cast<int>(page.size()) < failed.limit) break;
    failed.before = page.back().id;
  }
  std::vector<std::string> expected;
  for (int i = 99000; i >= 3000; i -= 3000) {
    char id[16];
    std::snprintf(id, sizeof id, "j%06d", i);
    expected.emplace_back(id);
  }
  CHECK(seen == expected);

  JobListFilter queued;  // i % 1000 == 1 on every instrument: 100 jobs
  queued.state = JobState::queued;
  queued.limit = 10000;
  page = store.read_jobs(queued);
  REQUIRE(page.size() == 100);
  CHECK(page.front().id == "j099001");
  CHECK(page.back().id == "j000001");

  JobListFilter before_first;
  before_first.before = "j000001";
  CHECK(store.read_jobs(before_first).empty());
}

TEST_CASE("a jobs.list page written as text is the page its job records dump to") {
  using nlohmann::json;
  ManyJobs jobs;
  {
    assay::daemon::Database db(jobs.dir / "assay.db");
    // Summaries as the store writes them (dump()), and the fields a list shows only sometimes:
    // an error, start and finish times, text that needs escapes, UTF-8 and bytes that are not.
    db.prepare("UPDATE jobs SET summary = ?").bind(1, json{{"wells", 96}, {"blank_mean", {{"abs590", 0.04}}}}.dump()).run();
    db.prepare("UPDATE jobs SET summary = NULL, progress = 0.3333333333333333 WHERE rowid % 7 = 0").run();
    db.prepare("UPDATE jobs SET started_at = submitted_at, finished_at = submitted_at, error_code = 'instrument_error', "
               "error = 'lid \"open\"\\ton reader' || char(10) || 'try again' WHERE state = 'failed'")
        .run();
    db.prepare("UPDATE jobs SET name = ?, message = ? WHERE id = 'j100000'")
        .bind(1, "Platte Größe µM \x01 \xff\xfe end")
        .bind(2, "waiting \\ for \"addition\"")
        .run();
  }
  assay::daemon::Store store(jobs.dir / "assay.db");
  assay::daemon::JobListReader reader(jobs.dir / "assay.db");
  auto dom_page = [&](const JobListFilter& filter) {
    json list = json::array();
    for (const auto& job : store.read_jobs(filter)) list.push_back(job.to_json(false));
    json out{{"jobs", list}};
    if (static_cast<int>(list.size()) == filter.limit) out["next"] = list.back()["job_id"];
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
  };
  JobListFilter newest;
  newest.limit = 50;
  CHECK(reader.page_json(newest) == dom_page(newest));
  JobListFilter failed;  // every failed job: errors and times
  failed.state = JobState::failed;
  failed.limit = 1000;
  CHECK(reader.page_json(failed) == dom_page(failed));
  JobListFilter paged;
  paged.instrument = "reader-2";
  paged.before = "j050000";
  paged.limit = 7;
  CHECK(reader.page_json(paged) == dom_page(paged));
  paged.before = "j000001";  // nothing before the first job
  CHECK(reader.page_json(paged) == R"({"jobs":[]})");
}
