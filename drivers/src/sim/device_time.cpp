#include "device_time.hpp"

#include <chrono>

namespace assay::drivers::sim {

bool wait_device_time(Clock& clock, double seconds, double time_scale, std::stop_token stop) {
  if (time_scale <= 0 || seconds <= 0) return !stop.stop_requested();
  return clock.sleep_for(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds * time_scale)),
                         stop);
}

Status check_layout_wells(const LoadedPlate& plate) {
  for (const auto& well : plate.wells) {
    if (!parse_well(well.well, plate.geometry)) {
      return {StatusCode::invalid_argument, "well '" + well.well + "' is not on the loaded " + plate.format + " plate"};
    }
  }
  return Status::ok();
}

}  // namespace assay::drivers::sim
