// Jobs through the real daemon: run, store, publish, cancel, prioritise, run in parallel.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::HarnessOptions;
using assay::testing::default_config_with_time_scale;
using assay::testing::example_job;
using nlohmann::json;

namespace {

HarnessOptions slow_sims(double time_scale) {
  HarnessOptions options;
  options.config_toml = default_config_with_time_scale(time_scale);
  return options;
}

}  // namespace

TEST_CASE("a plate read job runs, stores every reading and publishes state, readings and result in order") {
  DaemonHarness daemon;
  auto events = daemon.subscribe("job.");
  auto id = daemon.submit(example_job("demo_plate_read.json"));
  auto job = daemon.wait_for_state(id, "succeeded");
  CHECK(job["counts"]["readings"] == 16);
  CHECK(daemon.query_int("SELECT COUNT(*) FROM readings WHERE job_id = '" + id + "'") == 16);
  CHECK(daemon.query_int("SELECT COUNT(*) FROM wells WHERE job_id = '" + id + "'") == 16);
  CHECK(daemon.query_int("SELECT COUNT(*) FROM plates WHERE barcode = 'DEMO-ABS-001'") == 1);

  std::vector<std::string> kinds;
  std::int64_t last_seq = 0;
  while (auto event = DaemonHarness::next_event(events, std::chrono::seconds(2))) {
    REQUIRE((*event)["seq"].get<std::int64_t>() > last_seq);
    last_seq = (*event)["seq"];
    auto topic = (*event)["topic"].get<std::string>();
    auto kind = topic.substr(topic.rfind('.') + 1);
    if (kind == "state") kind += ":" + (*event)["state"].get<std::string>();
    if (kinds.empty() || kinds.back() != kind) kinds.push_back(kind);
    if (kind == "state:succeeded") break;
  }
  REQUIRE(kinds.size() >= 4);
  CHECK(kinds.front() == "state:queued");
  CHECK(kinds[1] == "state:running");
  CHECK(std::find(kinds.begin(), kinds.end(), "reading") != kinds.end());
  auto result_at = std::find(kinds.begin(), kinds.end(), "result");
  REQUIRE(result_at != kinds.end());
  CHECK(kinds.back() == "state:succeeded");
  CHECK(std::find(kinds.begin(), kinds.end(), "reading") < result_at);

  auto results = daemon.call("results.get", {{"job_id", id}});
  CHECK(results["rows"].size() == 16);
  CHECK(results["summary"]["blank_mean"]["abs590"].get<double>() > 0.0);
}

TEST_CASE("events.since serves the whole history to a late subscriber") {
  DaemonHarness daemon;
  auto id = daemon.submit(example_job("demo_plate_read.json"));
  daemon.wait_for_state(id, "succeeded");
  auto page = daemon.call("events.since", {{"seq", 0}, {"job_id", id}});
  auto events = page["events"];
  REQUIRE(events.size() >= 4);
  CHECK(events.front()["state"] == "queued");
  CHECK(events.back()["state"] == "succeeded");
  auto all = daemon.call("events.since", {{"seq", 0}})["events"];
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i]["seq"].get<int>() == all[i - 1]["seq"].get<int>() + 1);
  auto later = daemon.call("events.since", {{"seq", events[1]["seq"]}, {"job_id", id}})["events"];
  CHECK(later.size() == events.size() - 2);
}

TEST_CASE("a queued job is cancelled at once and a running one at its next safe point") {
  DaemonHarness daemon(slow_sims(0.5));
  auto running = daemon.submit(assay::testing::slow_plate_read(30));
  auto queued = daemon.submit(assay::testing::slow_plate_read(2));
  daemon.wait_for_state(running, "running");
  CHECK(daemon.call("jobs.cancel", {{"job_id", queued}})["state"] == "cancelled");
  CHECK(daemon.call("jobs.get", {{"job_id", queued}})["state"] == "cancelled");
  daemon.wait_for_readings(running, 96);
  CHECK(daemon.call("jobs.cancel", {{"job_id", running}})["state"] == "cancelling");
  auto job = daemon.wait_for_state(running, "cancelled", std::chrono::seconds(20));
  CHECK(job["counts"]["readings"].get<int>() >= 96);
  CHECK(job["counts"]["readings"].get<int>() < 30 * 96);
  auto again = daemon.request("jobs.cancel", {{"job_id", running}});
  CHECK(again["error"]["code"] == "invalid_state");
}

TEST_CASE("within an instrument the higher priority runs first and instruments run in parallel") {
  DaemonHarness daemon(slow_sims(0.2));
  // The blocker holds the reader until the test cancels it: 781 wavelengths take ~170 s, far
  // beyond this test, so nothing below depends on how fast this machine runs the other jobs.
  auto held = assay::testing::slow_plate_read(1);
  held["params"]["wavelengths_nm"] = json::array();
  for (int nm = 220; nm <= 1000; ++nm) held["params"]["wavelengths_nm"].push_back(nm);
  auto blocker = daemon.submit(held);
  daemon.wait_for_state(blocker, "running");
  auto low = assay::testing::slow_plate_read(1);
  low["priority"] = 0;
  auto high = assay::testing::slow_plate_read(1);
  high["priority"] = 5;
  auto low_id = daemon.submit(low);  // first in, but lower priority
  auto high_id = daemon.submit(high);
  auto image_job = daemon.submit(example_job("demo_image_wells.json"));
  // The imager is not held up by the busy reader.
  daemon.wait_for_state(image_job, "succeeded");
  CHECK(daemon.call("jobs.get", {{"job_id", blocker}})["state"] == "running");
  CHECK(daemon.call("jobs.get", {{"job_id", low_id}})["state"] == "queued");
  CHECK(daemon.call("jobs.get", {{"job_id", high_id}})["state"] == "queued");
  // Freed, the reader takes the queued jobs by priority, then in submission order.
  CHECK(daemon.call("jobs.cancel", {{"job_id", blocker}})["state"] == "cancelling");
  daemon.wait_for_state(blocker, "cancelled");
  daemon.wait_for_state(low_id, "succeeded");
  auto high_job = daemon.wait_for_state(high_id, "succeeded");
  auto low_job = daemon.call("jobs.get", {{"job_id", low_id}});
  CHECK(high_job["started_at"].get<std::string>() < low_job["started_at"].get<std::string>());
  CHECK(high_job["finished_at"].get<std::string>() <= low_job["started_at"].get<std::string>());
}

TEST_CASE("a failing instrument fails the job with its message and the daemon keeps serving") {
  HarnessOptions options;
  options.config_toml = default_config_with_time_scale(0.01);
  options.config_toml += "\n[[instrument]]\nname = \"flaky-reader\"\ndriver = \"sim-plate-reader\"\n"
                         "[instrument.settings]\ntime_scale = 0.01\nfail_after_readings = 50\n";
  DaemonHarness daemon(options);
  auto job = assay::testing::slow_plate_read(4);
  job["instrument"] = "flaky-reader";
  auto id = daemon.submit(job);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  json state;
  while (std::chrono::steady_clock::now() < deadline) {
    state = daemon.call("jobs.get", {{"job_id", id}});
    if (state["state"] == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(state["state"] == "failed");
  CHECK(state["error"]["code"] == "instrument_error");
  CHECK(state["counts"]["readings"].get<int>() > 0);  // what was read before the fault is kept
  CHECK(daemon.call("ping")["pong"] == true);
}
