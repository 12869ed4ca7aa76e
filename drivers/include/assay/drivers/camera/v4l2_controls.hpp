// Manual exposure and gain on a V4L2 device through its controls (ioctl VIDIOC_S_CTRL), on a
// file descriptor of its own (V4L2 allows controls to be set while another handle streams).
//
// Exposure: V4L2_CID_EXPOSURE_AUTO is switched to V4L2_EXPOSURE_MANUAL, then
// V4L2_CID_EXPOSURE_ABSOLUTE is set in its unit of 100 us and read back. Values outside the
// range the device reports (VIDIOC_QUERYCTRL) are refused with that range in the message.
// One thread at a time.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "assay/drivers/status.hpp"
#include "assay/drivers/unique_fd.hpp"

namespace assay::drivers {

struct ControlRange {
  long minimum = 0;
  long maximum = 0;
  long step = 1;
  long default_value = 0;
};

class V4l2Controls {
 public:
  // not_found when the node does not exist, io_error when it cannot be opened (says which group).
  static Result<std::unique_ptr<V4l2Controls>> open(const std::string& device);
  ~V4l2Controls();
  V4l2Controls(const V4l2Controls&) = delete;
  V4l2Controls& operator=(const V4l2Controls&) = delete;

  // Returns the exposure actually set (the device rounds to its step), in ms.
  Result<double> set_manual_exposure_ms(double exposure_ms);
  Status set_raw_gain(long raw);
  Result<ControlRange> range(unsigned control_id) const;
  // Card name, driver, bus, and the exposure and gain ranges.
  nlohmann::json describe() const;

 private:
  V4l2Controls(UniqueFd fd, std::string device) : fd_(std::move(fd)), device_(std::move(device)) {}
  Status set(unsigned control_id, long value, const char* what);
  Result<long> get(unsigned control_id, const char* what) const;

  UniqueFd fd_;
  std::string device_;
};

}  // namespace assay::drivers
