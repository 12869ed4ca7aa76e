#include "assay/drivers/field_on_stage.hpp"

#include "assay/drivers/plate_geometry.hpp"

namespace assay::drivers {

Result<StageTarget> field_stage_target(const FieldRequest& request, const LoadedPlate& plate,
                                       const PlateOnStage& placement) {
  auto well = parse_well(request.well, plate.geometry);
  if (!well) {
    return Status{StatusCode::invalid_argument,
                  "well '" + request.well + "' is not on the loaded " + plate.format + " plate"};
  }
  const auto& g = plate.geometry;
  double plate_x = g.a1_x_mm + well->column * g.pitch_mm + request.offset_x_mm;
  double plate_y = g.a1_y_mm + well->row * g.pitch_mm + request.offset_y_mm;
  StageTarget target;
  target.x_mm = placement.origin_x_mm + plate_x;
  target.y_mm = placement.y_inverted ? placement.origin_y_mm - plate_y : placement.origin_y_mm + plate_y;
  return target;
}

Status move_stage_to_field(Stage* stage, const FieldRequest& request, const LoadedPlate& plate,
                           const PlateOnStage& placement, const std::string& imager_name,
                           std::stop_token stop) {
  auto target = field_stage_target(request, plate, placement);
  if (!target) return target.status();
  if (!stage) {
    if (plate.geometry.well_count() > 1 || request.offset_x_mm != 0.0 || request.offset_y_mm != 0.0) {
      return {StatusCode::unsupported,
              imager_name + " has no stage: it can image only the single field under the lens of "
                            "a single-well plate; configure a stage to image well " + request.well};
    }
    return Status::ok();
  }
  if (!stage->is_homed()) {
    // Nothing else homes it (the API has no homing request): the first move of a job does.
    if (auto status = stage->home(stop); !status) {
      return {status.code(), "homing the stage before well " + request.well + ": " + status.message()};
    }
  }
  if (auto status = stage->move_to(*target, stop); !status) {
    return {status.code(), "moving to well " + request.well + " field " +
                               std::to_string(request.field) + ": " + status.message()};
  }
  return Status::ok();
}

}  // namespace assay::drivers
