// Which (well, channel, cycle) readings one attempt of a job has stored, so that a reading a
// driver delivers twice is stored once: the readings of an attempt are kept as pages of JSON
// (see reading_rows.hpp), which SQLite cannot hold to a UNIQUE key row by row.
//
// One bit per cycle per well and channel: a 1536-well read of 1,000 cycles takes about 200 KB.
// Not thread-safe (the Store uses it under its writer lock).
#pragma once

#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "assay/drivers/readings.hpp"

namespace assay::daemon {

class AttemptReadings {
 public:
  // Records the reading's key; true the first time it is seen. `position` is the reading's
  // index in its page: a reader sends the wells in the same order every cycle, so the well and
  // channel found at that position last time are compared before any hashing.
  bool first_time(const drivers::Reading& reading, std::size_t position);

 private:
  struct WellChannel {
    std::string well;
    std::string channel;
    std::vector<bool> cycles;  // bit c: cycle c is stored
  };
  WellChannel& find(const drivers::Reading& reading, std::size_t position);

  // Cycles up to this are bits in a vector; others (negative, huge) go to the set.
  static constexpr int kMaxBitCycle = 1 << 20;
  std::unordered_map<std::string, std::unique_ptr<WellChannel>> by_key_;  // well + '\x1f' + channel
  std::vector<WellChannel*> by_position_;  // what the last page had at each position
  std::set<std::tuple<std::string, std::string, int>> other_cycles_;
  std::string key_;  // reused: no allocation per lookup
};

}  // namespace assay::daemon
