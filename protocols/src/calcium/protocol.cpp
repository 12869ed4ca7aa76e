#include "assay/protocols/calcium/protocol.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <set>

#include "assay/protocols/calcium/analysis.hpp"
#include "assay/protocols/calcium/results.hpp"
#include "assay/protocols/driver_callbacks.hpp"
#include "calcium/number_text.hpp"

namespace assay::protocols::calcium {
namespace {

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

bool lists(const nlohmann::json& description, const char* key, const char* capability) {
  if (!description.is_object() || !description.contains(key) || !description.at(key).is_array()) return false;
  const auto& list = description.at(key);
  return std::find(list.begin(), list.end(), capability) != list.end();
}

// What the reader says it cannot do, e.g. the CLARIOstar's kinetic reads; empty when it does not
// say (a plugin's reader is then trusted to try).
std::string refusal(const nlohmann::json& description, const char* capability) {
  if (!description.is_object() || !description.contains("unsupported")) return {};
  const auto& unsupported = description.at("unsupported");
  if (!unsupported.is_object() || !unsupported.contains(capability)) return {};
  const auto& why = unsupported.at(capability);
  return why.is_string() ? why.get<std::string>() : "not supported";
}

}  // namespace

AdditionMode addition_mode_on(const CalciumFluxParams& params, const drivers::Instrument& reader) {
  if (params.addition.mode != AdditionMode::reader_default) return params.addition.mode;
  return lists(reader.describe(), "capabilities", "injector") ? AdditionMode::injector : AdditionMode::manual;
}

std::string CalciumFluxProtocol::description() const {
  return "Calcium flux: kinetic fluorescence with agonist injection (or a manual addition the job "
         "waits for); per-well dF/F0 (or max-min, AUC), % inhibition against the plate's controls, "
         "IC50 per compound with 95 % CI, Z'";
}

void CalciumFluxProtocol::validate(const JobSpec& job) const {
  auto params = parse_calcium_flux_params(job.params);
  if (params.addition.time_s || params.addition.baseline_end_s) {
    throw ProtocolError("invalid_params",
                        std::string("params.addition.") + (params.addition.time_s ? "time_s" : "baseline_end_s") +
                            ": is recorded when the job runs (jobs.continue); only `assayctl analyze "
                            "calcium_flux` takes it");
  }
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
  const auto description = instrument.describe();
  if (auto why = refusal(description, "kinetic_fluorescence"); !why.empty()) {
    throw ProtocolError("wrong_instrument",
                        "calcium_flux needs kinetic fluorescence, which " + instrument.name() +
                            " does not offer (" + why +
                            "); run it on a reader that does (docs/instruments.md lists them)");
  }
  if (params.addition.mode == AdditionMode::injector && !lists(description, "capabilities", "injector")) {
    throw ProtocolError("invalid_params",
                        "params.addition.mode: " + instrument.name() +
                            " has no injector; use \"manual\" (the job waits for the agonist to be "
                            "added by hand, then reads the response) or leave params.addition out");
  }
  auto wells = wells_to_read(job.layout, job.plate, params);
  double min_interval = reader->min_kinetic_interval_s(static_cast<int>(wells.size()));
  if (params.interval_s < min_interval) {
    throw ProtocolError("invalid_params",
                        "params.interval_s: " + short_number(params.interval_s) + " s is below " +
                            instrument.name() + "'s minimum of " + short_number(min_interval) + " s for " +
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

  const AdditionMode mode = addition_mode_on(params, instrument);
  params.addition.mode = mode;

  std::vector<drivers::Reading> readings;
  nlohmann::json addition_summary{{"mode", to_string(mode)}};
  if (auto earlier = ctx.completed_earlier(kKineticRead)) {
    readings = std::move(*earlier);
    ctx.log_info("calcium_flux: an earlier attempt finished the kinetic read; analysing its " +
                 std::to_string(readings.size()) + " readings without reading again");
    if (mode == AdditionMode::manual) {
      auto addition = ctx.earlier_addition();
      if (!addition) {
        throw ProtocolError("analysis_error",
                            "an earlier attempt finished the read after a manual addition, but no "
                            "addition time is recorded for it; the readings are stored (assayctl "
                            "readings) for analysis by hand");
      }
      params.addition.time_s = addition->time_s;
      params.addition.baseline_end_s = addition->baseline_end_s;
      addition_summary.update({{"attempt", addition->attempt},
                               {"added_at", addition->added_at},
                               {"time_s", addition->time_s},
                               {"baseline_end_s", addition->baseline_end_s}});
    }
  } else if (mode == AdditionMode::manual) {
    if (auto added = ctx.earlier_addition()) {
      // The agonist is in the wells: a second baseline would be a response.
      throw ProtocolError("addition_made",
                          "attempt " + std::to_string(added->attempt) + " recorded the manual addition at " +
                              added->added_at +
                              " but did not finish the response read (assayd stopped); the agonist is "
                              "in the wells, so this plate cannot be read again. Its readings stay "
                              "stored (assayctl readings); resubmit the job with a fresh plate");
    }
    if (!ctx.earlier_readings().empty()) {
      ctx.log_warning("calcium_flux: an earlier attempt stopped before the addition; the baseline is "
                      "read again and only this attempt's readings are analysed");
    }
    readings = read_with_manual_addition(params, wells, ctx, *reader, addition_summary);
    ctx.acquisition_complete(kKineticRead);
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
  result.summary["addition"].update(addition_summary);
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
