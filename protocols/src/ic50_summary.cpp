#include "ic50_summary.hpp"

#include <algorithm>
#include <cmath>

namespace assay::protocols {
namespace {

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

}  // namespace

nlohmann::json ic50_summary(const fit::DoseResponseFit* fit, const std::vector<std::string>& extra_flags) {
  nlohmann::json out{{"value", nullptr}, {"ci_low", nullptr}, {"ci_high", nullptr}, {"ci_method", nullptr},
                     {"confidence", fit ? fit->confidence : 0.95}, {"unit", "nM"}, {"n", fit ? fit->n : 0}};
  std::vector<std::string> flags = fit ? fit->flags : std::vector<std::string>{};
  for (const auto& flag : extra_flags) {
    if (std::find(flags.begin(), flags.end(), flag) == flags.end()) flags.push_back(flag);
  }
  out["flags"] = flags;
  const bool no_ic50 = !fit || !fit->usable() || fit->has_flag(fit::kFlagInactive) ||
                       fit->has_flag(fit::kFlagAmbiguous) || fit->has_flag(fit::kFlagPlateauAtLimit);
  if (no_ic50) return out;
  out["value"] = number(fit->ic50);
  if (fit->log_ic50_profile_low && fit->log_ic50_profile_high) {
    out["ci_low"] = number(std::pow(10.0, *fit->log_ic50_profile_low));
    out["ci_high"] = number(std::pow(10.0, *fit->log_ic50_profile_high));
    out["ci_method"] = "profile";
  } else {
    out["ci_low"] = number(fit->ic50_ci_low);
    out["ci_high"] = number(fit->ic50_ci_high);
    out["ci_method"] = "asymptotic";
  }
  return out;
}

}  // namespace assay::protocols
