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
  // Two passes: the first finds each reading's well (one hash lookup per reading) and counts
  // the well's readings, so that each trace is allocated once; the second fills the traces. A
  // reading whose cycle is past every cycle its well has so far is new (the usual case);
  // otherwise an earlier point of that cycle, if any, is replaced: a well holds one point per
  // cycle.
  struct WellSoFar {
    KineticTrace* trace = nullptr;  // in set.wells
    std::size_t readings = 0;
    int last_cycle = -1;
  };
  std::unordered_map<std::string, WellSoFar> wells;
  std::vector<WellSoFar*> well_of(readings.size(), nullptr);
  for (std::size_t i = 0; i < readings.size(); ++i) {
    if (readings[i].channel != set.channel) continue;
    well_of[i] = &wells[readings[i].well];
    ++well_of[i]->readings;
  }
  for (auto& [name, well] : wells) {
    well.trace = &set.wells[name];
    well.trace->well = name;
    well.trace->points.reserve(well.readings);
  }
  std::size_t replaced = 0;
  int cycle_inserted = -1;
  for (std::size_t i = 0; i < readings.size(); ++i) {
    if (well_of[i] == nullptr) continue;
    const drivers::Reading& r = readings[i];
    WellSoFar& well = *well_of[i];
    const TracePoint point{r.cycle, r.time_s, r.value, r.saturated};
    auto& points = well.trace->points;
    if (r.cycle > well.last_cycle) {
      well.last_cycle = r.cycle;
      points.push_back(point);
    } else if (auto it = std::find_if(points.begin(), points.end(),
                                      [&](const TracePoint& p) { return p.cycle == r.cycle; });
               it != points.end()) {
      *it = point;
      ++replaced;
    } else {
      points.push_back(point);
    }
    if (r.cycle != cycle_inserted) set.cycles.insert(cycle_inserted = r.cycle);
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
