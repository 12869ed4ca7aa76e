// Offline calcium-flux analysis: the daemon's analysis on readings from a file, used by
// `assayctl analyze calcium_flux` and by tests. Same validation, same analysis, same result rows.
//
// The layout document is a job JSON (its "plate", "layout" and, unless params are given,
// "params"), or {"plate": {"format": "384"}, "layout": [...]}, or a bare layout list together
// with `plate_format`. Throws ProtocolError / JobSpecError naming what is wrong.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "assay/protocols/calcium/analysis.hpp"
#include "assay/protocols/protocol.hpp"

namespace assay::protocols::calcium {

struct OfflineInput {
  PlateFormat plate;
  PlateLayout layout;
  CalciumFluxParams params;
};

// `params` (when not null) overrides the document's "params".
OfflineInput offline_input(const nlohmann::json& layout_document, const nlohmann::json& params,
                           const std::optional<std::string>& plate_format = std::nullopt);

// Validates, analyses and builds the result; writes figures into `figures_dir` when given.
AssayResult analyze_offline(std::span<const drivers::Reading> readings, const OfflineInput& input,
                            const std::optional<std::filesystem::path>& figures_dir = std::nullopt);

}  // namespace assay::protocols::calcium
