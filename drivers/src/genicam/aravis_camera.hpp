// One opened GenICam camera through Aravis 0.8: discovery, configuration from the settings, and
// an acquisition stream with a pool of buffers.
//
// open() finds the camera, applies binning, pixel format, region and trigger mode, switches
// automatic exposure and gain off, creates the stream (GigE: UDP sockets with the configured
// receive buffer, never a packet socket, which would need CAP_NET_RAW), queues `buffers` buffers
// of the camera's payload size and starts acquisition. Errors name the setting and the range the
// camera offers.
//
// next_frame() applies the wanted exposure and gain when they changed, starts a frame (software
// trigger) or waits for one (hardware trigger, free run), and converts it: the buffer's bytes are
// read through a cv::Mat header and written once into the returned frame, then the buffer goes
// straight back to the stream. The frame outlives the buffer because the job stores it and
// stitches it after the next frame was grabbed; holding buffers that long would starve the pool.
//
// Threads: open(), describe() and the destructor on any one thread; set_wanted() from the
// imager's worker; next_frame() from the frame grabber's thread (one call at a time). The
// objects Aravis owns are touched by one thread at a time because the worker waits for the
// grabber (or abandons a hung call, after which it only drops its reference).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "assay/drivers/genicam/genicam_settings.hpp"
#include "assay/drivers/status.hpp"

namespace assay::drivers {

class AravisCamera {
 public:
  static Result<std::shared_ptr<AravisCamera>> open(const GenicamCameraSettings& settings);
  ~AravisCamera();
  AravisCamera(const AravisCamera&) = delete;
  AravisCamera& operator=(const AravisCamera&) = delete;

  // Exposure (ms) and gain (factor, 1 = unity) for the next frames; checked against the camera's
  // ranges when the next frame is taken.
  void set_wanted(double exposure_ms, double gain);
  Result<cv::Mat> next_frame(std::chrono::milliseconds timeout);
  // The exposure the camera reported after the last change, in ms.
  double applied_exposure_ms() const;
  // The camera stopped answering (GigE heartbeat lost, USB device gone).
  bool control_lost() const { return control_lost_->load(); }

  cv::Size frame_size() const { return frame_size_; }
  const std::string& label() const { return label_; }  // "Aravis Fake GC01 (127.0.0.1)"
  nlohmann::json describe() const { return described_; }

 private:
  struct Handles;
  AravisCamera(GenicamCameraSettings settings, std::unique_ptr<Handles> handles);
  Status configure();
  Status apply_wanted(bool& changed);
  Result<cv::Mat> take_frame(void* buffer);

  GenicamCameraSettings settings_;
  std::unique_ptr<Handles> handles_;
  std::shared_ptr<std::atomic<bool>> control_lost_ = std::make_shared<std::atomic<bool>>(false);
  std::string label_;
  cv::Size frame_size_;
  unsigned pixel_format_code_ = 0;
  nlohmann::json described_ = nlohmann::json::object();
  bool acquiring_ = false;
  std::atomic<bool> unresponsive_{false};  // a frame or a request timed out: skip polite goodbyes

  mutable std::mutex mutex_;  // guards the four below
  double wanted_exposure_ms_ = 20.0;
  double wanted_gain_ = 1.0;
  double applied_exposure_ms_ = -1.0;
  double applied_gain_ = -1.0;
};

}  // namespace assay::drivers
