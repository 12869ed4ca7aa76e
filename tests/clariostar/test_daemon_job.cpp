// The whole daemon runs a plate_read job on a "clariostar-virtual" instrument: the job goes
// through the real CLARIOstar driver, framing, retries and OD decoding, over the scripted
// transport, and the readings land in SQLite.
#include <catch2/catch.hpp>

#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::HarnessOptions;
using assay::testing::example_job;
using nlohmann::json;

TEST_CASE("assayd runs an absorbance job on the virtual CLARIOstar through the real driver") {
  HarnessOptions options;
  options.config_toml = assay::testing::readers_only_config(0.02) + R"(
[[instrument]]
name = "clariostar"
driver = "clariostar-virtual"
[instrument.settings]
time_scale = 0.01
default_od = 0.05
well_od = { A1 = 1.25, B8 = 2.5 }
drop_bytes_every = 7
)";
  DaemonHarness daemon(options);
  auto job = example_job("demo_plate_read.json");
  job["instrument"] = "clariostar";
  auto id = daemon.submit(job);
  auto done = daemon.wait_for_state(id, "succeeded");
  INFO(done.dump() << "\n" << daemon.log_text());
  REQUIRE(done["state"] == "succeeded");
  CHECK(done["counts"]["readings"] == 16);

  auto db = daemon.open_database();
  auto statement = db.prepare("SELECT well, channel, value, saturated FROM readings WHERE job_id = ?1 ORDER BY id");
  statement.bind(1, id);
  std::map<std::string, double> od;
  while (statement.step()) {
    CHECK(statement.column_text(1) == "abs590");
    CHECK(statement.column_int(3) == 0);
    od[statement.column_text(0)] = statement.column_double(2);
  }
  REQUIRE(od.size() == 16);
  // The virtual plate's OD is set at 600 nm and scales as 600/nm.
  CHECK(od["A1"] == Approx(1.25 * 600.0 / 590.0).margin(0.001));
  CHECK(od["B8"] == Approx(2.5 * 600.0 / 590.0).margin(0.001));
  CHECK(od["A2"] == Approx(0.05 * 600.0 / 590.0).margin(0.001));
}

TEST_CASE("a calcium flux job on the CLARIOstar is refused at submit, naming what the real traffic does not establish") {
  HarnessOptions options;
  options.config_toml = assay::testing::readers_only_config(0.02) + R"(
[[instrument]]
name = "clariostar"
driver = "clariostar-virtual"
[instrument.settings]
time_scale = 0.01
)";
  DaemonHarness daemon(options);
  for (const json& addition : {json(nullptr), json{{"mode", "manual"}}}) {
    auto job = example_job("calcium_flux_96.json");
    job["instrument"] = "clariostar";
    if (!addition.is_null()) {
      job["params"]["addition"] = addition;
      job["params"]["injection"].erase("time_s");
    }
    auto reply = daemon.request("jobs.submit", {{"job", job}});
    INFO(reply.dump());
    REQUIRE_FALSE(reply["ok"].get<bool>());
    CHECK(reply["error"]["code"] == "invalid_job");
    const auto message = reply["error"]["message"].get<std::string>();
    CHECK(message.find("calcium_flux needs kinetic fluorescence, which clariostar does not offer") != std::string::npos);
    CHECK(message.find("no kinetic fluorescence run was ever captured") != std::string::npos);
  }
  CHECK(daemon.query_int("SELECT COUNT(*) FROM jobs") == 0);
}
