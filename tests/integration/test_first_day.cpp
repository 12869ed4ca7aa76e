// A scientist's first day (issue 14): what a new user meets through assayctl and the API of a
// real assayd. Results read in words, every mistake that the job file shows is refused at
// submit with its path, the daemon's errors reach the terminal, exports go back into analyze.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/command.hpp"
#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::example_job;
using assay::testing::run_assayctl;
using assay::testing::run_command;
using nlohmann::json;

namespace {

std::string submit_error(DaemonHarness& daemon, const json& job) {
  auto reply = daemon.request("jobs.submit", {{"job", job}});
  if (reply.value("ok", false)) return "accepted as " + reply["result"]["job_id"].get<std::string>();
  return reply["error"]["code"].get<std::string>() + ": " + reply["error"]["message"].get<std::string>();
}

std::filesystem::path write_file(const DaemonHarness& daemon, const std::string& name, const std::string& text) {
  auto path = daemon.state_dir() / name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("assayctl watch --text tells state changes and the IC50 result in words, JSON lines when piped") {
  DaemonHarness daemon;
  auto id = daemon.submit(example_job("calcium_flux_96.json"));
  auto words = run_assayctl(daemon.ctl_options() + "watch " + id + " --text");
  INFO(words.out);
  REQUIRE(words.exit_code == 0);
  CHECK_THAT(words.out, Catch::Contains(id + " running (attempt 1)"));
  CHECK_THAT(words.out, Catch::Contains(id + " succeeded"));
  CHECK_THAT(words.out, Catch::Contains("calcium flux, 96 wells"));
  CHECK_THAT(words.out, Catch::Contains("Z' "));
  CHECK_THAT(words.out, Catch::Contains("balixafortide: IC50 "));
  CHECK_THAT(words.out, Catch::Contains("(95% CI "));
  CHECK_THAT(words.out, Catch::Contains(" nM)"));
  CHECK_THAT(words.out, !Catch::Contains("{\""));  // no JSON in the words

  // The IC50 object has the keys every assay's summary uses (chemotaxis: test_chemotaxis_job).
  const auto ic50 = daemon.call("results.get", {{"job_id", id}})["summary"]["series"]["balixafortide"]["ic50"];
  INFO(ic50.dump());
  for (const char* key : {"value", "ci_low", "ci_high", "ci_method", "confidence", "unit", "flags", "n"}) CHECK(ic50.contains(key));
  CHECK(ic50["unit"] == "nM");
  CHECK(ic50["ci_method"] == "profile");
  CHECK(ic50["ci_low"].get<double>() < ic50["value"].get<double>());
  // Tidy CSV: one row per well with --kind, the long form kind,key,field,value without.
  auto wells = run_assayctl(daemon.ctl_options() + "results " + id + " --csv --kind well", false);
  REQUIRE(wells.exit_code == 0);
  CHECK_THAT(wells.out, Catch::StartsWith("key,"));
  CHECK_THAT(wells.out, Catch::Contains(",role,"));
  CHECK_THAT(wells.out, Catch::Contains("\nA1,"));
  CHECK(std::count(wells.out.begin(), wells.out.end(), '\n') == 1 + 96);
  auto long_form = run_assayctl(daemon.ctl_options() + "results " + id + " --csv", false);
  REQUIRE(long_form.exit_code == 0);
  CHECK_THAT(long_form.out, Catch::StartsWith("kind,key,field,value\n"));
  CHECK_THAT(long_form.out, Catch::Contains("\nseries,balixafortide,ic50_unit,nM\n"));
  // The simulator's truth is the job's (jobs.get), not a result row.
  const json results = daemon.call("results.get", {{"job_id", id}});  // kept: the loop reads into it
  for (const auto& row : results["rows"]) CHECK(row["kind"] != "truth");
  CHECK(daemon.call("jobs.get", {{"job_id", id}})["truth"].contains("wells"));

  // Piped without --text: one JSON event per line, as before.
  auto lines = run_assayctl(daemon.ctl_options() + "watch " + id, false);
  REQUIRE(lines.exit_code == 0);
  std::istringstream in(lines.out);
  int events = 0;
  for (std::string line; std::getline(in, line); ++events) CHECK_FALSE(json::parse(line, nullptr, false).is_discarded());
  CHECK(events >= 3);

  // The export of the readings goes back into analyze as it is; a 384-well layout on these 96-well
  // readings is said once, not as dozens of flagged wells.
  auto reads = daemon.state_dir() / "reads.csv";
  REQUIRE(run_command(std::string(ASSAY_BIN_DIR) + "/assayctl " + daemon.ctl_options() + "readings " + id + " > " +
                      reads.string()).exit_code == 0);
  auto job96 = write_file(daemon, "job96.json", example_job("calcium_flux_96.json").dump());
  auto job384 = write_file(daemon, "job384.json", example_job("calcium_flux_384.json").dump());
  auto again = run_assayctl("analyze calcium_flux --reads " + reads.string() + " --layout " + job96.string());
  CHECK(again.exit_code == 0);
  auto mismatch = run_assayctl("analyze calcium_flux --reads " + reads.string() + " --layout " + job384.string());
  INFO(mismatch.out);
  CHECK(mismatch.exit_code == 2);
  CHECK_THAT(mismatch.out, Catch::Contains("disagree"));
  CHECK_THAT(mismatch.out, Catch::Contains("layout wells have no readings"));
}

TEST_CASE("assayctl watch --text gives the colonies of every dish of a CFU job") {
  DaemonHarness daemon;
  auto id = daemon.submit(example_job("cfu_dish6.json"));
  auto words = run_assayctl(daemon.ctl_options() + "watch " + id + " --text");
  INFO(words.out);
  REQUIRE(words.exit_code == 0);
  CHECK_THAT(words.out, Catch::Contains("CFU, 6 dishes"));
  for (const char* dish : {"A1 (mPB donor 12): ", "A3 (mPB donor 12): ", "B1 (mPB donor 13): ", "B3 (mPB donor 13): "}) {
    CHECK_THAT(words.out, Catch::Contains(dish));
  }
  CHECK_THAT(words.out, Catch::Contains("per 1e5 cells"));
  // Each donor's replicate dishes give a mean and an SD of their own, not one mean across donors.
  CHECK_THAT(words.out, Catch::Contains("  mPB donor 12: "));
  CHECK_THAT(words.out, Catch::Contains("  mPB donor 13: "));
  CHECK_THAT(words.out, Catch::Contains("colonies per dish (mean ± SD, n 3)"));
  auto summary = daemon.call("results.get", {{"job_id", id}})["summary"];
  REQUIRE(summary["samples"].size() == 2);
  CHECK(summary["samples"][0]["dishes"] == json::array({"A1", "A2", "A3"}));
  CHECK(summary["samples"][0]["sd_cfu_per_1e5_cells"].is_number());

  // The imager stays busy through the job's fields (no `online` in between), and each
  // instrument announced itself once at start.
  auto events = daemon.call("events.since", {{"seq", 0}, {"limit", 10000}})["events"];
  int running_at = -1, ended_at = -1, announcements = 0, idle_while_running = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    const auto topic = e["topic"].get<std::string>();
    if (topic == "job." + id + ".state" && e["state"] == "running") running_at = static_cast<int>(i);
    if (topic == "job." + id + ".state" && e["state"] == "succeeded") ended_at = static_cast<int>(i);
    if (topic == "instrument.sim-imager.state") {
      if (running_at < 0) ++announcements;
      if (running_at >= 0 && ended_at < 0 && e["state"] == "online") ++idle_while_running;
    }
  }
  CHECK(announcements == 1);
  CHECK(idle_while_running == 0);
}

TEST_CASE("what the job file shows is refused at submit with its path and the nearest name") {
  DaemonHarness daemon;
  auto calcium = example_job("calcium_flux_96.json");
  calcium["params"]["interval_s"] = 0.01;
  CHECK_THAT(submit_error(daemon, calcium), Catch::StartsWith("invalid_job: params.interval_s: 0.01 s is below"));

  auto cfu = example_job("cfu_dish6.json");
  cfu["layout"][0]["cells_plated"] = -5;
  CHECK_THAT(submit_error(daemon, cfu), Catch::StartsWith("invalid_job: job.layout[0].cells_plated: must be"));
  cfu["layout"][0]["cells_plated"] = 1.8446744073709552e19;
  CHECK_THAT(submit_error(daemon, cfu), Catch::StartsWith("invalid_job: job.layout[0].cells_plated: must be"));

  cfu = example_job("cfu_dish6.json");
  cfu["layout"][1]["rol"] = "sample";
  CHECK_THAT(submit_error(daemon, cfu), Catch::StartsWith("invalid_job: job.layout[1].rol: unknown key; did you mean `role`?"));
  cfu = example_job("cfu_dish6.json");
  cfu["params"]["tilling"] = "auto";
  CHECK_THAT(submit_error(daemon, cfu), Catch::Contains("params.tilling: unknown key; did you mean `tiling`?"));
  CHECK(daemon.query_int("SELECT COUNT(*) FROM jobs") == 0);
}

TEST_CASE("assayctl shows the daemon's message_too_large for a job file over the limit and exits 2") {
  DaemonHarness daemon;
  auto job = example_job("cfu_dish6.json");
  job["name"] = std::string(1100 * 1024, 'x');
  auto file = write_file(daemon, "huge.json", job.dump());
  auto run = run_assayctl(daemon.ctl_options() + "--timeout-ms 4000 submit " + file.string());
  INFO(run.out);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.out, Catch::Contains("message_too_large"));
}

TEST_CASE("assayctl names what exists: result kinds, assays to analyze, protocols with their instruments") {
  DaemonHarness daemon;
  auto id = daemon.submit(example_job("demo_plate_read.json"));
  daemon.wait_for_state(id, "succeeded");
  auto kind = run_assayctl(daemon.ctl_options() + "results " + id + " --kind serie");
  INFO(kind.out);
  CHECK(kind.exit_code == 1);
  CHECK_THAT(kind.out, Catch::Contains("kind 'serie' is not a result kind; did you mean `series`?"));

  auto analyze = run_assayctl("analyze calcium_flx");
  INFO(analyze.out);
  CHECK(analyze.exit_code == 2);
  CHECK_THAT(analyze.out, Catch::Contains("did you mean `calcium_flux`?"));
  CHECK_THAT(analyze.out, Catch::Contains("chemotaxis"));

  auto protocols = run_assayctl(daemon.ctl_options() + "protocols");
  INFO(protocols.out);
  CHECK(protocols.exit_code == 0);
  CHECK_THAT(protocols.out, Catch::Contains("chemotaxis (plate_reader or imager)"));
  CHECK_THAT(protocols.out, Catch::Contains("calcium_flux (plate_reader)"));
  CHECK_THAT(protocols.out, Catch::Contains("cfu (imager)"));
}
