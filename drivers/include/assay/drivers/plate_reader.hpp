// The PlateReader interface: absorbance endpoint/spectrum and kinetic fluorescence (with an
// injector, or after a manual addition).
//
// Every method blocks the calling worker thread until the read is done, delivering readings to
// the sink as they arrive, and returns within a bounded time after `stop` is requested (at the
// next safe point: the current reading is finished and delivered first). Methods a device cannot
// do return StatusCode::unsupported with a message saying so.
#pragma once

#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "assay/drivers/instrument.hpp"
#include "assay/drivers/readings.hpp"

namespace assay::drivers {

struct AbsorbancePlan {
  std::vector<std::string> wells;  // empty = every well of the loaded plate
  std::vector<int> wavelengths_nm{590};
  int flashes = 10;
};

struct AbsorbanceSpectrumPlan {
  std::vector<std::string> wells;
  int start_nm = 220;
  int end_nm = 1000;
  int step_nm = 1;
  int flashes = 5;
};

struct Injection {
  double time_s = 15.0;  // from the start of the read
  double volume_uL = 20.0;
  std::string reagent = "agonist";
};

struct KineticFluorescencePlan {
  std::vector<std::string> wells;
  int excitation_nm = 494;
  int emission_nm = 516;
  double interval_s = 1.0;
  double duration_s = 120.0;
  std::optional<Injection> injection;
  // A reagent added by hand this many seconds before the read starts (the job waited for the
  // person, then started this read). Real readers cannot see it and ignore it; a simulator models
  // the cells' response from it, as it models the wells' contents.
  std::optional<double> added_before_s;
  std::optional<double> temperature_C;
  int flashes = 10;
};

struct FluorescenceEndpointPlan {
  std::vector<std::string> wells;
  int excitation_nm = 485;
  int emission_nm = 528;
  int gain = 1000;
  int flashes = 10;
};

class PlateReader : public Instrument {
 public:
  static constexpr InstrumentKind kKind = InstrumentKind::plate_reader;
  InstrumentKind kind() const override { return kKind; }

  virtual Status read_absorbance(const AbsorbancePlan& plan, const ReadingSink& sink,
                                 const ProgressSink& progress, std::stop_token stop) = 0;
  virtual Status read_absorbance_spectrum(const AbsorbanceSpectrumPlan& plan,
                                          const ReadingSink& sink, const ProgressSink& progress,
                                          std::stop_token stop) = 0;
  virtual Status read_fluorescence(const FluorescenceEndpointPlan& plan, const ReadingSink& sink,
                                   const ProgressSink& progress, std::stop_token stop) = 0;
  virtual Status read_kinetic_fluorescence(const KineticFluorescencePlan& plan,
                                           const ReadingSink& sink, const ProgressSink& progress,
                                           std::stop_token stop) = 0;
  // Current chamber temperature, or unsupported.
  virtual Result<double> temperature_C() = 0;
  // Fastest kinetic interval the device allows for `well_count` wells. From the settings only:
  // callable from any thread (the API checks jobs with it at submit).
  virtual double min_kinetic_interval_s(int well_count) const = 0;
};

}  // namespace assay::drivers
