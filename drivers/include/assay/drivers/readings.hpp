// Readings as they come off a plate reader, and the sink they are handed to.
//
// A driver delivers readings in pages (one cycle of a kinetic read, one wavelength of an
// endpoint read) to a ReadingSink as soon as it has them, so that nothing measured is lost if
// the run stops later. A sink returning a failed Status asks the driver to stop.
#pragma once

#include <functional>
#include <span>
#include <string>

#include "assay/drivers/status.hpp"

namespace assay::drivers {

struct Reading {
  std::string well;     // "A1"
  std::string channel;  // "abs590", "fl494-516", "lum"
  int cycle = 0;        // 0 for endpoint reads; kinetic frame index otherwise
  double time_s = 0.0;  // seconds since the start of the read, per well (not evenly spaced)
  double value = 0.0;   // OD for absorbance, RFU for fluorescence
  bool saturated = false;
};

using ReadingSink = std::function<Status(std::span<const Reading>)>;

// Progress in [0, 1] with a short human message.
using ProgressSink = std::function<void(double fraction, const std::string& message)>;

}  // namespace assay::drivers
