// Registration hooks of the drivers compiled into assay_drivers, one per driver family.
#pragma once

#include "assay/drivers/registry.hpp"

namespace assay::drivers {

void register_sim_plate_reader(DriverRegistry& registry);
void register_sim_imager(DriverRegistry& registry);
void register_clariostar(DriverRegistry& registry);
void register_camera_imager(DriverRegistry& registry);
void register_genicam_imager(DriverRegistry& registry);

}  // namespace assay::drivers
