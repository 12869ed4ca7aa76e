// Registers the GenICam (Aravis) imager, with an optional GRBL stage, as "genicam".
#include "assay/drivers/genicam/genicam_imager.hpp"
#include "builtin_drivers.hpp"

namespace assay::drivers {

void register_genicam_imager(DriverRegistry& registry) {
  (void)registry.add(
      {"genicam", InstrumentKind::imager,
       "GenICam camera (GigE Vision, USB3 Vision) through Aravis 0.8: exposure, gain, pixel format, "
       "region, binning, software or hardware trigger; optional GRBL XY(Z) stage and autofocus",
       [](const std::string& name,
          const nlohmann::json& settings) -> Result<std::unique_ptr<Instrument>> {
         std::string path = "instrument '" + name + "' settings";
         auto parsed = GenicamImagerSettings::from_json(settings, path);
         if (!parsed) return parsed.status();
         std::unique_ptr<Stage> stage;
         if (!parsed->stage.is_null()) {
           auto built = make_stage(parsed->stage, path + ".stage");
           if (!built) return built.status();
           stage = std::move(built).value();
         }
         return std::unique_ptr<Instrument>(
             std::make_unique<GenicamImager>(name, std::move(parsed).value(), std::move(stage)));
       }});
}

}  // namespace assay::drivers
