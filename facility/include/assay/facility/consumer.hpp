// assay-facility's loop: fetch a batch from the durable pull consumer, store it in PostgreSQL
// in one transaction, acknowledge it after the commit. Any outage of NATS or PostgreSQL is
// waited out with a growing pause (0.2 s .. 10 s); nothing is acknowledged that is not
// committed, and a message stored twice changes nothing (apply.hpp), so no outage loses or
// duplicates a row. Runs on the calling thread until `stop` becomes true.
#pragma once

#include <atomic>

#include "assay/facility/facility_config.hpp"

namespace assay::facility {

struct ConsumerCounts {
  std::atomic<long> stored{0};     // messages stored now
  std::atomic<long> replayed{0};   // messages whose (host, seq) was stored before
  std::atomic<long> deferred{0};   // arrived before an earlier one of their host (apply.hpp)
  std::atomic<long> rejected{0};   // malformed or refused, kept in assay.rejected
  std::atomic<long> given_up{0};   // seqs that never came within the gap timeout
};

void run_consumer(const FacilityConfig& config, const std::atomic<bool>& stop, ConsumerCounts& counts);

}  // namespace assay::facility
