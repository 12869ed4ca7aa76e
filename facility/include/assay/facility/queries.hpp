// Facility-wide reads for `assayctl --facility`: jobs of every host, one job, its results.
// Answers are JSON shaped like assayd's own API answers, with "host" added.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "assay/facility/pg.hpp"

namespace assay::facility {

struct FacilityJobFilter {
  std::string host;   // empty = every host
  std::string state;  // empty = every state
  std::string instrument;  // empty = every instrument
  int limit = 100;
  // Only jobs not ended yet (queued, running, interrupted), in queue order across hosts: running
  // ones first, then by priority and submission, oldest first.
  bool queue = false;
};

// The job named does not exist (or not on the host named).
class FacilityNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Newest first (queue order with `queue`).
nlohmann::json facility_jobs(PgConnection& pg, const FacilityJobFilter& filter);
// "HOST/JOB" or "JOB" (then it must be unique across hosts). Throws FacilityNotFound when there
// is no such job, std::runtime_error when the id is ambiguous (the message lists its hosts).
nlohmann::json facility_job(PgConnection& pg, const std::string& reference);
nlohmann::json facility_results(PgConnection& pg, const std::string& reference, const std::string& kind);

}  // namespace assay::facility
