#include "aravis_camera.hpp"

#include <arv.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "pixel_conversion.hpp"

namespace assay::drivers {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Aravis keeps one process-wide device list; two instruments connecting at once must not
// rebuild it under each other.
std::mutex& discovery_mutex() {
  static std::mutex mutex;
  return mutex;
}

struct GObjectUnref {
  void operator()(gpointer object) const {
    if (object) g_object_unref(object);
  }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

// Owns the GError an Aravis call may set.
class Failure {
 public:
  Failure() = default;
  ~Failure() { g_clear_error(&error_); }
  Failure(const Failure&) = delete;
  Failure& operator=(const Failure&) = delete;
  GError** out() {
    g_clear_error(&error_);
    return &error_;
  }
  explicit operator bool() const { return error_ != nullptr; }
  std::string message() const { return error_ ? error_->message : ""; }
  // The camera did not answer a control request: it is gone or unreachable.
  bool lost() const {
    return error_ && error_->domain == ARV_DEVICE_ERROR &&
           (error_->code == ARV_DEVICE_ERROR_TIMEOUT || error_->code == ARV_DEVICE_ERROR_NOT_CONNECTED ||
            error_->code == ARV_DEVICE_ERROR_TRANSFER_ERROR);
  }

 private:
  GError* error_ = nullptr;
};

std::string text_or(const char* text, const char* fallback) { return text && *text ? text : fallback; }

std::string format_range(double low, double high, const char* unit) {
  char out[96];
  std::snprintf(out, sizeof out, "%g-%g %s", low, high, unit);
  return out;
}

struct Discovered {
  std::string id, vendor, model, serial, address, protocol;
};

std::vector<Discovered> discover() {
  arv_update_device_list();
  std::vector<Discovered> out;
  for (unsigned i = 0; i < arv_get_n_devices(); ++i) {
    out.push_back({text_or(arv_get_device_id(i), ""), text_or(arv_get_device_vendor(i), ""),
                   text_or(arv_get_device_model(i), ""), text_or(arv_get_device_serial_nbr(i), ""),
                   text_or(arv_get_device_address(i), ""), text_or(arv_get_device_protocol(i), "")});
  }
  return out;
}

bool matches(const Discovered& found, const GenicamCameraSettings& wanted) {
  return (wanted.vendor.empty() || found.vendor == wanted.vendor) &&
         (wanted.model.empty() || found.model == wanted.model) &&
         (wanted.serial.empty() || found.serial == wanted.serial);
}

void on_control_lost(ArvDevice*, gpointer flag) {
  static_cast<std::shared_ptr<std::atomic<bool>>*>(flag)->get()->store(true);
}

void release_flag(gpointer flag, GClosure*) { delete static_cast<std::shared_ptr<std::atomic<bool>>*>(flag); }

}  // namespace

struct AravisCamera::Handles {
  GObjectPtr<ArvCamera> camera;
  GObjectPtr<ArvStream> stream;
  gulong lost_handler = 0;
};

AravisCamera::AravisCamera(GenicamCameraSettings settings, std::unique_ptr<Handles> handles)
    : settings_(std::move(settings)), handles_(std::move(handles)) {}

AravisCamera::~AravisCamera() {
  ArvCamera* camera = handles_->camera.get();
  if (handles_->lost_handler != 0) {
    g_signal_handler_disconnect(arv_camera_get_device(camera), handles_->lost_handler);
  }
  // A camera that stopped answering would make each request wait out Aravis' own retries.
  if (acquiring_ && !control_lost() && !unresponsive_) {
    Failure failure;
    arv_camera_stop_acquisition(camera, failure.out());
  }
  handles_->stream.reset();  // joins the stream's receiving thread
  handles_->camera.reset();
}

Result<std::shared_ptr<AravisCamera>> AravisCamera::open(const GenicamCameraSettings& settings) {
  auto handles = std::make_unique<Handles>();
  std::string id = settings.device_id;
  {
    std::lock_guard lock(discovery_mutex());
    auto found = discover();
    if (id.empty()) {
      for (const auto& camera : found) {
        if (matches(camera, settings)) {
          id = camera.id;
          break;
        }
      }
      if (id.empty()) {
        std::string seen;
        for (const auto& camera : found) {
          seen += (seen.empty() ? "" : "; ") + camera.vendor + " " + camera.model + " serial " +
                  camera.serial + " at " + camera.address;
        }
        return Status{StatusCode::not_found,
                      "no GenICam camera matching " + settings.wanted() + " (found: " +
                          (seen.empty() ? std::string("none") : seen) +
                          "); check power, cable and, for GigE, that the camera's IP address is "
                          "on the same subnet as this computer"};
      }
    }
    Failure failure;
    handles->camera.reset(arv_camera_new(id.c_str(), failure.out()));
    if (!handles->camera) {
      return Status{settings.device_id.empty() ? StatusCode::io_error : StatusCode::not_found,
                    "cannot open GenICam camera '" + id + "': " + failure.message() +
                        (settings.device_id.empty() ? "" : " (is device_id right and the camera powered?)")};
    }
  }
  auto camera = std::shared_ptr<AravisCamera>(new AravisCamera(settings, std::move(handles)));
  if (auto status = camera->configure(); !status) return status;
  return camera;
}

Status AravisCamera::configure() {
  ArvCamera* camera = handles_->camera.get();
  Failure failure;
  label_ = text_or(arv_camera_get_vendor_name(camera, failure.out()), "?") + std::string(" ") +
           text_or(arv_camera_get_model_name(camera, failure.out()), "?") + " serial " +
           text_or(arv_camera_get_device_serial_number(camera, failure.out()), "?");
  const bool gige = arv_camera_is_gv_device(camera);
  auto refused = [&](const char* key, const std::string& what) {
    return Status{StatusCode::invalid_argument,
                  "camera." + std::string(key) + ": " + label_ + " " + what};
  };
  auto failed = [&](const std::string& what) {
    return Status{failure.lost() ? StatusCode::disconnected : StatusCode::device_error,
                  label_ + ": " + what + ": " + failure.message()};
  };

  if (gige) {
    arv_camera_gv_set_stream_options(camera, ARV_GV_STREAM_OPTION_PACKET_SOCKET_DISABLED);
    if (settings_.packet_size_bytes > 0) {
      arv_camera_gv_set_packet_size(camera, settings_.packet_size_bytes, failure.out());
      if (failure) return refused("packet_size_bytes", "refused the packet size: " + failure.message());
    } else {
      arv_camera_gv_auto_packet_size(camera, failure.out());
      if (failure) return failed("negotiating the stream packet size");
    }
  }
  if (settings_.binning != 1) {
    gint low = 1, high = 1;
    if (arv_camera_is_binning_available(camera, failure.out())) {
      arv_camera_get_x_binning_bounds(camera, &low, &high, failure.out());
    }
    if (settings_.binning < low || settings_.binning > high) {
      return refused("binning", "offers binning " + std::to_string(low) + "-" + std::to_string(high) +
                                    ", not " + std::to_string(settings_.binning));
    }
    arv_camera_set_binning(camera, settings_.binning, settings_.binning, failure.out());
    if (failure) return refused("binning", "refused binning: " + failure.message());
  }
  guint n_formats = 0;
  const char** formats = arv_camera_dup_available_pixel_formats_as_strings(camera, &n_formats, failure.out());
  std::string offered;
  bool available = false;
  for (guint i = 0; formats && i < n_formats; ++i) {
    offered += (offered.empty() ? "" : ", ") + std::string(formats[i]);
    available = available || settings_.pixel_format == formats[i];
  }
  g_free(formats);
  if (!available) {
    return refused("pixel_format", "offers " + (offered.empty() ? std::string("no pixel format list") : offered) +
                                       ", not " + settings_.pixel_format);
  }
  arv_camera_set_pixel_format_from_string(camera, settings_.pixel_format.c_str(), failure.out());
  if (failure) return refused("pixel_format", "refused " + settings_.pixel_format + ": " + failure.message());
  pixel_format_code_ = arv_camera_get_pixel_format(camera, failure.out());

  gint width_low = 0, width_high = 0, height_low = 0, height_high = 0;
  arv_camera_get_width_bounds(camera, &width_low, &width_high, failure.out());
  arv_camera_get_height_bounds(camera, &height_low, &height_high, failure.out());
  if (failure) return failed("reading the frame size range");
  int width = settings_.width_px > 0 ? settings_.width_px : width_high;
  int height = settings_.height_px > 0 ? settings_.height_px : height_high;
  if (width < width_low || width > width_high || height < height_low || height > height_high) {
    return refused("width_px", "frames (with binning " + std::to_string(settings_.binning) + ") are " +
                                   std::to_string(width_low) + "-" + std::to_string(width_high) + " x " +
                                   std::to_string(height_low) + "-" + std::to_string(height_high) +
                                   " px, not " + std::to_string(width) + " x " + std::to_string(height));
  }
  arv_camera_set_region(camera, settings_.offset_x_px, settings_.offset_y_px, width, height, failure.out());
  if (failure) return refused("offset_x_px", "refused the region: " + failure.message());
  gint x = 0, y = 0, w = 0, h = 0;
  arv_camera_get_region(camera, &x, &y, &w, &h, failure.out());
  if (failure) return failed("reading the region back");
  if (x != settings_.offset_x_px || y != settings_.offset_y_px || w != width || h != height) {
    return refused("width_px", "set the region to " + std::to_string(w) + "x" + std::to_string(h) + " at (" +
                                   std::to_string(x) + ", " + std::to_string(y) + ") instead of " +
                                   std::to_string(width) + "x" + std::to_string(height) + " at (" +
                                   std::to_string(settings_.offset_x_px) + ", " +
                                   std::to_string(settings_.offset_y_px) +
                                   "): the region must fit the sensor and its size/offset steps");
  }
  frame_size_ = {w, h};

  arv_camera_set_acquisition_mode(camera, ARV_ACQUISITION_MODE_CONTINUOUS, failure.out());
  if (failure) return failed("setting continuous acquisition");
  switch (settings_.trigger) {
    case GenicamTrigger::software:
      if (!arv_camera_is_software_trigger_supported(camera, failure.out())) {
        return refused("trigger", "has no software trigger; use trigger = \"free_run\" or \"hardware\"");
      }
      arv_camera_set_trigger(camera, "Software", failure.out());
      if (failure) return refused("trigger", "refused the software trigger: " + failure.message());
      break;
    case GenicamTrigger::hardware: {
      arv_camera_set_trigger(camera, settings_.trigger_source.c_str(), failure.out());
      if (failure) {
        return refused("trigger_source", "refused trigger source '" + settings_.trigger_source + "': " + failure.message());
      }
      arv_device_set_string_feature_value(arv_camera_get_device(camera), "TriggerActivation",
                                          settings_.trigger_activation.c_str(), failure.out());
      if (failure) {
        return refused("trigger_activation",
                       "refused '" + settings_.trigger_activation + "': " + failure.message());
      }
      break;
    }
    case GenicamTrigger::free_run:
      arv_camera_clear_triggers(camera, failure.out());
      if (failure) return failed("switching the triggers off");
      break;
  }
  if (arv_camera_is_exposure_auto_available(camera, failure.out())) {
    arv_camera_set_exposure_time_auto(camera, ARV_AUTO_OFF, failure.out());
  }
  if (arv_camera_is_gain_auto_available(camera, failure.out())) {
    arv_camera_set_gain_auto(camera, ARV_AUTO_OFF, failure.out());
  }

  // Heartbeat lost (GigE) or device gone: noted at once, checked while a frame is awaited.
  handles_->lost_handler = g_signal_connect_data(
      arv_camera_get_device(camera), "control-lost", G_CALLBACK(on_control_lost),
      new std::shared_ptr<std::atomic<bool>>(control_lost_), release_flag, GConnectFlags{});

  guint payload = arv_camera_get_payload(camera, failure.out());
  if (failure || payload == 0) return failed("reading the frame payload size");
  handles_->stream.reset(arv_camera_create_stream(camera, nullptr, nullptr, failure.out()));
  if (!handles_->stream) return failed("creating the acquisition stream");
  if (ARV_IS_GV_STREAM(handles_->stream.get())) {
    g_object_set(handles_->stream.get(), "socket-buffer", ARV_GV_STREAM_SOCKET_BUFFER_FIXED,
                 "socket-buffer-size", settings_.socket_buffer_bytes, nullptr);
  }
  for (int i = 0; i < settings_.buffers; ++i) {
    arv_stream_push_buffer(handles_->stream.get(), arv_buffer_new_allocate(payload));
  }
  arv_camera_start_acquisition(camera, failure.out());
  if (failure) return failed("starting acquisition");
  acquiring_ = true;

  double exposure_low = 0, exposure_high = 0, gain_low = 0, gain_high = 0;
  arv_camera_get_exposure_time_bounds(camera, &exposure_low, &exposure_high, failure.out());
  nlohmann::json info = {{"camera", label_},
                         {"device_id", text_or(arv_camera_get_device_id(camera, failure.out()), "")},
                         {"protocol", gige ? "GigE Vision" : arv_camera_is_uv_device(camera) ? "USB3 Vision" : "other"},
                         {"pixel_format", settings_.pixel_format},
                         {"frame_size_px", {w, h}},
                         {"region_offset_px", {x, y}},
                         {"binning", settings_.binning},
                         {"trigger", to_string(settings_.trigger)},
                         {"exposure_ms_range", {exposure_low / 1000.0, exposure_high / 1000.0}},
                         {"payload_bytes", payload},
                         {"buffers", settings_.buffers}};
  if (arv_camera_is_gain_available(camera, failure.out())) {
    arv_camera_get_gain_bounds(camera, &gain_low, &gain_high, failure.out());
    info["gain_range"] = {gain_low, gain_high};
    info["gain_unit"] = settings_.gain_in_db ? "dB" : "factor";
  }
  if (settings_.trigger == GenicamTrigger::hardware) info["trigger_source"] = settings_.trigger_source;
  described_ = std::move(info);
  return Status::ok();
}

void AravisCamera::set_wanted(double exposure_ms, double gain) {
  std::lock_guard lock(mutex_);
  wanted_exposure_ms_ = exposure_ms;
  wanted_gain_ = gain;
}

double AravisCamera::applied_exposure_ms() const {
  std::lock_guard lock(mutex_);
  return applied_exposure_ms_;
}

Status AravisCamera::apply_wanted(bool& changed) {
  double exposure_ms, gain, applied_exposure_ms, applied_gain;
  {
    std::lock_guard lock(mutex_);
    exposure_ms = wanted_exposure_ms_;
    gain = wanted_gain_;
    applied_exposure_ms = applied_exposure_ms_;
    applied_gain = applied_gain_;
  }
  ArvCamera* camera = handles_->camera.get();
  Failure failure;
  auto failed = [&](const std::string& what) {
    return Status{failure.lost() ? StatusCode::disconnected : StatusCode::device_error,
                  label_ + ": " + what + ": " + failure.message()};
  };
  if (std::abs(applied_exposure_ms - exposure_ms) > 1e-9) {
    double low = 0, high = 0;
    arv_camera_get_exposure_time_bounds(camera, &low, &high, failure.out());
    if (failure) return failed("reading the exposure range");
    double exposure_us = exposure_ms * 1000.0;
    if (exposure_us < low || exposure_us > high) {
      return {StatusCode::invalid_argument, "exposure " + std::to_string(exposure_ms) + " ms is outside the range of " +
                                                label_ + ": " + format_range(low / 1000.0, high / 1000.0, "ms")};
    }
    arv_camera_set_exposure_time(camera, exposure_us, failure.out());
    if (failure) return failed("setting exposure " + std::to_string(exposure_ms) + " ms");
    double reported_us = arv_camera_get_exposure_time(camera, failure.out());
    if (failure) return failed("reading the exposure back");
    std::lock_guard lock(mutex_);
    applied_exposure_ms_ = reported_us / 1000.0;
    changed = true;
  }
  if (std::abs(applied_gain - gain) > 1e-9) {
    if (gain <= 0.0) return {StatusCode::invalid_argument, "gain must be above 0 (1.0 = unity)"};
    if (!arv_camera_is_gain_available(camera, failure.out())) {
      if (std::abs(gain - 1.0) > 1e-9) {
        return {StatusCode::unsupported, label_ + " has no gain control: only gain 1.0 can be used"};
      }
    } else {
      double value = settings_.gain_in_db ? 20.0 * std::log10(gain) : gain;
      double low = 0, high = 0;
      arv_camera_get_gain_bounds(camera, &low, &high, failure.out());
      if (failure) return failed("reading the gain range");
      if (value < low - 1e-9 || value > high + 1e-9) {
        return {StatusCode::invalid_argument,
                "gain " + std::to_string(gain) + " (" + std::to_string(value) +
                    (settings_.gain_in_db ? " dB" : "") + ") is outside the range of " + label_ + ": " +
                    format_range(low, high, settings_.gain_in_db ? "dB" : "(camera.gain_unit = factor)")};
      }
      arv_camera_set_gain(camera, value, failure.out());
      if (failure) return failed("setting gain");
    }
    std::lock_guard lock(mutex_);
    applied_gain_ = gain;
    changed = true;
  }
  return Status::ok();
}

Result<cv::Mat> AravisCamera::take_frame(void* opaque) {
  auto* buffer = static_cast<ArvBuffer*>(opaque);
  std::size_t size = 0;
  const void* data = arv_buffer_get_image_data(buffer, &size);
  int width = arv_buffer_get_image_width(buffer);
  int height = arv_buffer_get_image_height(buffer);
  auto pixel_format = arv_buffer_get_image_pixel_format(buffer);
  auto layout = parse_pixel_layout(settings_.pixel_format);
  Result<cv::Mat> frame = Status{StatusCode::device_error, ""};
  if (pixel_format != pixel_format_code_ || width <= 0 || height <= 0) {
    frame = Status{StatusCode::device_error, label_ + " sent a frame of another format (0x" +
                                                 std::to_string(pixel_format) + ", " + std::to_string(width) +
                                                 "x" + std::to_string(height) + ") than configured"};
  } else if (size < static_cast<std::size_t>(width) * height * layout->bytes_per_pixel()) {
    frame = Status{StatusCode::device_error,
                   label_ + " sent " + std::to_string(size) + " bytes for a " + std::to_string(width) + "x" +
                       std::to_string(height) + " " + settings_.pixel_format + " frame"};
  } else {
    // A header over the buffer's bytes: no copy until convert_frame writes the frame the job keeps.
    cv::Mat raw(height, width, layout->raw_type, const_cast<void*>(data));
    frame = convert_frame(raw, *layout, settings_.monochrome);
  }
  arv_stream_push_buffer(handles_->stream.get(), buffer);
  return frame;
}

Result<cv::Mat> AravisCamera::next_frame(std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  ArvStream* stream = handles_->stream.get();
  ArvCamera* camera = handles_->camera.get();
  auto lost = [&] {
    return Status{StatusCode::disconnected,
                  label_ + " stopped answering (control connection lost): check its cable and power"};
  };
  if (control_lost()) return lost();
  bool changed = false;
  if (auto status = apply_wanted(changed); !status) return status;
  // Frames already delivered were exposed before this request.
  while (ArvBuffer* stale = arv_stream_try_pop_buffer(stream)) arv_stream_push_buffer(stream, stale);
  int to_discard = settings_.trigger == GenicamTrigger::free_run && changed ? settings_.frames_to_discard : 0;
  int incomplete = 0;
  bool need_trigger = settings_.trigger == GenicamTrigger::software;
  while (true) {
    if (control_lost()) return lost();
    if (need_trigger) {
      Failure failure;
      arv_camera_software_trigger(camera, failure.out());
      if (failure) {
        unresponsive_ = unresponsive_ || failure.lost();
        return Status{failure.lost() ? StatusCode::disconnected : StatusCode::device_error,
                      label_ + " did not take the software trigger: " + failure.message()};
      }
      need_trigger = false;
    }
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) break;
    // Short waits, so that a lost control connection ends the wait early.
    auto slice = std::min<std::int64_t>(left.count(), 50'000);
    ArvBuffer* buffer = arv_stream_timeout_pop_buffer(stream, static_cast<guint64>(slice));
    if (!buffer) continue;
    if (arv_buffer_get_status(buffer) != ARV_BUFFER_STATUS_SUCCESS) {
      // Packets lost on the way: the frame is incomplete; ask for another one.
      ++incomplete;
      arv_stream_push_buffer(stream, buffer);
      need_trigger = settings_.trigger == GenicamTrigger::software;
      continue;
    }
    if (to_discard > 0) {
      --to_discard;
      arv_stream_push_buffer(stream, buffer);
      continue;
    }
    return take_frame(buffer);
  }
  unresponsive_ = true;
  if (control_lost()) return lost();
  std::string why = settings_.trigger == GenicamTrigger::hardware
                        ? "no pulse on " + settings_.trigger_source + ", or the camera stopped answering"
                        : "the camera stopped answering or was unplugged";
  if (incomplete > 0) {
    why = std::to_string(incomplete) + " incomplete frame(s) (lost packets: raise net.core.rmem_max or "
          "camera.socket_buffer_bytes, or lower camera.packet_size_bytes)";
  }
  return Status{StatusCode::timeout, "no frame from " + label_ + " within " + std::to_string(timeout.count()) +
                                         " ms: " + why};
}

}  // namespace assay::drivers
