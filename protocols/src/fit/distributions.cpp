// t and F quantiles through Boost.Math with a thread-local memo; see distributions.hpp.
#include "assay/protocols/fit/distributions.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>

#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace assay::protocols::fit {
namespace {

// Direct-mapped memo keyed by the exact arguments.
struct MemoEntry {
  int kind = -1;
  double a = 0, b = 0, c = 0, value = 0;
};
constexpr std::size_t kMemoSize = 64;
thread_local std::array<MemoEntry, kMemoSize> memo;

std::size_t slot(int kind, double a, double b, double c) {
  const auto h = std::hash<double>{}(a) * 31 + std::hash<double>{}(b) * 17 +
                 std::hash<double>{}(c) * 7 + static_cast<std::size_t>(kind);
  return h % kMemoSize;
}

template <class Compute>
double memoised(int kind, double a, double b, double c, Compute compute) {
  MemoEntry& e = memo[slot(kind, a, b, c)];
  if (e.kind == kind && e.a == a && e.b == b && e.c == c) return e.value;
  const double value = compute();
  e = {kind, a, b, c, value};
  return value;
}

bool valid_probability(double p) { return p > 0.0 && p < 1.0; }

}  // namespace

double student_t_quantile(double probability, double df) {
  if (!valid_probability(probability) || !(df > 0)) return std::numeric_limits<double>::quiet_NaN();
  return memoised(0, probability, df, 0.0, [&] {
    return boost::math::quantile(boost::math::students_t_distribution<double>(df), probability);
  });
}

double f_quantile(double probability, double df1, double df2) {
  if (!valid_probability(probability) || !(df1 > 0) || !(df2 > 0))
    return std::numeric_limits<double>::quiet_NaN();
  return memoised(1, probability, df1, df2, [&] {
    return boost::math::quantile(boost::math::fisher_f_distribution<double>(df1, df2), probability);
  });
}

double f_upper_tail(double x, double df1, double df2) {
  if (!(df1 > 0) || !(df2 > 0) || std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
  if (x <= 0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return boost::math::cdf(
      boost::math::complement(boost::math::fisher_f_distribution<double>(df1, df2), x));
}

}  // namespace assay::protocols::fit
