#include "assay/drivers/stage.hpp"
#include "grbl_stage.hpp"

namespace assay::drivers {

Result<std::unique_ptr<Stage>> make_stage(const nlohmann::json& settings, const std::string& path) {
  if (!settings.is_object()) return Status{StatusCode::invalid_argument, path + ": must be a table"};
  std::string controller = "grbl";
  if (settings.contains("controller")) {
    if (!settings.at("controller").is_string()) {
      return Status{StatusCode::invalid_argument, path + ".controller: must be a string"};
    }
    controller = settings.at("controller").get<std::string>();
  }
  if (controller != "grbl") {
    return Status{StatusCode::unsupported,
                  path + ".controller: '" + controller +
                      "' is not a supported stage controller; this build drives \"grbl\" only"};
  }
  auto grbl = GrblSettings::from_json(settings, path);
  if (!grbl) return grbl.status();
  return std::unique_ptr<Stage>(std::make_unique<GrblStage>(std::move(grbl).value()));
}

}  // namespace assay::drivers
