// The `chemotaxis` protocol: a transwell migration assay read by absorbance (eluted crystal
// violet on a plate reader) or by imaging (stained cells counted per field on an imager).
//
// validate() parses the params and checks the layout (controls, replicates, blanks, field
// offsets) before anything moves. run() loads the plate, acquires (absorbance: one endpoint read
// of every well, reusing readings stored by an interrupted earlier attempt; imaging: every field
// of every non-blank insert, each image stored, counted and its overlay kept under
// job_dir()/overlays), then analyses with the same pure functions `assayctl analyze chemotaxis`
// uses and writes dose_response.svg (and contact_sheet.png for imaging) under job_dir().
// The instrument must match the readout: a plate reader for absorbance, an imager for imaging.
// Stateless: one instance serves any number of jobs on any threads.
#pragma once

#include "assay/protocols/protocol.hpp"

namespace assay::protocols::chemotaxis {

class ChemotaxisProtocol final : public Protocol {
 public:
  std::string name() const override { return "chemotaxis"; }
  std::string description() const override;
  // The default readout's instrument; with params.readout "imaging" the job needs an imager.
  drivers::InstrumentKind instrument_kind() const override { return drivers::InstrumentKind::plate_reader; }
  // Imager for params.readout "imaging", plate reader otherwise (bad params: validate() says so).
  drivers::InstrumentKind instrument_kind_for(const JobSpec& job) const override;
  // Absorbance on a plate reader, imaging on an imager.
  std::vector<drivers::InstrumentKind> instrument_kinds() const override {
    return {drivers::InstrumentKind::plate_reader, drivers::InstrumentKind::imager};
  }
  void validate(const JobSpec& job) const override;
  AssayResult run(const JobSpec& job, RunContext& ctx) const override;
};

}  // namespace assay::protocols::chemotaxis
