// jobs.list with many stored jobs: the time of one page (Store::read_jobs, to_json and dump, what
// the io thread does for a jobs.list request), by filter and page size, median over repeats.
// For comparison it also times the earlier single-statement form, which filtered with
// `(? = '' OR state = ?)` and so scanned the table whenever a filter was set.
//
//   build/bin/bench_job_list [jobs (100000)] [repeats (30)]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/daemon/store.hpp"
#include "support/many_jobs.hpp"

namespace {

using assay::daemon::JobListFilter;
using assay::daemon::JobState;

double median_ms(int repeats, const std::function<std::size_t()>& run, std::size_t& rows) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    auto start = std::chrono::steady_clock::now();
    rows = run();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 100000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 30;
  auto dir = std::filesystem::temp_directory_path() / ("assay-bench-job-list-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto fill_start = std::chrono::steady_clock::now();
  assay::testing::fill_many_jobs(dir / "assay.db", count);
  std::printf("%d stored jobs (written in %.1f s); median of %d runs\n", count,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_start).count(), repeats);
  {
    assay::daemon::Store store(dir / "assay.db");
    assay::daemon::Database old_reader(dir / "assay.db", true);

    struct Case {
      const char* name;
      std::optional<JobState> state;
      std::string instrument;
      std::string before;
    };
    const Case cases[] = {
        {"newest", std::nullopt, "", ""},
        {"state=failed (1 in 1000)", JobState::failed, "", ""},
        {"state=succeeded", JobState::succeeded, "", ""},
        {"instrument=reader-2", std::nullopt, "reader-2", ""},
        {"instrument+state=failed", JobState::failed, "reader-2", ""},
        {"state=failed, before middle", JobState::failed, "", "j050000"},
    };
    std::printf("%-30s %6s %7s %12s %12s\n", "filter", "limit", "rows", "ms", "earlier ms");
    for (const auto& c : cases) {
      for (int limit : {100, 10000}) {
        JobListFilter filter{c.state, c.instrument, c.before, limit};
        std::size_t rows = 0, old_rows = 0;
        double ms = median_ms(repeats, [&] {
          nlohmann::json jobs = nlohmann::json::array();
          for (const auto& job : store.read_jobs(filter)) jobs.push_back(job.to_json(false));
          return nlohmann::json{{"jobs", jobs}}.dump().size() > 0 ? jobs.size() : 0;
        }, rows);
        double old_ms = -1;
        if (c.before.empty()) {
          old_ms = median_ms(repeats, [&] {
            auto statement = old_reader.prepare(
                "SELECT id, protocol, instrument, name, priority, state, attempts, progress, message, "
                "error_code, error, submitted_at, COALESCE(started_at, ''), COALESCE(finished_at, ''), "
                "spec, COALESCE(truth, ''), COALESCE(summary, '') FROM jobs "
                "WHERE (?1 = '' OR state = ?1) AND (?2 = '' OR instrument = ?2) ORDER BY rowid DESC LIMIT ?3");
            statement.bind(1, c.state ? assay::daemon::to_string(*c.state) : "").bind(2, c.instrument).bind(3, limit);
            nlohmann::json jobs = nlohmann::json::array();
            while (statement.step()) {
              jobs.push_back({{"job_id", statement.column_text(0)},
                              {"spec", nlohmann::json::parse(statement.column_text(14))},
                              {"summary", nlohmann::json::parse(statement.column_text(16))}});
            }
            return nlohmann::json{{"jobs", jobs}}.dump().size() > 0 ? jobs.size() : 0;
          }, old_rows);
        }
        std::printf("%-30s %6d %7zu %12.3f %12s\n", c.name, limit, rows, ms,
                    old_ms < 0 ? "-" : std::to_string(old_ms).substr(0, 8).c_str());
      }
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
