#include "assay/drivers/genicam/genicam_imager.hpp"

#include <algorithm>
#include <thread>

#include "aravis_camera.hpp"
#include "assay/drivers/autofocus.hpp"
#include "assay/drivers/camera/frame_grabber.hpp"
#include "assay/drivers/field_on_stage.hpp"

namespace assay::drivers {

GenicamImager::GenicamImager(std::string name, GenicamImagerSettings settings, std::unique_ptr<Stage> stage)
    : name_(std::move(name)), settings_(std::move(settings)), stage_(std::move(stage)) {
  if (settings_.camera.width_px > 0) frame_size_ = {settings_.camera.width_px, settings_.camera.height_px};
}

GenicamImager::~GenicamImager() {
  reporter_.set_listener(nullptr);  // whoever listened may already be gone
  disconnect();
}

InstrumentState GenicamImager::state() const { return reporter_.state(); }

nlohmann::json GenicamImager::describe() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = described_;
  out["driver"] = "genicam";
  reporter_.describe_into(out);
  out["wanted"] = settings_.camera.wanted();
  out["pixel_size_um"] = settings_.camera.delivered_pixel_size_um();
  out["autofocus"] = stage_ != nullptr && stage_->has_z();
  if (stage_) out["stage"] = stage_->describe();
  return out;
}

void GenicamImager::set_state_listener(StateListener listener) { reporter_.set_listener(std::move(listener)); }

Status GenicamImager::open_camera() {
  auto opened = AravisCamera::open(settings_.camera);
  if (!opened) {
    const auto& status = opened.status();
    if (status.code() == StatusCode::invalid_argument && status.message().rfind("camera.", 0) == 0) {
      return {status.code(), "instrument '" + name_ + "' settings." + status.message()};
    }
    return status;
  }
  camera_ = std::move(opened).value();
  frame_size_ = camera_->frame_size();
  // The grabber's thread shares the camera: a call that hangs past the deadline keeps it alive
  // until Aravis gives up, while this imager has already moved on.
  grabber_ = std::make_unique<FrameGrabber>(
      [camera = camera_, timeout = std::chrono::milliseconds(settings_.camera.grab_timeout_ms)] {
        return camera->next_frame(timeout);
      },
      "camera " + camera_->label());
  std::lock_guard lock(mutex_);
  described_ = camera_->describe();
  return Status::ok();
}

void GenicamImager::close_camera() {
  grabber_.reset();  // joins an idle grabber thread, abandons a hung one (it owns its share)
  camera_.reset();
}

void GenicamImager::abandon_camera() {
  grabber_.reset();
  // Letting go of a camera that stopped answering waits out Aravis' own request retries
  // (seconds): that happens on a thread of its own, so the field fails at its deadline.
  std::thread([camera = std::move(camera_)]() mutable { camera.reset(); }).detach();
}

Status GenicamImager::connect() {
  disconnect();
  if (auto status = open_camera(); !status) {
    set_state(InstrumentState::offline, status.message());
    return status;
  }
  if (stage_) {
    auto fail = [&](const Status& status) {
      close_camera();
      set_state(InstrumentState::offline, "stage: " + status.message());
      return status;
    };
    if (auto status = stage_->connect(); !status) return fail(status);
    if (settings_.home_on_connect) {
      if (auto status = stage_->home({}); !status) return fail(status);
    }
    if (stage_->is_homed()) {
      if (auto at = stage_->position()) z_um_ = at->z_um;
    }
  }
  set_state(InstrumentState::online,
            camera_->label() + " ready" + (stage_ ? std::string(" with stage") : std::string()));
  return Status::ok();
}

void GenicamImager::disconnect() {
  close_camera();
  if (stage_) stage_->disconnect();
  if (state() != InstrumentState::offline) set_state(InstrumentState::offline, "disconnected");
}

Status GenicamImager::ensure_camera() {
  if (camera_) return Status::ok();
  // Lost earlier in this job (or never found): a camera that is back is used at once.
  if (auto status = open_camera(); !status) {
    set_state(InstrumentState::offline, status.message());
    return {status.code() == StatusCode::not_found ? StatusCode::disconnected : status.code(),
            name_ + ": " + status.message()};
  }
  set_state(InstrumentState::online, camera_->label() + " reopened");
  return Status::ok();
}

Status GenicamImager::load_plate(const LoadedPlate& plate) {
  if (plate.geometry.rows < 1 || plate.geometry.columns < 1) {
    return {StatusCode::invalid_argument, "plate '" + plate.format + "' has no wells"};
  }
  plate_ = plate;
  z_um_ = stage_ && stage_->has_z() ? settings_.focus_z_um : z_um_;
  return Status::ok();
}

cv::Size2d GenicamImager::field_of_view_mm() const {
  double mm_per_px = settings_.camera.delivered_pixel_size_um() / 1000.0;
  return {frame_size_.width * mm_per_px, frame_size_.height * mm_per_px};
}

Result<cv::Mat> GenicamImager::grab(const FieldRequest& request, std::stop_token stop) {
  camera_->set_wanted(request.exposure_ms, request.gain);
  // The grabber's deadline is the camera's own plus a margin for applying settings; whichever
  // comes first ends the field.
  auto frame = grabber_->grab(std::chrono::milliseconds(settings_.camera.grab_timeout_ms + 250), stop);
  if (frame) return frame;
  auto code = frame.status().code();
  if (code == StatusCode::disconnected || code == StatusCode::timeout || code == StatusCode::busy) {
    // Gone or hung: the next capture (or the next job) opens the camera afresh.
    std::string message = frame.status().message() + "; it is opened again for the next field or job";
    abandon_camera();
    set_state(InstrumentState::offline, message);
    return Status{code, message};
  }
  return frame;
}

Result<CapturedImage> GenicamImager::capture(const FieldRequest& request, std::stop_token stop) {
  if (!plate_) return Status{StatusCode::invalid_argument, name_ + ": no plate is loaded"};
  if (auto status = move_stage_to_field(stage_.get(), request, *plate_, settings_.placement, name_, stop); !status) {
    return status;
  }
  if (auto status = ensure_camera(); !status) return status;
  auto frame = grab(request, stop);
  if (!frame) return frame.status();
  CapturedImage image;
  image.pixels = std::move(frame).value();
  image.well = request.well;
  image.field = request.field;
  image.pixel_size_um = settings_.camera.delivered_pixel_size_um();
  image.exposure_ms = camera_ ? camera_->applied_exposure_ms() : request.exposure_ms;
  image.z_um = z_um_;
  image.offset_x_mm = request.offset_x_mm;
  image.offset_y_mm = request.offset_y_mm;
  return image;
}

Result<double> GenicamImager::autofocus(const FieldRequest& request, const AutofocusPlan& plan,
                                        std::stop_token stop) {
  if (!has_autofocus()) {
    return Status{StatusCode::unsupported,
                  name_ + " has no z axis to focus with (configure a stage with has_z = true)"};
  }
  if (!plate_) return Status{StatusCode::invalid_argument, name_ + ": no plate is loaded"};
  if (auto status = move_stage_to_field(stage_.get(), request, *plate_, settings_.placement, name_, stop); !status) {
    return status;
  }
  if (auto status = ensure_camera(); !status) return status;
  auto sharpness_at_z = [&](double z_um) -> Result<double> {
    if (auto status = stage_->move_to({{}, {}, z_um}, stop); !status) return status;
    z_um_ = z_um;
    if (!camera_) return Status{StatusCode::disconnected, name_ + " lost its camera during autofocus"};
    // A triggered frame starts after the move; a free-running camera discards what it had queued.
    auto frame = grab(request, stop);
    if (!frame) return frame.status();
    return focus_sharpness(*frame);
  };
  const auto& z = stage_->limits().z_um;
  double start = std::clamp(z_um_, z.min, z.max);
  auto best = find_best_focus(sharpness_at_z, start, plan, stop, FocusLimits{z.min, z.max});
  if (!best) {
    return Status{best.status().code(), "autofocus on well " + request.well + " field " +
                                            std::to_string(request.field) + ": " + best.status().message()};
  }
  if (auto status = stage_->move_to({{}, {}, *best}, stop); !status) return status;
  z_um_ = *best;
  return *best;
}

}  // namespace assay::drivers
