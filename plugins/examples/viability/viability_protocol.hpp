// The `viability_endpoint` protocol: a cytotoxicity counter-screen on any plate reader.
//
// Reads one endpoint per well (resazurin fluorescence, or MTT absorbance with a reference
// wavelength), scales it between the untreated and dead controls and fits a CC50 per compound.
// Run next to a chemotaxis or calcium assay it shows whether an "inhibition" is the compound
// killing the cells. Stateless; run() executes on the instrument's worker thread.
#pragma once

#include "assay/protocols/protocol.hpp"

namespace assay::plugins::viability {

class ViabilityProtocol final : public protocols::Protocol {
 public:
  std::string name() const override { return "viability_endpoint"; }
  std::string description() const override;
  drivers::InstrumentKind instrument_kind() const override {
    return drivers::InstrumentKind::plate_reader;
  }
  void validate(const protocols::JobSpec& job) const override;
  protocols::AssayResult run(const protocols::JobSpec& job,
                             protocols::RunContext& ctx) const override;
};

}  // namespace assay::plugins::viability
