// Quantiles of Student's t and Fisher's F distributions, for confidence intervals and the
// extra-sum-of-squares tests of the dose-response fits. Computed with Boost.Math (header-only,
// Debian libboost-dev) to full double precision. Recent answers are memoised in a small
// thread-local cache because plates ask for the same (probability, df) thousands of times.
// Thread-safe: no shared mutable state.
#pragma once

namespace assay::protocols::fit {

// x such that P(T <= x) = probability, T ~ t(df); df > 0 (need not be an integer).
double student_t_quantile(double probability, double df);

// x such that P(F <= x) = probability, F ~ F(df1, df2).
double f_quantile(double probability, double df1, double df2);

// P(F > x) for F ~ F(df1, df2): the p-value of an F statistic.
double f_upper_tail(double x, double df1, double df2);

}  // namespace assay::protocols::fit
