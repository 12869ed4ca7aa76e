#include "assay/drivers/camera/v4l2_controls.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>

#include <fcntl.h>
#include <linux/videodev2.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace assay::drivers {
namespace {

int xioctl(int fd, unsigned long request, void* arg) {
  int rc;
  do {
    rc = ::ioctl(fd, request, arg);
  } while (rc < 0 && errno == EINTR);
  return rc;
}

constexpr double kExposureUnitMs = 0.1;  // V4L2_CID_EXPOSURE_ABSOLUTE counts 100 us

}  // namespace

Result<std::unique_ptr<V4l2Controls>> V4l2Controls::open(const std::string& device) {
  UniqueFd fd(::open(device.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    int err = errno;
    if (err == ENOENT || err == ENODEV || err == ENXIO) {
      return Status{StatusCode::not_found,
                    "camera " + device + " does not exist; is the camera plugged in? (list the "
                    "cameras with: ls /dev/video* /dev/v4l/by-id/)"};
    }
    if (err == EACCES || err == EPERM) {
      return Status{StatusCode::io_error, "no permission to open camera " + device +
                                              "; add the daemon's user to the 'video' group"};
    }
    return Status{StatusCode::io_error, "cannot open camera " + device + ": " + std::strerror(err)};
  }
  v4l2_capability caps{};
  if (xioctl(fd.get(), VIDIOC_QUERYCAP, &caps) != 0) {
    return Status{StatusCode::invalid_argument, device + " is not a V4L2 video device"};
  }
  std::uint32_t device_caps =
      (caps.capabilities & V4L2_CAP_DEVICE_CAPS) != 0 ? caps.device_caps : caps.capabilities;
  if ((device_caps & V4L2_CAP_VIDEO_CAPTURE) == 0) {
    return Status{StatusCode::invalid_argument,
                  device + " cannot capture video (a UVC camera exposes a metadata node too; use "
                           "the other /dev/video node of the same camera)"};
  }
  return std::unique_ptr<V4l2Controls>(new V4l2Controls(std::move(fd), device));
}

V4l2Controls::~V4l2Controls() = default;

Result<ControlRange> V4l2Controls::range(unsigned control_id) const {
  v4l2_queryctrl query{};
  query.id = control_id;
  if (xioctl(fd_.get(), VIDIOC_QUERYCTRL, &query) != 0 || (query.flags & V4L2_CTRL_FLAG_DISABLED) != 0) {
    return Status{StatusCode::unsupported, "camera " + device_ + " has no such control"};
  }
  return ControlRange{query.minimum, query.maximum, query.step > 0 ? query.step : 1,
                      query.default_value};
}

Status V4l2Controls::set(unsigned control_id, long value, const char* what) {
  v4l2_control control{};
  control.id = control_id;
  control.value = static_cast<std::int32_t>(value);
  if (xioctl(fd_.get(), VIDIOC_S_CTRL, &control) != 0) {
    int err = errno;
    if (err == ENODEV) return {StatusCode::disconnected, "camera " + device_ + " went away"};
    return {StatusCode::device_error, "camera " + device_ + " refused " + what + " = " +
                                          std::to_string(value) + ": " + std::strerror(err)};
  }
  return Status::ok();
}

Result<long> V4l2Controls::get(unsigned control_id, const char* what) const {
  v4l2_control control{};
  control.id = control_id;
  if (xioctl(fd_.get(), VIDIOC_G_CTRL, &control) != 0) {
    return Status{StatusCode::device_error,
                  "camera " + device_ + " cannot read " + what + ": " + std::strerror(errno)};
  }
  return static_cast<long>(control.value);
}

Result<double> V4l2Controls::set_manual_exposure_ms(double exposure_ms) {
  auto exposure_range = range(V4L2_CID_EXPOSURE_ABSOLUTE);
  if (!exposure_range) {
    return Status{StatusCode::unsupported,
                  "camera " + device_ + " has no manual exposure control (V4L2_CID_EXPOSURE_ABSOLUTE)"};
  }
  long raw = std::lround(exposure_ms / kExposureUnitMs);
  if (raw < exposure_range->minimum || raw > exposure_range->maximum) {
    return Status{StatusCode::invalid_argument,
                  "exposure " + std::to_string(exposure_ms) + " ms is outside the range of camera " +
                      device_ + ": " + std::to_string(exposure_range->minimum * kExposureUnitMs) +
                      "-" + std::to_string(exposure_range->maximum * kExposureUnitMs) + " ms"};
  }
  // Auto exposure off first, or the device ignores (or rejects) the absolute value.
  if (range(V4L2_CID_EXPOSURE_AUTO)) {
    if (auto s = set(V4L2_CID_EXPOSURE_AUTO, V4L2_EXPOSURE_MANUAL, "manual exposure mode"); !s) {
      return s;
    }
  }
  if (auto s = set(V4L2_CID_EXPOSURE_ABSOLUTE, raw, "exposure"); !s) return s;
  auto applied = get(V4L2_CID_EXPOSURE_ABSOLUTE, "exposure");
  if (!applied) return applied.status();
  return *applied * kExposureUnitMs;
}

Status V4l2Controls::set_raw_gain(long raw) {
  auto gain_range = range(V4L2_CID_GAIN);
  if (!gain_range) {
    return {StatusCode::unsupported, "camera " + device_ + " has no gain control (V4L2_CID_GAIN)"};
  }
  if (raw < gain_range->minimum || raw > gain_range->maximum) {
    return {StatusCode::invalid_argument,
            "gain control value " + std::to_string(raw) + " is outside the range of camera " +
                device_ + ": " + std::to_string(gain_range->minimum) + "-" +
                std::to_string(gain_range->maximum) + " (check camera.gain in the config)"};
  }
  return set(V4L2_CID_GAIN, raw, "gain");
}

nlohmann::json V4l2Controls::describe() const {
  nlohmann::json out = {{"device", device_}};
  v4l2_capability caps{};
  if (xioctl(fd_.get(), VIDIOC_QUERYCAP, &caps) == 0) {
    out["card"] = reinterpret_cast<const char*>(caps.card);
    out["driver"] = reinterpret_cast<const char*>(caps.driver);
    out["bus"] = reinterpret_cast<const char*>(caps.bus_info);
  }
  if (auto r = range(V4L2_CID_EXPOSURE_ABSOLUTE)) {
    out["exposure_ms_range"] = {r->minimum * kExposureUnitMs, r->maximum * kExposureUnitMs};
  }
  if (auto r = range(V4L2_CID_GAIN)) out["gain_raw_range"] = {r->minimum, r->maximum};
  return out;
}

}  // namespace assay::drivers
