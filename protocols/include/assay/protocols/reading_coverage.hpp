// Whether the readings a protocol is about to analyse hold every reading it planned: each
// (well, channel, cycle) at least once, whichever attempt read it and however often. A job
// succeeds only with every planned reading (issue 13: a resumed job once "succeeded" with a
// cycle missing); otherwise it reads the missing ones again or fails naming them. Pure functions.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "assay/drivers/readings.hpp"

namespace assay::protocols {

struct PlannedReading {
  std::string well;
  std::string channel;
  int cycle = 0;
  bool operator==(const PlannedReading&) const = default;
};

// Every well of `wells` at every channel, cycle 0 (an endpoint read).
std::vector<PlannedReading> endpoint_plan(const std::vector<std::string>& wells,
                                          const std::vector<std::string>& channels);

// The planned readings absent from `readings`, in plan order.
std::vector<PlannedReading> missing_readings(std::span<const PlannedReading> plan,
                                             std::span<const drivers::Reading> readings);

// "3 of 96 planned readings are missing: A1 abs590 cycle 0, ..." (the first `shown` named).
std::string describe_missing(std::span<const PlannedReading> missing, std::size_t planned,
                             std::size_t shown = 12);

// Throws ProtocolError("incomplete_read", describe_missing(...)) when any planned reading is absent.
void require_complete(std::span<const PlannedReading> plan, std::span<const drivers::Reading> readings,
                      const std::string& what);

}  // namespace assay::protocols
