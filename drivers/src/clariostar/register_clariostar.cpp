// Placeholder registration until the clariostar driver lands in this folder.
#include "builtin_drivers.hpp"

namespace assay::drivers {
void register_clariostar(DriverRegistry&) {}
}  // namespace assay::drivers
