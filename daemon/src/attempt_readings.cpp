#include "assay/daemon/attempt_readings.hpp"

#include <algorithm>

namespace assay::daemon {

AttemptReadings::WellChannel& AttemptReadings::find(const drivers::Reading& reading, std::size_t position) {
  if (position < by_position_.size()) {
    auto* cached = by_position_[position];
    if (cached && cached->well == reading.well && cached->channel == reading.channel) return *cached;
  } else {
    by_position_.resize(position + 1, nullptr);
  }
  key_.assign(reading.well);
  key_ += '\x1f';
  key_ += reading.channel;
  auto& entry = by_key_[key_];
  if (!entry) entry = std::make_unique<WellChannel>(WellChannel{reading.well, reading.channel, {}});
  by_position_[position] = entry.get();
  return *entry;
}

bool AttemptReadings::first_time(const drivers::Reading& reading, std::size_t position) {
  if (reading.cycle < 0 || reading.cycle >= kMaxBitCycle) {
    return other_cycles_.emplace(reading.well, reading.channel, reading.cycle).second;
  }
  auto& cycles = find(reading, position).cycles;
  const auto cycle = static_cast<std::size_t>(reading.cycle);
  if (cycle >= cycles.size()) cycles.resize(std::max(cycle + 1, cycles.size() * 2));
  if (cycles[cycle]) return false;
  cycles[cycle] = true;
  return true;
}

}  // namespace assay::daemon
