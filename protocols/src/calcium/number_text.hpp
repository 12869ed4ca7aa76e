// Numbers in calcium_flux's messages: three significant digits ("0.5", "1.2e+03").
#pragma once

#include <cstdio>
#include <string>

namespace assay::protocols::calcium {

inline std::string short_number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", v);
  return buffer;
}

}  // namespace assay::protocols::calcium
