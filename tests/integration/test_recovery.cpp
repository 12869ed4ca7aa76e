// Crashes, stops and restarts: nothing stored is lost or duplicated; seq continues.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::HarnessOptions;
using assay::testing::default_config_with_time_scale;
using assay::testing::example_job;
using nlohmann::json;

namespace {

std::filesystem::path fresh_dir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / (std::string("assayd-") + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace

TEST_CASE("job running at a crash is interrupted, re-queued and finished after restart, keeping its readings") {
  auto dir = fresh_dir("crash");
  HarnessOptions options;
  options.config_toml = default_config_with_time_scale(0.3);
  std::string id;
  std::string queued;
  std::int64_t seq_before = 0;
  std::int64_t stored_before = 0;
  {
    DaemonHarness daemon(dir, options);
    daemon.submit(assay::testing::slow_plate_read(1));  // a finished job and a queued one survive too
    id = daemon.submit(assay::testing::slow_plate_read(8));
    queued = daemon.submit(assay::testing::slow_plate_read(1));
    daemon.wait_for_readings(id, 2 * 96);
    daemon.kill_hard();
    stored_before = daemon.query_int("SELECT COUNT(*) FROM readings WHERE job_id = '" + id + "'");
    seq_before = daemon.query_int("SELECT MAX(seq) FROM events");
    CHECK(daemon.query_int("SELECT COUNT(*) FROM jobs WHERE id = '" + queued + "' AND state = 'queued'") == 1);
  }
  REQUIRE(stored_before >= 2 * 96);
  {
    options.config_toml = default_config_with_time_scale(0.01);
    DaemonHarness daemon(dir, options);
    auto job = daemon.wait_for_state(id, "succeeded");
    CHECK(job["attempts"] == 2);
    // Attempt 1's readings are all still there; attempt 2 read only what was missing.
    CHECK(daemon.query_int("SELECT COUNT(*) FROM readings WHERE job_id = '" + id + "' AND attempt = 1") == stored_before);
    CHECK(daemon.query_int("SELECT COUNT(*) FROM readings WHERE job_id = '" + id + "'") == 8 * 96);
    CHECK(daemon.query_int("SELECT COUNT(*) FROM (SELECT well, channel FROM readings WHERE job_id = '" + id +
                             "' GROUP BY well, channel HAVING COUNT(*) > 1)") == 0);
    auto history = daemon.call("events.since", {{"seq", 0}, {"job_id", id}})["events"];
    std::vector<std::string> states;
    for (const auto& e : history) {
      if (e["topic"] == "job." + id + ".state") states.push_back(e["state"]);
    }
    CHECK(states == std::vector<std::string>{"queued", "running", "interrupted", "queued", "running", "succeeded"});
    CHECK(daemon.query_int("SELECT MIN(seq) FROM events WHERE body LIKE '%interrupted%'") > seq_before);
    daemon.wait_for_state(queued, "succeeded");  // the job queued at the crash ran too
    CHECK(daemon.query_int("SELECT COUNT(*) FROM jobs WHERE state = 'succeeded'") == 3);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("SIGTERM stores the current reading, exits 0 and the job resumes at the next start") {
  auto dir = fresh_dir("term");
  HarnessOptions options;
  options.config_toml = default_config_with_time_scale(0.3);
  std::string id;
  {
    DaemonHarness daemon(dir, options);
    id = daemon.submit(assay::testing::slow_plate_read(8));
    daemon.wait_for_readings(id, 96);
    CHECK(daemon.stop() == 0);
    CHECK(daemon.query_int("SELECT COUNT(*) FROM jobs WHERE id = '" + id + "' AND state = 'interrupted'") == 1);
    auto stored = daemon.query_int("SELECT COUNT(*) FROM readings WHERE job_id = '" + id + "'");
    CHECK(stored % 96 == 0);  // whole pages: the reading in progress was finished and stored
  }
  {
    options.config_toml = default_config_with_time_scale(0.01);
    DaemonHarness daemon(dir, options);
    daemon.wait_for_state(id, "succeeded");
    CHECK(daemon.query_int("SELECT COUNT(*) FROM readings WHERE job_id = '" + id + "'") == 8 * 96);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("with on_interrupted = fail a crashed job is failed, not re-run") {
  auto dir = fresh_dir("failpolicy");
  HarnessOptions options;
  options.config_toml = default_config_with_time_scale(0.3);
  std::string id;
  {
    DaemonHarness daemon(dir, options);
    id = daemon.submit(assay::testing::slow_plate_read(8));
    daemon.wait_for_readings(id, 96);
    daemon.kill_hard();
  }
  auto text = default_config_with_time_scale(0.01);
  text.replace(text.find("on_interrupted = \"requeue\""), 26, "on_interrupted = \"fail\"   ");
  options.config_toml = text;
  DaemonHarness daemon(dir, options);
  auto job = daemon.call("jobs.get", {{"job_id", id}});
  CHECK(job["state"] == "failed");
  CHECK(job["error"]["code"] == "interrupted");
  CHECK(job["counts"]["readings"].get<int>() >= 96);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a second assayd on the same state directory is refused") {
  DaemonHarness first;
  auto log = first.state_dir() / "second.log";
  auto command = std::string(ASSAY_BIN_DIR) + "/assayd --state-dir " + first.state_dir().string() +
                 " > " + log.string() + " 2>&1";
  int rc = std::system(command.c_str());
  CHECK(WEXITSTATUS(rc) == 1);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("another assayd (pid " + std::to_string(first.pid()) + ")") != std::string::npos);
  CHECK(first.call("ping")["pong"] == true);
}
