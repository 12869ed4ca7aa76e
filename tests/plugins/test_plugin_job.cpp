// The example plugin inside the real assayd: loaded from [plugins] directories at start, its
// protocol listed over the API and used by a job on the simulated plate reader; an unsafe plugin
// file next to it is refused with a log line while the daemon keeps serving.
#include <catch2/catch.hpp>

#include <csignal>
#include <regex>
#include <thread>

#include "plugin_test_support.hpp"
#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using nlohmann::json;

namespace {

std::string config_with_plugin_dir(const std::filesystem::path& dir, double time_scale = 0.01) {
  auto text = assay::testing::default_config_with_time_scale(time_scale);
  auto with_dir = std::regex_replace(text, std::regex(R"(\[plugins\]\s*\ndirectories = \[\])"),
                                     "[plugins]\ndirectories = [\"" + dir.string() + "\"]");
  REQUIRE(with_dir != text);  // the embedded default still has an empty plugin list
  // Only the plate reader is needed; the simulated imager's settings are not this test's concern.
  return std::regex_replace(with_dir,
                            std::regex(R"(\[\[instrument\]\]\s*\nname = "sim-imager"[\s\S]*?(?=\n\[\[|$))"),
                            "");
}

}  // namespace

TEST_CASE("assayd loads the example plugin at start and runs a viability job with it") {
  plugin_test::PluginDir dir;
  dir.add(plugin_test::built_plugin("viability.so"));
  dir.add(plugin_test::test_plugin("test_driver_plugin.so"), 0646);  // writable by others
  assay::testing::HarnessOptions options;
  options.config_toml = config_with_plugin_dir(dir.path());
  DaemonHarness daemon(options);

  auto protocols = daemon.call("protocols.list")["protocols"];
  bool listed = false;
  for (const auto& p : protocols) listed = listed || p["name"] == "viability_endpoint";
  CHECK(listed);
  auto log = daemon.log_text();
  CHECK_THAT(log, Catch::Contains("plugin viability 1.0.0 loaded"));
  CHECK_THAT(log, Catch::Contains("test_driver_plugin.so refused") &&
                      Catch::Contains("is writable by others"));

  json job = {{"protocol", "viability_endpoint"},
              {"instrument", "sim-reader"},
              {"plate", {{"format", "96"}, {"barcode", "VIAB-1"}}},
              {"layout", json::array({{{"wells", "A1:C8"}, {"compound", "plerixafor"},
                                       {"dilution", {{"top_nM", 10000}, {"factor", 3}}}},
                                      {{"wells", "A12:D12"}, {"role", "positive_control"}},
                                      {{"wells", "E12:H12"}, {"role", "negative_control"}}})},
              {"params", {{"readout", "resazurin"}}}};
  auto id = daemon.submit(job);
  auto done = daemon.wait_for_state(id, "succeeded", std::chrono::seconds(60));
  INFO(done.dump(2));
  REQUIRE(done["state"] == "succeeded");
  auto results = daemon.call("results.get", {{"job_id", id}});
  CHECK(results["summary"]["channel"] == "fl560-590");
  CHECK(results["summary"]["compounds"].contains("plerixafor"));
  auto db = daemon.open_database();
  auto count = db.prepare("SELECT COUNT(*) FROM readings WHERE job_id = ?");
  count.bind(1, id);
  REQUIRE(count.step());
  CHECK(count.column_int(0) == 32);
}

TEST_CASE("SIGHUP loads a new plugin while jobs start and run, and both old and new protocols serve") {
  plugin_test::PluginDir dir;
  assay::testing::HarnessOptions options;
  options.config_toml = config_with_plugin_dir(dir.path(), 0.05);
  DaemonHarness daemon(options);
  // Jobs keep starting (each looks its protocol up) while the reloads swap the registry.
  std::vector<std::string> jobs;
  for (int i = 0; i < 6; ++i) jobs.push_back(daemon.submit(assay::testing::example_job("demo_plate_read.json")));
  dir.add(plugin_test::built_plugin("viability.so"));
  bool listed = false;
  for (int i = 0; i < 100 && !listed; ++i) {
    if (i % 10 == 0) daemon.send_signal(SIGHUP);
    auto protocols = daemon.call("protocols.list");
    for (const auto& p : protocols["protocols"]) listed = listed || p["name"] == "viability_endpoint";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(daemon.log_text());
  REQUIRE(listed);
  for (const auto& id : jobs) CHECK(daemon.wait_for_state(id, "succeeded")["state"] == "succeeded");

  json job = {{"protocol", "viability_endpoint"},
              {"instrument", "sim-reader"},
              {"plate", {{"format", "96"}, {"barcode", "VIAB-2"}}},
              {"layout", json::array({{{"wells", "A1:C8"}, {"compound", "plerixafor"},
                                       {"dilution", {{"top_nM", 10000}, {"factor", 3}}}},
                                      {{"wells", "A12:D12"}, {"role", "positive_control"}},
                                      {{"wells", "E12:H12"}, {"role", "negative_control"}}})},
              {"params", {{"readout", "resazurin"}}}};
  auto id = daemon.submit(job);
  CHECK(daemon.wait_for_state(id, "succeeded")["state"] == "succeeded");
}
