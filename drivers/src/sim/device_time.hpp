// What the simulated instruments share beyond their state: device time that runs at a scale
// of real time, and the check that a plate's layout names only wells on the plate.
#pragma once

#include <stop_token>

#include "assay/drivers/clock.hpp"
#include "assay/drivers/instrument.hpp"

namespace assay::drivers::sim {

// Sleeps `seconds` of device time times `time_scale` (0 = no waiting) on `clock`; false when a
// stop was requested (a request ends the wait at once).
bool wait_device_time(Clock& clock, double seconds, double time_scale, std::stop_token stop);

// invalid_argument naming the first well of the layout that is not on the plate.
Status check_layout_wells(const LoadedPlate& plate);

}  // namespace assay::drivers::sim
