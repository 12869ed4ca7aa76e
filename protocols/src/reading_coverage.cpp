#include "assay/protocols/reading_coverage.hpp"

#include <set>
#include <tuple>

#include "assay/protocols/protocol.hpp"

namespace assay::protocols {

std::vector<PlannedReading> endpoint_plan(const std::vector<std::string>& wells,
                                          const std::vector<std::string>& channels) {
  std::vector<PlannedReading> plan;
  plan.reserve(wells.size() * channels.size());
  for (const auto& channel : channels) {
    for (const auto& well : wells) plan.push_back({well, channel, 0});
  }
  return plan;
}

std::vector<PlannedReading> missing_readings(std::span<const PlannedReading> plan,
                                             std::span<const drivers::Reading> readings) {
  std::set<std::tuple<std::string_view, std::string_view, int>> present;
  for (const auto& r : readings) present.emplace(r.well, r.channel, r.cycle);
  std::vector<PlannedReading> missing;
  for (const auto& p : plan) {
    if (!present.count({p.well, p.channel, p.cycle})) missing.push_back(p);
  }
  return missing;
}

std::string describe_missing(std::span<const PlannedReading> missing, std::size_t planned, std::size_t shown) {
  std::string out = std::to_string(missing.size()) + " of " + std::to_string(planned) +
                    " planned readings " + (missing.size() == 1 ? "is" : "are") + " missing: ";
  for (std::size_t i = 0; i < missing.size() && i < shown; ++i) {
    out += (i ? ", " : "") + missing[i].well + " " + missing[i].channel + " cycle " +
           std::to_string(missing[i].cycle);
  }
  if (missing.size() > shown) out += ", ...";
  return out;
}

void require_complete(std::span<const PlannedReading> plan, std::span<const drivers::Reading> readings,
                      const std::string& what) {
  auto missing = missing_readings(plan, readings);
  if (missing.empty()) return;
  throw ProtocolError("incomplete_read", what + ": " + describe_missing(missing, plan.size()));
}

}  // namespace assay::protocols
