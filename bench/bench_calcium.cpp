// Calcium-flux analysis of a full 1536-well kinetic plate (180 time points) end to end: traces,
// per-well metrics and flags, normalisation, 32 dose-response fits (44 points each), Z', result
// rows. The readings come from the simulated reader once, outside the timed loop.
//
//   build/bin/bench_calcium [--benchmark_repetitions=5]
#include <benchmark/benchmark.h>

#include "assay/protocols/calcium/analysis.hpp"
#include "assay/protocols/calcium/results.hpp"
#include "calcium_plate_1536.hpp"

namespace {

using namespace assay;

const bench::CalciumPlate1536& plate() {
  static const bench::CalciumPlate1536 data = bench::make_calcium_plate_1536();
  return data;
}

void BM_CalciumFlux1536Analysis(benchmark::State& state) {
  const auto& p = plate();
  std::size_t usable = 0;
  for (auto _ : state) {
    auto analysis = protocols::calcium::analyze_calcium_flux(p.readings, p.spec.layout, p.params);
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
