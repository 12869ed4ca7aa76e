#include "assay/protocols/calcium/traces.hpp"

#include <algorithm>
#include <unordered_map>

namespace assay::protocols::calcium {

TraceSet group_traces(std::span<const drivers::Reading> readings, const std::string& channel) {
  TraceSet set;
  set.channel = channel;
  bool found = std::any_of(readings.begin(), readings.end(),
                           [&](const drivers::Reading& r) { return r.channel == channel; });
  if (!found) {
    std::set<std::string> channels;
    for (const auto& r : readings) channels.insert(r.channel);
    if (channels.size() == 1) {
      set.channel = *channels.begin();
      set.warnings.push_back("no readings on channel " + channel + "; analysed the only channel " +
                             set.channel);
    }
  }
  // Per well: cycle -> index into its points, so a later reading of a cycle replaces the earlier.
  std::unordered_map<std::string, std::unordered_map<int, std::size_t>> seen;
  std::size_t replaced = 0;
  for (const auto& r : readings) {
    if (r.channel != set.channel) continue;
    auto& trace = set.wells[r.well];
    trace.well = r.well;
    auto& cycles = seen[r.well];
    TracePoint point{r.cycle, r.time_s, r.value, r.saturated};
    if (auto it = cycles.find(r.cycle); it != cycles.end()) {
      trace.points[it->second] = point;
      ++replaced;
    } else {
      cycles.emplace(r.cycle, trace.points.size());
      trace.points.push_back(point);
    }
    set.cycles.insert(r.cycle);
  }
  for (auto& [well, trace] : set.wells) {
    std::stable_sort(trace.points.begin(), trace.points.end(),
                     [](const TracePoint& a, const TracePoint& b) { return a.time_s < b.time_s; });
  }
  if (replaced > 0) {
    set.warnings.push_back(std::to_string(replaced) +
                           " readings were read again (a repeated well and cycle); the later "
                           "reading of each was used");
  }
  return set;
}

}  // namespace assay::protocols::calcium
