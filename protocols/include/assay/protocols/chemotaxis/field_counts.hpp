// Imaging readout of the transwell assay: stained cells counted per field, combined per insert.
//
// check_pixel_size() compares a field's pixel size with the one the job expects (the objective):
// a mismatch beyond the tolerance throws ProtocolError("analysis_error") naming the field when
// the policy is "error", or flags the field (and its insert, condition and the plate) when it is
// "flag"; it is never silently counted as if it matched. combine_field_counts() sums or averages
// the fields of each insert; with "sum" every insert must have the same number of fields.
// Pure; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/protocols/chemotaxis/analysis.hpp"
#include "assay/protocols/chemotaxis/params.hpp"
#include "assay/protocols/layout.hpp"

namespace assay::protocols::chemotaxis {

inline constexpr const char* kFlagPixelSizeMismatch = "pixel_size_mismatch";
inline constexpr const char* kFlagFewerFields = "fewer_fields";
// A field without a cell; kept only for inserts meant to migrate (chemokine + vehicle).
inline constexpr const char* kFlagEmptyField = "empty_field";

struct FieldCount {
  std::string well;
  int field = 0;  // index into params.fields
  int count = 0;
  std::optional<double> pixel_size_um{};  // as captured; absent for counts given without it
  double offset_x_mm = 0.0;
  double offset_y_mm = 0.0;
  std::vector<std::string> flags{};  // the counter's, plus pixel_size_mismatch
  std::string image{};    // stored image path, when there is one
  std::string overlay{};  // overlay PNG path, when kept
  nlohmann::json details = nlohmann::json::object();  // counter details (rejected pores, ...)
};

// Returns true when the pixel size is off (and the policy is "flag").
bool check_pixel_size(FieldCount& field, const ImagingParams& params);

// One InsertValue per imaged (non-blank) insert, in layout order. `expected_fields` is the
// number each insert should have (params.fields.size() for a run; the most seen, offline).
std::vector<InsertValue> combine_field_counts(const PlateLayout& layout, std::span<const FieldCount> fields,
                                              const ImagingParams& params, std::size_t expected_fields);

std::string field_key(const std::string& well, int field);  // "B3/f2"
nlohmann::json to_json(const FieldCount& field);

}  // namespace assay::protocols::chemotaxis
