// Kinetic traces: the readings of one channel grouped per well and ordered by time.
//
// A reading repeated for the same (well, cycle), as after a re-read of an interrupted job, is
// replaced by the later one (readings are given in the order they were stored). Pure function;
// thread-safe.
#pragma once

#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "assay/drivers/readings.hpp"

namespace assay::protocols::calcium {

struct TracePoint {
  int cycle = 0;
  double time_s = 0.0;
  double value = 0.0;
  bool saturated = false;
};

struct KineticTrace {
  std::string well;
  std::vector<TracePoint> points;  // ascending time_s
};

struct TraceSet {
  std::string channel;
  std::map<std::string, KineticTrace> wells;
  std::set<int> cycles;  // every cycle seen on the plate
  std::vector<std::string> warnings;
};

// Picks `channel`; when no reading has it and the readings hold exactly one channel, that one
// is used and a warning says so. Readings of other channels are ignored.
TraceSet group_traces(std::span<const drivers::Reading> readings, const std::string& channel);

}  // namespace assay::protocols::calcium
