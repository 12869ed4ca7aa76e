// JSON form of a DoseResponseFit (snake_case; non-finite numbers and unbounded interval ends
// become null). An inactive or ambiguous curve reports ic50/log_ic50 as null: no number is
// better than a meaningless one; the fitted plateaus are still given.
#include <cmath>

#include "assay/protocols/fit/dose_response.hpp"

namespace assay::protocols::fit {
namespace {

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

nlohmann::json interval(double low, double high) { return {number(low), number(high)}; }

}  // namespace

nlohmann::json to_json(const DoseResponseFit& fit) {
  const bool no_ic50 = fit.has_flag(kFlagInactive) || fit.has_flag(kFlagAmbiguous) ||
                       fit.has_flag(kFlagPlateauAtLimit);
  nlohmann::json j;
  j["top"] = number(fit.top.value);
  j["bottom"] = number(fit.bottom.value);
  j["ic50"] = no_ic50 ? nlohmann::json() : number(fit.ic50);
  j["log_ic50"] = no_ic50 ? nlohmann::json() : number(fit.log_ic50.value);
  j["hill_slope"] = number(fit.hill_slope.value);
  j["se"] = {{"top", number(fit.top.se)},
             {"bottom", number(fit.bottom.se)},
             {"log_ic50", no_ic50 ? nlohmann::json() : number(fit.log_ic50.se)},
             {"hill_slope", number(fit.hill_slope.se)}};
  j["ci95"] = {{"top", interval(fit.top.ci_low, fit.top.ci_high)},
               {"bottom", interval(fit.bottom.ci_low, fit.bottom.ci_high)},
               {"hill_slope", interval(fit.hill_slope.ci_low, fit.hill_slope.ci_high)}};
  if (no_ic50) {
    j["ci95"]["log_ic50"] = interval(NAN, NAN);
    j["ci95"]["ic50"] = interval(NAN, NAN);
  } else {
    j["ci95"]["log_ic50"] = interval(fit.log_ic50.ci_low, fit.log_ic50.ci_high);
    j["ci95"]["ic50"] = interval(fit.ic50_ci_low, fit.ic50_ci_high);
  }
  nlohmann::json profile = nlohmann::json::object();
  if (!no_ic50 && fit.log_ic50_profile_low && fit.log_ic50_profile_high) {
    const double lo = *fit.log_ic50_profile_low, hi = *fit.log_ic50_profile_high;
    profile["log_ic50"] = interval(lo, hi);
    profile["ic50"] = interval(std::pow(10.0, lo), std::pow(10.0, hi));
  }
  j["ci95_profile"] = profile;
  j["fixed"] = nlohmann::json::array();
  if (fit.top.fixed) j["fixed"].push_back("top");
  if (fit.bottom.fixed) j["fixed"].push_back("bottom");
  if (fit.log_ic50.fixed) j["fixed"].push_back("log_ic50");
  if (fit.hill_slope.fixed) j["fixed"].push_back("hill_slope");
  j["confidence"] = fit.confidence;
  j["rss"] = number(fit.rss);
  j["r2"] = number(fit.r2);
  j["df"] = fit.df;
  j["n"] = fit.n;
  j["n_dropped"] = fit.n_dropped;
  j["iterations"] = fit.iterations;
  j["converged"] = fit.converged;
  j["usable"] = fit.usable();
  j["flags"] = fit.flags;
  return j;
}

}  // namespace assay::protocols::fit
