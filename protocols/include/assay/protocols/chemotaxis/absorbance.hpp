// Absorbance readout of the transwell assay: crystal violet eluted from each insert's membrane
// and read at one wavelength; blank wells (medium + dye, no cells) are averaged and subtracted.
//
// absorbance_inserts() takes the endpoint readings of the channel "abs<wavelength_nm>" (cycle 0)
// and returns one InsertValue per non-blank well plus the raw reads and the blank statistics.
// Throws ProtocolError("analysis_error") naming the well for a reading of a well not in the
// layout, a well read twice, or no reading at the wavelength. Pure; thread-safe.
#pragma once

#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/drivers/readings.hpp"
#include "assay/protocols/chemotaxis/analysis.hpp"
#include "assay/protocols/chemotaxis/params.hpp"
#include "assay/protocols/fit/plate_qc.hpp"
#include "assay/protocols/layout.hpp"

namespace assay::protocols::chemotaxis {

inline constexpr const char* kFlagSaturated = "saturated";
inline constexpr const char* kFlagBlankAboveNoChemokine = "blank_above_no_chemokine";

struct WellAbsorbance {
  std::string well;
  double od = 0.0;            // as read
  double corrected_od = 0.0;  // minus the blank mean (or as read without blank subtraction)
  bool saturated = false;
};

struct AbsorbanceInserts {
  std::string channel;                 // "abs590"
  std::vector<WellAbsorbance> wells;   // every well of the layout read, blanks included
  std::vector<InsertValue> inserts;    // non-blank wells, corrected OD
  bool blank_subtracted = false;
  fit::GroupStats blank;               // over the blank wells
  std::vector<std::string> flags;
};

std::string absorbance_channel(int wavelength_nm);

AbsorbanceInserts absorbance_inserts(const PlateLayout& layout, std::span<const drivers::Reading> readings,
                                     const AbsorbanceParams& params);

nlohmann::json to_json(const WellAbsorbance& well);

}  // namespace assay::protocols::chemotaxis
