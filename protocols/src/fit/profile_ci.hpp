// Profile-likelihood confidence interval of LogIC50 (the method GraphPad documents): the set of
// LogIC50 values whose best fit over the other free parameters has
//   SS <= SSmin * (1 + F(confidence; 1, df) / df).
// Each end is found first by a joint Newton search in (LogIC50, HillSlope) on the projected SS
// (at an end, the profile's HillSlope minimises the SS), started by one refit at the asymptotic
// end; if that shows trouble, by safeguarded Newton on g = sqrt(SS - SSmin) - sqrt(threshold -
// SSmin), which is nearly linear in LogIC50, whose slope comes free from each refit (envelope
// theorem), with bisection whenever Newton leaves the bracket or stalls. An end is accepted when
// the last Newton correction is below tolerance_log, or its estimated error (of the order of the
// square of the correction) is a tenth of that; so ends are located to 1e-6 in LogIC50 (checked
// against a brute-force profile in tests/fit/test_profile_ci.cpp). Refits are warm-started along
// the path by variable projection (HillSlope is then the only nonlinear unknown). At each end the
// other HillSlope branch (gentle slope or near-step) is probed, and the search continues on it
// when the SS there is lower. A side that stays below the threshold out to the search limit is
// unbounded (+/-inf), or ends at the caller's bound on LogIC50 when one is set.
// Pure function, thread-safe.
#pragma once

#include <limits>

#include "fit/curve_problem.hpp"

namespace assay::protocols::fit::detail {

struct ProfileSettings {
  double reach_beyond_range_log = 6.0;  // search this far past the tested concentrations
  double tolerance_log = 1e-6;          // an end is located within this (LogIC50 units)
  int max_evaluations_per_side = 40;
  // The caller's own bounds on LogIC50 (not the default cap): a side that reaches one ends there.
  double lower_bound = -std::numeric_limits<double>::infinity();
  double upper_bound = std::numeric_limits<double>::infinity();
};

struct ProfileInterval {
  double low = 0.0, high = 0.0;  // -inf / +inf for an unbounded side
  int evaluations = 0;           // constrained fits done
  bool ok = true;                // false when a constrained fit failed
};

ProfileInterval profile_log_ic50(const CurveData& data, const CurveConstraints& constraints,
                                 const Logistic4Params& best, double ss_min, double threshold,
                                 double first_step_log, const ProfileSettings& settings = {});

}  // namespace assay::protocols::fit::detail
