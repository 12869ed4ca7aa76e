// The shipped config draws new noise for every simulated run; a job repeats a run exactly with
// the seed its provenance names.
#include <catch2/catch.hpp>

#include "assay/daemon/config.hpp"
#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::example_job;
using nlohmann::json;

namespace {

struct Run {
  std::uint64_t seed = 0;
  std::vector<double> values;
};

Run run(DaemonHarness& daemon, const json& job) {
  const auto id = daemon.submit(job);
  REQUIRE(daemon.wait_for_state(id, "succeeded")["state"] == "succeeded");
  Run out;
  const auto summary = daemon.call("results.get", {{"job_id", id}})["summary"];
  REQUIRE(summary["provenance"]["simulation_seed"].is_number_unsigned());
  out.seed = summary["provenance"]["simulation_seed"].get<std::uint64_t>();
  CHECK(daemon.call("jobs.get", {{"job_id", id}})["truth"]["seed"] == out.seed);
  const auto readings = daemon.call("readings.get", {{"job_id", id}});  // held: rows of a temporary dangle
  for (const auto& row : readings["rows"]) out.values.push_back(row[5].get<double>());
  return out;
}

}  // namespace

TEST_CASE("each simulated run draws new noise unless the job sets simulation.seed, named in its provenance") {
  assay::testing::HarnessOptions options;
  options.config_toml = assay::daemon::default_config_toml();  // as shipped: no seed configured
  DaemonHarness daemon(options);
  const auto job = example_job("demo_plate_read.json");
  const auto first = run(daemon, job);
  const auto second = run(daemon, job);
  CHECK(first.seed != second.seed);
  REQUIRE(first.values.size() == 16);
  REQUIRE(second.values.size() == 16);
  CHECK(first.values != second.values);

  auto repeat = job;
  repeat["simulation"] = {{"seed", first.seed}};
  const auto again = run(daemon, repeat);
  CHECK(again.seed == first.seed);
  CHECK(again.values == first.values);

  // A seed that is not a whole number >= 0 is refused at submit with its path.
  repeat["simulation"]["seed"] = -3;
  auto refused = daemon.request("jobs.submit", {{"job", repeat}});
  REQUIRE_FALSE(refused["ok"].get<bool>());
  CHECK(refused["error"]["code"] == "invalid_job");
  CHECK_THAT(refused["error"]["message"].get<std::string>(), Catch::Contains("simulation.seed"));
}
