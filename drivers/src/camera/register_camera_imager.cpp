// Registers the UVC/V4L2 camera imager (with an optional GRBL stage) as "camera-imager".
#include "assay/drivers/camera/camera_imager.hpp"
#include "builtin_drivers.hpp"

namespace assay::drivers {

void register_camera_imager(DriverRegistry& registry) {
  (void)registry.add(
      {"camera-imager", InstrumentKind::imager,
       "UVC/V4L2 camera through OpenCV videoio with manual exposure, optional GRBL XY(Z) stage "
       "and autofocus",
       [](const std::string& name,
          const nlohmann::json& settings) -> Result<std::unique_ptr<Instrument>> {
         std::string path = "instrument '" + name + "' settings";
         auto parsed = CameraImagerSettings::from_json(settings, path);
         if (!parsed) return parsed.status();
         std::unique_ptr<Stage> stage;
         if (!parsed->stage.is_null()) {
           auto built = make_stage(parsed->stage, path + ".stage");
           if (!built) return built.status();
           stage = std::move(built).value();
         }
         return std::unique_ptr<Instrument>(
             std::make_unique<CameraImager>(name, std::move(parsed).value(), std::move(stage)));
       }});
}

}  // namespace assay::drivers
