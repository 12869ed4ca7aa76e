#include "assay/protocols/chemotaxis/absorbance.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "assay/protocols/protocol.hpp"

namespace assay::protocols::chemotaxis {
namespace {

[[noreturn]] void fail(const std::string& message) { throw ProtocolError("analysis_error", message); }

}  // namespace

std::string absorbance_channel(int wavelength_nm) { return "abs" + std::to_string(wavelength_nm); }

AbsorbanceInserts absorbance_inserts(const PlateLayout& layout, std::span<const drivers::Reading> readings,
                                     const AbsorbanceParams& params) {
  AbsorbanceInserts out;
  out.channel = absorbance_channel(params.wavelength_nm);
  std::map<std::string, const drivers::Reading*> by_well;
  std::set<std::string> other_channels;
  for (const auto& reading : readings) {
    if (reading.channel != out.channel || reading.cycle != 0) {
      other_channels.insert(reading.channel + (reading.cycle != 0 ? " (cycle " + std::to_string(reading.cycle) + ")" : ""));
      continue;
    }
    if (!layout.find(reading.well)) fail("reading of well " + reading.well + " (" + out.channel + ") is not in the layout");
    if (!by_well.emplace(reading.well, &reading).second) {
      fail("well " + reading.well + " was read twice at " + out.channel + "; give one endpoint read per well");
    }
  }
  if (by_well.empty()) {
    std::string found;
    for (const auto& c : other_channels) found += (found.empty() ? "" : ", ") + c;
    fail("no endpoint reading at " + out.channel + " (params.wavelength_nm = " +
         std::to_string(params.wavelength_nm) + "); found " + (found.empty() ? "no readings" : found));
  }

  std::vector<double> blanks;
  for (const auto& well : layout.wells()) {
    auto it = by_well.find(well.well);
    if (it == by_well.end()) {
      if (well.role == kRoleBlank && params.blank_subtraction) fail("no reading for blank well " + well.well);
      continue;  // a missing insert is named by the analysis
    }
    if (well.role == kRoleBlank) blanks.push_back(it->second->value);
  }
  out.blank = fit::group_stats(blanks);
  out.blank_subtracted = params.blank_subtraction;
  if (params.blank_subtraction && blanks.empty()) {
    fail("blank subtraction is on but no blank well was read; add wells with role \"blank\" or set "
         "params.blank_subtraction to false");
  }
  double offset = params.blank_subtraction ? out.blank.mean : 0.0;

  std::vector<double> no_chemokine;
  for (const auto& well : layout.wells()) {
    auto it = by_well.find(well.well);
    if (it == by_well.end()) continue;
    const auto& reading = *it->second;
    WellAbsorbance row{well.well, reading.value, reading.value - offset, reading.saturated};
    out.wells.push_back(row);
    if (well.role == kRoleBlank) continue;
    if (well.role == kRoleNegativeControl) no_chemokine.push_back(reading.value);
    InsertValue insert{well.well, row.corrected_od, {}};
    if (reading.saturated) {
      insert.flags.push_back(kFlagSaturated);
      if (std::find(out.flags.begin(), out.flags.end(), kFlagSaturated) == out.flags.end()) {
        out.flags.push_back(kFlagSaturated);
      }
    }
    out.inserts.push_back(std::move(insert));
  }
  // Blanks reading above inserts with cells point to a dye or washing problem.
  if (params.blank_subtraction && !no_chemokine.empty() &&
      out.blank.mean > fit::group_stats(no_chemokine).mean) {
    out.flags.push_back(kFlagBlankAboveNoChemokine);
  }
  return out;
}

nlohmann::json to_json(const WellAbsorbance& well) {
  return {{"od", well.od}, {"corrected_od", well.corrected_od}, {"saturated", well.saturated}};
}

}  // namespace assay::protocols::chemotaxis
