// A 384-well calcium-flux job through the real assayd over ZeroMQ: readings in SQLite, events in
// order, the fitted IC50s containing the simulator's truth, and the offline CLI agreeing.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>

#include "support/command.hpp"
#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::example_job;
using nlohmann::json;

namespace {

// Only the simulated plate reader: this test needs no imager.
assay::testing::HarnessOptions reader_only() {
  assay::testing::HarnessOptions options;
  options.config_toml = assay::testing::readers_only_config(0.02);
  return options;
}

}  // namespace

TEST_CASE("a 384-well calcium flux job runs through assayd: readings stored, events in order, IC50 CIs hold the truth") {
  DaemonHarness daemon(reader_only());
  auto events = daemon.subscribe("job.");
  auto job_json = example_job("calcium_flux_384.json");
  // The simulator's noise is seeded by its seed and the plate barcode: fixed, so repeatable.
  job_json["plate"]["barcode"] = "CA-384-IT";
  auto id = daemon.submit(job_json);
  auto job = daemon.wait_for_state(id, "succeeded", std::chrono::seconds(120));
  REQUIRE(job["state"] == "succeeded");

  // Every kinetic reading is in SQLite, whole cycles of 384 wells.
  std::int64_t stored = 0;
  {
    auto db = daemon.open_database();
    auto count = db.prepare("SELECT COUNT(*) FROM readings WHERE job_id = ?");
    count.bind(1, id);
    REQUIRE(count.step());
    stored = count.column_int(0);
  }
  CHECK(stored > 0);
  CHECK(stored % 384 == 0);

  // The subscriber saw every reading page, then the result, then success; seq always rising.
  std::int64_t last_seq = 0, readings_seen = 0;
  bool result_seen = false, reading_after_result = false, succeeded = false;
  while (auto event = DaemonHarness::next_event(events, std::chrono::seconds(5))) {
    CHECK((*event)["seq"].get<std::int64_t>() > last_seq);
    last_seq = (*event)["seq"];
    auto topic = (*event)["topic"].get<std::string>();
    if (topic == "job." + id + ".reading") {
      readings_seen += static_cast<std::int64_t>((*event)["rows"].size());
      if (result_seen) reading_after_result = true;
    } else if (topic == "job." + id + ".result") {
      result_seen = true;
    } else if (topic == "job." + id + ".state" && (*event)["state"] == "succeeded") {
      succeeded = true;
      break;
    }
  }
  CHECK(result_seen);
  CHECK(succeeded);
  CHECK_FALSE(reading_after_result);
  CHECK(readings_seen == stored);

  auto results = daemon.call("results.get", {{"job_id", id}});
  const auto& summary = results["summary"];
  CHECK(summary["readings_used"].get<std::int64_t>() == stored);
  CHECK(summary["qc"]["pass"] == true);
  CHECK(summary["qc"]["z_prime"].get<double>() >= 0.5);
  const std::map<std::string, double> truth{{"balixafortide", 5.0}, {"plerixafor", 60.0},
                                            {"motixafortide", 1.0}};
  CHECK(summary["simulation_truth"]["pharmacology"]["calcium"]["ic50_nM"] == 5.0);
  for (const auto& [compound, ic50] : truth) {
    const auto* row = assay::testing::find_result_row(results["rows"], "series", compound);
    REQUIRE(row != nullptr);
    INFO(compound << " " << (*row)["value"].dump());
    CHECK((*row)["value"]["ci95"]["ic50"][0].get<double>() < ic50);
    CHECK((*row)["value"]["ci95"]["ic50"][1].get<double>() > ic50);
  }
  for (const auto& figure : summary["figures"]) {
    CHECK(std::filesystem::exists(figure.get<std::string>()));
  }

  // The readings exported from SQLite, analysed offline by assayctl, give the same rows.
  auto dir = daemon.state_dir() / "offline";
  std::filesystem::create_directories(dir);
  {
    std::ofstream csv(dir / "reads.csv");
    csv << "well,channel,cycle,time_s,value,saturated\n";
    auto db = daemon.open_database();
    auto rows = db.prepare(
        "SELECT well, channel, cycle, time_s, value, saturated FROM readings WHERE job_id = ? "
        "ORDER BY id");
    rows.bind(1, id);
    char line[256];
    while (rows.step()) {
      std::snprintf(line, sizeof line, "%s,%s,%lld,%.17g,%.17g,%lld\n",
                    rows.column_text(0).c_str(), rows.column_text(1).c_str(),
                    static_cast<long long>(rows.column_int(2)), rows.column_double(3),
                    rows.column_double(4), static_cast<long long>(rows.column_int(5)));
      csv << line;
    }
    std::ofstream(dir / "job.json") << job_json.dump();
  }
  auto offline_run = assay::testing::run_assayctl("analyze calcium_flux --reads " +
                                (dir / "reads.csv").string() + " --layout " +
                                (dir / "job.json").string() + " --json", false);
  REQUIRE(offline_run.exit_code == 0);
  auto offline = json::parse(offline_run.out);
  std::size_t compared = 0;
  for (const auto& row : results["rows"]) {
    if (row["kind"] == "truth") continue;
    const auto* other = assay::testing::find_result_row(offline["rows"], row["kind"], row["key"]);
    REQUIRE(other != nullptr);
    CHECK((*other)["value"] == row["value"]);
    ++compared;
  }
  CHECK(compared == 384 + 3 + 1);
}
