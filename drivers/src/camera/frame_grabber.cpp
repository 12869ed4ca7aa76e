#include "assay/drivers/camera/frame_grabber.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>

namespace assay::drivers {

struct FrameGrabber::State {
  std::mutex mutex;
  std::condition_variable wake;
  FrameSource source;
  std::string name;
  bool requested = false;  // a grab is queued or running
  bool shutting_down = false;
  std::uint64_t generation = 0;
  std::uint64_t completed = 0;
  std::optional<Result<cv::Mat>> result;
};

FrameGrabber::FrameGrabber(FrameSource source, std::string name)
    : state_(std::make_shared<State>()) {
  state_->source = std::move(source);
  state_->name = std::move(name);
  worker_ = std::thread([state = state_] {
    std::unique_lock lock(state->mutex);
    for (;;) {
      state->wake.wait(lock, [&] { return state->shutting_down || state->requested; });
      if (state->shutting_down) return;
      std::uint64_t generation = state->generation;
      lock.unlock();
      Result<cv::Mat> frame = Status{StatusCode::io_error, "no frame"};
      try {
        frame = state->source();
      } catch (const std::exception& e) {
        frame = Status{StatusCode::io_error, state->name + ": reading a frame failed: " + e.what()};
      }
      lock.lock();
      state->result = std::move(frame);
      state->completed = generation;
      state->requested = false;
      state->wake.notify_all();
    }
  });
}

FrameGrabber::~FrameGrabber() {
  bool blocked = false;
  {
    std::lock_guard lock(state_->mutex);
    state_->shutting_down = true;
    blocked = state_->requested;
    state_->wake.notify_all();
  }
  // A read that never returns must not hang the daemon's shutdown.
  if (blocked) {
    worker_.detach();
  } else {
    worker_.join();
  }
}

Result<cv::Mat> FrameGrabber::grab(std::chrono::milliseconds timeout, std::stop_token stop) {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(state_->mutex);
  if (state_->requested) {
    return Status{StatusCode::busy, state_->name +
                                        " is hung: an earlier frame grab has not returned; "
                                        "unplug and replug the camera, then reconnect"};
  }
  std::uint64_t generation = ++state_->generation;
  state_->requested = true;
  state_->result.reset();
  state_->wake.notify_all();
  auto deadline = Clock::now() + timeout;
  while (state_->completed != generation) {
    if (stop.stop_requested()) {
      return Status{StatusCode::cancelled, "frame grab from " + state_->name + " was stopped"};
    }
    if (Clock::now() >= deadline) {
      return Status{StatusCode::timeout, "no frame from " + state_->name + " within " +
                                             std::to_string(timeout.count()) + " ms"};
    }
    state_->wake.wait_until(lock, std::min(deadline, Clock::now() + std::chrono::milliseconds(50)));
  }
  auto result = std::move(*state_->result);
  state_->result.reset();
  return result;
}

}  // namespace assay::drivers
