// Grabs frames from a blocking source on a worker thread, so that a grab has a deadline.
//
// OpenCV's VideoCapture::read() can block for a long time on a wedged USB camera. The grabber
// owns the source on its own thread; grab() waits at most `timeout` (or until `stop`) and
// returns timeout/cancelled. A grab that never returns leaves the source busy: later grabs fail
// at once saying the camera is hung, until the blocked read comes back. On destruction a
// blocked worker is detached (it owns the source through shared state) rather than waited for.
// grab() is for one thread at a time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>

#include <opencv2/core.hpp>

#include "assay/drivers/status.hpp"

namespace assay::drivers {

// Reads one frame; may block. Runs only on the grabber's thread.
using FrameSource = std::function<Result<cv::Mat>()>;

class FrameGrabber {
 public:
  FrameGrabber(FrameSource source, std::string name);
  ~FrameGrabber();
  FrameGrabber(const FrameGrabber&) = delete;
  FrameGrabber& operator=(const FrameGrabber&) = delete;

  Result<cv::Mat> grab(std::chrono::milliseconds timeout, std::stop_token stop);

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::thread worker_;
};

}  // namespace assay::drivers
