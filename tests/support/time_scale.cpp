#include "support/time_scale.hpp"

#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace assay::testing {

// Read at each call (one getenv), so that the test of this helper can set the variable.
double time_scale() {
  const char* text = std::getenv("ASSAY_TEST_TIME_SCALE");
  if (text == nullptr || *text == '\0') return 1.0;
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (*end != '\0' || !std::isfinite(value) || value < 1.0 || value > 100.0) {
    throw std::invalid_argument(std::string("ASSAY_TEST_TIME_SCALE=\"") + text +
                                "\": give a number from 1 (a normal build) to 100, or unset it");
  }
  return value;
}

std::chrono::milliseconds scaled(std::chrono::milliseconds limit) {
  return std::chrono::milliseconds(std::llround(static_cast<double>(limit.count()) * time_scale()));
}

}  // namespace assay::testing
