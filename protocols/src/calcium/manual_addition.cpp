// calcium_flux with a manual addition: baseline read, wait for the person, response read.
//
// The two reads are one experiment on one clock: the baseline's readings keep their times; the
// wait is counted on the daemon's clock from the end of the baseline read to the moment
// jobs.continue arrived (the addition); the response read starts right after and its readings
// are moved to (addition + the delay before the read + the device's own time). Their cycles
// follow the baseline's, so no two readings of a well share a cycle.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "assay/protocols/calcium/protocol.hpp"
#include "assay/protocols/driver_callbacks.hpp"
#include "calcium/number_text.hpp"

namespace assay::protocols::calcium {
namespace {

std::chrono::seconds read_bound(const CalciumFluxParams& params) {
  // One cycle per interval: a long interval is no stall (device seconds bound real ones).
  return std::chrono::seconds(static_cast<long>(std::max(300.0, 3 * params.interval_s + 60)));
}

}  // namespace

std::vector<drivers::Reading> read_with_manual_addition(CalciumFluxParams& params,
                                                        const std::vector<std::string>& wells,
                                                        RunContext& ctx, drivers::PlateReader& reader,
                                                        nlohmann::json& summary) {
  const auto& name = ctx.instrument().name();
  std::vector<drivers::Reading> readings;
  readings.reserve(wells.size() * static_cast<std::size_t>(params.duration_s / params.interval_s + 16));

  // 1. Baseline: a kinetic read of baseline_s without injection.
  auto baseline_plan = kinetic_plan(params, wells);
  baseline_plan.injection.reset();
  baseline_plan.duration_s = params.baseline_s;
  const double baseline_share = params.baseline_s / params.duration_s;
  {
    DriverCallbacks callbacks(ctx.stop());
    auto sink = callbacks.sink([&](std::span<const drivers::Reading> page) {
      ctx.store_readings(page);
      readings.insert(readings.end(), page.begin(), page.end());
    });
    auto progress = callbacks.progress([&](double fraction, const std::string& message) {
      ctx.progress(0.95 * baseline_share * fraction, "baseline: " + message);
    });
    ctx.expect_step_within(read_bound(params), "the baseline read");
    auto status = reader.read_kinetic_fluorescence(baseline_plan, sink, progress, callbacks.stop());
    callbacks.check(status, "the baseline read on " + name);
  }
  double baseline_end_s = params.baseline_s;
  int next_cycle = 0;
  for (const auto& r : readings) {
    baseline_end_s = std::max(baseline_end_s, r.time_s);
    next_cycle = std::max(next_cycle, r.cycle + 1);
  }

  // 2. The wait: the job shows `waiting` with the message until the person continues it.
  AdditionRequest request;
  request.message = params.addition.message.empty()
                        ? "add " + params.injection.reagent + " (" + short_number(params.injection.volume_uL) +
                              " uL per well) to the " + std::to_string(wells.size()) +
                              " wells being read, then continue the job"
                        : params.addition.message;
  request.timeout = std::chrono::seconds(static_cast<long>(std::ceil(params.addition.timeout_s)));
  request.baseline_end_s = baseline_end_s;
  ctx.progress(0.95 * baseline_share, "waiting for the addition: " + request.message);
  const AdditionRecord addition = ctx.wait_for_addition(request);

  // 3. The response, read at once for the rest of duration_s. The plan tells a simulator when
  // the agonist went in; a real reader ignores that (the cells respond on their own).
  auto response_plan = kinetic_plan(params, wells);
  response_plan.injection.reset();
  response_plan.duration_s = std::max(params.interval_s, params.duration_s - params.baseline_s);
  ctx.expect_step_within(read_bound(params), "the response read");
  const double delay_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - addition.added).count();
  response_plan.added_before_s = delay_s;
  const double offset_s = addition.time_s + delay_s;
  {
    DriverCallbacks callbacks(ctx.stop());
    std::vector<drivers::Reading> moved;
    auto sink = callbacks.sink([&](std::span<const drivers::Reading> page) {
      moved.assign(page.begin(), page.end());
      for (auto& r : moved) {
        r.cycle += next_cycle;
        r.time_s += offset_s;
      }
      ctx.store_readings(moved);
      readings.insert(readings.end(), moved.begin(), moved.end());
    });
    auto progress = callbacks.progress([&](double fraction, const std::string& message) {
      ctx.progress(0.95 * (baseline_share + (1.0 - baseline_share) * fraction), "response: " + message);
    });
    auto status = reader.read_kinetic_fluorescence(response_plan, sink, progress, callbacks.stop());
    callbacks.check(status, "the response read on " + name);
  }

  params.addition.time_s = addition.time_s;
  params.addition.baseline_end_s = baseline_end_s;
  summary.update({{"attempt", addition.attempt},
                  {"message", request.message},
                  {"added_at", addition.added_at},
                  {"time_s", addition.time_s},
                  {"baseline_end_s", baseline_end_s},
                  {"waited_s", addition.waited_s},
                  {"response_read_delay_s", delay_s}});
  return readings;
}

}  // namespace assay::protocols::calcium
