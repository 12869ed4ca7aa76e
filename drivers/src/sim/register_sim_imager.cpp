// Registers the simulated imager under the driver name "sim-imager".
#include "assay/drivers/sim/sim_imager.hpp"
#include "builtin_drivers.hpp"

namespace assay::drivers {

void register_sim_imager(DriverRegistry& registry) {
  (void)registry.add(
      {"sim-imager", InstrumentKind::imager,
       "simulated imager: colony dishes and stained transwell membranes with known counts, "
       "focus blur and autofocus, failure on demand",
       [](const std::string& name,
          const nlohmann::json& settings) -> Result<std::unique_ptr<Instrument>> {
         auto parsed = sim::SimImagerSettings::from_json(settings);
         if (!parsed) return parsed.status();
         return std::unique_ptr<Instrument>(std::make_unique<sim::SimImager>(name, std::move(parsed.value())));
       }});
}

}  // namespace assay::drivers
