// Profile-likelihood confidence interval of LogIC50 (the method GraphPad documents): the set of
// LogIC50 values whose best fit over the other free parameters has
//   SS <= SSmin * (1 + F(confidence; 1, df) / df).
// Each side is bracketed by stepping out from the estimate (first step = the asymptotic
// half-width) and then solved by safeguarded secant on sqrt(SS - SSmin), which is nearly linear in
// LogIC50. A side that stays below the threshold out to the search limit is unbounded (+/-inf),
// or ends at the user's bound when one is set. Pure function, thread-safe.
#pragma once

#include "fit/curve_problem.hpp"

namespace assay::protocols::fit::detail {

struct ProfileSettings {
  double reach_beyond_range_log = 6.0;  // search this far past the tested concentrations
  double tolerance_log = 1e-4;          // bracket width at which a limit is accepted (0.02 % in IC50)
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
