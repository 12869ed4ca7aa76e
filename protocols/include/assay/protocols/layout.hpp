// Plate layout: which wells hold which sample, compound and concentration, controls and blanks.
//
// Parsed from the job's "layout" JSON (see docs/jobs.md). Entries can name one well, a list or a
// rectangle ("A1:B12"), and give one concentration, a list, or a dilution series. Every error
// names the entry and the field: "layout.wells[3].wells: 'Q1' is not a well of a 96-well plate".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/drivers/instrument.hpp"
#include "assay/protocols/plate.hpp"

namespace assay::protocols {

// Roles a well can play. Controls define 100 % (positive: stimulated + vehicle) and 0 %
// (negative: not stimulated, or a saturating reference antagonist) of the response.
inline constexpr const char* kRoleSample = "sample";
inline constexpr const char* kRolePositiveControl = "positive_control";
inline constexpr const char* kRoleNegativeControl = "negative_control";
inline constexpr const char* kRoleBlank = "blank";

struct WellAssignment {
  std::string well;  // canonical name, "A1"
  drivers::WellPosition position;
  std::string role = kRoleSample;
  std::string sample;    // cells / sample id
  std::string compound;  // empty for vehicle
  double conc_nM = 0.0;
  bool stimulated = true;
  double cells_plated = 0.0;
  std::string group;  // free label, e.g. a replicate group or condition name
};

class PlateLayout {
 public:
  // Throws LayoutError (std::invalid_argument) with the entry and field named.
  static PlateLayout from_json(const nlohmann::json& layout, const PlateFormat& format);

  const std::vector<WellAssignment>& wells() const { return wells_; }
  const WellAssignment* find(const std::string& well) const;
  std::vector<const WellAssignment*> with_role(const std::string& role) const;
  // Sample wells grouped by compound (vehicle samples under "").
  std::map<std::string, std::vector<const WellAssignment*>> by_compound() const;
  std::vector<std::string> well_names() const;
  std::vector<drivers::WellContents> contents() const;
  nlohmann::json to_json() const;

 private:
  std::vector<WellAssignment> wells_;
  std::map<std::string, std::size_t> index_;
};

}  // namespace assay::protocols
