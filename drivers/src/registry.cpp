#include "assay/drivers/registry.hpp"

#include "builtin_drivers.hpp"

namespace assay::drivers {

Status DriverRegistry::add(DriverInfo info) {
  if (info.name.empty()) return {StatusCode::invalid_argument, "a driver needs a name"};
  if (drivers_.count(info.name) != 0) {
    return {StatusCode::invalid_argument,
            "driver '" + info.name + "' is already registered; rename one of them"};
  }
  std::string name = info.name;
  drivers_.emplace(std::move(name), std::move(info));
  return Status::ok();
}

const DriverInfo* DriverRegistry::find(const std::string& name) const {
  auto it = drivers_.find(name);
  return it == drivers_.end() ? nullptr : &it->second;
}

void register_builtin_drivers(DriverRegistry& registry) {
  register_sim_plate_reader(registry);
  register_sim_imager(registry);
  register_clariostar(registry);
  register_camera_imager(registry);
  register_genicam_imager(registry);
}

}  // namespace assay::drivers
