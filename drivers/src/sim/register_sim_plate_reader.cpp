// Registers the simulated plate reader under the driver name "sim-plate-reader".
#include "assay/drivers/sim/sim_plate_reader.hpp"
#include "builtin_drivers.hpp"

namespace assay::drivers {

void register_sim_plate_reader(DriverRegistry& registry) {
  (void)registry.add(
      {"sim-plate-reader", InstrumentKind::plate_reader,
       "simulated plate reader: absorbance, fluorescence and kinetic fluorescence with an "
       "injector, data from a pharmacology model with known truth",
       [](const std::string& name,
          const nlohmann::json& settings) -> Result<std::unique_ptr<Instrument>> {
         auto parsed = sim::SimPlateReaderSettings::from_json(settings);
         if (!parsed) return parsed.status();
         return std::unique_ptr<Instrument>(
             std::make_unique<sim::SimPlateReader>(name, std::move(parsed.value())));
       }});
}

}  // namespace assay::drivers
