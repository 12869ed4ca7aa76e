#include "device_time.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace assay::drivers::sim {

bool wait_device_time(double seconds, double time_scale, std::stop_token stop) {
  if (time_scale <= 0 || seconds <= 0) return !stop.stop_requested();
  using clock = std::chrono::steady_clock;
  const auto until = clock::now() + std::chrono::duration_cast<clock::duration>(
                                        std::chrono::duration<double>(seconds * time_scale));
  while (clock::now() < until) {
    if (stop.stop_requested()) return false;
    std::this_thread::sleep_for(std::min<clock::duration>(until - clock::now(), std::chrono::milliseconds(20)));
  }
  return !stop.stop_requested();
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
