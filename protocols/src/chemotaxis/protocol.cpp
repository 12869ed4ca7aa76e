#include "assay/protocols/chemotaxis/protocol.hpp"

#include "acquire.hpp"
#include "assay/protocols/chemotaxis/absorbance.hpp"
#include "assay/protocols/chemotaxis/analysis.hpp"
#include "assay/protocols/chemotaxis/results.hpp"
#include "assay/protocols/chemotaxis/validate.hpp"

namespace assay::protocols::chemotaxis {
namespace {

template <class Device>
Device& instrument_for(RunContext& ctx, const char* readout, const char* needed) {
  auto* device = dynamic_cast<Device*>(&ctx.instrument());
  if (!device) {
    throw ProtocolError("invalid_params", std::string("params.readout \"") + readout + "\" needs " + needed +
                                              "; instrument " + ctx.instrument().name() + " is a " +
                                              drivers::to_string(ctx.instrument().kind()));
  }
  return *device;
}

AssayResult run_absorbance(const JobSpec& job, const ChemotaxisParams& params, RunContext& ctx,
                           ChemotaxisAnalysis& analysis) {
  auto& reader = instrument_for<drivers::PlateReader>(ctx, "absorbance", "a plate reader");
  auto readings = acquire_absorbance(job, params, reader, ctx);
  ctx.progress(0.92, "analysing " + std::to_string(readings.size()) + " absorbance readings");
  auto absorbance = absorbance_inserts(job.layout, readings, params.absorbance);
  for (const auto& flag : absorbance.flags) ctx.log_warning("absorbance: " + flag);
  auto unit = "OD" + std::to_string(params.absorbance.wavelength_nm) +
              (absorbance.blank_subtracted ? " (blank-subtracted)" : "");
  analysis = analyze_chemotaxis(job.layout, absorbance.inserts, params.analysis, unit);
  return chemotaxis_result(job.layout, params, analysis, &absorbance, {});
}

AssayResult run_imaging(const JobSpec& job, const ChemotaxisParams& params, RunContext& ctx,
                        ChemotaxisAnalysis& analysis) {
  auto& imager = instrument_for<drivers::Imager>(ctx, "imaging", "an imager");
  auto imaged = acquire_fields(job, params, imager, ctx);
  ctx.progress(0.92, "analysing " + std::to_string(imaged.fields.size()) + " counted fields");
  for (const auto& field : imaged.fields) {
    for (const auto& flag : field.flags) {
      if (flag == kFlagPixelSizeMismatch) {
        ctx.log_warning("field " + field_key(field.well, field.field) + ": pixel size " +
                        std::to_string(*field.pixel_size_um) + " um is not the expected one (flagged)");
      }
    }
  }
  auto inserts = combine_field_counts(job.layout, imaged.fields, params.imaging, params.imaging.fields.size());
  auto n = std::to_string(params.imaging.fields.size());
  auto unit = params.imaging.combine == FieldCombine::sum ? "cells per insert (sum of " + n + " fields)"
                                                          : "cells per field (mean of " + n + " fields)";
  analysis = analyze_chemotaxis(job.layout, inserts, params.analysis, unit);
  auto result = chemotaxis_result(job.layout, params, analysis, nullptr, imaged.fields);
  auto sheet = ctx.job_dir() / "contact_sheet.jpg";
  try {
    write_contact_sheet(sheet, imaged.tiles);
    result.figures.push_back(sheet);
  } catch (const std::exception& e) {
    ctx.log_warning(std::string("contact sheet not written: ") + e.what());
  }
  return result;
}

}  // namespace

std::string ChemotaxisProtocol::description() const {
  return "Transwell chemotaxis: migration toward a chemokine through membrane inserts, read by "
         "crystal-violet absorbance or stained-cell counts per field; chemotactic index, % "
         "inhibition and antagonist IC50";
}

drivers::InstrumentKind ChemotaxisProtocol::instrument_kind_for(const JobSpec& job) const {
  bool imaging = job.params.is_object() && job.params.contains("readout") &&
                 job.params.at("readout") == "imaging";
  return imaging ? drivers::InstrumentKind::imager : drivers::InstrumentKind::plate_reader;
}

void ChemotaxisProtocol::validate(const JobSpec& job) const {
  auto params = parse_chemotaxis_params(job.params);
  validate_chemotaxis_layout(job.layout, job.plate, params);
}

AssayResult ChemotaxisProtocol::run(const JobSpec& job, RunContext& ctx) const {
  auto params = parse_chemotaxis_params(job.params);
  validate_chemotaxis_layout(job.layout, job.plate, params);
  auto& instrument = ctx.instrument();

  ChemotaxisAnalysis analysis;
  auto result = params.readout == Readout::absorbance ? run_absorbance(job, params, ctx, analysis)
                                                      : run_imaging(job, params, ctx, analysis);
  if (!analysis.series.empty()) {
    try {
      auto svg = ctx.job_dir() / "dose_response.svg";
      write_migration_figure(analysis, svg);
      result.figures.insert(result.figures.begin(), svg);
    } catch (const std::exception& e) {
      ctx.log_warning(std::string("dose-response figure not written: ") + e.what());
    }
  }
  for (const auto& flag : analysis.flags) ctx.log_warning("chemotaxis: " + flag);
  if (auto truth = instrument.truth(); !truth.is_null()) result.summary["simulation_truth"] = truth;
  ctx.progress(1.0, "chemotaxis analysed");
  return result;
}

}  // namespace assay::protocols::chemotaxis
