// The Imager interface: a camera over a plate, able to image fields in wells and focus.
//
// capture() blocks the worker thread until one frame is grabbed (bounded by a timeout) and
// returns it with the metadata needed to interpret it (pixel size, exposure, focus position).
// Offsets are from the well centre, in millimetres. Unsupported features say so.
#pragma once

#include <stop_token>
#include <string>

#include <opencv2/core.hpp>

#include "assay/drivers/instrument.hpp"

namespace assay::drivers {

// What the scene under the camera is, for simulated imagers. Real imagers ignore it.
enum class SampleKind { colonies, stained_cells };

struct FieldRequest {
  std::string well;
  int field = 0;
  double offset_x_mm = 0.0;
  double offset_y_mm = 0.0;
  double exposure_ms = 20.0;
  double gain = 1.0;
  SampleKind sample = SampleKind::colonies;
};

struct CapturedImage {
  cv::Mat pixels;  // 8-bit BGR or grey
  std::string well;
  int field = 0;
  double pixel_size_um = 10.0;
  double exposure_ms = 0.0;
  double z_um = 0.0;
  double offset_x_mm = 0.0;
  double offset_y_mm = 0.0;
};

struct AutofocusPlan {
  double range_um = 400.0;  // searched around the current position
  double coarse_step_um = 40.0;
  double fine_step_um = 5.0;
};

class Imager : public Instrument {
 public:
  static constexpr InstrumentKind kKind = InstrumentKind::imager;
  InstrumentKind kind() const override { return kKind; }

  virtual Result<CapturedImage> capture(const FieldRequest& request, std::stop_token stop) = 0;
  // Moves to the sharpest z for the given field and returns it; unsupported without a z axis.
  virtual Result<double> autofocus(const FieldRequest& request, const AutofocusPlan& plan,
                                   std::stop_token stop) = 0;
  virtual bool has_autofocus() const = 0;
  // Size of one field of view, in millimetres (width, height).
  virtual cv::Size2d field_of_view_mm() const = 0;
  virtual double pixel_size_um() const = 0;
};

}  // namespace assay::drivers
