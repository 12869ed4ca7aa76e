// Calcium flux without an injector, through the real assayd over ZeroMQ and SQLite: the job
// reads its baseline, waits (`waiting`, with its message and event) for a person to add the
// agonist, and reads the response as soon as jobs.continue arrives; the analysis splits baseline
// and response at the recorded addition time. Timeout, cancel, continue on a job that is not
// waiting, and a restart while waiting.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>

#include <unistd.h>

#include "calcium/calcium_jobs.hpp"
#include "support/command.hpp"
#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The default simulated reader (with an injector) and one without.
assay::testing::HarnessOptions two_readers() {
  assay::testing::HarnessOptions options;
  options.config_toml = assay::testing::readers_only_config(0.02) + R"(
[[instrument]]
name = "manual-reader"
driver = "sim-plate-reader"
[instrument.settings]
time_scale = 0.02
true_ic50_nM = 5.0
injector = false
)";
  return options;
}

// The 384-well job without an injection time (the addition is made by hand) on `instrument`.
json manual_job(const std::string& instrument, const std::string& barcode, json addition = nullptr) {
  auto job = assay::testing::calcium_job_384(barcode);
  job["instrument"] = instrument;
  job["params"]["injection"].erase("time_s");
  if (!addition.is_null()) job["params"]["addition"] = addition;
  job["simulation"]["seed"] = 4242;
  return job;
}

// Polls jobs.get until the job shows `state` (any state, unlike wait_for_state's terminal stop).
json wait_until_state(DaemonHarness& daemon, const std::string& id, const std::string& state,
                      std::chrono::milliseconds timeout = 60s) {
  auto until = std::chrono::steady_clock::now() + timeout;
  json job;
  while (std::chrono::steady_clock::now() < until) {
    job = daemon.call("jobs.get", {{"job_id", id}});
    if (job["state"] == state) return job;
    std::this_thread::sleep_for(20ms);
  }
  FAIL("job " << id << " never became " << state << ": " << job.dump() << "\n" << daemon.log_text());
  return job;
}

double ic50_of(const json& results, const std::string& compound) {
  const auto* row = assay::testing::find_result_row(results["rows"], "series", compound);
  REQUIRE(row != nullptr);
  return (*row)["value"]["ic50"].get<double>();
}

}  // namespace

TEST_CASE("a calcium flux job on a reader without an injector waits for the addition, then continue starts the response read and the analysis aligns to the recorded time") {
  DaemonHarness daemon(two_readers());
  auto events = daemon.subscribe("job.");

  // The reference: the same plate and seed on the reader with an injector.
  auto injected_job = assay::testing::calcium_job_384("CA-MANUAL");
  injected_job["simulation"]["seed"] = 4242;
  auto injected_id = daemon.submit(injected_job);
  REQUIRE(daemon.wait_for_state(injected_id, "succeeded", 120s)["state"] == "succeeded");
  auto injected = daemon.call("results.get", {{"job_id", injected_id}});
  CHECK(injected["summary"]["addition"]["mode"] == "injector");

  // No `addition` in the job: the reader has no injector, so the job waits for a person.
  auto id = daemon.submit(manual_job("manual-reader", "CA-MANUAL"));
  auto waiting = wait_until_state(daemon, id, "waiting");
  const std::string message = waiting["message"];
  CHECK(message.find("CXCL12 100 nM") != std::string::npos);
  CHECK(message.find("384 wells") != std::string::npos);
  CHECK(waiting["addition"]["message"] == message);
  CHECK(waiting["addition"]["added_at"].is_null());
  // The baseline (15 s at 1 s intervals) is stored before the wait.
  const auto baseline = waiting["counts"]["readings"].get<std::int64_t>();
  CHECK(baseline >= 15 * 384);
  // The instrument stays reserved for the waiting job.
  auto instruments = daemon.call("instruments.list");
  for (const auto& instrument : instruments["instruments"]) {
    if (instrument["name"] == "manual-reader") CHECK(instrument["running_job"] == id);
  }
  // `assayctl jobs` shows what to do.
  auto listed = assay::testing::run_assayctl(daemon.ctl_options() + "jobs");
  CHECK(listed.out.find("waiting for: " + message) != std::string::npos);
  CHECK(listed.out.find("assayctl continue " + id) != std::string::npos);

  // A late press: the addition is whenever the person says, not a planned time.
  std::this_thread::sleep_for(1500ms);
  auto continued = assay::testing::run_assayctl(daemon.ctl_options() + "continue " + id);
  INFO(continued.out);
  REQUIRE(continued.exit_code == 0);
  CHECK(continued.out.find(id + " running (addition recorded at ") != std::string::npos);
  auto done = daemon.wait_for_state(id, "succeeded", 120s);
  INFO(done.dump() << "\n" << daemon.log_text());
  REQUIRE(done["state"] == "succeeded");

  // The addition is stored with the job and used by the analysis.
  const auto& addition = done["addition"];
  REQUIRE(addition["added_at"].is_string());
  const double added_s = addition["time_s"].get<double>();
  CHECK(added_s >= addition["baseline_end_s"].get<double>() + 1.4);  // the 1.5 s wait is on the clock
  auto results = daemon.call("results.get", {{"job_id", id}});
  const auto& summary = results["summary"];
  CHECK(summary["addition"]["mode"] == "manual");
  CHECK(summary["addition"]["time_s"].get<double>() == Approx(added_s));
  CHECK(summary["addition"]["added_at"] == addition["added_at"]);
  // The response read started within a second of the continue.
  CHECK(summary["addition"]["response_read_delay_s"].get<double>() < 1.0);
  CHECK(summary["qc"]["pass"] == true);

  // Every response reading lies after the addition, every baseline reading before; the peaks of
  // the positive controls come a few seconds after the addition, not at the planned 15 s.
  auto db = daemon.open_database();
  auto split = db.prepare(
      "SELECT SUM(time_s < ?2), SUM(time_s >= ?2), MIN(cycle), MAX(cycle) FROM readings WHERE job_id = ?1");
  split.bind(1, id).bind(2, added_s);
  REQUIRE(split.step());
  CHECK(split.column_int(0) == baseline);
  CHECK(split.column_int(1) > 0);
  int peaks = 0;
  for (const auto& row : results["rows"]) {
    if (row["kind"] != "well" || row["value"]["role"] != "positive_control") continue;
    double peak = row["value"]["peak_time_s"].get<double>();
    CHECK(peak > added_s);
    CHECK(peak < added_s + 30.0);
    CHECK(row["value"]["baseline_frames"].get<int>() >= 14);
    ++peaks;
  }
  CHECK(peaks == 32);  // A1:P2

  // The analysis is split at the recorded addition: the stored readings analysed offline with the
  // recorded addition give the daemon's rows exactly; with the addition put 20 s later they do not.
  auto dir = daemon.state_dir() / "offline";
  std::filesystem::create_directories(dir);
  {
    std::ofstream csv(dir / "reads.csv");
    csv << "well,channel,cycle,time_s,value,saturated\n";
    auto rows = db.prepare("SELECT well, channel, cycle, time_s, value, saturated FROM readings WHERE job_id = ? ORDER BY id");
    rows.bind(1, id);
    char line[256];
    while (rows.step()) {
      std::snprintf(line, sizeof line, "%s,%s,%lld,%.17g,%.17g,%lld\n", rows.column_text(0).c_str(),
                    rows.column_text(1).c_str(), static_cast<long long>(rows.column_int(2)),
                    rows.column_double(3), rows.column_double(4), static_cast<long long>(rows.column_int(5)));
      csv << line;
    }
  }
  auto offline_rows = [&](double time_s) {
    auto job = manual_job("manual-reader", "CA-MANUAL");
    job["params"]["addition"] = {{"mode", "manual"},
                                 {"time_s", time_s},
                                 {"baseline_end_s", addition["baseline_end_s"]}};
    job["params"]["analysis"] = {{"figures", false}};
    std::ofstream(dir / "job.json") << job.dump();
    auto run = assay::testing::run_assayctl("analyze calcium_flux --reads " + (dir / "reads.csv").string() +
                                                " --layout " + (dir / "job.json").string() + " --json",
                                            false);
    REQUIRE(run.exit_code == 0);
    return json::parse(run.out)["rows"];
  };
  auto same = offline_rows(added_s);
  auto shifted = offline_rows(added_s + 20.0);
  std::size_t equal = 0, moved = 0;
  for (const auto& row : results["rows"]) {
    if (row["kind"] != "well") continue;
    const auto* a = assay::testing::find_result_row(same, "well", row["key"]);
    const auto* b = assay::testing::find_result_row(shifted, "well", row["key"]);
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    equal += (*a)["value"]["response"] == row["value"]["response"] ? 1 : 0;
    moved += (*b)["value"]["response"] != row["value"]["response"] ? 1 : 0;
  }
  CHECK(equal == 384);
  CHECK(moved > 300);

  // The same IC50s as the injector run, within the fits' noise.
  for (const char* compound : {"balixafortide", "plerixafor", "motixafortide"}) {
    double manual = ic50_of(results, compound), reference = ic50_of(injected, compound);
    INFO(compound << ": manual " << manual << " nM, injector " << reference << " nM");
    CHECK(std::abs(std::log10(manual / reference)) < std::log10(1.5));
  }

  // The events: waiting with the message, then running again with the addition time.
  bool saw_waiting = false, saw_resumed = false;
  while (auto event = DaemonHarness::next_event(events, 2s)) {
    if ((*event)["topic"] != "job." + id + ".state") continue;
    if ((*event)["state"] == "waiting") {
      saw_waiting = true;
      CHECK((*event)["message"] == message);
      CHECK((*event)["timeout_s"] == 600);
    }
    if ((*event)["state"] == "running" && (*event).value("after", "") == "waiting") {
      saw_resumed = true;
      CHECK((*event)["added_at"] == addition["added_at"]);
    }
    if ((*event)["state"] == "succeeded") break;
  }
  CHECK(saw_waiting);
  CHECK(saw_resumed);
}

TEST_CASE("a job waiting for an addition fails clearly when nobody continues it in time, and frees the reader") {
  DaemonHarness daemon(two_readers());
  auto id = daemon.submit(manual_job("manual-reader", "CA-TIMEOUT",
                                     {{"mode", "manual"}, {"message", "add CXCL12 to columns 1-24"}, {"timeout_s", 1}}));
  auto done = daemon.wait_for_state(id, "failed", 60s);
  INFO(done.dump());
  REQUIRE(done["state"] == "failed");
  CHECK(done["error"]["code"] == "addition_timeout");
  const std::string error = done["error"]["message"];
  CHECK(error.find("timeout_s (1 s)") != std::string::npos);
  CHECK(error.find("add CXCL12 to columns 1-24") != std::string::npos);
  CHECK(error.find("assayctl continue") != std::string::npos);
  CHECK(done["counts"]["readings"].get<std::int64_t>() >= 15 * 384);  // the baseline stays stored
  // A late continue is refused with the state, and the reader takes the next job.
  auto late = daemon.request("jobs.continue", {{"job_id", id}});
  CHECK(late["error"]["code"] == "invalid_state");
  CHECK(late["error"]["message"].get<std::string>().find("is failed") != std::string::npos);
  auto next = daemon.submit(manual_job("manual-reader", "CA-NEXT", {{"mode", "manual"}, {"timeout_s", 60}}));
  wait_until_state(daemon, next, "waiting");
  daemon.call("jobs.continue", {{"job_id", next}});
  CHECK(daemon.wait_for_state(next, "succeeded", 120s)["state"] == "succeeded");
}

TEST_CASE("a job waiting for an addition can be cancelled, and continue is refused on jobs that are not waiting") {
  DaemonHarness daemon(two_readers());
  auto missing = daemon.request("jobs.continue", {{"job_id", "J999999"}});
  CHECK(missing["error"]["code"] == "not_found");

  // An injector job first, so that the next job on the same reader is queued behind it.
  auto injected_id = daemon.submit(assay::testing::calcium_job_384("CA-INJ"));
  // The default reader has an injector; this job asks for a manual addition anyway.
  auto id = daemon.submit(manual_job("sim-reader", "CA-CANCEL", {{"mode", "manual"}}));
  auto early = daemon.request("jobs.continue", {{"job_id", id}});
  REQUIRE_FALSE(early["ok"].get<bool>());
  CHECK(early["error"]["code"] == "invalid_state");
  CHECK(early["error"]["message"].get<std::string>().find("job " + id + " is queued, not waiting for an addition") !=
        std::string::npos);
  REQUIRE(daemon.wait_for_state(injected_id, "succeeded", 120s)["state"] == "succeeded");

  wait_until_state(daemon, id, "waiting");
  auto cancelled = daemon.call("jobs.cancel", {{"job_id", id}});
  CHECK(cancelled["state"] == "cancelling");
  auto done = daemon.wait_for_state(id, "cancelled", 10s);
  CHECK(done["state"] == "cancelled");
  auto after = daemon.request("jobs.continue", {{"job_id", id}});
  CHECK(after["error"]["code"] == "invalid_state");
  CHECK(after["error"]["message"].get<std::string>().find("job " + id + " is cancelled") != std::string::npos);

  // A finished job of the injector reader was never waiting.
  auto refused = assay::testing::run_assayctl(daemon.ctl_options() + "continue " + injected_id);
  CHECK(refused.exit_code != 0);
  CHECK(refused.out.find("is succeeded, not waiting for an addition") != std::string::npos);
}

TEST_CASE("a job waiting for an addition when assayd stops resumes by reading a fresh baseline and waiting again, keeping the first baseline") {
  const bool crash = GENERATE(false, true);
  INFO((crash ? "SIGKILL" : "SIGTERM"));
  auto options = two_readers();
  // A directory of our own: a harness deletes the temporary one it made when it ends.
  auto dir = std::filesystem::temp_directory_path() /
             ("assayd-waiting-restart-" + std::to_string(::getpid()) + (crash ? "-kill" : "-term"));
  std::filesystem::remove_all(dir);
  std::string id;
  std::int64_t first_baseline = 0;
  {
    DaemonHarness daemon(dir, options);
    id = daemon.submit(manual_job("manual-reader", "CA-RESTART"));
    auto waiting = wait_until_state(daemon, id, "waiting");
    first_baseline = waiting["counts"]["readings"];
    if (crash) {
      daemon.kill_hard();
    } else {
      CHECK(daemon.stop() == 0);
    }
  }
  DaemonHarness again(dir, options);
  auto waiting = wait_until_state(again, id, "waiting");
  CHECK(waiting["attempts"] == 2);
  CHECK(waiting["addition"]["attempt"] == 2);
  CHECK(again.query_int("SELECT COUNT(*) FROM readings WHERE job_id = '" + id + "' AND attempt = 1") ==
        first_baseline);
  again.call("jobs.continue", {{"job_id", id}});
  auto done = again.wait_for_state(id, "succeeded", 120s);
  INFO(done.dump() << "\n" << again.log_text());
  REQUIRE(done["state"] == "succeeded");
  auto results = again.call("results.get", {{"job_id", id}});
  CHECK(results["summary"]["addition"]["attempt"] == 2);
  CHECK(results["summary"]["qc"]["pass"] == true);
  // The first attempt's baseline is still stored beside the second attempt's readings.
  CHECK(again.query_int("SELECT COUNT(*) FROM readings WHERE job_id = '" + id + "' AND attempt = 1") ==
        first_baseline);
  again.stop();
  std::filesystem::remove_all(dir);
}

TEST_CASE("a job that asks for the injector on a reader without one is refused at submit") {
  DaemonHarness daemon(two_readers());
  auto job = assay::testing::calcium_job_384("CA-NOINJ");
  job["instrument"] = "manual-reader";
  job["params"]["addition"] = {{"mode", "injector"}};
  auto reply = daemon.request("jobs.submit", {{"job", job}});
  CHECK(reply["error"]["code"] == "invalid_job");
  CHECK(reply["error"]["message"].get<std::string>().find("manual-reader has no injector") != std::string::npos);
  // A recorded addition time is not the submitter's to give.
  auto recorded = manual_job("manual-reader", "CA-REC", {{"mode", "manual"}, {"time_s", 20}});
  reply = daemon.request("jobs.submit", {{"job", recorded}});
  CHECK(reply["error"]["code"] == "invalid_job");
  CHECK(reply["error"]["message"].get<std::string>().find("params.addition.time_s") != std::string::npos);
}
