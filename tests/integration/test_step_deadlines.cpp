// Issue 13: an accepted job sat at progress 0 for 17 minutes, holding its instrument, and
// SIGTERM did not stop assayd within 10 s. A step with no progress within its bound fails the
// job with a clear error, and SIGTERM stops assayd within policy.stop_timeout_s even when a
// driver call never returns (the simulator's fail_mode "hang" ignores stop, as a USB transfer
// without a timeout would).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <regex>
#include <thread>

#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::HarnessOptions;
using assay::testing::readers_only_config;
using assay::testing::slow_plate_read;
using nlohmann::json;

namespace {

// A plate reader that hangs halfway through its first read (48 of 96 wells).
std::string hanging_reader_config(int step_timeout_s, double stop_timeout_s) {
  auto text = readers_only_config(0.05);
  text = std::regex_replace(text, std::regex(R"(step_timeout_s = [0-9.]+)"),
                            "step_timeout_s = " + std::to_string(step_timeout_s));
  text = std::regex_replace(text, std::regex(R"(stop_timeout_s = [0-9.]+)"),
                            "stop_timeout_s = " + std::to_string(stop_timeout_s));
  text = std::regex_replace(text, std::regex(R"(heartbeat_s = [0-9.]+)"), "heartbeat_s = 0.25");
  auto at = text.find("time_scale = ");
  REQUIRE(at != std::string::npos);
  return text.insert(at, "fail_after_readings = 48\nfail_mode = \"hang\"\n");
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("a job with no progress within its step's bound fails with a clear error, and SIGTERM still stops assayd") {
  HarnessOptions options;
  options.config_toml = hanging_reader_config(2, 2.0);
  DaemonHarness daemon(options);
  auto id = daemon.submit(slow_plate_read(3));
  auto queued = daemon.submit(slow_plate_read(1));
  auto job = daemon.wait_for_state(id, "failed", std::chrono::seconds(20));
  CHECK(job["error"]["code"] == "stalled");
  auto message = job["error"]["message"].get<std::string>();
  INFO(message);
  CHECK(message.find("no progress for") != std::string::npos);
  CHECK(message.find("sim-reader") != std::string::npos);
  CHECK(message.find("step_timeout_s") != std::string::npos);
  CHECK(message.find("did not stop") != std::string::npos);
  CHECK(daemon.call("instruments.list")["instruments"][0]["state"] == "error");
  CHECK(daemon.call("jobs.get", {{"job_id", queued}})["state"] == "queued");
  CHECK(daemon.call("ping")["pong"] == true);

  auto start = std::chrono::steady_clock::now();
  CHECK(daemon.stop(std::chrono::seconds(10)) == 0);
  CHECK(seconds_since(start) < 5.0);
  CHECK(daemon.query_int("SELECT COUNT(*) FROM readings WHERE job_id = '" + id + "'") == 48);
  CHECK(daemon.query_int("SELECT COUNT(*) FROM jobs WHERE id = '" + id + "' AND state = 'failed'") == 1);
}

TEST_CASE("SIGTERM during a job stuck in its driver stops assayd within seconds and the job resumes") {
  auto dir = std::filesystem::temp_directory_path() / ("assayd-stuck-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string id;
  {
    HarnessOptions options;
    options.config_toml = hanging_reader_config(300, 2.0);
    DaemonHarness daemon(dir, options);
    id = daemon.submit(slow_plate_read(3));
    daemon.wait_for_readings(id, 48);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // inside the hung call
    auto start = std::chrono::steady_clock::now();
    CHECK(daemon.stop(std::chrono::seconds(10)) == 0);
    auto took = seconds_since(start);
    INFO("stopped in " << took << " s");
    CHECK(took < 5.0);
    CHECK(daemon.query_int("SELECT COUNT(*) FROM jobs WHERE id = '" + id + "' AND state = 'interrupted'") == 1);
    CHECK(daemon.log_text().find("did not stop within 2000 ms") != std::string::npos);
  }
  {
    HarnessOptions options;
    options.config_toml = readers_only_config(0.01);
    DaemonHarness daemon(dir, options);
    auto job = daemon.wait_for_state(id, "succeeded");
    CHECK(job["attempts"] == 2);
    CHECK(daemon.query_int("SELECT COUNT(*) FROM readings WHERE job_id = '" + id + "'") == 3 * 96);
  }
  std::filesystem::remove_all(dir);
}
