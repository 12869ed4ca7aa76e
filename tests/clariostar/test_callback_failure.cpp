// A failure in the host while the driver is mid-run (storing a page of readings, reporting
// progress) must not unwind through the CLARIOstar driver: the driver ends its run, the job fails
// with the host's error, and the same reader takes the next job.
#include <catch2/catch.hpp>

#include "assay/protocols/registry.hpp"
#include "support/daemon_harness.hpp"
#include "support/memory_run_context.hpp"

using assay::drivers::InstrumentState;
using nlohmann::json;

namespace {

const json kVirtualReader{{"time_scale", 0.01}, {"default_od", 0.05}};

const assay::protocols::Protocol& plate_read() {
  static const auto registry = [] {
    assay::protocols::ProtocolRegistry r;
    assay::protocols::register_builtin_protocols(r);
    return r;
  }();
  return *registry.find("plate_read");
}

assay::protocols::JobSpec demo_job() {
  auto job = assay::testing::example_job("demo_plate_read.json");
  job["instrument"] = "clariostar";
  return assay::protocols::JobSpec::from_json(job);
}

}  // namespace

TEST_CASE("a storage failure inside the reading sink ends the CLARIOstar run and the reader takes the next job") {
  auto reader = assay::testing::make_builtin_instrument("clariostar-virtual", "clariostar", kVirtualReader);
  {
    assay::testing::MemoryRunContext failing(*reader);
    failing.fail_store_after = 0;
    CHECK_THROWS_WITH(failing.run(plate_read(), demo_job()), Catch::Contains("disk full"));
  }
  CHECK(reader->state() != InstrumentState::busy);
  assay::testing::MemoryRunContext next(*reader);
  auto result = next.run(plate_read(), demo_job());
  CHECK(next.stored.size() == 16);
  CHECK(result.rows.size() == 16);
}

TEST_CASE("a progress report that throws ends the CLARIOstar run with that error, not a bad driver state") {
  auto reader = assay::testing::make_builtin_instrument("clariostar-virtual", "clariostar", kVirtualReader);
  {
    assay::testing::MemoryRunContext failing(*reader);
    failing.fail_progress = true;
    CHECK_THROWS_WITH(failing.run(plate_read(), demo_job()), Catch::Contains("progress (test)"));
  }
  CHECK(reader->state() != InstrumentState::busy);
  assay::testing::MemoryRunContext next(*reader);
  CHECK_NOTHROW(next.run(plate_read(), demo_job()));
  CHECK(next.stored.size() == 16);
}

TEST_CASE("assayd fails a job whose readings cannot be stored and runs the next one on the same reader") {
  assay::testing::HarnessOptions options;
  options.config_toml = assay::testing::readers_only_config(0.02) + R"(
[[instrument]]
name = "clariostar"
driver = "clariostar-virtual"
[instrument.settings]
time_scale = 0.01
default_od = 0.05
)";
  assay::testing::DaemonHarness daemon(options);
  // The first job's readings hit a storage error inside the driver's sink.
  assay::daemon::Database(daemon.state_dir() / "assayd.db").exec(
      "CREATE TRIGGER refuse_first_job BEFORE INSERT ON reading_pages WHEN NEW.job_id = 'J000001' "
      "BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END");
  auto job = assay::testing::example_job("demo_plate_read.json");
  job["instrument"] = "clariostar";
  auto first = daemon.submit(job);
  REQUIRE(first == "J000001");
  auto failed = daemon.wait_for_state(first, "failed");
  INFO(failed.dump() << "\n" << daemon.log_text());
  CHECK(failed["state"] == "failed");
  CHECK(failed["error"]["message"].get<std::string>().find("disk full") != std::string::npos);
  auto second = daemon.submit(job);
  auto done = daemon.wait_for_state(second, "succeeded", std::chrono::seconds(20));
  CHECK(done["state"] == "succeeded");
  CHECK(done["counts"]["readings"] == 16);
}
