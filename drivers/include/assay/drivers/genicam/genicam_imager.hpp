// The "genicam" imager: a GenICam camera (GigE Vision or USB3 Vision, through Aravis 0.8) with
// an optional GRBL XY(Z) stage.
//
// capture() moves the stage to the field (field_on_stage.hpp), hands the request's exposure and
// gain to the camera and takes one frame, all of it bounded by the grab timeout: the camera is
// driven on the frame grabber's thread, so a camera that stops answering mid-request (whose
// control requests Aravis would retry for seconds) fails the field at the deadline. autofocus()
// runs the search of autofocus.hpp on the z axis, as the V4L2 camera-imager does.
//
// Failure rules (as for the USB reader and the V4L2 camera): a missing camera leaves the
// instrument offline with a message saying what to check; a camera lost mid-job fails the field
// with `disconnected` or `timeout` within the grab timeout, the instrument goes offline with that
// message, and the camera is opened again at the next capture or job (a camera that is back
// works at once). The daemon itself never waits on the camera.
// Used by one worker thread; state() and describe() are thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "assay/drivers/genicam/genicam_settings.hpp"
#include "assay/drivers/imager.hpp"
#include "assay/drivers/stage.hpp"
#include "assay/drivers/state_reporter.hpp"

namespace assay::drivers {

class AravisCamera;
class FrameGrabber;

class GenicamImager final : public Imager {
 public:
  // `stage` may be null (camera only).
  GenicamImager(std::string name, GenicamImagerSettings settings, std::unique_ptr<Stage> stage);
  ~GenicamImager() override;

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
  double pixel_size_um() const override { return settings_.camera.delivered_pixel_size_um(); }

 private:
  Status open_camera();
  void close_camera();
  void abandon_camera();  // after a timeout or loss: released off the worker thread
  Status ensure_camera();
  Result<cv::Mat> grab(const FieldRequest& request, std::stop_token stop);
  void set_state(InstrumentState state, const std::string& detail) { reporter_.set(state, detail); }

  std::string name_;
  GenicamImagerSettings settings_;
  std::unique_ptr<Stage> stage_;
  std::shared_ptr<AravisCamera> camera_;
  std::unique_ptr<FrameGrabber> grabber_;
  std::optional<LoadedPlate> plate_;
  double z_um_ = 0.0;
  cv::Size frame_size_;

  StateReporter reporter_;
  mutable std::mutex mutex_;  // guards described_
  nlohmann::json described_ = nlohmann::json::object();
};

}  // namespace assay::drivers
