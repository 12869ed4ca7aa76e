// The edges between the io thread and the instrument workers, exercised while they move: API
// calls while SIGTERM tears the workers down, and a cancel sent the instant a job starts. The
// ThreadSanitizer build (scripts/tsan.sh) runs these too.
#include <catch2/catch.hpp>

#include <csignal>
#include <thread>

#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::HarnessOptions;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

HarnessOptions slow_sims(double time_scale) {
  HarnessOptions options;
  options.config_toml = assay::testing::default_config_with_time_scale(time_scale);
  return options;
}

}  // namespace

TEST_CASE("API calls during SIGTERM are answered or refused cleanly and the daemon stops within seconds") {
  DaemonHarness daemon(slow_sims(0.5));
  auto running = daemon.submit(assay::testing::slow_plate_read(30));
  auto queued = daemon.submit(assay::testing::slow_plate_read(2));
  daemon.wait_for_state(running, "running");

  auto asked = std::chrono::steady_clock::now();
  daemon.send_signal(SIGTERM);
  int answered = 0;
  std::optional<int> exit_status;
  while (!(exit_status = daemon.wait_exit(0ms))) {
    REQUIRE(std::chrono::steady_clock::now() - asked < 20s);
    for (const auto& [op, fields] : std::vector<std::pair<std::string, json>>{
             {"instruments.list", json::object()},
             {"jobs.submit", {{"job", assay::testing::example_job("demo_plate_read.json")}}},
             {"jobs.cancel", {{"job_id", queued}}},
             {"jobs.get", {{"job_id", running}}}}) {
      auto reply = daemon.request(op, fields, 300ms);
      if (reply.value("ok", false) || reply["error"]["code"] != "timeout") ++answered;
      // An error other than a timeout must still be a well-formed refusal, never garbage.
      if (!reply.value("ok", false)) CHECK(reply["error"].contains("code"));
    }
  }
  auto took = std::chrono::steady_clock::now() - asked;
  CHECK(*exit_status == 0);
  CHECK(answered > 0);
  CHECK(took < 10s);
  INFO("graceful stop took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  CHECK_THAT(daemon.log_text(), Catch::Contains("assayd stopped"));

  // The job cut short resumes at the next start: nothing was torn down under a reader.
  auto state = daemon.query_int("SELECT COUNT(*) FROM jobs WHERE id = '" + running +
                                "' AND state IN ('interrupted', 'running')");
  CHECK(state == 1);
}

TEST_CASE("a cancel sent the moment the running event arrives is accepted and the job ends cancelled") {
  DaemonHarness daemon(slow_sims(0.2));
  auto events = daemon.subscribe("job.");
  std::vector<std::string> jobs;
  for (int i = 0; i < 4; ++i) jobs.push_back(daemon.submit(assay::testing::slow_plate_read(10)));
  for (const auto& id : jobs) {
    bool cancelled = false;
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!cancelled && std::chrono::steady_clock::now() < deadline) {
      auto event = DaemonHarness::next_event(events, 2s);
      if (!event || (*event)["topic"] != "job." + id + ".state" || (*event)["state"] != "running") continue;
      auto reply = daemon.request("jobs.cancel", {{"job_id", id}});
      INFO(reply.dump());
      REQUIRE(reply.value("ok", false));
      CHECK(reply["result"]["state"] == "cancelling");
      cancelled = true;
    }
    REQUIRE(cancelled);
    auto done = daemon.wait_for_state(id, "cancelled", 20s);
    CHECK(done["state"] == "cancelled");
  }
}
