// The `cfu` protocol: photograph each dish or well (tiling and stitching fields when one field
// does not cover it, autofocusing when the imager can), store every image, count and type the
// colonies, and report counts, classes, "too many to count" and CFU per 1e5 plated cells.
//
// Parameters (all optional, checked by validate() with the parameter named):
//   polarity            "auto" | "light" | "dark"
//   tiling              "auto" (tile to cover the well) | "single" (one centred field)
//   tile_overlap        fraction of a field shared by neighbouring tiles (0..0.5, default 0.1)
//   autofocus           true | false (default true; ignored by imagers without a z axis)
//   exposure_ms         camera exposure
//   cells_plated        cells plated per well, overriding the layout's cells_plated
//   too_many_per_cm2    density above which a dish is flagged "too many to count"
//   classify            true | false: type CFU-GM / BFU-E / CFU-GEMM (default true)
//   class_rules         ColonyClassRules fields (colony_counter.hpp)
//   counting            any other ColonyCountParams field
//   colony_rows         true: one result row per colony as well (default false)
// Stateless; run() executes on the instrument's worker thread.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "assay/protocols/imaging/colony_counter.hpp"
#include "assay/protocols/protocol.hpp"

namespace assay::protocols::cfu {

struct CfuParams {
  imaging::ColonyCountParams counting;
  bool tile = true;
  double tile_overlap = 0.1;
  bool autofocus = true;
  double exposure_ms = 20.0;
  double cells_plated = 0.0;  // 0: from the layout
  bool colony_rows = false;
};

// Throws ProtocolError("invalid_params", "params.<key>: ...").
CfuParams parse_cfu_params(const nlohmann::json& params);

// Field centres (mm from the well centre) that cover a circle of `cover_mm` with fields of
// `fov_mm`, neighbours sharing `overlap` of a field; one centred field when it already covers.
std::vector<cv::Point2d> tile_offsets_mm(double cover_mm, cv::Size2d fov_mm, double overlap);

class CfuProtocol final : public Protocol {
 public:
  std::string name() const override { return "cfu"; }
  std::string description() const override {
    return "colony-forming units: image dishes, count and type colonies, CFU per 1e5 plated cells";
  }
  drivers::InstrumentKind instrument_kind() const override { return drivers::InstrumentKind::imager; }
  void validate(const JobSpec& job) const override;
  AssayResult run(const JobSpec& job, RunContext& ctx) const override;
};

}  // namespace assay::protocols::cfu
