#include "assay/protocols/calcium/protocol.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <set>

#include "assay/protocols/calcium/analysis.hpp"
#include "assay/protocols/calcium/results.hpp"
#include "assay/protocols/driver_callbacks.hpp"

namespace assay::protocols::calcium {
namespace {

std::string fmt(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", v);
  return buffer;
}

// A kinetic read with injection cannot be resumed part-way (the agonist is in the wells), so it
// counts only when one attempt read it to the end: that attempt's readings alone are analysed.
const char* const kKineticRead = "kinetic read";

// Every planned well must have readings in the read analysed; cycles the device dropped inside a
// finished read are the device's (the analysis reports them), not a resume gap.
void require_every_well(const std::vector<drivers::Reading>& readings, const std::string& channel,
                        const std::vector<std::string>& wells) {
  std::set<std::string> read;
  for (const auto& r : readings) {
    if (r.channel == channel) read.insert(r.well);
  }
  std::vector<std::string> missing;
  for (const auto& well : wells) {
    if (!read.count(well)) missing.push_back(well);
  }
  if (missing.empty()) return;
  std::string names;
  for (std::size_t i = 0; i < missing.size() && i < 12; ++i) names += (i ? ", " : "") + missing[i];
  if (missing.size() > 12) names += ", ...";
  throw ProtocolError("incomplete_read", "the kinetic read has no " + channel + " readings for " +
                                             std::to_string(missing.size()) + " of " +
                                             std::to_string(wells.size()) + " planned wells: " + names);
}

}  // namespace

std::string CalciumFluxProtocol::description() const {
  return "Calcium flux: kinetic fluorescence with agonist injection; per-well dF/F0 (or max-min, "
         "AUC), % inhibition against the plate's controls, IC50 per compound with 95 % CI, Z'";
}

void CalciumFluxProtocol::validate(const JobSpec& job) const {
  auto params = parse_calcium_flux_params(job.params);
  validate_calcium_layout(job.layout, job.plate, params);
}

void CalciumFluxProtocol::validate_on(const JobSpec& job, const drivers::Instrument& instrument) const {
  auto params = parse_calcium_flux_params(job.params);
  const auto* reader = dynamic_cast<const drivers::PlateReader*>(&instrument);
  if (reader == nullptr) {
    throw ProtocolError("wrong_instrument", "calcium_flux needs a plate reader; instrument '" +
                                                instrument.name() + "' is a " +
                                                drivers::to_string(instrument.kind()));
  }
  auto wells = wells_to_read(job.layout, job.plate, params);
  double min_interval = reader->min_kinetic_interval_s(static_cast<int>(wells.size()));
  if (params.interval_s < min_interval) {
    throw ProtocolError("invalid_params",
                        "params.interval_s: " + fmt(params.interval_s) + " s is below " +
                            instrument.name() + "'s minimum of " + fmt(min_interval) + " s for " +
                            std::to_string(wells.size()) +
                            " wells; lengthen the interval or read fewer wells");
  }
}

AssayResult CalciumFluxProtocol::run(const JobSpec& job, RunContext& ctx) const {
  auto params = parse_calcium_flux_params(job.params);
  validate_calcium_layout(job.layout, job.plate, params);
  auto& instrument = ctx.instrument();
  auto* reader = &ctx.require_instrument<drivers::PlateReader>();
  validate_on(job, instrument);
  auto wells = wells_to_read(job.layout, job.plate, params);

  std::vector<drivers::Reading> readings;
  if (auto earlier = ctx.completed_earlier(kKineticRead)) {
    readings = std::move(*earlier);
    ctx.log_info("calcium_flux: an earlier attempt finished the kinetic read; analysing its " +
                 std::to_string(readings.size()) + " readings without reading again");
  } else {
    if (!ctx.earlier_readings().empty()) {
      ctx.log_warning("calcium_flux: no earlier attempt finished the kinetic read; the plate is read "
                      "again and only this attempt's readings are analysed (an injected plate may "
                      "respond less the second time)");
    }
    readings.reserve(wells.size() * static_cast<std::size_t>(params.duration_s / params.interval_s + 16));
    DriverCallbacks callbacks(ctx.stop());
    auto sink = callbacks.sink([&](std::span<const drivers::Reading> page) {
      ctx.store_readings(page);
      readings.insert(readings.end(), page.begin(), page.end());
    });
    auto progress = callbacks.progress([&](double fraction, const std::string& message) {
      ctx.progress(0.95 * fraction, message);
    });
    // One cycle per interval: a long interval is no stall (device seconds bound real ones).
    ctx.expect_step_within(std::chrono::seconds(static_cast<long>(std::max(300.0, 3 * params.interval_s + 60))),
                           "the kinetic read");
    auto status = reader->read_kinetic_fluorescence(kinetic_plan(params, wells), sink, progress,
                                                    callbacks.stop());
    callbacks.check(status, "the kinetic read on " + instrument.name());
    ctx.acquisition_complete(kKineticRead);
  }
  require_every_well(readings, params.channel(), wells);

  ctx.progress(0.96, "analysing " + std::to_string(readings.size()) + " readings");
  auto analysis = analyze_calcium_flux(readings, job.layout, params);
  auto result = to_assay_result(analysis, params);
  if (params.analysis.figures) {
    try {
      result.figures = write_calcium_figures(analysis, readings, job.layout, job.plate, params,
                                             ctx.job_dir());
    } catch (const std::exception& e) {
      ctx.log_warning(std::string("calcium_flux figures not written: ") + e.what());
    }
  }
  for (const auto& warning : analysis.warnings) ctx.log_warning("calcium_flux: " + warning);
  if (auto truth = instrument.truth(); !truth.is_null()) {
    // The simulator's truth: its pharmacology in the summary; the per-well expectations stay out
    // of the result rows (they are no result) and are in the job's `truth` (jobs.get).
    truth.erase("wells");
    result.summary["simulation_truth"] = std::move(truth);
  }
  ctx.progress(1.0, "calcium flux analysed");
  return result;
}

}  // namespace assay::protocols::calcium
