// Placeholder registration until the sim_imager driver lands in this folder.
#include "builtin_drivers.hpp"

namespace assay::drivers {
void register_sim_imager(DriverRegistry&) {}
}  // namespace assay::drivers
