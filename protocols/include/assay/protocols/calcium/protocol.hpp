// The `calcium_flux` protocol: a kinetic fluorescence read with agonist injection on a plate
// reader (or a baseline read, a wait for a manual addition and a response read), analysed into per-well responses, % inhibition, per-compound IC50 fits and Z'.
//
// validate() checks the parameters and the layout against the plate before anything moves
// (see validate_calcium_layout); validate_on() (at submit) and run() check the interval against
// the reader's minimum; run() stores every cycle through ctx.store_readings() as it arrives, and analyses
// exactly the readings it stored. Stateless: one instance serves every worker thread.
#pragma once

#include "assay/protocols/calcium/params.hpp"
#include "assay/protocols/protocol.hpp"

namespace assay::protocols::calcium {

// Throws ProtocolError("invalid_params") naming the well or key: params.wells outside the plate,
// layout wells the read would skip, compound series without positive/negative controls (when
// normalising to controls), series with too few concentrations, a layout with nothing to read.
void validate_calcium_layout(const PlateLayout& layout, const PlateFormat& plate,
                             const CalciumFluxParams& params);

// The wells the reader reads: params.wells (canonical names) or every layout well.
std::vector<std::string> wells_to_read(const PlateLayout& layout, const PlateFormat& plate,
                                       const CalciumFluxParams& params);

drivers::KineticFluorescencePlan kinetic_plan(const CalciumFluxParams& params,
                                              std::vector<std::string> wells);

// The addition mode a job runs with on `reader`: params.addition.mode, or for reader_default
// the injector when the reader lists one among its capabilities (describe()), manual otherwise.
AdditionMode addition_mode_on(const CalciumFluxParams& params, const drivers::Instrument& reader);

// A manual addition: reads the baseline (baseline_s), waits for the person (ctx.wait_for_addition),
// then reads the response at once for the rest of duration_s. Stores every page as it arrives,
// with the response's cycles and times moved onto one clock after the baseline's (seconds since
// the baseline read began), and sets params.addition.time_s / baseline_end_s from the recorded
// addition. Returns the readings; fills `summary` with what was recorded.
std::vector<drivers::Reading> read_with_manual_addition(CalciumFluxParams& params,
                                                        const std::vector<std::string>& wells,
                                                        RunContext& ctx, drivers::PlateReader& reader,
                                                        nlohmann::json& summary);

class CalciumFluxProtocol final : public Protocol {
 public:
  std::string name() const override { return "calcium_flux"; }
  std::string description() const override;
  drivers::InstrumentKind instrument_kind() const override {
    return drivers::InstrumentKind::plate_reader;
  }
  void validate(const JobSpec& job) const override;
  // The interval against the reader's fastest cycle for the wells read.
  void validate_on(const JobSpec& job, const drivers::Instrument& instrument) const override;
  AssayResult run(const JobSpec& job, RunContext& ctx) const override;
};

}  // namespace assay::protocols::calcium
