// Profile-likelihood confidence interval of LogIC50 (the method GraphPad documents): the set of
// LogIC50 values whose best fit over the other free parameters has
//   SS <= SSmin * (1 + F(confidence; 1, df) / df).
// Each side is bracketed by stepping out from the estimate (first step = the asymptotic
// half-width) and solved by safeguarded Newton on g = sqrt(SS - SSmin) - sqrt(threshold - SSmin),
// which is nearly linear in LogIC50; its slope comes free from the refit (envelope theorem:
// dSS/dLogIC50 is the partial derivative at the constrained optimum). An end is returned once the
// Newton correction is below tolerance_log (its error is then of the order of the square of that
// correction) or the bracket is that narrow. Each point of the profile is a refit with LogIC50
// held, warm-started from the previous one, by variable projection (HillSlope is then its only
// nonlinear unknown).
// A side that stays below the threshold out to the search limit is unbounded (+/-inf), or ends
// at the user's bound when one is set. Pure function, thread-safe.
#pragma once

#include "fit/curve_problem.hpp"

namespace assay::protocols::fit::detail {

struct ProfileSettings {
  double reach_beyond_range_log = 6.0;  // search this far past the tested concentrations
  double tolerance_log = 1e-6;          // an end is located within this (LogIC50 units)
  int max_evaluations_per_side = 40;
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
