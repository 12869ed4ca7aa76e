#include "assay/protocols/layout.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "assay/protocols/job_spec.hpp"
#include "assay/protocols/key_names.hpp"

namespace assay::protocols {
namespace {

using drivers::WellPosition;
using nlohmann::json;

std::string plate_label(const PlateFormat& format) {
  return format.name + (format.name.find_first_not_of("0123456789") == std::string::npos
                            ? "-well plate"
                            : " plate");
}

WellPosition parse_or_throw(const std::string& text, const PlateFormat& format,
                            const std::string& path) {
  auto position = drivers::parse_well(text, format.geometry);
  if (!position) {
    throw JobSpecError(path, "'" + text + "' is not a well of a " + plate_label(format) + " (" +
                                 drivers::well_name({0, 0}) + ".." +
                                 drivers::well_name({format.geometry.rows - 1,
                                                     format.geometry.columns - 1}) +
                                 ")");
  }
  return *position;
}

// "A1", "A1:B12" (a rectangle, expanded row by row) or a list of those.
std::vector<WellPosition> expand_wells(const json& spec, const PlateFormat& format,
                                       const std::string& path) {
  std::vector<WellPosition> out;
  auto expand_one = [&](const std::string& text, const std::string& where) {
    auto colon = text.find(':');
    if (colon == std::string::npos) {
      out.push_back(parse_or_throw(text, format, where));
      return;
    }
    auto first = parse_or_throw(text.substr(0, colon), format, where);
    auto last = parse_or_throw(text.substr(colon + 1), format, where);
    for (int r = std::min(first.row, last.row); r <= std::max(first.row, last.row); ++r) {
      for (int c = std::min(first.column, last.column); c <= std::max(first.column, last.column);
           ++c) {
        out.push_back({r, c});
      }
    }
  };
  if (spec.is_string()) {
    expand_one(spec.get<std::string>(), path);
  } else if (spec.is_array()) {
    for (std::size_t i = 0; i < spec.size(); ++i) {
      auto where = path + "[" + std::to_string(i) + "]";
      if (!spec[i].is_string()) throw JobSpecError(where, "a well name must be a string like \"A1\"");
      expand_one(spec[i].get<std::string>(), where);
    }
  } else {
    throw JobSpecError(path, "give a well (\"A1\"), a range (\"A1:H1\") or a list of them");
  }
  if (out.empty()) throw JobSpecError(path, "names no wells");
  return out;
}

// More cells than any dish, well or flask holds: a typo or an overflowed counter, not a plating.
constexpr double kMaxCellsPlated = 1e10;

double number_field(const json& entry, const char* key, const std::string& path) {
  const auto& value = entry.at(key);
  if (!value.is_number() || !std::isfinite(value.get<double>())) {
    throw JobSpecError(path + "." + key, "must be a number");
  }
  return value.get<double>();
}

std::string string_field(const json& entry, const char* key, const std::string& path) {
  if (!entry.contains(key)) return {};
  const auto& value = entry.at(key);
  if (!value.is_string()) throw JobSpecError(path + "." + key, "must be a string");
  return value.get<std::string>();
}

// Concentrations for `count` wells from conc_nM (number or list) or a dilution series.
std::vector<double> concentrations(const json& entry, std::size_t count, const std::string& path) {
  std::vector<double> concs(count, 0.0);
  if (entry.contains("conc_nM") && entry.contains("dilution")) {
    throw JobSpecError(path, "give either conc_nM or dilution, not both");
  }
  if (entry.contains("conc_nM")) {
    const auto& conc = entry.at("conc_nM");
    if (conc.is_number()) {
      concs.assign(count, conc.get<double>());
    } else if (conc.is_array()) {
      if (conc.size() != count) {
        throw JobSpecError(path + ".conc_nM", "has " + std::to_string(conc.size()) +
                                                  " values for " + std::to_string(count) +
                                                  " wells; give one per well");
      }
      for (std::size_t i = 0; i < count; ++i) {
        if (!conc[i].is_number()) {
          throw JobSpecError(path + ".conc_nM[" + std::to_string(i) + "]", "must be a number");
        }
        concs[i] = conc[i].get<double>();
      }
    } else {
      throw JobSpecError(path + ".conc_nM", "must be a number or a list of numbers");
    }
  } else if (entry.contains("dilution")) {
    const auto& dilution = entry.at("dilution");
    auto where = path + ".dilution";
    if (dilution.is_object()) refuse_unknown_keys(dilution, where, {"top_nM", "factor", "replicates"});
    if (!dilution.is_object() || !dilution.contains("top_nM") || !dilution.contains("factor")) {
      throw JobSpecError(where, "needs top_nM and factor, e.g. {\"top_nM\": 1000, \"factor\": 3}");
    }
    double top = number_field(dilution, "top_nM", where);
    double factor = number_field(dilution, "factor", where);
    if (!(top > 0.0) || !std::isfinite(top)) throw JobSpecError(where + ".top_nM", "must be a concentration above 0");
    if (!(factor > 1.0) || !std::isfinite(factor)) throw JobSpecError(where + ".factor", "must be greater than 1");
    int replicates = 1;
    if (dilution.contains("replicates")) {
      const double asked = number_field(dilution, "replicates", where);
      if (!(asked >= 1.0 && asked <= 1e6) || asked != std::floor(asked)) {
        throw JobSpecError(where + ".replicates", "must be a whole number of at least 1");
      }
      replicates = static_cast<int>(asked);
    }
    for (std::size_t i = 0; i < count; ++i) {
      concs[i] = top / std::pow(factor, static_cast<double>(i / replicates));
    }
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (!std::isfinite(concs[i]) || concs[i] < 0.0) {
      throw JobSpecError(path + ".conc_nM", "concentrations must be finite and >= 0");
    }
  }
  return concs;
}

}  // namespace

PlateLayout PlateLayout::from_json(const json& layout, const PlateFormat& format) {
  PlateLayout result;
  if (!layout.is_array()) {
    throw JobSpecError("layout", "must be a list of entries like {\"wells\": \"A1:A12\", ...}");
  }
  std::map<std::string, std::size_t> first_entry;
  for (std::size_t e = 0; e < layout.size(); ++e) {
    const auto& entry = layout[e];
    auto path = "layout[" + std::to_string(e) + "]";
    if (!entry.is_object()) throw JobSpecError(path, "must be an object");
    refuse_unknown_keys(entry, path, {"wells", "role", "sample", "compound", "conc_nM", "dilution",
                                      "stimulated", "cells_plated", "group"});
    if (!entry.contains("wells")) throw JobSpecError(path + ".wells", "is missing");
    auto positions = expand_wells(entry.at("wells"), format, path + ".wells");
    auto concs = concentrations(entry, positions.size(), path);

    WellAssignment base;
    base.role = string_field(entry, "role", path);
    if (base.role.empty()) base.role = kRoleSample;
    static const std::vector<std::string> roles{kRoleSample, kRolePositiveControl,
                                                kRoleNegativeControl, kRoleBlank};
    if (std::find(roles.begin(), roles.end(), base.role) == roles.end()) {
      throw JobSpecError(path + ".role", "'" + base.role +
                                             "' is not a role; use sample, positive_control, "
                                             "negative_control or blank");
    }
    base.sample = string_field(entry, "sample", path);
    base.compound = string_field(entry, "compound", path);
    base.group = string_field(entry, "group", path);
    base.stimulated = base.role != kRoleNegativeControl;
    if (entry.contains("stimulated")) {
      if (!entry.at("stimulated").is_boolean()) {
        throw JobSpecError(path + ".stimulated", "must be true or false");
      }
      base.stimulated = entry.at("stimulated").get<bool>();
    }
    if (entry.contains("cells_plated")) {
      base.cells_plated = number_field(entry, "cells_plated", path);
      if (!(base.cells_plated > 0.0) || base.cells_plated > kMaxCellsPlated) {
        throw JobSpecError(path + ".cells_plated", "must be a number of cells above 0 and at most 1e10");
      }
    }

    for (std::size_t i = 0; i < positions.size(); ++i) {
      WellAssignment well = base;
      well.position = positions[i];
      well.well = drivers::well_name(positions[i]);
      well.conc_nM = concs[i];
      auto [it, inserted] = first_entry.emplace(well.well, e);
      if (!inserted) {
        throw JobSpecError(path + ".wells", "well " + well.well + " is already assigned by layout[" +
                                                std::to_string(it->second) + "]");
      }
      result.index_[well.well] = result.wells_.size();
      result.wells_.push_back(std::move(well));
    }
  }
  return result;
}

const WellAssignment* PlateLayout::find(const std::string& well) const {
  auto it = index_.find(well);
  return it == index_.end() ? nullptr : &wells_[it->second];
}

std::vector<const WellAssignment*> PlateLayout::with_role(const std::string& role) const {
  std::vector<const WellAssignment*> out;
  for (const auto& well : wells_) {
    if (well.role == role) out.push_back(&well);
  }
  return out;
}

std::map<std::string, std::vector<const WellAssignment*>> PlateLayout::by_compound() const {
  std::map<std::string, std::vector<const WellAssignment*>> out;
  for (const auto& well : wells_) {
    if (well.role == kRoleSample) out[well.compound].push_back(&well);
  }
  return out;
}

std::vector<std::string> PlateLayout::well_names() const {
  std::vector<std::string> names;
  names.reserve(wells_.size());
  for (const auto& well : wells_) names.push_back(well.well);
  return names;
}

std::vector<drivers::WellContents> PlateLayout::contents() const {
  std::vector<drivers::WellContents> out;
  out.reserve(wells_.size());
  for (const auto& well : wells_) {
    out.push_back({well.well, well.role, well.compound, well.conc_nM, well.stimulated,
                   well.cells_plated});
  }
  return out;
}

nlohmann::json PlateLayout::to_json() const {
  json out = json::array();
  for (const auto& well : wells_) {
    json entry{{"wells", well.well}, {"role", well.role}, {"stimulated", well.stimulated}};
    if (!well.sample.empty()) entry["sample"] = well.sample;
    if (!well.compound.empty()) entry["compound"] = well.compound;
    if (well.conc_nM != 0.0) entry["conc_nM"] = well.conc_nM;
    if (well.cells_plated != 0.0) entry["cells_plated"] = well.cells_plated;
    if (!well.group.empty()) entry["group"] = well.group;
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace assay::protocols
