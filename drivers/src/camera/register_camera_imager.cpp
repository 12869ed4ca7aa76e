// Placeholder registration until the camera_imager driver lands in this folder.
#include "builtin_drivers.hpp"

namespace assay::drivers {
void register_camera_imager(DriverRegistry&) {}
}  // namespace assay::drivers
