// The "camera-imager" driver: a UVC/V4L2 camera (OpenCV videoio) with an optional GRBL XY(Z)
// stage, as an Imager.
//
// capture() moves the stage to the well centre plus the field offset (plate geometry from the
// loaded plate, placed on the stage by `plate_origin_mm`), applies exposure and gain, and grabs
// one frame within the grab timeout. autofocus() runs the coarse-to-fine search of autofocus.hpp
// on the z axis and leaves the stage at the sharpest z. A stage that is not homed (fresh
// connection, or after an alarm) is homed before the first move. Without a stage the imager can only
// image what lies under the lens: a single-well plate, field offsets of zero.
// A missing camera leaves the instrument offline with a message saying what to check.
// Used by one worker thread; state() and describe() are thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "assay/drivers/camera/camera_settings.hpp"
#include "assay/drivers/camera/frame_grabber.hpp"
#include "assay/drivers/camera/v4l2_controls.hpp"
#include "assay/drivers/imager.hpp"
#include "assay/drivers/state_reporter.hpp"
#include "assay/drivers/stage.hpp"

namespace assay::drivers {

struct CameraImagerSettings {
  CameraSettings camera;
  nlohmann::json stage = nullptr;  // the stage table, null for none
  // Stage coordinates (mm) of the plate's top-left corner; plate y grows towards row H.
  double plate_origin_x_mm = 0.0;
  double plate_origin_y_mm = 0.0;
  bool stage_y_inverted = false;   // stage y grows towards row A
  double focus_z_um = 0.0;         // nominal focus, where autofocus starts for a new plate
  bool home_on_connect = false;

  static Result<CameraImagerSettings> from_json(const nlohmann::json& settings,
                                                const std::string& path);
};

class CameraImager final : public Imager {
 public:
  // `stage` may be null (camera only). Takes the stage built from settings.stage by the factory.
  CameraImager(std::string name, CameraImagerSettings settings, std::unique_ptr<Stage> stage);
  ~CameraImager() override;

  const std::string& name() const override { return name_; }
  InstrumentState state() const override;
  nlohmann::json describe() const override;
  Status connect() override;
  void disconnect() override;
  Status load_plate(const LoadedPlate& plate) override;
  void set_state_listener(StateListener listener) override;

  Result<CapturedImage> capture(const FieldRequest& request, std::stop_token stop) override;
  Result<double> autofocus(const FieldRequest& request, const AutofocusPlan& plan,
                           std::stop_token stop) override;
  bool has_autofocus() const override { return stage_ && stage_->has_z(); }
  cv::Size2d field_of_view_mm() const override;
  double pixel_size_um() const override { return settings_.camera.pixel_size_um; }

 private:
  Status open_camera();
  Status move_to_field(const FieldRequest& request, std::stop_token stop);
  Status apply_exposure(double exposure_ms, double gain);
  Result<cv::Mat> grab(std::stop_token stop);
  void set_state(InstrumentState state, const std::string& detail) { reporter_.set(state, detail); }

  std::string name_;
  CameraImagerSettings settings_;
  std::unique_ptr<Stage> stage_;
  std::unique_ptr<V4l2Controls> controls_;
  std::unique_ptr<FrameGrabber> grabber_;
  std::optional<LoadedPlate> plate_;
  std::optional<double> exposure_ms_;  // as applied to the device
  std::optional<double> gain_;
  double z_um_ = 0.0;
  cv::Size frame_size_;

  StateReporter reporter_;
  mutable std::mutex mutex_;  // guards described_
  nlohmann::json described_ = nlohmann::json::object();
};

}  // namespace assay::drivers
