// Placeholder registration until the sim_plate_reader driver lands in this folder.
#include "builtin_drivers.hpp"

namespace assay::drivers {
void register_sim_plate_reader(DriverRegistry&) {}
}  // namespace assay::drivers
