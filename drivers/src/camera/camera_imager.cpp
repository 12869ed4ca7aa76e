#include "assay/drivers/camera/camera_imager.hpp"

#include <cmath>

#include "assay/drivers/autofocus.hpp"
#include "opencv_source.hpp"

namespace assay::drivers {

CameraImager::CameraImager(std::string name, CameraImagerSettings settings,
                           std::unique_ptr<Stage> stage)
    : name_(std::move(name)), settings_(std::move(settings)), stage_(std::move(stage)) {}

CameraImager::~CameraImager() {
  reporter_.set_listener(nullptr);  // whoever listened may already be gone
  disconnect();
}

InstrumentState CameraImager::state() const { return reporter_.state(); }

nlohmann::json CameraImager::describe() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = described_;
  out["driver"] = "camera-imager";
  reporter_.describe_into(out);
  out["source"] = settings_.camera.source();
  out["pixel_size_um"] = settings_.camera.pixel_size_um;
  out["autofocus"] = stage_ != nullptr && stage_->has_z();
  if (settings_.camera.is_file()) {
    out["stand_in"] = "frames come from a file: exposure and gain are not applied";
  }
  if (stage_) out["stage"] = stage_->describe();
  return out;
}

void CameraImager::set_state_listener(StateListener listener) { reporter_.set_listener(std::move(listener)); }

Status CameraImager::open_camera() {
  const auto& camera = settings_.camera;
  nlohmann::json info = nlohmann::json::object();
  if (!camera.is_file()) {
    auto controls = V4l2Controls::open(camera.device);
    if (!controls) return controls.status();
    controls_ = std::move(controls).value();
    info = controls_->describe();
  }
  auto opened = open_opencv_source(camera);
  if (!opened) {
    controls_.reset();
    return opened.status();
  }
  frame_size_ = opened->frame_size;
  grabber_ = std::make_unique<FrameGrabber>(std::move(opened->source), "camera " + camera.source());
  info["backend"] = opened->backend;
  info["frame_size_px"] = {frame_size_.width, frame_size_.height};
  std::lock_guard lock(mutex_);
  described_ = std::move(info);
  return Status::ok();
}

Status CameraImager::connect() {
  disconnect();
  if (auto status = open_camera(); !status) {
    set_state(InstrumentState::offline, status.message());
    return status;
  }
  if (stage_) {
    auto fail = [&](const Status& status) {
      grabber_.reset();
      controls_.reset();
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
  set_state(InstrumentState::online, "camera " + settings_.camera.source() + " ready" +
                                         (stage_ ? std::string(" with stage") : std::string()));
  return Status::ok();
}

void CameraImager::disconnect() {
  grabber_.reset();
  controls_.reset();
  if (stage_) stage_->disconnect();
  exposure_ms_.reset();
  gain_.reset();
  if (state() != InstrumentState::offline) set_state(InstrumentState::offline, "disconnected");
}

Status CameraImager::load_plate(const LoadedPlate& plate) {
  if (plate.geometry.rows < 1 || plate.geometry.columns < 1) {
    return {StatusCode::invalid_argument, "plate '" + plate.format + "' has no wells"};
  }
  plate_ = plate;
  z_um_ = stage_ && stage_->has_z() ? settings_.focus_z_um : z_um_;
  return Status::ok();
}

cv::Size2d CameraImager::field_of_view_mm() const {
  cv::Size size = frame_size_;
  if (size.width <= 0) size = {settings_.camera.width_px, settings_.camera.height_px};
  double mm_per_px = settings_.camera.pixel_size_um / 1000.0;
  return {size.width * mm_per_px, size.height * mm_per_px};
}

Status CameraImager::move_to_field(const FieldRequest& request, std::stop_token stop) {
  if (!plate_) return {StatusCode::invalid_argument, name_ + ": no plate is loaded"};
  auto well = parse_well(request.well, plate_->geometry);
  if (!well) {
    return {StatusCode::invalid_argument, "well '" + request.well + "' is not on the loaded " +
                                              plate_->format + " plate"};
  }
  if (!stage_) {
    if (plate_->geometry.well_count() > 1 || request.offset_x_mm != 0.0 ||
        request.offset_y_mm != 0.0) {
      return {StatusCode::unsupported,
              name_ + " has no stage: it can image only the single field under the lens of a "
                      "single-well plate; configure a stage to image well " + request.well};
    }
    return Status::ok();
  }
  if (!stage_->is_homed()) {
    // No one else can home it (there is no homing request in the API): the first job does,
    // before its first move. An alarm (hard limit) also clears the homed flag and lands here.
    if (auto status = stage_->home(stop); !status) {
      return {status.code(), "homing the stage before well " + request.well + ": " + status.message()};
    }
  }
  const auto& g = plate_->geometry;
  double plate_x = g.a1_x_mm + well->column * g.pitch_mm + request.offset_x_mm;
  double plate_y = g.a1_y_mm + well->row * g.pitch_mm + request.offset_y_mm;
  StageTarget target;
  target.x_mm = settings_.plate_origin_x_mm + plate_x;
  target.y_mm = settings_.stage_y_inverted ? settings_.plate_origin_y_mm - plate_y
                                           : settings_.plate_origin_y_mm + plate_y;
  auto status = stage_->move_to(target, stop);
  if (!status) {
    return {status.code(), "moving to well " + request.well + " field " +
                               std::to_string(request.field) + ": " + status.message()};
  }
  return Status::ok();
}

Status CameraImager::apply_exposure(double exposure_ms, double gain) {
  if (settings_.camera.is_file()) return Status::ok();  // a recording cannot change exposure
  bool changed = false;
  if (!exposure_ms_ || std::abs(*exposure_ms_ - exposure_ms) > 1e-9) {
    auto applied = controls_->set_manual_exposure_ms(exposure_ms);
    if (!applied) return applied.status();
    exposure_ms_ = exposure_ms;
    changed = true;
  }
  if (!gain_ || std::abs(*gain_ - gain) > 1e-9) {
    if (settings_.camera.gain) {
      long raw = std::lround(settings_.camera.gain->raw_at_unity +
                             (gain - 1.0) * settings_.camera.gain->raw_per_unit);
      if (auto status = controls_->set_raw_gain(raw); !status) return status;
    } else if (std::abs(gain - 1.0) > 1e-9) {
      return {StatusCode::unsupported,
              "gain " + std::to_string(gain) + " asked of camera " + settings_.camera.device +
                  ", but camera.gain (raw_at_unity, raw_per_unit) is not configured; only gain "
                  "1.0 (the camera's own setting) can be used"};
    }
    gain_ = gain;
    changed = true;
  }
  // Frames already queued in the driver were exposed with the old settings.
  for (int i = 0; changed && i < settings_.camera.frames_to_discard; ++i) {
    auto stale = grabber_->grab(std::chrono::milliseconds(settings_.camera.grab_timeout_ms), {});
    if (!stale) return stale.status();
  }
  return Status::ok();
}

Result<cv::Mat> CameraImager::grab(std::stop_token stop) {
  auto frame = grabber_->grab(std::chrono::milliseconds(settings_.camera.grab_timeout_ms), stop);
  if (!frame && frame.status().code() != StatusCode::cancelled) {
    set_state(InstrumentState::error, frame.status().message());
  } else if (frame && frame_size_.width <= 0) {
    frame_size_ = frame->size();
  }
  return frame;
}

Result<CapturedImage> CameraImager::capture(const FieldRequest& request, std::stop_token stop) {
  if (!grabber_) return Status{StatusCode::disconnected, name_ + " is not connected"};
  if (auto status = move_to_field(request, stop); !status) return status;
  if (auto status = apply_exposure(request.exposure_ms, request.gain); !status) return status;
  auto frame = grab(stop);
  if (!frame) return frame.status();
  CapturedImage image;
  image.pixels = std::move(frame).value();
  image.well = request.well;
  image.field = request.field;
  image.pixel_size_um = settings_.camera.pixel_size_um;
  image.exposure_ms = settings_.camera.is_file() ? 0.0 : request.exposure_ms;
  image.z_um = z_um_;
  image.offset_x_mm = request.offset_x_mm;
  image.offset_y_mm = request.offset_y_mm;
  return image;
}

Result<double> CameraImager::autofocus(const FieldRequest& request, const AutofocusPlan& plan,
                                       std::stop_token stop) {
  if (!has_autofocus()) {
    return Status{StatusCode::unsupported,
                  name_ + " has no z axis to focus with (configure a stage with has_z = true)"};
  }
  if (!grabber_) return Status{StatusCode::disconnected, name_ + " is not connected"};
  if (auto status = move_to_field(request, stop); !status) return status;
  if (auto status = apply_exposure(request.exposure_ms, request.gain); !status) return status;
  auto sharpness_at_z = [&](double z_um) -> Result<double> {
    if (auto status = stage_->move_to({{}, {}, z_um}, stop); !status) return status;
    z_um_ = z_um;
    // One stale frame may predate the move.
    for (int i = 0; i < std::max(1, settings_.camera.frames_to_discard); ++i) {
      if (auto stale = grab(stop); !stale) return stale.status();
    }
    auto frame = grab(stop);
    if (!frame) return frame.status();
    return focus_sharpness(*frame);
  };
  const auto& z = stage_->limits().z_um;
  double start = std::clamp(z_um_, z.min, z.max);
  auto best = find_best_focus(sharpness_at_z, start, plan, stop, FocusLimits{z.min, z.max});
  if (!best) {
    return Status{best.status().code(), "autofocus on well " + request.well + " field " +
                                            std::to_string(request.field) + ": " +
                                            best.status().message()};
  }
  if (auto status = stage_->move_to({{}, {}, *best}, stop); !status) return status;
  z_um_ = *best;
  return *best;
}

}  // namespace assay::drivers
