// Moving an imager's stage to a field of a well: where the plate lies on the stage, the plate's
// geometry, and the field's offset from the well centre give one absolute XY target.
//
// A stage that is not homed (fresh connection, or after an alarm) is homed before the move.
// Without a stage only the single field under the lens of a single-well plate can be imaged;
// anything else is refused naming the well. Errors name the well and field. Value types and a
// free function: safe from any thread, the stage itself is not.
#pragma once

#include <stop_token>
#include <string>

#include "assay/drivers/imager.hpp"
#include "assay/drivers/instrument.hpp"
#include "assay/drivers/stage.hpp"

namespace assay::drivers {

struct PlateOnStage {
  // Stage coordinates (mm) of the plate's top-left corner; plate y grows towards row H.
  double origin_x_mm = 0.0;
  double origin_y_mm = 0.0;
  bool y_inverted = false;  // stage y grows towards row A
};

// The stage target of the field's centre; invalid_argument when the well is not on the plate.
Result<StageTarget> field_stage_target(const FieldRequest& request, const LoadedPlate& plate,
                                       const PlateOnStage& placement);

// Homes the stage when needed and moves it to the field. `stage` may be null (no stage).
// `imager_name` is used in messages.
Status move_stage_to_field(Stage* stage, const FieldRequest& request, const LoadedPlate& plate,
                           const PlateOnStage& placement, const std::string& imager_name,
                           std::stop_token stop);

}  // namespace assay::drivers
