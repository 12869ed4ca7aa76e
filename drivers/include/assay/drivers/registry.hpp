// Driver registry: maps a driver name from the config ("sim-plate-reader", "clariostar") to a
// factory that builds an Instrument from its settings.
//
// Built-in drivers register at start; plugins add theirs at load time. Not thread-safe: fill it
// on the daemon's main thread before workers start. Factories return a Status with the settings
// key at fault when the settings are wrong.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "assay/drivers/instrument.hpp"

namespace assay::drivers {

using InstrumentFactory = std::function<Result<std::unique_ptr<Instrument>>(
    const std::string& name, const nlohmann::json& settings)>;

struct DriverInfo {
  std::string name;
  InstrumentKind kind;
  std::string description;
  InstrumentFactory factory;
};

class DriverRegistry {
 public:
  // Fails (already_exists as invalid_argument) when the name is taken.
  Status add(DriverInfo info);
  const DriverInfo* find(const std::string& name) const;
  const std::map<std::string, DriverInfo>& all() const { return drivers_; }

 private:
  std::map<std::string, DriverInfo> drivers_;
};

// Registers the drivers built into assay_drivers (simulators, CLARIOstar, camera).
void register_builtin_drivers(DriverRegistry& registry);

}  // namespace assay::drivers
