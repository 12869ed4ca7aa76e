#include "assay/protocols/chemotaxis/field_counts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "assay/protocols/protocol.hpp"

namespace assay::protocols::chemotaxis {
namespace {

[[noreturn]] void fail(const std::string& message) { throw ProtocolError("analysis_error", message); }

void add_flag(std::vector<std::string>& flags, const std::string& flag) {
  if (std::find(flags.begin(), flags.end(), flag) == flags.end()) flags.push_back(flag);
}

}  // namespace

std::string field_key(const std::string& well, int field) { return well + "/f" + std::to_string(field); }

bool check_pixel_size(FieldCount& field, const ImagingParams& params) {
  if (!params.expected_pixel_size_um || !field.pixel_size_um) return false;
  double expected = *params.expected_pixel_size_um;
  double actual = *field.pixel_size_um;
  double off_percent = 100.0 * std::abs(actual - expected) / expected;
  if (off_percent <= params.pixel_size_tolerance_percent) return false;
  if (params.on_pixel_size_mismatch == MismatchPolicy::error) {
    char text[320];
    std::snprintf(text, sizeof text,
                  "field %s: pixel size %.4g um differs from the expected %.4g um by %.1f %% "
                  "(tolerance %.1f %%): an image from another objective or camera; use the "
                  "objective the job expects or correct params.pixel_size_um",
                  field_key(field.well, field.field).c_str(), actual, expected, off_percent,
                  params.pixel_size_tolerance_percent);
    fail(text);
  }
  add_flag(field.flags, kFlagPixelSizeMismatch);
  return true;
}

std::vector<InsertValue> combine_field_counts(const PlateLayout& layout, std::span<const FieldCount> fields,
                                              const ImagingParams& params, std::size_t expected_fields) {
  std::map<std::string, std::vector<const FieldCount*>> by_well;
  for (const auto& field : fields) {
    const auto* well = layout.find(field.well);
    if (!well) fail("field " + field_key(field.well, field.field) + ": well " + field.well + " is not in the layout");
    if (well->role == kRoleBlank) {
      fail("field " + field_key(field.well, field.field) + ": " + field.well +
           " is a blank well; blanks are not imaged, remove its counts or change its role");
    }
    if (field.count < 0) fail("field " + field_key(field.well, field.field) + ": a count cannot be negative");
    auto& list = by_well[field.well];
    for (const auto* other : list) {
      if (other->field == field.field) fail("field " + field_key(field.well, field.field) + " is counted twice");
    }
    list.push_back(&field);
  }

  std::vector<InsertValue> out;
  for (const auto& well : layout.wells()) {
    if (well.role == kRoleBlank) continue;
    auto it = by_well.find(well.well);
    if (it == by_well.end()) continue;  // the analysis names the missing insert
    const auto& list = it->second;
    InsertValue insert{well.well, 0.0, {}};
    for (const auto* field : list) {
      insert.value += field->count;
      for (const auto& flag : field->flags) add_flag(insert.flags, flag);
    }
    if (list.size() < expected_fields) {
      if (params.combine == FieldCombine::sum) {
        fail("insert " + well.well + " has " + std::to_string(list.size()) + " counted fields, not " +
             std::to_string(expected_fields) + "; summed counts would not compare between inserts: "
             "count every field or use params.combine \"mean\"");
      }
      add_flag(insert.flags, kFlagFewerFields);
    }
    if (params.combine == FieldCombine::mean) insert.value /= static_cast<double>(list.size());
    out.push_back(std::move(insert));
  }
  return out;
}

nlohmann::json to_json(const FieldCount& field) {
  nlohmann::json out{{"well", field.well},
                     {"field", field.field},
                     {"count", field.count},
                     {"offset_mm", {field.offset_x_mm, field.offset_y_mm}},
                     {"pixel_size_um", field.pixel_size_um ? nlohmann::json(*field.pixel_size_um) : nlohmann::json()},
                     {"flags", field.flags}};
  if (!field.image.empty()) out["image"] = field.image;
  if (!field.overlay.empty()) out["overlay"] = field.overlay;
  if (!field.details.empty()) out["counter"] = field.details;
  return out;
}

}  // namespace assay::protocols::chemotaxis
