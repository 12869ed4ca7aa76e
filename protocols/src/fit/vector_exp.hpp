// exp(x) as plain arithmetic, so that a loop over data points calling it vectorises (std::exp is
// a library call that keeps a loop scalar): Cody-Waite reduction x = k ln2 + r, |r| <= ln2/2,
// exp(r) by its Taylor polynomial of degree 13 (truncation below 1e-17 relative), 2^k from the
// exponent bits. Within a few ulp of std::exp. x above 709.78 gives +inf, below -708 gives 0
// (std::exp: a subnormal), NaN stays NaN. Pure, header-only.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

namespace assay::protocols::fit::detail {

inline double exp_arithmetic(double x) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln 2 in 32 bits, then the rest
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kShifter = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
  // 2^(k-1) stays a normal number (doubled at the end, so k = 1024 works too).
  constexpr double kMax = 709.782712893384, kMin = -708.0;
  // Selections between computed values (not std::min/max), which the vectoriser turns into masks.
  const double x_low = x < kMin ? kMin : x;  // NaN passes through both
  const double xc = x_low > kMax ? kMax : x_low;
  double kd = xc * kLog2e + kShifter;
  const std::uint64_t k_bits = std::bit_cast<std::uint64_t>(kd);  // k in the low bits
  kd -= kShifter;
  const double r = (xc - kd * kLn2Hi) - kd * kLn2Lo;
  double p = 1.0 / 6227020800.0;  // 1/13!
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const double half_scale = std::bit_cast<double>((k_bits + 1022) << 52);  // 2^(k-1)
  const double e = p * half_scale * 2.0;
  const double e_low = x < kMin ? 0.0 : e;
  return x > kMax ? std::numeric_limits<double>::infinity() : e_low;
}

}  // namespace assay::protocols::fit::detail
