#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <map>

#include "assay/drivers/manual_clock.hpp"
#include "assay/drivers/sim/sim_plate_reader.hpp"
#include "assay/protocols/job_spec.hpp"
#include "calcium/calcium_jobs.hpp"

using namespace assay;
using drivers::Reading;
using drivers::Status;
using drivers::StatusCode;
using nlohmann::json;

namespace {

std::unique_ptr<drivers::sim::SimPlateReader> make_reader(json settings = json::object(),
                                                          drivers::Clock& clock = drivers::real_clock()) {
  if (!settings.contains("time_scale")) settings["time_scale"] = 0.0;
  if (!settings.contains("seed")) settings["seed"] = 42;  // reproducible unless a test says otherwise
  auto parsed = drivers::sim::SimPlateReaderSettings::from_json(settings);
  REQUIRE(parsed.is_ok());
  auto reader = std::make_unique<drivers::sim::SimPlateReader>("sim-reader", parsed.value(), clock);
  REQUIRE(reader->connect().is_ok());
  return reader;
}

drivers::LoadedPlate plate_of(const json& job) {
  return protocols::JobSpec::from_json(job).loaded_plate();
}

// A 96-well plate: column 1 positive controls, column 12 negative, B-G 2..11 one compound at
// concentrations spanning the IC50.
json small_job() {
  json layout = json::array({{{"wells", "A1:H1"}, {"role", "positive_control"}},
                             {{"wells", "A12:H12"}, {"role", "negative_control"}}});
  layout.push_back({{"wells", "B2:B11"}, {"compound", "X"}, {"dilution", {{"top_nM", 5000}, {"factor", 5}}}});
  layout.push_back({{"wells", "C5"}, {"compound", "X"}, {"conc_nM", 5.0}});
  layout.push_back({{"wells", "H6"}, {"role", "blank"}});
  return {{"protocol", "calcium_flux"}, {"instrument", "sim-reader"},
          {"plate", {{"format", "96"}, {"barcode", "P1"}}}, {"layout", layout}};
}

drivers::KineticFluorescencePlan plan(double duration_s = 40.0) {
  drivers::KineticFluorescencePlan p;
  p.interval_s = 1.0;
  p.duration_s = duration_s;
  p.injection = drivers::Injection{10.0, 20.0, "agonist"};
  return p;
}

struct Collected {
  std::vector<Reading> readings;
  std::vector<std::size_t> page_sizes;
  drivers::ReadingSink sink() {
    return [this](std::span<const Reading> page) {
      readings.insert(readings.end(), page.begin(), page.end());
      page_sizes.push_back(page.size());
      return Status::ok();
    };
  }
};

std::map<std::string, std::vector<Reading>> by_well(const std::vector<Reading>& readings) {
  std::map<std::string, std::vector<Reading>> out;
  for (const auto& r : readings) out[r.well].push_back(r);
  return out;
}

double peak_df_f0(const std::vector<Reading>& trace, double injection_s) {
  double f0 = 0, n = 0, fmax = 0;
  for (const auto& r : trace) {
    if (r.time_s < injection_s) f0 += r.value, ++n;
    else fmax = std::max(fmax, r.value);
  }
  f0 /= n;
  return (fmax - f0) / f0;
}

}  // namespace

TEST_CASE("sim reader kinetic read delivers one page per cycle with per-well, uneven timestamps") {
  auto reader = make_reader();
  REQUIRE(reader->load_plate(plate_of(small_job())).is_ok());
  Collected got;
  std::vector<double> progress;
  auto status = reader->read_kinetic_fluorescence(
      plan(), got.sink(), [&](double f, const std::string&) { progress.push_back(f); }, {});
  REQUIRE(status.is_ok());
  const std::size_t wells = plate_of(small_job()).wells.size();
  for (auto size : got.page_sizes) CHECK(size == wells);
  CHECK(got.readings.front().channel == "fl494-516");
  REQUIRE(progress.size() == got.page_sizes.size() + 1);
  CHECK(progress.back() == Approx(1.0));

  // Within a cycle every well has its own time; cycles after the injection come faster.
  std::map<int, std::vector<double>> cycle_times;
  for (const auto& r : got.readings) cycle_times[r.cycle].push_back(r.time_s);
  CHECK(cycle_times[0].front() < cycle_times[0].back());
  std::vector<double> starts;
  for (auto& [cycle, times] : cycle_times) starts.push_back(times.front());
  std::vector<double> gaps;
  for (std::size_t i = 1; i < starts.size(); ++i) gaps.push_back(starts[i] - starts[i - 1]);
  double min_gap = *std::min_element(gaps.begin(), gaps.end());
  double max_gap = *std::max_element(gaps.begin(), gaps.end());
  CHECK(min_gap < 0.8);
  CHECK(max_gap == Approx(1.0).margin(0.01));
  CHECK(starts.back() < 40.0);
}

TEST_CASE("sim reader transient amplitude falls with antagonist concentration along the true IC50") {
  auto reader = make_reader({{"noise_percent", 0.5}, {"amplitude_cv_percent", 0.0}, {"true_ic50_nM", 5.0}});
  REQUIRE(reader->load_plate(plate_of(small_job())).is_ok());
  Collected got;
  REQUIRE(reader->read_kinetic_fluorescence(plan(), got.sink(), {}, {}).is_ok());
  auto wells = by_well(got.readings);
  double control = peak_df_f0(wells["A1"], 10.0);
  double at_ic50 = peak_df_f0(wells["C5"], 10.0);  // 5 nM
  double high = peak_df_f0(wells["B2"], 10.0);     // 5000 nM
  double unstimulated = peak_df_f0(wells["A12"], 10.0);
  CHECK(control == Approx(1.6).epsilon(0.1));
  CHECK(at_ic50 / control == Approx(0.5).margin(0.06));
  CHECK(high < 0.1);
  CHECK(unstimulated < 0.1);
  // Blank wells hold no cells: a flat, dim trace.
  CHECK(wells["H6"].front().value < 1500);
}

TEST_CASE("sim reader truth names the IC50, per-compound overrides and per-well expected response") {
  auto job = small_job();
  job["simulation"] = {{"compounds", {{"X", {{"true_ic50_nM", 20.0}}}}}};
  auto reader = make_reader({{"true_ic50_nM", 5.0}});
  REQUIRE(reader->load_plate(plate_of(job)).is_ok());
  auto truth = reader->truth();
  CHECK(truth["pharmacology"]["calcium"]["ic50_nM"] == 5.0);
  CHECK(truth["pharmacology"]["compounds"]["X"]["calcium"]["ic50_nM"] == 20.0);
  CHECK(truth["wells"]["C5"]["expected_fraction"].get<double>() == Approx(0.8));  // 5 nM vs 20 nM
  CHECK(truth["wells"]["A12"]["expected_fraction"].get<double>() == 0.0);
  CHECK(truth["wells"]["A1"]["expected_fraction"].get<double>() == 1.0);
}

TEST_CASE("sim reader finishes and delivers the current cycle when stopped, then reports cancelled") {
  auto reader = make_reader();
  REQUIRE(reader->load_plate(plate_of(small_job())).is_ok());
  std::stop_source stop;
  Collected got;
  auto sink = [&](std::span<const Reading> page) {
    got.readings.insert(got.readings.end(), page.begin(), page.end());
    got.page_sizes.push_back(page.size());
    if (got.page_sizes.size() == 5) stop.request_stop();
    return Status::ok();
  };
  auto status = reader->read_kinetic_fluorescence(plan(), sink, {}, stop.get_token());
  CHECK(status.code() == StatusCode::cancelled);
  CHECK(got.page_sizes.size() == 5);
  CHECK(got.readings.size() == 5 * got.page_sizes.front());
  CHECK(reader->state() == drivers::InstrumentState::online);
}

TEST_CASE("sim reader takes time scaled by time_scale and stops within a step when asked") {
  // Device time on a ManualClock: exact, and no real waiting.
  drivers::ManualClock clock;
  auto reader = make_reader({{"time_scale", 0.01}}, clock);
  REQUIRE(reader->load_plate(plate_of(small_job())).is_ok());
  Collected got;
  REQUIRE(reader->read_kinetic_fluorescence(plan(), got.sink(), {}, {}).is_ok());
  // 40 s of device time at 1/100: the read waits out its last interval, which ends at or just
  // after 40 s (the injection shifts the cycles by a fraction of an interval).
  const double scaled_s = std::chrono::duration<double>(clock.elapsed()).count();
  CHECK(scaled_s >= 0.40);
  CHECK(scaled_s <= 0.41);
  CHECK(got.readings.back().time_s < 40.0);

  // In real time, stopped 150 ms into the read: it ends within the step it is in (the
  // sleep that the stop interrupts), with what it read so far delivered.
  drivers::ManualClock real_time;
  auto slow = make_reader({{"time_scale", 1.0}}, real_time);
  REQUIRE(slow->load_plate(plate_of(small_job())).is_ok());
  std::stop_source stop;
  real_time.after(std::chrono::milliseconds(150), [&] { stop.request_stop(); });
  Collected partial;
  auto status = slow->read_kinetic_fluorescence(plan(), partial.sink(), {}, stop.get_token());
  CHECK(status.code() == StatusCode::cancelled);
  CHECK(real_time.elapsed() == std::chrono::milliseconds(150));  // the wait it was in ends at once
  REQUIRE(!partial.readings.empty());
  CHECK(partial.readings.back().time_s < 0.150);
  CHECK(partial.readings.back().cycle == 0);  // the first cycle completed, the second never began
}

TEST_CASE("sim reader fails on demand after the configured number of readings") {
  auto reader = make_reader({{"fail_after_readings", 50}});
  REQUIRE(reader->load_plate(plate_of(small_job())).is_ok());
  Collected got;
  auto status = reader->read_kinetic_fluorescence(plan(), got.sink(), {}, {});
  CHECK(status.code() == StatusCode::device_error);
  CHECK(status.message().find("fail_after_readings") != std::string::npos);
  CHECK(got.readings.size() == 50);
  CHECK(reader->state() == drivers::InstrumentState::error);
  CHECK(reader->read_kinetic_fluorescence(plan(), got.sink(), {}, {}).code() == StatusCode::device_error);
  REQUIRE(reader->connect().is_ok());

  auto unplugged = make_reader({{"fail_after_readings", 0}, {"fail_mode", "disconnected"}});
  REQUIRE(unplugged->load_plate(plate_of(small_job())).is_ok());
  CHECK(unplugged->read_kinetic_fluorescence(plan(), got.sink(), {}, {}).code() ==
        StatusCode::disconnected);
  CHECK(unplugged->state() == drivers::InstrumentState::offline);
}

TEST_CASE("sim reader refuses an interval below its minimum, an injection after the end and wells off the plate") {
  auto reader = make_reader();
  REQUIRE(reader->load_plate(plate_of(small_job())).is_ok());
  Collected got;
  auto fast = plan();
  fast.interval_s = 0.01;
  auto status = reader->read_kinetic_fluorescence(fast, got.sink(), {}, {});
  CHECK(status.code() == StatusCode::invalid_argument);
  CHECK(status.message().find("minimum") != std::string::npos);
  auto late = plan(20.0);
  late.injection->time_s = 25.0;
  status = reader->read_kinetic_fluorescence(late, got.sink(), {}, {});
  CHECK(status.code() == StatusCode::invalid_argument);
  CHECK(status.message().find("outside the read") != std::string::npos);
  auto off = plan();
  off.wells = {"A1", "J1"};
  status = reader->read_kinetic_fluorescence(off, got.sink(), {}, {});
  CHECK(status.code() == StatusCode::invalid_argument);
  CHECK(status.message().find("'J1'") != std::string::npos);
  CHECK(got.readings.empty());
  CHECK(reader->min_kinetic_interval_s(1536) > reader->min_kinetic_interval_s(96));
}

TEST_CASE("sim reader settings with an unknown key or a wrong type are refused naming the key") {
  auto unknown = drivers::sim::SimPlateReaderSettings::from_json({{"noise_pct", 3}});
  REQUIRE_FALSE(unknown.is_ok());
  CHECK(unknown.status().message().find("'noise_pct'") != std::string::npos);
  auto wrong = drivers::sim::SimPlateReaderSettings::from_json({{"time_scale", "fast"}});
  REQUIRE_FALSE(wrong.is_ok());
  CHECK(wrong.status().message().find("'time_scale'") != std::string::npos);
}

TEST_CASE("sim reader saturates bright wells, drops listed reads and dips artefact wells") {
  auto job = small_job();
  job["simulation"] = {{"bright_wells", {"A2"}}, {"artefact_wells", {"A3"}},
                       {"dropped_reads", {{"A4", {2, 3}}}}};
  job["layout"].push_back({{"wells", "A2:A4"}, {"role", "positive_control"}});
  auto reader = make_reader();
  REQUIRE(reader->load_plate(plate_of(job)).is_ok());
  Collected got;
  REQUIRE(reader->read_kinetic_fluorescence(plan(), got.sink(), {}, {}).is_ok());
  auto wells = by_well(got.readings);
  bool saturated = std::any_of(wells["A2"].begin(), wells["A2"].end(),
                               [](const Reading& r) { return r.saturated && r.value == 65535.0; });
  CHECK(saturated);
  CHECK(wells["A4"].size() + 2 == wells["A1"].size());
  double f0 = wells["A3"].front().value;
  double first_after = 0;
  for (const auto& r : wells["A3"]) {
    if (r.time_s >= 10.0) { first_after = r.value; break; }
  }
  CHECK(first_after < 0.75 * f0);
}

TEST_CASE("sim reader absorbance: blanks give the blank OD, chemokine-free inserts migrate ~4.5x less") {
  json layout = json::array({{{"wells", "A1:A3"}, {"role", "positive_control"}},
                             {{"wells", "B1:B3"}, {"role", "negative_control"}},
                             {{"wells", "C1:C2"}, {"role", "blank"}},
                             {{"wells", "D1"}, {"compound", "X"}, {"conc_nM", 12.0}}});
  json job{{"protocol", "chemotaxis"}, {"instrument", "sim-reader"},
           {"plate", {{"format", "transwell-24"}, {"barcode", "T1"}}}, {"layout", layout}};
  auto reader = make_reader({{"od_noise_percent", 0.0}, {"migration_ic50_nM", 12.0}});
  REQUIRE(reader->load_plate(plate_of(job)).is_ok());
  Collected got;
  drivers::AbsorbancePlan p;
  p.wavelengths_nm = {590, 450};
  REQUIRE(reader->read_absorbance(p, got.sink(), {}, {}).is_ok());
  REQUIRE(got.page_sizes.size() == 2);
  std::map<std::string, double> od;
  for (const auto& r : got.readings) {
    if (r.channel == "abs590") od[r.well] = r.value;
  }
  CHECK(od["C1"] == Approx(0.045).margin(0.008));
  double index = (od["A1"] - 0.045) / (od["B1"] - 0.045);
  CHECK(index == Approx(4.5).epsilon(0.1));
  // At the migration IC50 half of the chemokine-driven migration is left.
  double expected_d1 = (od["B1"] - 0.045) + 0.5 * ((od["A1"] - 0.045) - (od["B1"] - 0.045));
  CHECK(od["D1"] - 0.045 == Approx(expected_d1).epsilon(0.06));
  CHECK(reader->truth()["wells"]["A1"]["expected_od"].get<double>() == Approx(od["A1"]).epsilon(0.1));
}

TEST_CASE("sim reader: each run draws new noise unless the job's simulation.seed fixes it, the truth names the seed") {
  // No configured seed, as the shipped config.
  auto parsed = drivers::sim::SimPlateReaderSettings::from_json({{"time_scale", 0.0}});
  REQUIRE(parsed.is_ok());
  drivers::sim::SimPlateReader reader("sim-reader", parsed.value());
  REQUIRE(reader.connect().is_ok());
  auto run = [&](const json& job) {
    REQUIRE(reader.load_plate(plate_of(job)).is_ok());
    Collected got;
    REQUIRE(reader.read_kinetic_fluorescence(plan(20.0), got.sink(), {}, {}).is_ok());
    std::vector<double> values;
    for (const auto& r : got.readings) values.push_back(r.value);
    return std::pair{values, reader.truth().at("seed").get<std::uint64_t>()};
  };
  const auto [first, first_seed] = run(small_job());
  const auto [second, second_seed] = run(small_job());
  CHECK(first_seed != second_seed);
  CHECK(first != second);
  REQUIRE(first.size() == second.size());

  // The seed a run reports repeats it exactly.
  json repeat = small_job();
  repeat["simulation"] = {{"seed", first_seed}};
  const auto [again, again_seed] = run(repeat);
  CHECK(again_seed == first_seed);
  CHECK(again == first);

  // A configured seed fixes every run (a rig that must repeat itself); the job's still wins.
  auto fixed = drivers::sim::SimPlateReaderSettings::from_json({{"time_scale", 0.0}, {"seed", 5}});
  REQUIRE(fixed.is_ok());
  drivers::sim::SimPlateReader rig("sim-reader", fixed.value());
  REQUIRE(rig.connect().is_ok());
  REQUIRE(rig.load_plate(plate_of(small_job())).is_ok());
  CHECK(rig.truth().at("seed") == 5);
  REQUIRE(rig.load_plate(plate_of(repeat)).is_ok());
  CHECK(rig.truth().at("seed") == first_seed);
}
