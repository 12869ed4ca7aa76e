// Issue 13 evidence: assayd killed with SIGKILL at random points, again and again, while plate
// reader and imager jobs run. After every kill nothing stored before it is gone and the event
// log has no gap; at the end every job succeeds complete (each planned reading or image of the
// attempt it analysed), nothing is duplicated and SQLite's integrity check passes.
//
// ASSAY_CRASHLOOP_CYCLES (default 30) and ASSAY_CRASHLOOP_SEED set the run; scripts/crashloop.sh
// runs it for hundreds of cycles.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <random>
#include <regex>
#include <thread>
#include <tuple>

#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::HarnessOptions;
using assay::testing::default_config_with_time_scale;
using assay::testing::example_job;
using assay::testing::slow_plate_read;
using nlohmann::json;

namespace {

long env_number(const char* name, long fallback) {
  const char* text = std::getenv(name);
  return text ? std::strtol(text, nullptr, 10) : fallback;
}

json kinetic_job() {
  auto job = example_job("calcium_flux_96.json");
  job["params"]["duration_s"] = 20.0;
  job["params"]["baseline_s"] = 5.0;
  job["params"]["injection"]["time_s"] = 5.0;
  job["params"]["analysis"]["figures"] = false;
  return job;
}

// ("readings" or "images", job, attempt) -> how many are stored.
using StoredCounts = std::map<std::tuple<std::string, std::string, std::int64_t>, std::int64_t>;

StoredCounts stored_counts(DaemonHarness& daemon) {
  StoredCounts counts;
  auto db = daemon.open_database();
  for (const char* table : {"readings", "images"}) {
    auto rows = db.prepare(std::string("SELECT job_id, attempt, COUNT(*) FROM ") + table + " GROUP BY job_id, attempt");
    while (rows.step()) counts[{table, rows.column_text(0), rows.column_int(1)}] = rows.column_int(2);
  }
  return counts;
}

void check_event_log_has_no_gap(DaemonHarness& daemon) {
  auto count = daemon.query_int("SELECT COUNT(*) FROM events");
  CHECK(daemon.query_int("SELECT COALESCE(MAX(seq), 0) - COALESCE(MIN(seq), 1) + 1 FROM events") == count);
}

}  // namespace

TEST_CASE("crash loop: SIGKILL at random points loses, duplicates and damages nothing") {
  const long cycles = env_number("ASSAY_CRASHLOOP_CYCLES", 30);
  const auto seed = static_cast<std::uint64_t>(env_number("ASSAY_CRASHLOOP_SEED", std::random_device{}()));
  INFO("seed " << seed << " (ASSAY_CRASHLOOP_SEED reproduces the kill points)");
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pause_ms(30, 700);

  auto dir = std::filesystem::temp_directory_path() / ("assayd-crashloop-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  HarnessOptions options;
  options.config_toml = std::regex_replace(default_config_with_time_scale(0.02), std::regex(R"(max_attempts = \d+)"),
                                           "max_attempts = 1000");
  std::vector<std::string> jobs;
  StoredCounts before;
  long kills_during_jobs = 0;
  for (long cycle = 0; cycle < cycles; ++cycle) {
    DaemonHarness daemon(dir, options);
    auto after_restart = stored_counts(daemon);
    for (const auto& [key, n] : before) {
      INFO("cycle " << cycle << ": " << std::get<0>(key) << " of job " << std::get<1>(key) << " attempt "
                    << std::get<2>(key));
      CHECK(after_restart[key] == n);  // nothing stored before the kill is gone
    }
    if (daemon.query_int("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')") < 4) {
      switch (cycle % 3) {
        case 0: jobs.push_back(daemon.submit(slow_plate_read(4))); break;
        case 1: jobs.push_back(daemon.submit(kinetic_job())); break;
        default: jobs.push_back(daemon.submit(example_job("demo_image_wells.json"))); break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    kills_during_jobs += daemon.query_int("SELECT COUNT(*) FROM jobs WHERE state = 'running'") > 0;
    daemon.kill_hard();
    before = stored_counts(daemon);
    check_event_log_has_no_gap(daemon);
  }
  CHECK(kills_during_jobs >= cycles / 2);

  DaemonHarness daemon(dir, options);
  for (const auto& id : jobs) {
    auto job = daemon.wait_for_state(id, "succeeded", std::chrono::seconds(120));
    const auto spec = job["spec"];
    const auto where = "job_id = '" + id + "'";
    INFO(id << " " << spec["protocol"] << " attempts " << job["attempts"]);
    if (spec["protocol"] == "plate_read") {
      // Every well at every wavelength, over all attempts, each (attempt, reading) once.
      CHECK(daemon.query_int("SELECT COUNT(*) FROM (SELECT DISTINCT well, channel FROM readings WHERE " + where + ")") ==
            96 * 4);
    } else if (spec["protocol"] == "calcium_flux") {
      // The analysed attempt finished its read: every well at every one of its cycles.
      auto attempt = std::to_string(daemon.query_int("SELECT MAX(attempt) FROM acquisitions WHERE " + where));
      auto in_attempt = where + " AND attempt = " + attempt;
      auto read = daemon.query_int("SELECT COUNT(*) FROM readings WHERE " + in_attempt);
      auto cycles_read = daemon.query_int("SELECT MAX(cycle) + 1 FROM readings WHERE " + in_attempt);
      CHECK(read == 96 * cycles_read);
      CHECK(cycles_read > 15);
    } else {
      auto last = job["attempts"].get<int>();
      CHECK(daemon.query_int("SELECT COUNT(DISTINCT well || '/' || field) FROM images WHERE " + where +
                             " AND kind = 'raw' AND attempt = " + std::to_string(last)) == 2);
    }
  }
  CHECK(daemon.query_int("SELECT COUNT(*) FROM (SELECT 1 FROM readings GROUP BY job_id, attempt, well, channel, cycle "
                         "HAVING COUNT(*) > 1)") == 0);
  check_event_log_has_no_gap(daemon);
  auto db = daemon.open_database();
  auto integrity = db.prepare("PRAGMA integrity_check");
  REQUIRE(integrity.step());
  CHECK(integrity.column_text(0) == "ok");
  for (const auto& [key, n] : before) CHECK(stored_counts(daemon)[key] >= n);
  daemon.stop();
  std::filesystem::remove_all(dir);
}
