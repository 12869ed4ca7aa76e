// Calcium-flux analysis of a full 1536-well kinetic plate (180 time points) end to end: traces,
// per-well metrics and flags, normalisation, 32 dose-response fits (44 points each), Z', result
// rows. The readings come from the simulated reader once, outside the timed loop.
//
//   build/bin/bench_calcium [--benchmark_repetitions=5]
#include <benchmark/benchmark.h>

#include <iostream>

#include "assay/drivers/sim/sim_plate_reader.hpp"
#include "assay/protocols/calcium/analysis.hpp"
#include "assay/protocols/calcium/protocol.hpp"
#include "assay/protocols/calcium/results.hpp"
#include "assay/protocols/job_spec.hpp"

namespace {

using namespace assay;
using nlohmann::json;

struct Plate1536 {
  protocols::JobSpec job;
  protocols::calcium::CalciumFluxParams params;
  std::vector<drivers::Reading> readings;
};

const Plate1536& plate() {
  static const Plate1536 data = [] {
    json layout = json::array({{{"wells", "A1:AF2"}, {"role", "positive_control"}},
                               {{"wells", "A47:AF48"}, {"role", "negative_control"}}});
    for (int row = 0; row < 32; ++row) {
      std::string r = row < 26 ? std::string(1, static_cast<char>('A' + row))
                               : "A" + std::string(1, static_cast<char>('A' + row - 26));
      layout.push_back({{"wells", r + "3:" + r + "46"},
                        {"compound", "cmpd-" + std::to_string(row + 1)},
                        {"dilution", {{"top_nM", 10000}, {"factor", 2}, {"replicates", 2}}}});
    }
    json job{{"protocol", "calcium_flux"}, {"instrument", "sim-reader"},
             {"plate", {{"format", "1536"}, {"barcode", "BENCH-1536"}}}, {"layout", layout},
             {"params", {{"interval_s", 1.0}, {"baseline_s", 15.0}, {"injection", {{"time_s", 15.0}}},
                         {"duration_s", 180.0}}}};
    Plate1536 out{protocols::JobSpec::from_json(job), {}, {}};
    out.params = protocols::calcium::parse_calcium_flux_params(out.job.params);
    auto settings = drivers::sim::SimPlateReaderSettings::from_json(
        {{"time_scale", 0.0}, {"fast_interval_factor", 1.0}, {"seed", 42}});
    drivers::sim::SimPlateReader reader("sim-reader", settings.value());
    (void)reader.connect();
    (void)reader.load_plate(out.job.loaded_plate());
    auto plan = protocols::calcium::kinetic_plan(out.params, {});
    auto status = reader.read_kinetic_fluorescence(
        plan,
        [&](std::span<const drivers::Reading> page) {
          out.readings.insert(out.readings.end(), page.begin(), page.end());
          return drivers::Status::ok();
        },
        {}, {});
    if (!status) {
      std::cerr << "simulated read failed: " << status.to_string() << "\n";
      std::exit(1);
    }
    return out;
  }();
  return data;
}

void BM_CalciumFlux1536Analysis(benchmark::State& state) {
  const auto& p = plate();
  std::size_t usable = 0;
  for (auto _ : state) {
    auto analysis = protocols::calcium::analyze_calcium_flux(p.readings, p.job.layout, p.params);
    auto result = protocols::calcium::to_assay_result(analysis, p.params);
    usable = 0;
    for (const auto& s : analysis.series) usable += s.fit.usable() ? 1 : 0;
    benchmark::DoNotOptimize(result);
  }
  state.counters["wells"] = 1536;
  state.counters["readings"] = static_cast<double>(p.readings.size());
  state.counters["time_points"] = static_cast<double>(p.readings.size()) / 1536.0;
  state.counters["fits"] = 32;
  state.counters["usable_fits"] = static_cast<double>(usable);
}
BENCHMARK(BM_CalciumFlux1536Analysis)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
